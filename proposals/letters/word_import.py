"""Reading a Word (.docx) reply letter into its text lines, safely: the one module that opens
Word files.

- `check_word_file(name, data)` refuses, before anything is parsed, what the portal does not
  read: an empty or oversized file, old binary Word/WPS files, password-protected documents,
  files that are not a .docx, documents with macros, zip bombs and embedded archives. The
  limits are those of the spreadsheet upload (proposals.supervision.intake).
- `docx_lines(data, source)` gives the document body's logical lines in reading order, with
  Word's automatic numbering resolved into the label Word prints (一、, （一）, 1., ①…), for
  proposals.letters.parsing to recognise.

Only zipfile and lxml are used (the XML is parsed once, without DTDs, entities or network).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from lxml import etree

from proposals.supervision.intake import MAX_ENTRIES, MAX_RATIO, MAX_UNCOMPRESSED, NESTED_ARCHIVES

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"
OLD_SUFFIXES = (".doc", ".wps", ".wpt", ".dot")
MACRO_SUFFIXES = (".docm", ".dotm")
# Their directory names are UTF-16LE; the plain spelling is looked for too (no old .doc has it).
ENCRYPTED_STREAMS = tuple(
    name.encode(encoding)
    for name in ("EncryptionInfo", "EncryptedPackage")
    for encoding in ("utf-16-le", "ascii")
)
# The compression ratio is judged only for members this big: small XML parts of a real letter
# (settings, an empty header) may compress far better than 100:1 without being a bomb.
RATIO_MIN_SIZE = 2**20
DOCUMENT = "word/document.xml"
NUMBERING = "word/numbering.xml"
STYLES = "word/styles.xml"
CONTENT_TYPES = "[Content_Types].xml"
CELL_SEPARATOR = "\u3000"
# What reading a member can raise: a broken archive, an unknown compression, a password-protected
# member (RuntimeError), a declared size or CRC that does not match.
READ_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


W_P, W_R, W_T, W_TAB, W_BR, W_CR = _w("p"), _w("r"), _w("t"), _w("tab"), _w("br"), _w("cr")
W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent")
W_PPR, W_RPR, W_NUMPR, W_NUMID, W_ILVL = _w("pPr"), _w("rPr"), _w("numPr"), _w("numId"), _w("ilvl")
W_PSTYLE, W_VAL, W_TYPE, W_VANISH = _w("pStyle"), _w("val"), _w("type"), _w("vanish")
W_TXBX = _w("txbxContent")
W_PTAB, W_NO_BREAK_HYPHEN, W_SYM, W_RUBY = _w("ptab"), _w("noBreakHyphen"), _w("sym"), _w("ruby")
MC_ALTERNATE, MC_CHOICE, MC_FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
# Run-level containers whose runs are printed, and those that are not (deleted or moved away).
RUN_CONTAINERS = {
    _w(n) for n in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "moveTo", "dir", "bdo")
}
SKIPPED = {_w(n) for n in ("del", "moveFrom", "instrText", "delText", "delInstrText", "pPr", "rPr")}
# Block-level containers whose paragraphs and tables are part of the body.
BLOCK_CONTAINERS = {W_SDT_CONTENT, _w("customXml"), _w("ins"), _w("moveTo")}
BREAK = object()  # a soft line break inside a paragraph


class WordFileError(ValueError):
    """The Word file is refused or cannot be read; the message, one Chinese sentence, tells the
    clerk what is wrong and what to do."""


# --- Checks before parsing -------------------------------------------------------------------


def check_word_file(name: str, data: bytes) -> None:
    """Return if `data` (uploaded as `name`) is a .docx the portal reads; otherwise raise
    WordFileError saying why. Nothing is parsed: only the bytes, the ZIP directory and the
    content types are looked at."""
    if not data:
        raise WordFileError("文件为空，请重新选择要导入的 Word（.docx）文件。")
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise WordFileError(
            f"文件超过 {settings.MAX_UPLOAD_BYTES // 2**20} MB，请删去其中过大的图片后另存，再导入。"
        )
    lower = name.lower()
    if data.startswith(OLE_SIGNATURE):
        _refuse_ole(name, data)
    if lower.endswith(OLD_SUFFIXES):
        raise WordFileError(_old_format(name))
    if lower.endswith(MACRO_SUFFIXES):
        raise WordFileError(MACROS)
    if not data.startswith(ZIP_SIGNATURE):
        raise WordFileError(NOT_WORD)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WordFileError(NOT_WORD) from None
    _check_entries(entries)
    names = {entry.filename for entry in entries}
    if CONTENT_TYPES not in names or DOCUMENT not in names:
        raise WordFileError(NOT_WORD)
    try:
        content_types = archive.read(CONTENT_TYPES)
    except READ_ERRORS:
        raise WordFileError(NOT_WORD) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroenabled" in content_types.lower():
        raise WordFileError(MACROS)


NOT_WORD = "该文件不是有效的 Word（.docx）文件，请在 Word 或 WPS 中另存为 .docx 后再导入。"
MACROS = "该文件含有宏，不予导入，请在 Word 或 WPS 中另存为不含宏的 .docx 后再导入。"
ENCRYPTED = "该文件设有打开密码，请在 Word 或 WPS 中取消密码并重新保存后再导入。"
TOO_LARGE = "该文件解压后过大或压缩比异常，不予导入，请在 Word 或 WPS 中重新另存为 .docx 后再导入。"
NESTED = "该文件内嵌了压缩包或其他文档，不予导入，请删除嵌入的对象后另存为 .docx 再导入。"
STRICT = "该文件是“Strict Open XML”格式，请在 Word 中另存为“Word 文档（*.docx）”后再导入。"
UNREADABLE = "该文件内容已损坏或含有不安全的内容，无法读取，请在 Word 或 WPS 中重新另存为 .docx 后再导入。"


def _old_format(name: str) -> str:
    """The refusal of an old binary Word/WPS file, naming it when the name is known."""
    who = f"文件“{name}”" if name else "该文件"
    return f"{who}是旧版 Word/WPS 格式，请在 Word 或 WPS 中另存为 .docx 后再导入。"


def _refuse_ole(name: str, data: bytes) -> None:
    """Raise for an OLE compound file: a password-protected .docx (its EncryptionInfo /
    EncryptedPackage streams, whose directory names are UTF-16LE) or an old .doc/.wps."""
    if any(stream in data for stream in ENCRYPTED_STREAMS):
        raise WordFileError(ENCRYPTED)
    raise WordFileError(_old_format(name))


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    """Raise for a ZIP directory that is a bomb (too many members, too big unpacked, a big
    member compressed too well), has unsafe paths or links, or embeds archives."""
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
        raise WordFileError(TOO_LARGE)
    if any(
        e.file_size > RATIO_MIN_SIZE and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries
    ):
        raise WordFileError(TOO_LARGE)
    names = [e.filename for e in entries]
    if any(n.startswith("/") or "\\" in n or ".." in n.split("/") for n in names):
        raise WordFileError(NOT_WORD)
    if any((e.external_attr >> 16) & 0o170000 == 0o120000 for e in entries):
        raise WordFileError(NOT_WORD)
    if any(n.lower().endswith(NESTED_ARCHIVES + (".docm", ".pptx", ".pptm", ".xlsb", ".tar")) for n in names):
        raise WordFileError(NESTED)


# --- Reading the parts -----------------------------------------------------------------------

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def _parse_part(archive: zipfile.ZipFile, name: str, required: bool = False):
    """The parsed root of the part `name`, or None when an optional part is missing. A part
    with a DTD (Word never writes one: entity bombs do) or broken XML is refused."""
    try:
        raw = archive.read(name)
    except KeyError:
        if required:
            raise WordFileError(NOT_WORD) from None
        return None
    except READ_ERRORS:
        raise WordFileError(UNREADABLE) from None
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise WordFileError(UNREADABLE)
    try:
        return etree.fromstring(raw, PARSER)
    except etree.XMLSyntaxError:
        raise WordFileError(UNREADABLE) from None


def docx_lines(data: bytes, source: str = "") -> list[str]:
    """The text of the .docx `data` (uploaded as `source`) as logical lines in reading order,
    after check_word_file (WordFileError when refused or unreadable).

    One line per non-empty body paragraph, with its automatic numbering label (as Word prints
    it) before the text; a soft line break splits a paragraph into lines; tabs become a space;
    a table row is one line, its cells joined by a full-width space; text boxes give their
    paragraphs beside the paragraph they are anchored in; headers, footers, footnotes, deleted
    text and field codes are left out."""
    check_word_file(source, data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = _parse_part(archive, DOCUMENT, required=True)
    numbering = Numbering(_parse_part(archive, NUMBERING), _parse_part(archive, STYLES))
    if document.tag != _w("document"):
        raise WordFileError(
            STRICT if str(document.tag).startswith("{http://purl.oclc.org/ooxml/") else NOT_WORD
        )
    body = document.find(_w("body"))
    if body is None:
        raise WordFileError(NOT_WORD)
    reader = BodyReader(numbering)
    reader.blocks(body)
    return reader.lines


# --- The body --------------------------------------------------------------------------------


INVISIBLE = str.maketrans({"\u00a0": " ", "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None})


def _clean(text: str) -> str:
    """A line as the parser wants it: no-break spaces as spaces, zero-width characters removed,
    no surrounding (half- or full-width) spaces."""
    return text.translate(INVISIBLE).strip()


@dataclass
class BodyReader:
    """Walks the body once, in document order, collecting lines (numbering counts as it goes)."""

    numbering: Numbering
    lines: list[str] = field(default_factory=list)

    def blocks(self, parent) -> None:
        """Add the lines of the paragraphs and tables directly in `parent` (through content
        controls and other block containers)."""
        for child in parent:
            tag = child.tag
            if tag == W_P:
                self.lines.extend(self.paragraph(child))
            elif tag == W_TBL:
                self.lines.extend(self.table(child))
            elif tag == W_SDT:
                content = child.find(W_SDT_CONTENT)
                if content is not None:
                    self.blocks(content)
            elif tag in BLOCK_CONTAINERS:
                self.blocks(child)
            elif tag == MC_ALTERNATE:
                chosen = _choose(child)
                if chosen is not None:
                    self.blocks(chosen)

    def paragraph(self, p) -> list[str]:
        """The lines of one paragraph: its numbering label and text split at soft breaks, with
        its text boxes' lines before it (anchored before any text) or after it."""
        pieces: list = []
        before: list[str] = []
        after: list[str] = []
        self._inline(p, pieces, before, after)
        label = self.numbering.label(p)
        lines, current = [], []
        for piece in pieces:
            if piece is BREAK:
                lines.append("".join(current))
                current = []
            else:
                current.append(piece)
        lines.append("".join(current))
        lines = [_clean(line) for line in lines]
        lines = [line for line in lines if line]
        if label and lines:
            lines[0] = label + lines[0]
        return before + lines + after

    def _inline(self, parent, pieces: list, before: list[str], after: list[str]) -> None:
        """Collect the text pieces (and BREAK marks) of the runs in `parent`; the lines of text
        boxes go to `before` while no text has been seen yet, else to `after`."""
        for child in parent:
            tag = child.tag
            if tag == W_R:
                self._run(child, pieces, before, after)
            elif tag in RUN_CONTAINERS:
                self._inline(child, pieces, before, after)
            elif tag == W_SDT:
                content = child.find(W_SDT_CONTENT)
                if content is not None:
                    self._inline(content, pieces, before, after)
            elif tag == MC_ALTERNATE:
                chosen = _choose(child)
                if chosen is not None:
                    self._inline(chosen, pieces, before, after)

    def _run(self, run, pieces: list, before: list[str], after: list[str]) -> None:
        """Add one run's text; hidden runs (w:vanish) print nothing."""
        props = run.find(W_RPR)
        if props is not None and _on(props.find(W_VANISH)):
            return
        for child in run:
            tag = child.tag
            if tag == W_T:
                if child.text:
                    pieces.append(child.text)
            elif tag in (W_TAB, W_PTAB):
                pieces.append(" ")
            elif tag == W_BR:
                if child.get(W_TYPE) in (None, "textWrapping"):
                    pieces.append(BREAK)
            elif tag == W_CR:
                pieces.append(BREAK)
            elif tag == W_NO_BREAK_HYPHEN:
                pieces.append("-")
            elif tag == W_SYM:
                pieces.append(_symbol(child))
            elif tag in SKIPPED:
                continue
            elif tag == W_RUBY:
                base = child.find(_w("rubyBase"))
                if base is not None:
                    self._inline(base, pieces, before, after)
            else:
                boxes = self._text_boxes(child)
                if boxes:
                    (after if any(isinstance(p, str) and p.strip() for p in pieces) else before).extend(boxes)

    def _text_boxes(self, element) -> list[str]:
        """The lines of the text boxes inside a drawing, picture or alternate content (only one
        of mc:Choice / mc:Fallback is read, so a box is never read twice)."""
        lines: list[str] = []
        if element.tag == MC_ALTERNATE:
            chosen = _choose(element)
            if chosen is not None:
                for child in chosen:
                    lines.extend(self._text_boxes(child))
            return lines
        if element.tag == W_TXBX:
            reader = BodyReader(self.numbering)
            reader.blocks(element)
            return reader.lines
        for child in element:
            if not isinstance(child.tag, str):
                continue
            lines.extend(self._text_boxes(child))
        return lines

    def table(self, tbl) -> list[str]:
        """One line per row with text: the non-empty cells joined by a full-width space, a
        cell's own lines joined by a space (nested tables flattened into their cell)."""
        lines = []
        for row in _children(tbl, W_TR):
            cells = []
            for cell in _row_cells(row):
                reader = BodyReader(self.numbering)
                reader.blocks(cell)
                text = " ".join(reader.lines).strip()
                if text:
                    cells.append(text)
            if cells:
                lines.append(CELL_SEPARATOR.join(cells))
        return lines


