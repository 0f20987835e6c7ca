"""proposals.letters.word_import: the refusals of check_word_file, and docx_lines reading text,
numbering, breaks, text boxes and tables as Word prints them."""

import io
import os
import time
import zipfile

import pytest

from proposals.letters.word_import import WordFileError, check_word_file, docx_lines
from proposals.letters.word_numbering import format_number
from tests import word_samples as ws
from tests.word_samples import abstract, docx, level, num, numbering_xml, paragraph, style, styles_xml


def lines_of(body, numbering=None, styles=None, **kwargs):
    """The lines docx_lines reads from a document built from `body`."""
    return docx_lines(docx(body, numbering=numbering, styles=styles, **kwargs), "答复.docx")


def one_list(*levels, nums=None):
    """numbering.xml with abstractNum 1 made of `levels` and num 1 (or the given nums)."""
    return numbering_xml(abstract(1, *levels), *(nums or [num(1, 1)]))


# --- Sample files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ws.samples()))
def test_fixture_files_read_as_their_lines(name):
    data, expected = ws.samples()[name]
    stored = (ws.FIXTURES / name).read_bytes()
    assert stored == data, "tests/fixtures/letters is rebuilt by `python -m tests.word_samples`"
    assert docx_lines(stored, name) == expected


def test_seed_docx_lines_are_the_seed_texts_paragraphs():
    lines = docx_lines((ws.FIXTURES / "word-seed-typed.docx").read_bytes(), "reply-12.docx")
    text = ws.SEED_TXT.read_text(encoding="utf-8")
    assert lines == [line.strip() for line in text.splitlines() if line.strip()]


