"""下载 Word: the letter as .docx (proposals/letters/word_export.py). Read back with python-docx
(page, grid, fonts, headers and footers, properties, every word of the PDF's context), served
like the PDF, written by loadreply --docx, and checked independently: LibreOffice converts the
seed letter's .docx to PDF once per module, and its text layer must hold every paragraph, with the
first line of page 2 at the 37 mm top margin and 22 lines on a full page."""

import collections
import copy
import io
import json
import re
import shutil
import statistics
import subprocess
import time
import urllib.parse
import zipfile

import docx
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from proposals.letters import rendering, word_export, wording
from proposals.letters.interchange import import_letter, read_letter, read_letter_file
from tests.conftest import SEED_JSON, login

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 72 / 25.4
DRAFT_MARK = "草稿·未签发"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def all_text(document) -> str:
    """Body, headers and footers (the letterhead and the 草稿 mark are in the headers)."""
    parts = [p.text for p in document.paragraphs]
    section = document.sections[0]
    for part in (section.first_page_header, section.header, section.even_page_header):
        parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


def context_texts(letter: dict) -> list[str]:
    """Every string the letter context prints, as the PDF template prints it."""
    texts = [letter["agency"], letter["title"], letter["salutation"], letter["opening"], letter["signature"]]
    texts += [
        letter[key] for key in ("class_code_header", "class_code_foot", "doc_number", "publicity", "date")
    ]
    if letter["signer"]:
        texts.append(f"签发人：{letter['signer']}")

    def walk(sections):
        for section in sections:
            texts.append(section["number"] + section["heading"])
            texts.extend(section["paragraphs"])
            walk(section["children"])

    walk(letter["sections"])
    texts += letter["closing"] + letter["attachments"] + letter["contact_lines"] + [letter["copy_line"]]
    return [t for t in texts if t]


def letter_dict(**changes) -> dict:
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter.update(changes)
    return letter


def reply_from(letter: dict):
    return import_letter(read_letter(copy.deepcopy(letter), "test.json"))


@pytest.fixture
def seed_docx(seed_reply) -> bytes:
    return word_export.render_docx(seed_reply)


# ---- Page, grid, fonts ----


