"""The reply letter as a Word file (.docx), GB/T 9704-2012 信函格式: the only module that writes .docx.

The text is `rendering.letter_context(reply)`, the same context the PDF template prints, in the
same order; title lines come from `wording.title_lines`, run-in headings from
`wording.is_run_in`. Layout numbers (../shared/spec/letter-layout.md):

- A4, margins top 37, left 28, right 26, bottom 35 mm: a 156 × 225 mm type area;
- a document grid of 22 lines × 28 characters (`w:docGrid w:type="linesAndChars"`), every line
  exactly one grid pitch high, 28 characters a line by condensed spacing (see CONDENSE);
- fonts per role from settings.LETTER_DOCX_FONTS (East Asian, ASCII and hAnsi names);
- page 1 (`w:titlePg`): the red agency mark at 30 mm with the red double lines (thick over thin
  4 mm under the mark, thin over thick 20 mm above the bottom edge) and no page number;
- from page 2: "— N —" (PAGE field) in 4号 宋体, odd pages right, even pages left, 1 character in;
- 抄送 in 4号 in a frame at the foot of the type area on the last page;
- a draft carries its 草稿 mark in the header of every page; an issued letter's copy says that
  the signed PDF is the record.

The paragraphs are written as WordprocessingML text and parsed once (named styles, no per-paragraph
style copies): the seed letter takes a few milliseconds.
"""

from __future__ import annotations

import datetime
import io
import math
import re
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from proposals.letters import rendering, wording

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ISSUED_COPY_NOTE = "本文件为已签发答复函的 Word 副本，以加盖电子签章的 PDF 为准。"

DEFAULT_FONTS = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page_number": "宋体",
}

# ---- Page geometry, in twips (1/20 pt; 1 mm = 56.69 twips) ----


def mm_to_twips(mm: float) -> int:
    """Millimetres to twips, rounded."""
    return round(mm * 1440 / 25.4)


PAGE_WIDTH, PAGE_HEIGHT = mm_to_twips(210), mm_to_twips(297)  # 11906 × 16838
MARGIN_TOP, MARGIN_BOTTOM = mm_to_twips(37), mm_to_twips(35)
MARGIN_LEFT, MARGIN_RIGHT = mm_to_twips(28), mm_to_twips(26)
TYPE_AREA_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 twips ≈ 156 mm
TYPE_AREA_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 twips = 225 mm
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT = 16  # 3号
# The grid pitch, rounded down so that 22 lines fit the type area: 579 twips = 10.21 mm.
LINE_PITCH = TYPE_AREA_HEIGHT // LINES_PER_PAGE


def char_space(width_mm: float = 156, chars: int = CHARS_PER_LINE, pt: float = BODY_PT) -> int:
    """w:docGrid w:charSpace as Word encodes it: the character pitch minus the default font size,
    in 1/4096 pt, rounded down so that `chars` characters of `pt` fit `width_mm` taken in whole
    twips (Word counts floor(line width / pitch) characters a line). 156 mm = 8844 twips,
    28 × 16 pt → −849."""
    pitch_pt = math.floor(width_mm * 1440 / 25.4) / 20 / chars
    return math.floor((pitch_pt - pt) * 4096)


CHAR_SPACE = char_space()
# The grid is the document's (Word's 页面设置 shows 22 lines × 28 characters), but the letter's
# paragraphs do not snap to its character cells: LibreOffice (and other readers) put a 16 pt
# character into two 15.79 pt cells, 14 characters a line. Instead the text is condensed by
# 0.3 pt (in 1/20 pt; the PDF's letter-spacing −0.08 mm is 0.23 pt), so that 28 characters of
# 15.7 pt fill the 156 mm line in every reader, and every line is exactly one grid pitch high.
CONDENSE = -6
NO_CONDENSE = '<w:spacing w:val="0"/>'
HEADER_DISTANCE = mm_to_twips(10)  # the 草稿 mark's line, as in the PDF
FOOTER_DISTANCE = mm_to_twips(20)  # the bottom double line sits 20 mm above the bottom edge
MARK_TOP_MM = 30
MARK_RISE = 0.2
RED = "D40000"
DRAFT_RED = "C00000"
GREY = "808080"
# Red double lines, 170 mm centred on the page: 8 mm beyond the type area on the left, 6 on the right.
RULE_INDENT_LEFT, RULE_INDENT_RIGHT = -mm_to_twips(8), -mm_to_twips(6)
RULE_THICK, RULE_THIN = 17, 6  # border widths in 1/8 pt: 0.75 mm and 0.25 mm
RULE_GAP = mm_to_twips(0.45)
HEADER_LINE = 400  # the 草稿 mark's exact line height (20 pt)
PAGE_NUMBER_PT = 14  # 4号
COPIES_PT = 14  # 4号
COPIES_LINE = mm_to_twips(7.2)
# The page number's line starts 7 mm under the type area: the footer's bottom is 20 mm above
# the page's bottom edge, so the number's 4号 line gets this much room under it.
PAGE_NUMBER_AFTER = mm_to_twips(297 - 20) - mm_to_twips(297 - 35 + 7) - PAGE_NUMBER_PT * 20


