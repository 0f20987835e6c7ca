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
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from lxml import etree

from proposals.letters.word_numbering import Numbering, is_on, w_name
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

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


_w = w_name


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
        if props is not None and is_on(props.find(W_VANISH)):
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
