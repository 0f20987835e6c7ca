"""Building .docx files for the tests of proposals.letters.word_import, from raw WordprocessingML.

python-docx is not a dependency of the portal, so the parts are written by hand: a document is
`docx(body)` where `body` is a list of XML fragments made by `paragraph`, `table`, `text_box`…;
numbering definitions come from `numbering_xml(abstract(...), num(...))` and styles from
`styles_xml(style(...))`. Every zip entry gets the same timestamp, so a build is byte-for-byte
the same each time (the fixtures under tests/fixtures/letters/ are made by `python -m
tests.word_samples`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'mc:Ignorable="wps"'
)
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
ML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
DOCUMENT_TYPE = ML + "document.main+xml"
MACRO_DOCUMENT_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
STAMP = (2026, 12, 1, 10, 0, 0)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "letters"
# The seed letter's text as the repository keeps it (a copy of ../shared/seed/reply-12.txt, which
# a clean clone in CI does not have beside it).
SEED_TXT = Path(__file__).resolve().parent.parent / "proposals" / "demo" / "reply-12.txt"


def run(text: str, props: str = "") -> str:
    """A run of plain text; '\\n' becomes a soft line break (w:br), '\\t' a tab."""
    parts = []
    for index, line in enumerate(text.split("\n")):
        if index:
            parts.append("<w:br/>")
        for position, piece in enumerate(line.split("\t")):
            if position:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def paragraph(
    text: str = "", num: tuple[int, int] | None = None, style: str | None = None, raw: str = ""
) -> str:
    """A paragraph with `text` (see run), numbered by (numId, ilvl) and/or styled, with `raw`
    run-level XML appended after the text."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num is not None:
        num_id, ilvl = num
        props += f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    body = run(text) if text else ""
    return f"<w:p>{ppr}{body}{raw}</w:p>"


def deleted(text: str) -> str:
    """A tracked deletion of `text` (run-level)."""
    return (
        '<w:del w:id="1" w:author="办公室" w:date="2026-12-01T10:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
    )


def inserted(text: str) -> str:
    """A tracked insertion of `text` (run-level)."""
    return f'<w:ins w:id="2" w:author="办公室" w:date="2026-12-01T10:00:00Z">{run(text)}</w:ins>'