def test_a4_page_with_gb_margins_and_the_22_by_28_grid(seed_docx):
    document = read(seed_docx)
    section = document.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210.0, 297.0)
    margins = [section.top_margin, section.left_margin, section.right_margin, section.bottom_margin]
    assert [round(m.mm, 1) for m in margins] == [37.0, 28.0, 26.0, 35.0]
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars"
    pitch, char_space = int(grid.get(f"{W}linePitch")), int(grid.get(f"{W}charSpace"))
    # 225 mm / 22 lines, rounded down so that 22 lines fit the 12756-twip type area.
    type_height = round((297 - 37 - 35) * 1440 / 25.4)
    assert pitch == type_height // 22 == 579
    assert 22 * pitch <= type_height < 23 * pitch
    # Word's encoding: the character pitch is the default size (16 pt) + charSpace / 4096 pt, and
    # floor(line width / pitch) characters fill a line.
    width_pt = (section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20
    assert char_space == -849
    for width in (width_pt, 156 / 25.4 * 72, 8844 / 20):  # the section's twips, 156 mm, 156 mm in whole twips
        assert int(width / (16 + char_space / 4096)) == 28
    assert int(8844 / 20 / (16 + (char_space + 1) / 4096)) == 27  # the largest value that fits 28
    assert section.different_first_page_header_footer
    assert document.settings.element.find(f"{W}evenAndOddHeaders") is not None
    assert document.settings.odd_and_even_pages_header_footer


def test_body_lines_are_exactly_one_grid_pitch(seed_docx):
    styles = read(seed_docx).styles.element
    spacing = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("579", "exact")
    body = read(seed_docx).styles["答复函正文"].element
    indent = body.find(f"{W}pPr/{W}ind")
    assert indent.get(f"{W}firstLineChars") == "200"


def _east_asia(style) -> str:
    return style.element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")


def test_fonts_per_role_from_settings(seed_reply, settings):
    document = read(word_export.render_docx(seed_reply))
    styles = document.styles
    assert _east_asia(styles["Normal"]) == "仿宋_GB2312"
    assert _east_asia(styles["答复函标题"]) == "方正小标宋简体"
    assert _east_asia(styles["答复函一级标题"]) == "黑体"
    assert _east_asia(styles["答复函二级标题"]) == "楷体_GB2312"
    fonts = styles["Normal"].element.find(f"{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}ascii") == fonts.get(f"{W}hAnsi") == "仿宋_GB2312"
    number_fonts = {r.get(f"{W}eastAsia") for r in document.sections[0].footer._element.iter(f"{W}rFonts")}
    assert number_fonts == {"宋体"}
    settings.LETTER_DOCX_FONTS = {**settings.LETTER_DOCX_FONTS, "body": "仿宋", "heading1": "方正黑体_GBK"}
    changed = read(word_export.render_docx(seed_reply)).styles
    assert _east_asia(changed["Normal"]) == "仿宋"
    assert _east_asia(changed["答复函一级标题"]) == "方正黑体_GBK"


def test_headings_use_their_level_style_and_body_paragraphs_are_indented(seed_docx):
    document = read(seed_docx)
    headings = [p for p in document.paragraphs if p.style.name == "答复函一级标题"]
    assert [p.text[:2] for p in headings] == ["一、", "二、", "三、", "四、", "五、"]
    assert sum(p.style.name == "答复函正文" for p in document.paragraphs) >= 10


def test_title_in_balanced_lines_with_line_breaks(seed_reply):
    title = "随州市住房和城乡建设局关于市政协五届二次会议第231号提案的答复"
    seed_reply.title = title
    document = read(word_export.render_docx(seed_reply))
    paragraph = next(p for p in document.paragraphs if p.style.name == "答复函标题")
    assert paragraph.text.split("\n") == wording.title_lines(title)
    assert len(paragraph._p.findall(f".//{W}br")) == len(wording.title_lines(title)) - 1
    style = document.styles["答复函标题"]
    assert style.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert style.font.size.pt == 22


# ---- Headers, footers, letterhead ----


def _field_codes(part) -> list[str]:
    return [t.text.strip() for t in part._element.iter(f"{W}instrText")]


def test_page_numbers_odd_right_even_left_none_on_page_one(seed_docx):
    section = read(seed_docx).sections[0]
    odd, even, first = section.footer, section.even_page_footer, section.first_page_footer
    assert _field_codes(odd) == ["PAGE"] and _field_codes(even) == ["PAGE"]
    assert _field_codes(first) == []
    assert squeeze(odd.paragraphs[0].text) == "—2—"  # the field's cached value between the dashes
    assert odd.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert even.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
    assert odd.paragraphs[0].paragraph_format.right_indent.pt == 14  # one 4号 character in
    assert even.paragraphs[0].paragraph_format.left_indent.pt == 14
    sizes = {run.font.size.pt for run in odd.paragraphs[0].runs}
    assert sizes == {14}


def _border_sizes(paragraph) -> tuple[int, int]:
    borders = paragraph._p.find(f"{W}pPr/{W}pBdr")
    top, bottom = borders.find(f"{W}top"), borders.find(f"{W}bottom")
    assert top.get(f"{W}color") == bottom.get(f"{W}color") == word_export.RED
    return int(top.get(f"{W}sz")), int(bottom.get(f"{W}sz"))


def test_red_letterhead_and_double_lines_on_page_one_only(seed_docx):
    section = read(seed_docx).sections[0]
    header = section.first_page_header.paragraphs
    mark = next(p for p in header if p.text == "随州市人力资源和社会保障局")
    assert mark.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    run = mark.runs[0]
    assert str(run.font.color.rgb) == word_export.RED
    assert run.element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "方正小标宋简体"
    top_rule = header[-1]
    thick, thin = _border_sizes(top_rule)
    assert thick > thin  # thick over thin under the mark
    foot_thin, foot_thick = _border_sizes(section.first_page_footer.paragraphs[0])
    assert foot_thick > foot_thin  # thin over thick near the bottom
    # 170 mm: 8 mm beyond the 156 mm type area on the left, 6 mm on the right.
    width = 156 - top_rule.paragraph_format.left_indent.mm - top_rule.paragraph_format.right_indent.mm
    assert abs(width - 170) < 0.2
    assert "随州市人力资源和社会保障局" not in "".join(p.text for p in section.header.paragraphs)


# ---- The text ----


def test_every_paragraph_of_the_letter_context_is_in_the_document(seed_reply, seed_docx):
    text = squeeze(all_text(read(seed_docx)))
    for piece in context_texts(rendering.letter_context(seed_reply)):
        assert squeeze(piece) in text, piece


@pytest.mark.parametrize(
    ("position", "printed"), [("header_line", "(A)"), ("top_right", "类别：A"), ("foot", "办复类别：A类")]
)
def test_class_code_where_the_agency_prints_it(seed_reply, position, printed):
    seed_reply.agency.class_code_position = position
    seed_reply.agency.save()
    paragraphs = [p.text for p in read(word_export.render_docx(seed_reply)).paragraphs]
    [line] = [text for text in paragraphs if printed in text]
    if position == "top_right":  # on the 发文字号 line, right-aligned
        assert line.strip() == printed
    at = paragraphs.index(line)
    title = next(i for i, text in enumerate(paragraphs) if text.startswith("对市五届"))
    assert (at < title) == (position != "foot")
    assert ("(A)" in "".join(paragraphs)) == (position == "header_line")


def test_a_full_letter_with_every_part(db):
    letter = letter_dict(
        doc_number="随人社函〔2022〕45号",
        signer="张春强",
        date="2022-07-26",
        attachments=["人大代表建议办理情况征询意见表", "相关政策文件"],
        sections=[
            {
                "heading": "关于提高待遇方面",
                "paragraphs": ["第一级内容。"],
                "subsections": [
                    {
                        "heading": "落实补贴",
                        "paragraphs": ["第二级内容。"],
                        "subsections": [
                            {"heading": "加强宣传引导。", "paragraphs": ["我们将宣传。", "另起一段。"]}
                        ],
                    }
                ],
            }
        ],
    )
    reply = reply_from(letter)
    context = rendering.letter_context(reply)
    document = read(word_export.render_docx(reply))
    text = squeeze(all_text(document))
    for piece in context_texts(context):
        assert squeeze(piece) in text, piece
    assert "随人社函〔2022〕45号签发人：张春强" in text
    assert "附件：1.人大代表建议办理情况征询意见表2.相关政策文件" in text
    assert "2022年7月26日" in text
    second = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert second.style.name == "答复函二级标题"
    assert _east_asia(document.styles["答复函二级标题"]) == "楷体_GB2312"
    run_in = next(p for p in document.paragraphs if p.text.startswith("1.加强宣传引导。"))
    assert run_in.text == "1.加强宣传引导。我们将宣传。"
    assert run_in.style.name == "答复函正文"
    assert any(p.text == "另起一段。" for p in document.paragraphs)
    # 签发人's name in 楷体
    name = next(r for p in document.paragraphs for r in p.runs if r.text == "张春强")
    assert name.element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "楷体_GB2312"


def test_run_in_heading_keeps_the_heading_font(db):
    reply = reply_from(
        letter_dict(
            sections=[{"heading": "加强宣传引导。", "paragraphs": ["我们将通过多种渠道宣传。", "第二段。"]}]
        )
    )
    document = read(word_export.render_docx(reply))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("一、加强宣传引导。"))
    assert paragraph.text == "一、加强宣传引导。我们将通过多种渠道宣传。"
    heading, body = paragraph.runs[0], paragraph.runs[1]
    assert heading.text == "一、加强宣传引导。"
    assert heading.element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "黑体"
    assert body.element.find(f"{W}rPr") is None  # the paragraph's 仿宋
    assert paragraph.paragraph_format.first_line_indent is None  # from the style: 2 characters
    elements = [p._p for p in document.paragraphs]
    assert document.paragraphs[elements.index(paragraph._p) + 1].text == "第二段。"