def _children(parent, tag: str):
    """The children of `parent` with `tag`, also through content controls (w:sdt)."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in BLOCK_CONTAINERS:
            yield from _children(child, tag)


def _row_cells(row):
    """The cells of a table row, in order."""
    return _children(row, W_TC)


def _choose(alternate):
    """The one branch of an mc:AlternateContent that is read: its first mc:Choice, else its
    mc:Fallback (None when it has neither)."""
    choice = alternate.find(MC_CHOICE)
    return choice if choice is not None else alternate.find(MC_FALLBACK)


def _on(element) -> bool:
    """Whether an on/off property element (w:vanish, w:isLgl…) is on: present, and its w:val
    not 0/false/off."""
    return element is not None and element.get(W_VAL, "true").lower() not in ("0", "false", "off")


def _symbol(sym) -> str:
    """Best effort for w:sym: its character code, moved out of the symbol fonts' private area
    (F0xx) when that gives a printable ASCII character; nothing otherwise."""
    try:
        code = int(sym.get(_w("char"), ""), 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
        return chr(code) if 0x20 < code < 0x7F else ""
    return "" if 0xE000 <= code <= 0xF8FF else chr(code)


# --- Numbering -------------------------------------------------------------------------------

MAX_LEVELS = 9
PLACEHOLDER = re.compile(r"%([1-9])")


@dataclass
class Level:
    """One level of a list definition (w:lvl)."""

    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: restarted after a level above this 1-based value
    legal: bool = False  # w:isLgl: all numbers shown as decimal
    style: str | None = None  # w:pStyle: the paragraph style tied to this level


def _read_level(lvl) -> Level:
    """A Level from a w:lvl element (missing values take Word's defaults)."""
    level = Level()

    def val(name: str) -> str | None:
        element = lvl.find(_w(name))
        return None if element is None else element.get(W_VAL)

    start = val("start")
    if start is not None and start.lstrip("-").isdigit():
        level.start = int(start)
    level.fmt = val("numFmt") or "decimal"
    level.text = val("lvlText") or ""
    restart = val("lvlRestart")
    if restart is not None and restart.isdigit():
        level.restart = int(restart)
    level.legal = _on(lvl.find(_w("isLgl")))
    level.style = val("pStyle")
    return level


def _levels(parent) -> dict[int, Level]:
    """The levels (w:lvl by w:ilvl) defined in an abstractNum or lvlOverride."""
    levels = {}
    for lvl in parent.iterfind(_w("lvl")):
        ilvl = lvl.get(W_ILVL, "0")
        if ilvl.isdigit() and int(ilvl) < MAX_LEVELS:
            levels[int(ilvl)] = _read_level(lvl)
    return levels


@dataclass
class NumberingState:
    """The counters of one abstract list, shared by every numId that uses it."""

    counts: list[int | None] = field(default_factory=lambda: [None] * MAX_LEVELS)
    seen: set[str] = field(default_factory=set)


class Numbering:
    """The automatic numbering of one document (numbering.xml and the numbering of styles.xml),
    counting as paragraphs are read in order: `label(p)` is what Word prints before `p`."""

    def __init__(self, numbering_root, styles_root) -> None:
        """Read the list definitions and the paragraph styles' numbering; either part may be
        missing (None)."""
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.abstract_links: dict[str, str] = {}  # abstractNumId → numStyleLink style
        self.style_defs: dict[str, str] = {}  # w:styleLink style → abstractNumId
        self.nums: dict[str, str] = {}  # numId → abstractNumId
        self.overrides: dict[str, dict[int, tuple[int | None, Level | None]]] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # id → basedOn, numId, ilvl
        self.default_style: str | None = None
        self.states: dict[str, NumberingState] = {}
        if numbering_root is not None:
            self._read_numbering(numbering_root)
        if styles_root is not None:
            self._read_styles(styles_root)

    def _read_numbering(self, root) -> None:
        """Read w:abstractNum and w:num definitions."""
        for abstract in root.iterfind(_w("abstractNum")):
            key = abstract.get(_w("abstractNumId"))
            self.abstracts[key] = _levels(abstract)
            link = abstract.find(_w("numStyleLink"))
            if link is not None:
                self.abstract_links[key] = link.get(W_VAL)
            style_link = abstract.find(_w("styleLink"))
            if style_link is not None:
                self.style_defs[style_link.get(W_VAL)] = key
        for num in root.iterfind(_w("num")):
            num_id = num.get(_w("numId"))
            abstract = num.find(_w("abstractNumId"))
            if num_id is None or abstract is None:
                continue
            self.nums[num_id] = abstract.get(W_VAL)
            overrides = {}
            for override in num.iterfind(_w("lvlOverride")):
                ilvl = override.get(W_ILVL, "0")
                if not ilvl.isdigit():
                    continue
                start_element = override.find(_w("startOverride"))
                start = start_element.get(W_VAL) if start_element is not None else None
                redefined = _levels(override).get(int(ilvl))
                overrides[int(ilvl)] = (int(start) if start and start.isdigit() else None, redefined)
            self.overrides[num_id] = overrides

    def _read_styles(self, root) -> None:
        """Read each paragraph style's basedOn and numPr, and the default paragraph style."""
        for style in root.iterfind(_w("style")):
            style_id = style.get(_w("styleId"))
            if style.get(W_TYPE, "paragraph") not in ("paragraph", "numbering"):
                continue
            if style.get(_w("default")) in ("1", "true") and style.get(W_TYPE) == "paragraph":
                self.default_style = style_id
            based = style.find(_w("basedOn"))
            num_id = ilvl = None
            num_pr = style.find(f"{W_PPR}/{W_NUMPR}")
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
            self.styles[style_id] = (based.get(W_VAL) if based is not None else None, num_id, ilvl)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None, list[str]]:
        """numId and ilvl a paragraph style gives (through its basedOn chain), and the chain."""
        num_id = ilvl = None
        chain: list[str] = []
        while style_id and style_id in self.styles and style_id not in chain:
            chain.append(style_id)
            based, own_num, own_ilvl = self.styles[style_id]
            num_id = num_id if num_id is not None else own_num
            ilvl = ilvl if ilvl is not None else own_ilvl
            style_id = based
        return num_id, ilvl, chain

    def _abstract_of(self, num_id: str) -> str | None:
        """The abstractNumId behind a numId, following w:numStyleLink to the numbering style's
        own list definition."""
        abstract = self.nums.get(num_id)
        for _ in range(3):
            link = self.abstract_links.get(abstract)
            if link is None:
                break
            target = self.style_defs.get(link)
            if target is None:
                style_num = self._style_numbering(link)[0]
                target = self.nums.get(style_num) if style_num else None
            if target is None or target == abstract:
                break
            abstract = target
        return abstract

    def label(self, p) -> str:
        """Count paragraph `p` in its list and return the label Word prints before it ('' for a
        paragraph without numbering, numId 0, or a bullet drawn from a symbol font)."""
        if not self.nums:
            return ""
        props = p.find(W_PPR)
        num_id = ilvl = style_id = None
        if props is not None:
            style = props.find(W_PSTYLE)
            style_id = style.get(W_VAL) if style is not None else None
            num_pr = props.find(W_NUMPR)
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
        style_num, style_ilvl, chain = self._style_numbering(style_id or self.default_style)
        num_id = num_id if num_id is not None else style_num
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract = self._abstract_of(num_id)
        levels = self.abstracts.get(abstract)
        if not levels:
            return ""
        ilvl = ilvl if ilvl is not None else style_ilvl
        level_index = self._level_index(ilvl, levels, chain)
        return self._count(num_id, abstract, level_index)

    @staticmethod
    def _level_index(ilvl: str | None, levels: dict[int, Level], chain: list[str]) -> int:
        """The paragraph's level: its ilvl, else the level tied to its style, else 0."""
        if ilvl is not None and ilvl.isdigit():
            return min(int(ilvl), MAX_LEVELS - 1)
        for index, level in sorted(levels.items()):
            if level.style and level.style in chain:
                return index
        return 0

    def _level(self, num_id: str, abstract: str, index: int) -> Level:
        """The effective definition of level `index` for `num_id` (a w:lvlOverride's w:lvl
        replaces the abstract one)."""
        redefined = self.overrides.get(num_id, {}).get(index, (None, None))[1]
        return redefined or self.abstracts.get(abstract, {}).get(index) or Level()

    def _start(self, num_id: str, abstract: str, index: int) -> int:
        """Where level `index` starts for `num_id`: its startOverride, else the level's start."""
        start = self.overrides.get(num_id, {}).get(index, (None, None))[0]
        return start if start is not None else self._level(num_id, abstract, index).start

    def _count(self, num_id: str, abstract: str, index: int) -> str:
        """Advance the shared counter of `abstract` at `index` and format the label."""
        state = self.states.setdefault(abstract, NumberingState())
        if num_id not in state.seen:
            state.seen.add(num_id)
            for overridden, (start, _) in self.overrides.get(num_id, {}).items():
                if start is not None:
                    state.counts[overridden] = None
        count = state.counts[index]
        state.counts[index] = self._start(num_id, abstract, index) if count is None else count + 1
        for deeper in range(index + 1, MAX_LEVELS):
            restart = self._level(num_id, abstract, deeper).restart
            threshold = deeper if restart is None else restart
            if index < threshold:
                state.counts[deeper] = None
        level = self._level(num_id, abstract, index)
        if level.fmt == "bullet":
            return _bullet(level.text)

        def number(match: re.Match) -> str:
            at = int(match.group(1)) - 1
            value = state.counts[at]
            if value is None:
                value = self._start(num_id, abstract, at)
            fmt = "decimal" if level.legal else self._level(num_id, abstract, at).fmt
            return format_number(value, fmt)

        return PLACEHOLDER.sub(number, level.text)