def docx_fonts() -> dict[str, str]:
    """The font name of every role: settings.LETTER_DOCX_FONTS over DEFAULT_FONTS."""
    return {**DEFAULT_FONTS, **getattr(settings, "LETTER_DOCX_FONTS", {})}


def _fonts_xml(name: str) -> str:
    name = escape(name, {'"': "&quot;"})
    return (
        f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}" w:hint="eastAsia"/>'
    )


def _size_xml(pt: float) -> str:
    half_points = round(pt * 2)
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


# ---- Styles ----


def _style(style_id: str, name: str, ppr: str = "", rpr: str = "", kind: str = "paragraph") -> str:
    base = '<w:basedOn w:val="Normal"/>' if kind == "paragraph" else ""
    return (
        f'<w:style {nsdecls("w")} w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{base}<w:qFormat/>'
        f"{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}</w:style>"
    )


GRID_LINE = f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
INDENT_2 = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
NO_GRID = '<w:snapToGrid w:val="0"/>'


def _styles(fonts: dict[str, str]) -> list[str]:
    """The letter's named paragraph styles (Chinese names, as Word shows them)."""
    return [
        _style("LetterBody", "答复函正文", INDENT_2),
        # Off the character grid, whose cells are narrower than a 2号 character (20 fit a line).
        _style(
            "LetterTitle",
            "答复函标题",
            f'{NO_GRID}<w:jc w:val="center"/>',
            _fonts_xml(fonts["title"]) + NO_CONDENSE + _size_xml(22),
        ),
        _style(
            "LetterHeading1",
            "答复函一级标题",
            f'<w:keepNext/>{INDENT_2}<w:outlineLvl w:val="0"/>',
            _fonts_xml(fonts["heading1"]),
        ),
        _style(
            "LetterHeading2",
            "答复函二级标题",
            f'<w:keepNext/>{INDENT_2}<w:outlineLvl w:val="1"/>',
            _fonts_xml(fonts["heading2"]),
        ),
        _style("LetterHeading3", "答复函三级标题", f'<w:keepNext/>{INDENT_2}<w:outlineLvl w:val="2"/>'),
        _style("LetterHeading4", "答复函四级标题", f'<w:keepNext/>{INDENT_2}<w:outlineLvl w:val="3"/>'),
        _style(
            "LetterCopies",
            "答复函抄送",
            f'{NO_GRID}<w:spacing w:before="0" w:after="0" w:line="{COPIES_LINE}" w:lineRule="exact"/>'
            f'<w:ind w:left="{COPIES_PT * 20 * 4}" w:right="{COPIES_PT * 20}" w:hanging="{COPIES_PT * 20 * 3}"/>',
            NO_CONDENSE + _size_xml(COPIES_PT),
        ),
        _style(
            "LetterMargin",
            "答复函页眉页脚",
            f'{NO_GRID}<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
            NO_CONDENSE,
        ),
    ]