NUMBERED = "在经费保障方面，区财政按照每生每年600元的标准安排专项经费用于课后服务。"


def test_a_numbered_paragraph_is_one_body_paragraph(db):
    """A long lead sentence is a numbered paragraph (1、我局于……。): number, sentence and the rest
    in one paragraph, all in the body font, as in the letter it came from."""
    reply = reply_from(
        letter_dict(sections=[{"heading": NUMBERED, "paragraphs": ["同时允许学校收费。", "另起。"]}])
    )
    document = read(word_export.render_docx(reply))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("一、在经费"))
    assert paragraph.text == f"一、{NUMBERED}同时允许学校收费。"
    assert paragraph.style.name == "答复函正文"
    assert all(run.element.find(f"{W}rPr") is None for run in paragraph.runs)


def test_copy_line_is_framed_at_the_foot_of_the_type_area(seed_docx):
    document = read(seed_docx)
    last = document.paragraphs[-1]
    assert last.text == "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"
    frame = last._p.find(f"{W}pPr/{W}framePr")
    assert (frame.get(f"{W}vAnchor"), frame.get(f"{W}yAlign")) == ("margin", "bottom")
    style = document.styles["答复函抄送"]
    assert style.font.size.pt == 14
    indent = style.element.find(f"{W}pPr/{W}ind")
    assert indent.get(f"{W}right") == "280"  # one 4号 character in from the right
    assert int(indent.get(f"{W}left")) - int(indent.get(f"{W}hanging")) == 280  # and from the left