def field(code: str, result: str) -> str:
    """A complex field: its code (w:instrText, not printed) and its result (printed)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(code)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(result)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def page_break() -> str:
    """A page break run."""
    return '<w:r><w:br w:type="page"/></w:r>'


def _box_content(paragraphs: list[str]) -> str:
    return f"<w:txbxContent>{''.join(paragraphs)}</w:txbxContent>"


def text_box(paragraphs: list[str], form: str = "alternate") -> str:
    """A run holding a floating text box with `paragraphs` (XML), as Word 2010+ writes it
    ("alternate": wps:wsp in mc:Choice and the same box as v:textbox in mc:Fallback), or only
    the DrawingML ("wps") or only the VML ("vml") form."""
    content = _box_content(paragraphs)
    wps = (
        '<w:drawing><wp:anchor><wp:extent cx="1" cy="1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
    )
    vml = f'<w:pict><v:shape id="box" style="width:100pt"><v:textbox>{content}</v:textbox></v:shape></w:pict>'
    if form == "wps":
        return f"<w:r>{wps}</w:r>"
    if form == "vml":
        return f"<w:r>{vml}</w:r>"
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        f"{wps}</mc:Choice><mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


def table(rows: list[list[str | list[str]]]) -> str:
    """A table; each cell is a text (one paragraph) or a list of paragraph texts."""
    out = ["<w:tbl><w:tblPr/>"]
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            texts = cell if isinstance(cell, list) else [cell]
            out.append("<w:tc><w:tcPr/>" + "".join(paragraph(t) for t in texts) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def level(
    ilvl: int,
    fmt: str,
    text: str,
    start: int = 1,
    restart: int | None = None,
    legal: bool = False,
    suff: str | None = None,
    style: str | None = None,
) -> str:
    """One w:lvl of a list definition."""
    parts = [f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>']
    if restart is not None:
        parts.append(f'<w:lvlRestart w:val="{restart}"/>')
    if style:
        parts.append(f'<w:pStyle w:val="{style}"/>')
    if legal:
        parts.append("<w:isLgl/>")
    if suff:
        parts.append(f'<w:suff w:val="{suff}"/>')
    parts.append(f'<w:lvlText w:val="{escape(text, {chr(34): "&quot;"})}"/><w:lvlJc w:val="left"/></w:lvl>')
    return "".join(parts)


def abstract(abstract_id: int, *levels: str) -> str:
    """A w:abstractNum with the given levels."""
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{"".join(levels)}</w:abstractNum>'


def num(
    num_id: int, abstract_id: int, starts: dict[int, int] | None = None, levels: dict[int, str] | None = None
) -> str:
    """A w:num using `abstract_id`, with w:startOverride per level in `starts` and whole level
    redefinitions (w:lvl XML) per level in `levels`."""
    overrides = []
    for ilvl in sorted(set(starts or {}) | set(levels or {})):
        inner = ""
        if starts and ilvl in starts:
            inner += f'<w:startOverride w:val="{starts[ilvl]}"/>'
        if levels and ilvl in levels:
            inner += levels[ilvl]
        overrides.append(f'<w:lvlOverride w:ilvl="{ilvl}">{inner}</w:lvlOverride>')
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{"".join(overrides)}</w:num>'


def numbering_xml(*definitions: str) -> str:
    """word/numbering.xml: the abstractNum definitions must come before the nums."""
    ordered = sorted(definitions, key=lambda d: not d.startswith("<w:abstractNum"))
    return f"{XML}<w:numbering {NAMESPACES}>{''.join(ordered)}</w:numbering>"


def style(
    style_id: str, num_id: int | None = None, ilvl: int | None = None, based_on: str | None = None
) -> str:
    """A paragraph style, with numbering and/or a basedOn parent."""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    num_pr = ""
    if num_id is not None or ilvl is not None:
        num_pr = "<w:pPr><w:numPr>"
        if ilvl is not None:
            num_pr += f'<w:ilvl w:val="{ilvl}"/>'
        if num_id is not None:
            num_pr += f'<w:numId w:val="{num_id}"/>'
        num_pr += "</w:numPr></w:pPr>"
    return f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{style_id}"/>{based}{num_pr}</w:style>'


def styles_xml(*styles: str) -> str:
    """word/styles.xml with a default Normal style and `styles`."""
    normal = '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    return f"{XML}<w:styles {NAMESPACES}>{normal}{''.join(styles)}</w:styles>"


def docx(
    body: list[str],
    numbering: str | None = None,
    styles: str | None = None,
    header: str | None = None,
    extra: dict[str, bytes] | None = None,
    main_type: str = DOCUMENT_TYPE,
) -> bytes:
    """The bytes of a .docx whose body is the XML fragments `body`, with optional numbering.xml,
    styles.xml, a header paragraph text, and extra members (name → bytes)."""
    overrides = [("/word/document.xml", main_type)]
    rels = []
    parts: dict[str, bytes] = {}
    if numbering:
        parts["word/numbering.xml"] = numbering.encode()
        overrides.append(
            (
                "/word/numbering.xml",
                ML + "numbering+xml",
            )
        )
        rels.append(("numbering", "numbering.xml"))
    if styles:
        parts["word/styles.xml"] = styles.encode()
        overrides.append(("/word/styles.xml", ML + "styles+xml"))
        rels.append(("styles", "styles.xml"))
    sect = '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
    if header:
        parts["word/header1.xml"] = (f"{XML}<w:hdr {NAMESPACES}>{paragraph(header)}</w:hdr>").encode()
        overrides.append(("/word/header1.xml", ML + "header+xml"))
        rels.append(("header", "header1.xml"))
        sect = f'<w:sectPr><w:headerReference w:type="default" r:id="rId{len(rels)}"/></w:sectPr>'
    document = f"{XML}<w:document {NAMESPACES}><w:body>{''.join(body)}{sect}</w:body></w:document>"
    types = (
        XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
        + "</Types>"
    )
    root_rels = (
        XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document_rels = (
        XML
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/{kind}" Target="{target}"/>'
            for i, (kind, target) in enumerate(rels, 1)
        )
        + "</Relationships>"
    )
    members = {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": root_rels.encode(),
        "word/document.xml": document.encode(),
        "word/_rels/document.xml.rels": document_rels.encode(),
        **parts,
        **(extra or {}),
    }
    return pack(members)


def pack(members: dict[str, bytes]) -> bytes:
    """A deflated ZIP of `members`, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# --- The sample letters ----------------------------------------------------------------------

CHINESE_HEADINGS = numbering_xml(
    abstract(
        1,
        level(0, "chineseCounting", "%1、", suff="nothing"),
        level(1, "chineseCounting", "（%2）", suff="nothing"),
        level(2, "decimal", "%3.", suff="nothing"),
        level(3, "decimal", "（%4）", suff="nothing"),
    ),
    num(1, 1),
)
ARABIC_HEADINGS = numbering_xml(
    abstract(
        2,
        level(0, "decimal", "%1.", suff="tab"),
        level(1, "decimal", "(%2)", suff="space"),
        level(2, "decimalEnclosedCircle", "%3", suff="nothing"),
    ),
    num(3, 2),
)
HEADING = __import__("re").compile(r"^([一二三四五六七八九十]+)、(.*)$")


