"""Word both ways: the portal's own .docx of a letter, read back by the import, gives the same
letter (every part in its field), for the seed letter and for one with every optional part."""

import pytest

from proposals.letters import importing, parsing, word_export
from proposals.letters.interchange import export_letter, import_letter, read_letter

pytestmark = pytest.mark.django_db


def read_back(reply) -> dict:
    lines = importing.word_file_lines("答复.docx", word_export.render_docx(reply))
    letter = parsing.assemble(parsing.tag_lines(lines), agency=reply.agency.name)
    return read_letter(letter, "答复.docx").data


def test_the_seed_letters_docx_reads_back_as_the_same_letter(seed_reply):
    assert read_back(seed_reply) == read_letter(export_letter(seed_reply), "原件").data


def test_a_letter_with_every_part_reads_back_the_same(seed_reply):
    original = export_letter(seed_reply)
    original.update(
        doc_number="随人社函〔2022〕45号",
        signer="张春强",
        publicity="主动公开",
        date="2022-07-26",
        attachments=["人大代表建议办理情况征询意见表", "相关政策文件"],
        sections=[
            {
                "heading": "关于提高工人待遇方面",
                "paragraphs": ["建立了重点产业企业薪酬调查工作机制。"],
                "subsections": [
                    {"heading": "加强宣传引导。", "paragraphs": ["我们将通过多种渠道宣传技能人才政策。"]},
                    {"heading": "落实培训补贴", "paragraphs": ["全年发放补贴资金348.68万元。"]},
                ],
            },
            {
                "heading": "关于弘扬劳模精神方面",
                "paragraphs": ["积极开展劳模先进事迹宣传。", "今年评选劳模25名。"],
            },
        ],
    )
    reply = import_letter(read_letter(original, "原件"))
    assert read_back(reply) == read_letter(export_letter(reply), "原件").data