def test_automatic_numbering_prints_the_seed_headings():
    data, _ = ws.seed_automatic()
    lines = docx_lines(data)
    headings = [line for line in lines if line[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、"]
    assert "四、关于打通工人晋升通道，组织员工参加技能培训方面" in lines
    subs = [line[:3] for line in lines if line.startswith("（")]
    # （一）… restart after 五、
    assert subs == ["（一）", "（二）", "（三）", "（四）", "（一）", "（二）", "（三）"]


def test_reading_the_seed_letter_is_fast():
    data = (ws.FIXTURES / "word-seed-automatic.docx").read_bytes()
    docx_lines(data)
    started = time.perf_counter()
    for _ in range(10):
        docx_lines(data)
    assert (time.perf_counter() - started) / 10 < 0.1


# --- Number formats and label texts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "values"),
    [
        ("decimal", {1: "1", 10: "10", 123: "123"}),
        ("chineseCounting", {1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九"}),
        (
            "chineseCountingThousand",
            {1: "一", 10: "十", 15: "十五", 20: "二十", 101: "一百零一", 110: "一百一十"},
        ),
        ("ideographTraditional", {1: "甲", 2: "乙", 10: "癸", 11: "甲"}),
        ("ideographDigital", {1: "一", 10: "一〇", 25: "二五"}),
        ("japaneseCounting", {1: "一", 10: "十", 11: "十一", 20: "二十", 100: "百"}),
        ("upperLetter", {1: "A", 2: "B", 26: "Z", 27: "AA", 28: "BB"}),
        ("lowerLetter", {1: "a", 3: "c", 27: "aa"}),
        ("upperRoman", {1: "I", 4: "IV", 9: "IX", 14: "XIV", 40: "XL", 1994: "MCMXCIV"}),
        ("lowerRoman", {1: "i", 3: "iii", 12: "xii"}),
        ("decimalFullWidth", {1: "１", 12: "１２"}),
        ("decimalEnclosedCircle", {1: "①", 10: "⑩", 20: "⑳", 21: "㉑", 36: "㊱", 50: "㊿"}),
        ("decimalEnclosedCircleChinese", {1: "①", 3: "③"}),
        ("decimalZero", {1: "01", 9: "09", 10: "10"}),
        ("none", {1: ""}),
        ("someFutureFormat", {4: "4"}),
    ],
)
def test_number_formats(fmt, values):
    assert {n: format_number(n, fmt) for n in values} == values


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("chineseCounting", "%1、", ["一、甲", "二、乙", "三、丙"]),
        ("chineseCounting", "（%1）", ["（一）甲", "（二）乙", "（三）丙"]),
        ("decimal", "%1.", ["1.甲", "2.乙", "3.丙"]),
        ("decimal", "(%1)", ["(1)甲", "(2)乙", "(3)丙"]),
        ("chineseCounting", "第%1条", ["第一条甲", "第二条乙", "第三条丙"]),
        ("chineseCountingThousand", "%1、", ["一、甲", "二、乙", "三、丙"]),
        ("ideographTraditional", "%1、", ["甲、甲", "乙、乙", "丙、丙"]),
        ("ideographDigital", "%1.", ["一.甲", "二.乙", "三.丙"]),
        ("japaneseCounting", "%1、", ["一、甲", "二、乙", "三、丙"]),
        ("upperLetter", "%1.", ["A.甲", "B.乙", "C.丙"]),
        ("lowerLetter", "%1)", ["a)甲", "b)乙", "c)丙"]),
        ("upperRoman", "%1.", ["I.甲", "II.乙", "III.丙"]),
        ("lowerRoman", "(%1)", ["(i)甲", "(ii)乙", "(iii)丙"]),
        ("decimalFullWidth", "%1．", ["１．甲", "２．乙", "３．丙"]),
        ("decimalEnclosedCircle", "%1", ["①甲", "②乙", "③丙"]),
        ("decimalEnclosedCircleChinese", "%1", ["①甲", "②乙", "③丙"]),
        ("decimalZero", "%1.", ["01.甲", "02.乙", "03.丙"]),
        ("bullet", "●", ["●甲", "●乙", "●丙"]),
        ("bullet", "\uf0b7", ["甲", "乙", "丙"]),
    ],
)
def test_label_of_each_format_and_text(fmt, text, expected):
    numbering = one_list(level(0, fmt, text))
    assert lines_of([paragraph(t, num=(1, 0)) for t in "甲乙丙"], numbering) == expected


@pytest.mark.parametrize("suff", ["tab", "space", "nothing", None])
def test_no_space_after_the_label_whatever_the_suffix(suff):
    numbering = one_list(
        level(0, "chineseCounting", "%1、", suff=suff), level(1, "decimal", "%2.", suff=suff)
    )
    body = [paragraph("总体情况", num=(1, 0)), paragraph("具体措施", num=(1, 1))]
    assert lines_of(body, numbering) == ["一、总体情况", "1.具体措施"]


def test_counting_to_twenty_one_in_chinese():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    lines = lines_of([paragraph(f"第{n}项", num=(1, 0)) for n in range(1, 22)], numbering)
    assert [line.split("、")[0] for line in lines[8:]] == [
        "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十", "二十一",
    ]  # fmt: skip


def test_multi_level_text_and_reset_of_lower_levels():
    numbering = one_list(
        level(0, "decimal", "%1."), level(1, "decimal", "%1.%2"), level(2, "decimal", "%1.%2.%3")
    )
    body = [
        paragraph("总则", num=(1, 0)),
        paragraph("范围", num=(1, 1)),
        paragraph("细目", num=(1, 2)),
        paragraph("细目", num=(1, 2)),
        paragraph("适用", num=(1, 1)),
        paragraph("细目", num=(1, 2)),
        paragraph("分则", num=(1, 0)),
        paragraph("范围", num=(1, 1)),
    ]
    assert lines_of(body, numbering) == [
        "1.总则", "1.1范围", "1.1.1细目", "1.1.2细目", "1.2适用", "1.2.1细目", "2.分则", "2.1范围",
    ]  # fmt: skip


def test_a_level_used_before_its_parent_shows_the_parents_start():
    numbering = one_list(level(0, "decimal", "%1.", start=3), level(1, "decimal", "%1.%2"))
    assert lines_of([paragraph("甲", num=(1, 1))], numbering) == ["3.1甲"]


def test_lvl_restart_zero_never_restarts():
    numbering = one_list(level(0, "chineseCounting", "%1、"), level(1, "decimal", "%2.", restart=0))
    body = [
        paragraph("甲", num=(1, 0)),
        paragraph("子", num=(1, 1)),
        paragraph("乙", num=(1, 0)),
        paragraph("丑", num=(1, 1)),
    ]
    assert lines_of(body, numbering) == ["一、甲", "1.子", "二、乙", "2.丑"]


def test_lvl_restart_only_after_the_named_level():
    numbering = one_list(
        level(0, "chineseCounting", "%1、"),
        level(1, "chineseCounting", "（%2）"),
        level(2, "decimal", "%3.", restart=1),  # restarts after 一、 but not after （一）
    )
    body = [
        paragraph("甲", num=(1, 0)),
        paragraph("子", num=(1, 1)),
        paragraph("a", num=(1, 2)),
        paragraph("丑", num=(1, 1)),
        paragraph("b", num=(1, 2)),
        paragraph("乙", num=(1, 0)),
        paragraph("c", num=(1, 2)),
    ]
    assert lines_of(body, numbering) == ["一、甲", "（一）子", "1.a", "（二）丑", "2.b", "二、乙", "1.c"]


def test_is_legal_shows_every_number_in_decimal():
    numbering = one_list(level(0, "upperRoman", "%1."), level(1, "decimal", "%1.%2", legal=True))
    body = [paragraph("甲", num=(1, 0)), paragraph("乙", num=(1, 0)), paragraph("子", num=(1, 1))]
    assert lines_of(body, numbering) == ["I.甲", "II.乙", "2.1子"]


def test_start_value():
    numbering = one_list(level(0, "chineseCounting", "%1、", start=4))
    assert lines_of([paragraph("甲", num=(1, 0)), paragraph("乙", num=(1, 0))], numbering) == [
        "四、甲",
        "五、乙",
    ]


def test_paragraphs_between_items_do_not_break_the_count():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    body = [paragraph("甲", num=(1, 0)), paragraph("正文。"), paragraph(""), paragraph("乙", num=(1, 0))]
    assert lines_of(body, numbering) == ["一、甲", "正文。", "二、乙"]


# --- Lists sharing a definition, overrides ------------------------------------------------------


def test_nums_sharing_an_abstract_continue():
    numbering = one_list(level(0, "chineseCounting", "%1、"), nums=[num(1, 1), num(2, 1)])
    body = [paragraph("甲", num=(1, 0)), paragraph("乙", num=(2, 0)), paragraph("丙", num=(1, 0))]
    assert lines_of(body, numbering) == ["一、甲", "二、乙", "三、丙"]


def test_start_override_restarts_a_shared_list():
    numbering = one_list(level(0, "decimal", "%1."), nums=[num(1, 1), num(2, 1, starts={0: 1})])
    body = [
        paragraph("甲", num=(1, 0)),
        paragraph("乙", num=(1, 0)),
        paragraph("子", num=(2, 0)),
        paragraph("丑", num=(2, 0)),
    ]
    assert lines_of(body, numbering) == ["1.甲", "2.乙", "1.子", "2.丑"]


def test_start_override_sets_the_first_number():
    numbering = one_list(level(0, "chineseCounting", "%1、"), nums=[num(5, 1, starts={0: 3})])
    assert lines_of([paragraph("甲", num=(5, 0)), paragraph("乙", num=(5, 0))], numbering) == [
        "三、甲",
        "四、乙",
    ]


def test_level_override_redefines_the_level():
    redefined = level(0, "chineseCounting", "第%1条")
    numbering = one_list(
        level(0, "decimal", "%1."), nums=[num(1, 1), num(2, 1, starts={0: 1}, levels={0: redefined})]
    )
    body = [paragraph("甲", num=(1, 0)), paragraph("乙", num=(2, 0)), paragraph("丙", num=(2, 0))]
    assert lines_of(body, numbering) == ["1.甲", "第一条乙", "第二条丙"]


def test_separate_abstracts_count_separately():
    numbering = numbering_xml(
        abstract(1, level(0, "chineseCounting", "%1、")),
        abstract(2, level(0, "decimal", "%1.")),
        num(1, 1),
        num(2, 2),
    )
    body = [paragraph("甲", num=(1, 0)), paragraph("子", num=(2, 0)), paragraph("乙", num=(1, 0))]
    assert lines_of(body, numbering) == ["一、甲", "1.子", "二、乙"]


def test_num_id_zero_and_unknown_num_ids_mean_no_numbering():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    body = [paragraph("甲", num=(0, 0)), paragraph("乙", num=(9, 0)), paragraph("丙", num=(1, 0))]
    assert lines_of(body, numbering) == ["甲", "乙", "一、丙"]


def test_numbering_without_numbering_part_is_ignored():
    assert lines_of([paragraph("甲", num=(1, 0))]) == ["甲"]


# --- Numbering from styles -----------------------------------------------------------------------


def test_numbering_inherited_from_the_paragraph_style():
    numbering = one_list(level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）"))
    styles = styles_xml(style("Heading1", num_id=1, ilvl=0), style("Heading2", num_id=1, ilvl=1))
    body = [
        paragraph("甲", style="Heading1"),
        paragraph("子", style="Heading2"),
        paragraph("丑", style="Heading2"),
        paragraph("乙", style="Heading1"),
        paragraph("子", style="Heading2"),
    ]
    assert lines_of(body, numbering, styles) == ["一、甲", "（一）子", "（二）丑", "二、乙", "（一）子"]


def test_numbering_through_a_based_on_chain():
    numbering = one_list(level(0, "decimal", "%1."))
    styles = styles_xml(
        style("ListBase", num_id=1, ilvl=0),
        style("Middle", based_on="ListBase"),
        style("Mine", based_on="Middle"),
    )
    assert lines_of([paragraph("甲", style="Mine"), paragraph("乙", style="Mine")], numbering, styles) == [
        "1.甲",
        "2.乙",
    ]


def test_style_level_given_by_the_lists_pstyle():
    numbering = one_list(
        level(0, "chineseCounting", "%1、", style="H1"), level(1, "chineseCounting", "（%2）", style="H2")
    )
    styles = styles_xml(style("H1", num_id=1), style("H2", num_id=1))
    body = [paragraph("甲", style="H1"), paragraph("子", style="H2")]
    assert lines_of(body, numbering, styles) == ["一、甲", "（一）子"]


def test_paragraph_num_pr_overrides_the_style():
    numbering = numbering_xml(
        abstract(1, level(0, "chineseCounting", "%1、")),
        abstract(2, level(0, "decimal", "%1.")),
        num(1, 1),
        num(2, 2),
    )
    styles = styles_xml(style("H1", num_id=1, ilvl=0))
    body = [
        paragraph("甲", style="H1"),
        paragraph("子", style="H1", num=(2, 0)),
        paragraph("无", style="H1", num=(0, 0)),
        paragraph("乙", style="H1"),
    ]
    assert lines_of(body, numbering, styles) == ["一、甲", "1.子", "无", "二、乙"]


def test_paragraph_ilvl_with_the_styles_num_id():
    numbering = one_list(level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）"))
    styles = styles_xml(style("List", num_id=1, ilvl=0))
    body = [
        paragraph("甲", style="List"),
        '<w:p><w:pPr><w:pStyle w:val="List"/><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr>'
        "<w:r><w:t>子</w:t></w:r></w:p>",
    ]
    assert lines_of(body, numbering, styles) == ["一、甲", "（一）子"]


# --- Text -----------------------------------------------------------------------------------------


def test_soft_breaks_split_lines_and_page_breaks_do_not():
    body = [
        paragraph("对市五届人大一次会议\n第 12 号建议的答复"),
        paragraph("上一页", raw=ws.page_break() + ws.run("下一页")),
        '<w:p><w:r><w:t>甲</w:t><w:cr/><w:t>乙</w:t><w:br w:type="textWrapping"/><w:t>丙</w:t></w:r></w:p>',
        '<w:p><w:r><w:t>分栏</w:t><w:br w:type="column"/><w:t>之后</w:t></w:r></w:p>',
    ]
    assert lines_of(body) == [
        "对市五届人大一次会议",
        "第 12 号建议的答复",
        "上一页下一页",
        "甲",
        "乙",
        "丙",
        "分栏之后",
    ]


def test_numbering_label_goes_before_the_first_line_of_a_broken_paragraph():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    assert lines_of([paragraph("关于提高工人待遇\n特别是技术工人", num=(1, 0))], numbering) == [
        "一、关于提高工人待遇",
        "特别是技术工人",
    ]


def test_tabs_become_a_space_and_lines_are_stripped():
    assert lines_of([paragraph("姓名：\t张三"), paragraph("   "), paragraph("\u3000\u3000首行缩进。 ")]) == [
        "姓名： 张三",
        "首行缩进。",
    ]


def test_deleted_text_and_field_codes_are_skipped():
    body = [
        paragraph("答复", raw=ws.deleted("删去的话") + ws.inserted("如下")),
        paragraph("", raw=ws.field("PAGE", "3")),
        '<w:p><w:fldSimple w:instr=" DATE "><w:r><w:t>2026年12月1日</w:t></w:r></w:fldSimple></w:p>',
        "<w:p><w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>移来</w:t></w:r></w:moveTo></w:p>",
    ]
    assert lines_of(body) == ["答复如下", "3", "2026年12月1日", "移来"]


def test_text_inside_hyperlinks_smart_tags_and_content_controls():
    body = [
        '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>网址</w:t></w:r></w:hyperlink><w:smartTag w:element="x">'
        "<w:r><w:t>随州</w:t></w:r></w:smartTag><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>控件</w:t></w:r>"
        "</w:sdtContent></w:sdt></w:p>",
        "<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>块级控件</w:t></w:r></w:p></w:sdtContent></w:sdt>",
    ]
    assert lines_of(body) == ["网址随州控件", "块级控件"]


def test_hyphens_symbols_and_hidden_text():
    body = [
        "<w:p><w:r><w:t>1</w:t><w:noBreakHyphen/><w:t>6 月</w:t><w:softHyphen/></w:r></w:p>",
        '<w:p><w:r><w:sym w:font="Symbol" w:char="F02B"/><w:sym w:font="Wingdings" w:char="F0FC"/>'
        '<w:sym w:font="SimSun" w:char="2605"/></w:r></w:p>',
        "<w:p><w:r><w:t>看得见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>",
    ]
    assert lines_of(body) == ["1-6 月", "+★", "看得见"]


def test_headers_and_footers_are_not_read():
    assert lines_of([paragraph("正文")], header="- 1 -") == ["正文"]


# --- Text boxes and tables --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["alternate", "wps", "vml"])
def test_text_boxes_are_read_once_where_anchored(form):
    box = ws.text_box([paragraph("（A）")], form=form)
    body = [paragraph("随州市人力资源和社会保障局"), paragraph("", raw=box), paragraph("正文")]
    assert lines_of(body) == ["随州市人力资源和社会保障局", "（A）", "正文"]


def test_text_box_before_or_after_its_paragraphs_text():
    first = ws.text_box([paragraph("框一"), paragraph("框二")])
    last = ws.text_box([paragraph("框三")])
    body = ["<w:p>" + first + ws.run("段落") + last + "</w:p>"]
    assert lines_of(body) == ["框一", "框二", "段落", "框三"]


def test_alternate_content_without_choice_reads_the_fallback():
    fallback = (
        "<w:r><mc:AlternateContent><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
        + paragraph("仅备用")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    assert lines_of([paragraph("", raw=fallback)]) == ["仅备用"]


def test_numbering_in_text_boxes_counts_in_reading_order():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    box = ws.text_box([paragraph("框内", num=(1, 0))])
    body = [paragraph("甲", num=(1, 0)), paragraph("", raw=box), paragraph("乙", num=(1, 0))]
    assert lines_of(body, numbering) == ["一、甲", "二、框内", "三、乙"]


def test_table_rows_are_lines_with_cells_joined_by_a_full_width_space():
    body = [
        ws.table(
            [
                ["主管领导姓名：张春强", "联系电话：13908661566"],
                [["经办人姓名：", "孙建波"], "联系电话：\n19908660409"],
                ["", ""],
                ["邮政编码：441300", ""],
            ]
        )
    ]
    assert lines_of(body) == [
        "主管领导姓名：张春强\u3000联系电话：13908661566",
        "经办人姓名： 孙建波\u3000联系电话： 19908660409",
        "邮政编码：441300",
    ]


def test_text_around_a_table_keeps_its_order():
    body = [paragraph("前"), ws.table([["表"]]), paragraph("后")]
    assert lines_of(body) == ["前", "表", "后"]


# --- Refusals -------------------------------------------------------------------------------------


def refusal(name, data):
    with pytest.raises(WordFileError) as raised:
        check_word_file(name, data)
    return str(raised.value)


def test_a_good_docx_passes():
    check_word_file("答复.docx", docx([paragraph("正文")]))


def test_empty_file():
    assert "文件为空" in refusal("答复.docx", b"")


def test_too_big(settings):
    settings.MAX_UPLOAD_BYTES = 2 * 2**20
    message = refusal("答复.docx", b"PK\x03\x04" + b"\0" * (2 * 2**20))
    assert "2 MB" in message


def test_random_bytes():
    assert "不是有效的 Word（.docx）文件" in refusal("答复.docx", os.urandom(2048))


def test_broken_zip():
    assert "不是有效的 Word（.docx）文件" in refusal("答复.docx", b"PK\x03\x04" + os.urandom(500))


def test_zip_without_document_xml():
    data = ws.pack({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert "不是有效的 Word（.docx）文件" in refusal("答复.docx", data)


OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504


@pytest.mark.parametrize("name", ["答复.doc", "答复.wps", "答复.docx", ""])
def test_old_binary_word_file(name):
    message = refusal(name, OLE_HEADER + b"WordDocument".decode().encode("utf-16-le"))
    assert message.endswith("是旧版 Word/WPS 格式，请在 Word 或 WPS 中另存为 .docx 后再导入。")


@pytest.mark.parametrize("name", ["答复.doc", "答复.WPS", "模板.wpt", "模板.dot"])
def test_old_extension_even_with_zip_content(name):
    assert "旧版 Word/WPS 格式" in refusal(name, docx([paragraph("正文")]))


@pytest.mark.parametrize("stream", ["EncryptionInfo", "EncryptedPackage"])
def test_password_protected_docx(stream):
    message = refusal("答复.docx", OLE_HEADER + stream.encode("utf-16-le") + b"\0" * 64)
    assert "密码" in message and "取消密码" in message


def test_macros_in_vba_project():
    data = docx([paragraph("正文")], extra={"word/vbaProject.bin": b"\0" * 100})
    assert "含有宏" in refusal("答复.docx", data)


def test_macro_enabled_content_type():
    data = docx([paragraph("正文")], main_type=ws.MACRO_DOCUMENT_TYPE)
    assert "含有宏" in refusal("答复.docx", data)


def test_docm_extension():
    assert "含有宏" in refusal("答复.docm", docx([paragraph("正文")]))


def test_zip_bomb_by_ratio():
    data = docx([paragraph("正文")], extra={"word/media/image1.png": b"\0" * (20 * 2**20)})
    assert len(data) < 100_000
    assert "压缩比异常" in refusal("答复.docx", data)


def test_zip_bomb_by_total_size(monkeypatch):
    from proposals.letters import word_import

    monkeypatch.setattr(word_import, "MAX_UNCOMPRESSED", 1000)
    data = docx([paragraph("正文" * 1000)])
    assert "解压后过大" in refusal("答复.docx", data)


def test_too_many_members():
    extra = {f"word/media/image{i}.png": b"x" for i in range(1001)}
    assert "解压后过大" in refusal("答复.docx", docx([paragraph("正文")], extra=extra))


@pytest.mark.parametrize(
    "inner", ["word/embeddings/Microsoft_Excel_Worksheet.xlsx", "word/media/a.zip", "word/x.docx"]
)
def test_nested_archives(inner):
    data = docx([paragraph("正文")], extra={inner: ws.pack({"a.txt": b"a"})})
    assert "内嵌了压缩包" in refusal("答复.docx", data)


def test_unsafe_member_path():
    data = docx([paragraph("正文")], extra={"../evil.xml": b"<x/>"})
    assert "不是有效的 Word（.docx）文件" in refusal("答复.docx", data)


def test_entity_expansion_is_refused_when_read():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="' + ws.W_NS.encode() + b'"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        b"</w:body></w:document>"
    )
    data = docx([paragraph("正文")])
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            members[name] = bomb if name == "word/document.xml" else archive.read(name)
    with pytest.raises(WordFileError, match="无法读取"):
        docx_lines(ws.pack(members), "答复.docx")


def test_broken_xml_is_refused_when_read():
    data = docx(["<w:p><w:r><w:t>未闭合</w:r></w:p>"])
    with pytest.raises(WordFileError, match="无法读取"):
        docx_lines(data, "答复.docx")


def test_docx_lines_checks_first():
    with pytest.raises(WordFileError, match="文件为空"):
        docx_lines(b"", "答复.docx")


def test_every_refusal_is_one_chinese_sentence():
    from proposals.letters import word_import

    messages = [
        word_import.NOT_WORD, word_import.MACROS, word_import.ENCRYPTED, word_import.TOO_LARGE,
        word_import.NESTED, word_import.UNREADABLE, word_import._old_format("a.doc"),
    ]  # fmt: skip
    for message in messages:
        assert message.endswith("。") and message.count("。") == 1


def test_strict_open_xml_is_refused_with_advice():
    data = docx([paragraph("正文")])
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            part = archive.read(name)
            if name == "word/document.xml":
                part = part.replace(ws.W_NS.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main")
            members[name] = part
    with pytest.raises(WordFileError, match="另存为“Word 文档"):
        docx_lines(ws.pack(members), "答复.docx")


def test_ruby_base_text_and_invisible_characters():
    ruby = (
        "<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>suí</w:t></w:r></w:rt>"
        "<w:rubyBase><w:r><w:t>随</w:t></w:r></w:rubyBase></w:ruby></w:r>"
    )
    body = [paragraph("", raw=ruby + ws.run("州")), paragraph("\ufeff答\u200b复\u00a0如下")]
    assert lines_of(body) == ["随州", "答复 如下"]


def test_a_level_the_list_does_not_define_prints_no_label():
    numbering = one_list(level(0, "chineseCounting", "%1、"))
    assert lines_of([paragraph("甲", num=(1, 0)), paragraph("深", num=(1, 4))], numbering) == ["一、甲", "深"]


def test_an_old_file_without_a_name():
    assert refusal("", OLE_HEADER).startswith("该文件是旧版")
    with pytest.raises(WordFileError, match="^该文件是旧版"):
        docx_lines(OLE_HEADER)


def test_plainly_spelled_encryption_stream_counts_too():
    assert "取消密码" in refusal("答复.docx", OLE_HEADER + b"\0EncryptionInfo\0")


def test_a_password_protected_zip_member_is_unreadable():
    data = bytearray(docx([paragraph("正文")]))
    name = b"word/document.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name.decode()).header_offset
    data[local + 6] |= 0x1  # the local header's "encrypted" flag
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02"))
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1  # and the central directory's
    with pytest.raises(WordFileError, match="无法读取"):
        docx_lines(bytes(data), "答复.docx")