def test_core_properties_name_the_letter_and_the_agency_only(seed_reply, seed_docx):
    core = read(seed_docx).core_properties
    assert core.title == rendering.letter_context(seed_reply)["title"]
    assert core.author == "随州市人力资源和社会保障局"
    assert core.last_modified_by == "" and core.comments == "" and core.keywords == ""
    assert core.content_status == DRAFT_MARK
    names = zipfile.ZipFile(io.BytesIO(seed_docx)).namelist()
    assert not [n for n in names if "thumbnail" in n or n.startswith("customXml")]


# ---- Draft mark and issued copy ----


def test_a_draft_is_marked_on_every_page(seed_reply, seed_docx):
    assert seed_reply.draft_mark == DRAFT_MARK
    section = read(seed_docx).sections[0]
    for part in (section.first_page_header, section.header, section.even_page_header):
        assert part.paragraphs[0].text == DRAFT_MARK
    assert word_export.ISSUED_COPY_NOTE not in all_text(read(seed_docx))


def test_an_issued_letter_says_the_signed_pdf_is_the_record(issued, clerk):
    response = login(clerk).get(reverse("reply_docx", args=[issued.pk]))
    assert response.status_code == 200
    document = read(b"".join(response.streaming_content))
    section = document.sections[0]
    for part in (section.first_page_header, section.header, section.even_page_header):
        assert part.paragraphs[0].text == "本文件为已签发答复函的 Word 副本，以加盖电子签章的 PDF 为准。"
    assert DRAFT_MARK not in all_text(document) and "已签发·未发出" not in all_text(document)


# ---- The download ----