def _num_pr(num_pr) -> tuple[str | None, str | None]:
    """numId and ilvl values of a w:numPr (None for those it does not set)."""
    num_id = num_pr.find(W_NUMID)
    ilvl = num_pr.find(W_ILVL)
    return (
        num_id.get(W_VAL) if num_id is not None else None,
        ilvl.get(W_VAL) if ilvl is not None else None,
    )


def _bullet(text: str) -> str:
    """A bullet's printed text: its lvlText, or nothing for a symbol-font (private-use) glyph."""
    if not text or any(0xE000 <= ord(c) <= 0xF8FF for c in text):
        return ""
    return text


# --- Number formats --------------------------------------------------------------------------

CHINESE_DIGITS = "零一二三四五六七八九"
LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _chinese(n: int, digits: str = CHINESE_DIGITS, units: str = "十百千", japanese: bool = False) -> str:
    """n (1–9999) counted in Chinese: 十, 十一, 二十, 二十一, 一百零一, 一千零一十;
    `japanese` drops the 一 before every unit (百, 千) as japaneseCounting does."""
    if n <= 0 or n > 9999:
        return str(n)
    parts = []
    zero = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append(digits[0])
            zero = False
        unit = units[power - 1] if power else ""
        if power and digit == 1 and (japanese or (power == 1 and not parts)):
            parts.append(unit)
        else:
            parts.append(digits[digit] + unit)
    return "".join(parts)


def _enclosed_circle(n: int) -> str:
    """① … ⑳, ㉑ … ㉟, ㊱ … ㊿; plain digits beyond 50."""
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return str(n)


def _letters(n: int, alphabet: str) -> str:
    """Word's letter numbering: A … Z, then AA … ZZ, AAA…"""
    if n <= 0:
        return str(n)
    return alphabet[(n - 1) % 26] * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    """Upper-case Roman numeral for 1–3999 (plain digits otherwise)."""
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, symbol in ROMAN:
        while n >= value:
            out.append(symbol)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """The number `n` printed in the w:numFmt `fmt`; an unknown format prints decimal."""
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _enclosed_circle(n)
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return _chinese(n)
    if fmt == "japaneseCounting":
        return _chinese(n, japanese=True)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return _chinese(n, LEGAL_DIGITS, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n >= 0 else str(n)
    if fmt == "ideographTraditional":
        return HEAVENLY_STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return EARTHLY_BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt == "upperLetter":
        return _letters(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "lowerLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) if d.isdigit() else d for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}" if 0 <= n < 10 else str(n)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "none":
        return ""
    return str(n)