def _set_defaults(document, fonts: dict[str, str]) -> None:
    """docDefaults and Normal: 3号 body font, zh-CN, exact grid lines, justified, no spacing."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().replace(
        defaults,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{_fonts_xml(fonts['body'])}"
            f'<w:kern w:val="0"/>{_size_xml(BODY_PT)}'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            f'<w:pPrDefault><w:pPr>{NO_GRID}{GRID_LINE}<w:jc w:val="both"/></w:pPr></w:pPrDefault>'
            "</w:docDefaults>"
        ),
    )
    normal = document.styles["Normal"].element
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr")):
            normal.remove(child)
    # LibreOffice takes the character grid's base width from Normal's own East Asian size.
    normal.append(
        parse_xml(
            f'<w:rPr {nsdecls("w")}>{_fonts_xml(fonts["body"])}<w:spacing w:val="{CONDENSE}"/>'
            f"{_size_xml(BODY_PT)}</w:rPr>"
        )
    )
    for xml in _styles(fonts):
        styles.append(parse_xml(xml))


# ---- Paragraphs ----


def _run(text: str, rpr: str = "") -> str:
    """A run of text; line feeds become soft line breaks."""
    parts = [f'<w:t xml:space="preserve">{escape(part)}</w:t>' for part in text.split("\n")]
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{'<w:br/>'.join(parts)}</w:r>"


def _paragraph(content: str, style: str = "", ppr: str = "") -> str:
    """A paragraph of runs (`content`, already XML) with a named style and direct properties."""
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{style_xml}{ppr}</w:pPr>{content}</w:p>"


def _spacing_before(lines: float) -> str:
    return f'<w:spacing w:before="{round(lines * LINE_PITCH)}" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'


def _rule(top: int, bottom: int) -> str:
    """A red double line as the top and bottom borders of an almost empty paragraph, 170 mm wide."""
    return _paragraph(
        _run("", _size_xml(1)),
        "LetterMargin",
        "<w:pBdr>"
        f'<w:top w:val="single" w:sz="{top}" w:space="0" w:color="{RED}"/>'
        f'<w:bottom w:val="single" w:sz="{bottom}" w:space="0" w:color="{RED}"/></w:pBdr>'
        f'<w:spacing w:before="0" w:after="0" w:line="{RULE_GAP}" w:lineRule="exact"/>'
        f'<w:ind w:left="{RULE_INDENT_LEFT}" w:right="{RULE_INDENT_RIGHT}"/>'
        f"<w:rPr>{_size_xml(1)}</w:rPr>",
    )


def _margin_note(letter: dict) -> str:
    """The line at the top of every page: the draft's 草稿 mark, or the issued copy's note."""
    if letter["draft_mark"]:  # 4号, red, boxed, 1 mm apart (the PDF's .letter-draft-mark)
        text = letter["draft_mark"]
        rpr = (
            f'<w:color w:val="{DRAFT_RED}"/><w:spacing w:val="57"/>{_size_xml(14)}'
            f'<w:bdr w:val="single" w:sz="8" w:space="2" w:color="{DRAFT_RED}"/>'
        )
    else:
        text, rpr = ISSUED_COPY_NOTE, f'<w:color w:val="{GREY}"/>{_size_xml(10.5)}'
    return _paragraph(
        _run(text, rpr),
        "LetterMargin",
        f'<w:spacing w:before="0" w:after="0" w:line="{HEADER_LINE}" w:lineRule="exact"/><w:jc w:val="center"/>',
    )


def _letterhead(letter: dict, fonts: dict[str, str]) -> list[str]:
    """Page 1's header: the margin note, the red agency mark with its top edge at 30 mm, and the
    thick-over-thin double line 4 mm under it."""
    mark_pt = letter["agency_mark_pt"]
    # In a line of exactly its size a glyph's em box starts MARK_RISE em above the line's top
    # (measured in LibreOffice with Noto CJK): the line starts that much lower, and the gap to
    # the double line is that much shorter, so the mark spans 30 mm to 30 mm + 1 em.
    rise = round(mark_pt * 20 * MARK_RISE)
    before = mm_to_twips(MARK_TOP_MM - 10) - HEADER_LINE + rise
    mark = _paragraph(
        _run(
            letter["agency"],
            _fonts_xml(fonts["title"]) + f'<w:color w:val="{RED}"/>' + _size_xml(mark_pt),
        ),
        "LetterMargin",
        f'<w:spacing w:before="{before}" w:after="0" w:line="{round(mark_pt * 20)}" w:lineRule="exact"/>'
        '<w:jc w:val="center"/>',
    )
    gap = _paragraph(
        "",
        "LetterMargin",
        f'<w:spacing w:before="0" w:after="0" w:line="{mm_to_twips(4) - rise}" w:lineRule="exact"/>'
        f"<w:rPr>{_size_xml(1)}</w:rPr>",
    )
    return [_margin_note(letter), mark, gap, _rule(RULE_THICK, RULE_THIN)]


def _page_number(fonts: dict[str, str], side: str) -> str:
    """ "— N —" with a PAGE field, 4号, 1 character in from the `side` (right or left) margin."""
    rpr = _fonts_xml(fonts["page_number"]) + _size_xml(PAGE_NUMBER_PT)
    field = (
        f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:rPr>{rpr}</w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:rPr>{rpr}</w:rPr><w:t>2</w:t></w:r>"
        f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return _paragraph(
        _run("— ", rpr) + field + _run(" —", rpr),
        "LetterMargin",
        f'<w:spacing w:before="0" w:after="{PAGE_NUMBER_AFTER}" w:line="{PAGE_NUMBER_PT * 20}" w:lineRule="exact"/>'
        f'<w:ind w:{side}="{PAGE_NUMBER_PT * 20}"/><w:jc w:val="{side}"/>',
    )


def _title(letter: dict) -> str:
    """The title, 2号, centred, in wording.title_lines's lines (soft line breaks between), two
    lines below the letterhead's last element."""
    return _paragraph(
        _run("\n".join(wording.title_lines(letter["title"]))), "LetterTitle", _spacing_before(2)
    )