def seed_lines() -> list[str]:
    """The seed letter's paragraphs: the non-empty lines of reply-12.txt, stripped."""
    return [line.strip() for line in SEED_TXT.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_typed() -> bytes:
    """The seed letter as a .docx with its numbering typed as text."""
    return docx([paragraph(line) for line in seed_lines()], styles=styles_xml())


# Sub-headings given （一）… in the automatically numbered seed: lead sentences under 四 and 五.
SUBHEADED = ("大力推进", "积极推进", "不断提升", "加大产业", "继续开展", "突出重点", "加大宣传")


def seed_automatic() -> tuple[bytes, list[str]]:
    """The seed letter with 一、 as automatic chineseCounting numbering and some lead-sentence
    paragraphs under 四、 and 五、 numbered （一）…: the .docx and the lines it reads as."""
    body, expected = [], []
    sub = 0
    for line in seed_lines():
        heading = HEADING.match(line)
        if heading:
            body.append(paragraph(heading.group(2), num=(1, 0)))
            expected.append(line)
            sub = 0
        elif line.startswith(SUBHEADED):
            sub += 1
            body.append(paragraph(line, num=(1, 1)))
            expected.append(f"（{'一二三四五'[sub - 1]}）{line}")
        else:
            body.append(paragraph(line))
            expected.append(line)
    return docx(body, numbering=CHINESE_HEADINGS, styles=styles_xml()), expected


def arabic_letter() -> tuple[bytes, list[str]]:
    """A short letter numbered 1. / (1) / ① automatically: the .docx and its lines."""
    items = [
        ("随州市交通运输局", None, "随州市交通运输局"),
        ("对市五届人大一次会议第 35 号建议的答复", None, "对市五届人大一次会议第 35 号建议的答复"),
        ("王明代表：", None, "王明代表："),
        ("您提出的“关于改善城区公交线路的建议”收悉，现答复如下：", None, None),
        ("线路调整情况", (3, 0), "1.线路调整情况"),
        ("新开通 3 条公交线路。", (3, 1), "(1)新开通 3 条公交线路。"),
        ("优化 5 条线路走向。", (3, 1), "(2)优化 5 条线路走向。"),
        ("下一步工作", (3, 0), "2.下一步工作"),
        ("加密高峰班次。", (3, 1), "(1)加密高峰班次。"),
        ("早高峰", (3, 2), "①早高峰"),
        ("晚高峰", (3, 2), "②晚高峰"),
        ("感谢您对交通运输工作的关心和支持。", None, None),
        ("随州市交通运输局", None, None),
        ("2026年12月1日", None, None),
    ]
    body = [paragraph(text, num=numbering) for text, numbering, _ in items]
    expected = [shown or text for text, _, shown in items]
    return docx(body, numbering=ARABIC_HEADINGS, styles=styles_xml(), header="- 1 -"), expected


def title_and_contacts() -> tuple[bytes, list[str]]:
    """The seed letter's head with a two-line title (soft break) and its contacts in a table."""
    body = [
        paragraph("随州市人力资源和社会保障局"),
        paragraph("对市五届人大一次会议\n第 12 号建议的答复"),
        paragraph("沈宝栋、李芸等代表："),
        paragraph("现将办理情况答复如下。"),
        table(
            [
                ["主管领导姓名：张春强", "联系电话：13908661566"],
                ["经办人姓名：孙建波", "联系电话：19908660409"],
                ["邮 政 编 码：441300", ""],
            ]
        ),
        paragraph("抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"),
    ]
    expected = [
        "随州市人力资源和社会保障局",
        "对市五届人大一次会议",
        "第 12 号建议的答复",
        "沈宝栋、李芸等代表：",
        "现将办理情况答复如下。",
        "主管领导姓名：张春强\u3000联系电话：13908661566",
        "经办人姓名：孙建波\u3000联系电话：19908660409",
        "邮 政 编 码：441300",
        "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）",
    ]
    return docx(body, styles=styles_xml(), header="第 1 页"), expected


def samples() -> dict[str, tuple[bytes, list[str]]]:
    """The fixture files by name: their bytes and the lines they read as."""
    return {
        "word-seed-typed.docx": (seed_typed(), seed_lines()),
        "word-seed-automatic.docx": seed_automatic(),
        "word-arabic-numbering.docx": arabic_letter(),
        "word-title-contacts.docx": title_and_contacts(),
    }


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in samples().items():
        (FIXTURES / name).write_bytes(data)
        print(FIXTURES / name, len(data))