def test_clerk_downloads_the_word_file_with_a_chinese_name(seed_reply, clerk):
    client = login(clerk)
    page = client.get(reverse("reply_detail", args=[seed_reply.pk])).content.decode()
    assert f'href="{reverse("reply_docx", args=[seed_reply.pk])}">下载 Word</a>' in page
    response = client.get(reverse("reply_docx", args=[seed_reply.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == word_export.DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = "市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复（草稿未签发）.docx"
    assert f"filename*=utf-8''{urllib.parse.quote(name)}" in disposition
    assert word_export.docx_filename(seed_reply) == name
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_an_outsider_gets_the_same_answer_as_for_the_pdf(seed_reply, outsider):
    client = login(outsider)
    pdf = client.get(reverse("reply_pdf", args=[seed_reply.pk])).status_code
    word = client.get(reverse("reply_docx", args=[seed_reply.pk])).status_code
    assert word == pdf == 404
    assert Client().get(reverse("reply_docx", args=[seed_reply.pk])).status_code == 302  # to sign in


@pytest.mark.django_db
def test_loadreply_writes_word_files(tmp_path):
    out = io.StringIO()
    call_command("loadreply", str(SEED_JSON), "--docx", str(tmp_path / "docx"), stdout=out)
    [path] = (tmp_path / "docx").iterdir()
    assert path.name == "市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复（草稿未签发）.docx"
    assert "沈宝栋、李芸等代表：" in squeeze(all_text(read(path.read_bytes())))


def test_render_docx_is_fast(seed_reply):
    """≤ 100 ms warm for the seed letter (context from the database included)."""
    word_export.render_docx(seed_reply)
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        word_export.render_docx(seed_reply)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.1, timings


# ---- LibreOffice: an independent reader ----


@pytest.fixture(scope="module")
def libreoffice_pdf(django_db_setup, django_db_blocker, tmp_path_factory) -> tuple[dict, bytes]:
    """The seed letter's context and its .docx converted to PDF by LibreOffice, once per module
    (its own profile, 120 s at most)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (soffice) is not installed: `make setup` installs it "
            "(libreoffice-writer-nogui in the Makefile's APT_PACKAGES)."
        )
    folder = tmp_path_factory.mktemp("libreoffice")
    with django_db_blocker.unblock(), transaction.atomic():
        reply = import_letter(read_letter_file(SEED_JSON))
        letter = rendering.letter_context(reply)
        data = word_export.render_docx(reply)
        transaction.set_rollback(True)
    source = folder / "seed.docx"
    source.write_bytes(data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return letter, (folder / "seed.pdf").read_bytes()


def bbox_lines(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the text lines (pdftotext -bbox words grouped by their bottom edge, in mm), top
    to bottom, each as (x0, top, x1, bottom, text)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    pages = []
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    for page in re.findall(r"<page[^>]*>(.*?)</page>", xhtml.decode(), re.S):
        rows = collections.defaultdict(list)
        for x0, top, x1, bottom, text in word.findall(page):
            rows[round(float(bottom) / MM)].append(
                (float(x0) / MM, float(top) / MM, float(x1) / MM, float(bottom) / MM, text)
            )
        merged = []
        for key in sorted(rows):
            if merged and key - merged[-1][0] <= 1:
                merged[-1][1].extend(rows[key])
            else:
                merged.append((key, list(rows[key])))
        pages.append(
            [
                (
                    min(w[0] for w in ws),
                    min(w[1] for w in ws),
                    max(w[2] for w in ws),
                    max(w[3] for w in ws),
                    "".join(w[4] for w in sorted(ws)),
                )
                for _, ws in merged
            ]
        )
    return pages


def body(lines):
    """The lines inside the type area (37–262 mm, a little slack), without the 草稿 mark."""
    return [line for line in lines if 35 <= line[3] <= 263 and line[4] != DRAFT_MARK]


def test_libreoffice_reads_every_paragraph(libreoffice_pdf):
    letter, pdf = libreoffice_pdf
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    printed = re.sub(r"—\d+—", "", squeeze(text)).replace(DRAFT_MARK, "")
    for piece in context_texts(letter):
        assert squeeze(piece) in printed, piece


def test_libreoffice_keeps_the_margins_and_the_line_grid(libreoffice_pdf):
    """Page 2 (page 1 starts below the letterhead, in the top margin): its first line's grid cell
    begins at the 37 mm top margin (the cell is one 10.21 mm pitch above the line's bottom), it
    holds 22 lines on the pitch, the last ending on the 262 mm bottom of the type area; lines
    start on the 28 mm left margin (or 2 characters in) and end by the 184 mm right margin; a
    full line holds 28 characters."""
    pitch = 579 / 1440 * 25.4
    pages = bbox_lines(libreoffice_pdf[1])
    assert len(pages) >= 4
    lines = body(pages[1])
    assert len(lines) == 22, [line[4] for line in lines]
    first_cell_top = lines[0][3] - pitch
    assert abs(first_cell_top - 37) <= 2, first_cell_top
    assert lines[0][1] >= 37 - 0.5  # the glyphs inside the cell
    assert lines[-1][3] <= 262 + 1
    steps = [b[3] - a[3] for a, b in zip(lines, lines[1:], strict=False)]
    assert max(abs(step - pitch) for step in steps) < 0.3, steps
    for x0, _, x1, _, text in lines:
        assert abs(x0 - 28) <= 1 or abs(x0 - 28 - 2 * 5.6) <= 1.5, (x0, text)
        assert x1 <= 184 + 1, (x1, text)
    full = [len(t) for x0, _, _, _, t in lines if abs(x0 - 28) <= 1 and all(ord(c) > 0x2E7F for c in t)]
    assert max(full) == 28, full


def test_libreoffice_page_furniture(libreoffice_pdf):
    """Page 1: the mark near 30 mm and no page number; then "— N —" under the type area, even
    pages left, odd pages right; 抄送 at the foot of the last page's type area."""
    letter, pdf = libreoffice_pdf
    pages = bbox_lines(pdf)
    first = pages[0]
    mark = next(line for line in first if line[4] == letter["agency"])
    assert abs(mark[1] - 30) <= 1.5, mark  # the top of the line box of its glyphs
    assert not [line for line in first if re.fullmatch(r"—\d+—", line[4])]
    for number, page in enumerate(pages[1:], start=2):
        [footer] = [line for line in page if re.fullmatch(r"—\d+—", line[4])]
        assert footer[4] == f"—{number}—"
        assert 262 + 4 <= footer[1] <= 262 + 10, footer
        if number % 2:
            assert footer[2] > 150
        else:
            assert footer[0] < 60
    copies = next(line for line in pages[-1] if line[4].startswith("抄送："))
    assert 245 <= copies[3] <= 263, copies