def _docline(letter: dict, fonts: dict[str, str]) -> list[str]:
    """发文字号 flush right; with a 签发人, 文号 1 character in on the left and 签发人 (name in 楷体)
    1 character in on the right, at a right tab."""
    if not (letter["doc_number"] or letter["signer"] or letter["class_code_top_right"]):
        return []
    runs = []
    if letter["doc_number"]:
        runs.append(_run(letter["doc_number"]))
    if letter["signer"]:
        runs.append("<w:r><w:tab/></w:r>" if letter["doc_number"] else "")
        runs.append(_run("签发人：") + _run(letter["signer"], _fonts_xml(fonts["heading2"])))
    if letter["class_code_top_right"]:
        runs.append(_run("\u3000" + letter["class_code_top_right"]))
    one_char = BODY_PT * 20
    # 7/8 of a 3号 character (4.9 mm) under the double line.
    spacing = (
        f'<w:spacing w:before="{mm_to_twips(4.9)}" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
    )
    if letter["signer"] and letter["doc_number"]:
        ppr = (
            f'<w:tabs><w:tab w:val="right" w:pos="{TYPE_AREA_WIDTH - one_char}"/></w:tabs>{spacing}'
            f'<w:ind w:left="{one_char}" w:right="{one_char}"/><w:jc w:val="left"/>'
        )
    else:
        ppr = f'{spacing}<w:jc w:val="right"/>'
    return [_paragraph("".join(runs), "", ppr)]


def _sections(sections: list[dict], fonts: dict[str, str]) -> list[str]:
    """Headings in their level's style (一、黑体 · （一）楷体 · 1./（1）仿宋) and body paragraphs; a
    heading ending in 。！？ is run-in: number and heading in the heading's font, then the first
    paragraph's text in the same paragraph; a numbered paragraph is all in the body font."""
    heading_fonts = {1: fonts["heading1"], 2: fonts["heading2"]}
    out = []
    for section in sections:
        paragraphs = section["paragraphs"]
        if section["heading"]:
            heading = section["number"] + section["heading"]
            level = min(section["level"], 4)
            if wording.is_numbered_paragraph(section["heading"]):
                out.append(_paragraph(_run(heading + (paragraphs[0] if paragraphs else "")), "LetterBody"))
                paragraphs = paragraphs[1:]
            elif wording.is_run_in(section["heading"]) and paragraphs:
                font = heading_fonts.get(level, fonts["body"])
                out.append(_paragraph(_run(heading, _fonts_xml(font)) + _run(paragraphs[0]), "LetterBody"))
                paragraphs = paragraphs[1:]
            else:
                out.append(_paragraph(_run(heading), f"LetterHeading{level}"))
        out.extend(_paragraph(_run(p), "LetterBody") for p in paragraphs)
        out.extend(_sections(section["children"], fonts))
    return out


def _attachments(names: list[str]) -> list[str]:
    """附件说明: one line below the text, 2 characters in; several names numbered 1. 2. aligned."""
    if not names:
        return []
    if len(names) == 1:
        return [
            _paragraph(
                _run(f"附件：{names[0]}"), "", _spacing_before(1) + '<w:ind w:leftChars="200" w:left="640"/>'
            )
        ]
    out = []
    for number, name in enumerate(names, 1):
        if number == 1:
            out.append(
                _paragraph(
                    _run(f"附件：{number}.{name}"),
                    "",
                    _spacing_before(1) + '<w:ind w:leftChars="200" w:left="640"/>',
                )
            )
        else:
            out.append(_paragraph(_run(f"{number}.{name}"), "", '<w:ind w:leftChars="500" w:left="1600"/>'))
    return out


def _signature(letter: dict) -> list[str]:
    """署名 centred above the 成文日期, which is right-indented 4 characters; two blank lines above
    for the seal (as in the PDF)."""
    date, signature = letter["date"], letter["signature"]
    out = []
    if date:
        offset = 4 + (wording.text_width(date) - wording.text_width(signature)) / 2
        right = max(0, round(offset * 100))
        out.append(
            _paragraph(
                _run(signature),
                "",
                _spacing_before(2)
                + f'<w:ind w:rightChars="{right}" w:right="{right * BODY_PT // 5}"/><w:jc w:val="right"/>',
            )
        )
        out.append(
            _paragraph(_run(date), "", '<w:ind w:rightChars="400" w:right="1280"/><w:jc w:val="right"/>')
        )
    elif signature:
        out.append(
            _paragraph(
                _run(signature),
                "",
                _spacing_before(2) + '<w:ind w:rightChars="400" w:right="1280"/><w:jc w:val="right"/>',
            )
        )
    return out


def _contact(letter: dict) -> list[str]:
    """The contact block half a line under the date; the 附注 style indented 2 characters."""
    out = []
    for index, line in enumerate(letter["contact_lines"]):
        ppr = (
            f'<w:spacing w:before="{LINE_PITCH // 2}" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
            if index == 0
            else ""
        )
        if letter["contact_style"] == "note":
            ppr += INDENT_2
        out.append(_paragraph(_run(line), "", ppr))
    return out


def _copies(letter: dict) -> list[str]:
    """抄送, 4号, in a frame at the bottom of the type area (of the page it ends on, the last):
    1 character in from both sides, wrapped lines aligned after "抄送："."""
    if not letter["copy_line"]:
        return []
    frame = (
        f'<w:framePr w:w="{TYPE_AREA_WIDTH}" w:wrap="notBeside" w:vAnchor="margin" w:hAnchor="margin" '
        'w:xAlign="center" w:yAlign="bottom"/>'
    )
    return [_paragraph(_run(letter["copy_line"]), "LetterCopies", frame)]


def body_paragraphs(letter: dict, fonts: dict[str, str]) -> list[str]:
    """The letter's body as WordprocessingML paragraphs, in printed order (the letterhead and
    page numbers are in the header and footers)."""
    out = _docline(letter, fonts)
    for key in ("class_code_header", "publicity"):
        if letter[key]:
            out.append(_paragraph(_run(letter[key]), "", '<w:jc w:val="left"/>'))
    out.append(_title(letter))
    out.append(_paragraph(_run(letter["salutation"]), "", _spacing_before(1)))
    if letter["opening"]:
        out.append(_paragraph(_run(letter["opening"]), "LetterBody"))
    out += _sections(letter["sections"], fonts)
    out += [_paragraph(_run(p), "LetterBody") for p in letter["closing"]]
    end = _attachments(letter["attachments"]) + _signature(letter) + _contact(letter)
    if letter["class_code_foot"]:
        end.append(_paragraph(_run(letter["class_code_foot"]), "", _spacing_before(1)))
    if end:
        # 附件说明, 署名, date and contact block stay on one page with the last text paragraph
        # (GB/T 9704 7.3.5: no page without body text).
        # The text paragraph may still split: its last lines go with the block.
        *kept, last = end
        out = [*out[:-1], *(_keep_with_next(p, whole=False) for p in out[-1:])]
        out += [*(_keep_with_next(p) for p in kept), last]
    out += _copies(letter)
    return out


def _keep_with_next(paragraph: str, whole: bool = True) -> str:
    """The paragraph with keepNext (on the next one's page) and, when `whole`, keepLines (not
    split over two pages)."""
    head, style, rest = re.match(r"(<w:p><w:pPr>)(<w:pStyle [^>]*/>)?(.*)", paragraph, re.S).groups()
    return f"{head}{style or ''}<w:keepNext/>{'<w:keepLines/>' if whole else ''}{rest}"


# ---- The package ----


def _fill(part, paragraphs: list[str]) -> None:
    """Replace a header's or footer's content with `paragraphs`."""
    element = part._element
    for child in list(element):
        element.remove(child)
    for xml in paragraphs:
        element.append(parse_xml(f"<w:root {nsdecls('w')}>{xml}</w:root>")[0])


def _section_setup(section) -> None:
    """A4, GB/T 9704 margins, first page different, the 22 × 28 document grid."""
    sect = section._sectPr
    for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid", "w:titlePg"):
        for old in sect.findall(qn(tag)):
            sect.remove(old)
    sect.append(parse_xml(f'<w:pgSz {nsdecls("w")} w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'))
    sect.append(
        parse_xml(
            f'<w:pgMar {nsdecls("w")} w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" '
            f'w:left="{MARGIN_LEFT}" w:header="{HEADER_DISTANCE}" w:footer="{FOOTER_DISTANCE}" w:gutter="0"/>'
        )
    )
    sect.append(parse_xml(f'<w:cols {nsdecls("w")} w:space="425"/>'))
    sect.append(parse_xml(f"<w:titlePg {nsdecls('w')}/>"))
    sect.append(
        parse_xml(
            f'<w:docGrid {nsdecls("w")} w:type="linesAndChars" w:linePitch="{LINE_PITCH}" w:charSpace="{CHAR_SPACE}"/>'
        )
    )


def _core_properties(document, letter: dict, reply) -> None:
    """Title and author (the agency); no personal data: last_modified_by, comments and the rest
    empty, created and modified at the letter's date."""
    core = document.core_properties
    core.title = letter["title"]
    core.author = letter["agency"]
    core.last_modified_by = ""
    core.comments = ""
    core.subject = ""
    core.keywords = ""
    core.category = ""
    core.content_status = letter["draft_mark"] or "已签发（Word 副本）"
    core.revision = 1
    core.language = "zh-CN"
    day = getattr(reply, "date", None)
    moment = (
        datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        if isinstance(day, datetime.date)
        else timezone.now().replace(microsecond=0)
    )
    core.created = core.modified = moment


def _clean_package(document) -> None:
    """Drop the template's thumbnail and custom XML, which are not this letter's."""
    package = document.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel.rId)
    for rel in list(document.part.rels.values()):
        if rel.reltype == RT.CUSTOM_XML:
            document.part.rels.pop(rel.rId)


def build_document(letter: dict, reply=None):
    """The python-docx Document of a letter context (rendering.letter_context)."""
    fonts = docx_fonts()
    document = Document()
    _set_defaults(document, fonts)
    document.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders, in schema order
    section = document.sections[0]
    _section_setup(section)
    section.different_first_page_header_footer = True
    note = [_margin_note(letter)]
    _fill(section.first_page_header, _letterhead(letter, fonts))
    _fill(section.header, note)
    _fill(section.even_page_header, note)
    _fill(section.first_page_footer, [_rule(RULE_THIN, RULE_THICK)])
    _fill(section.footer, [_page_number(fonts, "right")])
    _fill(section.even_page_footer, [_page_number(fonts, "left")])
    body = document.element.body
    sect_pr = body[-1]
    for child in list(body)[:-1]:
        body.remove(child)
    content = parse_xml(f"<w:root {nsdecls('w')}>{''.join(body_paragraphs(letter, fonts))}</w:root>")
    for paragraph in list(content):
        sect_pr.addprevious(paragraph)
    _core_properties(document, letter, reply)
    _clean_package(document)
    return document


def render_docx(reply) -> bytes:
    """The reply letter as .docx bytes, from the same context (and so the same text) as the PDF."""
    letter = rendering.letter_context(reply)
    buffer = io.BytesIO()
    build_document(letter, reply).save(buffer)
    return buffer.getvalue()


def docx_filename(reply) -> str:
    """`市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复.docx`, with the draft's mark while
    it has not gone out (rendering.download_filename)."""
    return rendering.download_filename(reply, ".docx")
