"""Bringing a recognised letter (from Word, pasted text or a saved version) into the editor.

A letter in the interchange format becomes the editor's own form data (`editor_data`), so an
import is checked by the same forms, with the same Chinese errors naming the field, and saved
by the same `workflow.save_draft` as typing: one new version, with the usual conflict check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from measures.outline import measure_rows
from proposals.letters import parsing, word_import
from proposals.models import Reply

# Upload names the import accepts, and the largest pasted text (a letter is a few pages).
WORD_SUFFIXES = (".docx",)
TEXT_SUFFIXES = (".txt",)
MAX_PASTED_CHARACTERS = 100_000

# The parts of the letter, as the clerk names them, with the editor fields each one fills.
PARTS: dict[str, tuple[str, ...]] = {
    "标题": ("title",),
    "称谓": ("salutation",),
    "开头": ("opening",),
    "答复内容（办理措施）": (),
    "结束语": ("closing",),
    "附件": ("attachments_text",),
    "署名": ("signature",),
    "日期": ("date",),
    "办理结果分类": ("class_code",),
    "发文字号": ("doc_number",),
    "签发人": ("signer",),
    "公开属性": ("publicity",),
    "联系方式": ("leader_name", "leader_phone", "handler_name", "handler_phone", "postcode"),
    "抄送": ("copies_text",),
    "会商单位": ("consulted_text",),
}


class SourceError(ValueError):
    """An upload or pasted text that cannot be read; the message says why, in Chinese."""


def source_lines(name: str, data: bytes) -> list[str]:
    """The logical lines of an uploaded .txt file, else of a Word file (SourceError)."""
    if name.lower().endswith(TEXT_SUFFIXES):
        return text_file_lines(name, data)
    return word_file_lines(name, data)


def text_file_lines(name: str, data: bytes) -> list[str]:
    """The logical lines of a text file in UTF-8 (with or without BOM) or GBK (SourceError)."""
    if not data.strip():
        raise SourceError(f"文件“{name}”是空的。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return text_lines(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise SourceError(f"文件“{name}”不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 后再试。")


def word_file_lines(name: str, data: bytes) -> list[str]:
    """The logical lines of a .docx file, checked first (SourceError naming the file)."""
    try:
        lines = word_import.docx_lines(data, name)
    except word_import.WordFileError as problem:
        # The reader speaks of 该文件; the clerk may have chosen several before this one.
        message = str(problem)
        raise SourceError(message if name in message else f"“{name}”：{message}") from None
    return text_lines("\n".join(lines))


def text_lines(text: str) -> list[str]:
    """The logical lines of pasted text; refuses an empty or overlong text."""
    if len(text) > MAX_PASTED_CHARACTERS:
        raise SourceError(f"文字超过{MAX_PASTED_CHARACTERS:,}字，不像一封答复函，请只粘贴答复函。")
    lines = parsing.split_text(text)
    if not lines:
        raise SourceError("没有可以识别的文字。")
    return lines


@dataclass
class Recognised:
    """A letter recognised from tagged lines: the editor data, what it changes, and what looks
    like another agency's or another proposal's letter (the clerk confirms before accepting)."""

    data: dict[str, str]
    replaced: list[str]
    kept: list[str]
    unknown: int
    sections_before: int = 0
    sections_after: int = 0
    warnings: list[str] = field(default_factory=list)


def _sections_to_rows(sections: list[dict], level: int = 1) -> list[dict]:
    rows = []
    for section in sections:
        rows.append(
            {
                "level": level,
                "heading": section.get("heading") or "",
                "paragraphs": "\n".join(section.get("paragraphs") or []),
            }
        )
        rows.extend(_sections_to_rows(section.get("subsections") or [], level + 1))
    return rows


def _copy_line(item: dict) -> str:
    copies = item.get("copies")
    return f"{item['recipient']}（{copies}份）" if copies else item["recipient"]


def _letter_fields(letter: dict, agency_name: str) -> dict[str, str]:
    """The editor's fields as the letter gives them ("" where it gives nothing)."""
    closing = letter.get("closing") or []
    contact = letter.get("contact") or {}
    signature = letter.get("signature") or ""
    return {
        "title": letter.get("title") or "",
        "salutation": letter.get("salutation") or "",
        "opening": letter.get("opening") or "",
        "closing": closing if isinstance(closing, str) else "\n".join(closing),
        "attachments_text": "\n".join(letter.get("attachments") or []),
        "signature": "" if signature == agency_name else signature,
        "date": letter.get("date") or "",
        "class_code": letter.get("class_code") or "",
        "doc_number": letter.get("doc_number") or "",
        "signer": letter.get("signer") or "",
        "publicity": letter.get("publicity") or "",
        **{key: contact.get(key) or "" for key in PARTS["联系方式"]},
        "copies_text": "\n".join(_copy_line(c) for c in letter.get("cc") or []),
        "consulted_text": "\n".join(letter.get("consulted") or []),
    }


def _current_fields(reply: Reply) -> dict[str, str]:
    return {
        "title": reply.title,
        "salutation": reply.salutation,
        "opening": reply.opening,
        "closing": reply.closing,
        "attachments_text": "\n".join(reply.attachments),
        "signature": reply.signature,
        "date": reply.date.isoformat() if reply.date else "",
        "class_code": reply.class_code,
        "doc_number": reply.doc_number,
        "signer": reply.signer,
        "publicity": reply.publicity,
        **{key: getattr(reply, key) for key in PARTS["联系方式"]},
        "copies_text": "\n".join(str(c) for c in reply.copies.all()),
        "consulted_text": "\n".join(reply.consulted),
        "heading_style": reply.heading_style,
        "contact_style": reply.contact_style,
        "copy_style": reply.copy_style,
    }


def _form_data(reply: Reply, fields: dict[str, str], rows: list[dict]) -> dict[str, str]:
    data = {**fields, "version": str(reply.version)}
    data.update({"m-TOTAL_FORMS": str(len(rows)), "m-INITIAL_FORMS": "0"})
    data.update({"m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "200"})
    for i, row in enumerate(rows):
        data.update({f"m-{i}-{key}": str(value) for key, value in row.items()})
    return data


def recognise(reply: Reply, letter: dict, unknown: int = 0) -> Recognised:
    """Editor data for `reply` with every part the letter holds replaced; parts the letter
    lacks (a pasted body has no contact block) keep the draft's current text."""
    current = _current_fields(reply)
    found = _letter_fields(letter, reply.agency.name)
    fields, replaced, kept = dict(current), [], []
    for part, names in PARTS.items():
        has = bool(letter.get("sections")) if not names else any(found[n] for n in names)
        (replaced if has else kept).append(part)
        if has:
            fields.update({n: found[n] for n in names})
    if letter.get("heading_style"):
        fields["heading_style"] = letter["heading_style"]
    before = measure_rows(reply)
    rows = _sections_to_rows(letter["sections"]) if letter.get("sections") else before
    return Recognised(
        _form_data(reply, fields, rows),
        replaced,
        kept,
        unknown,
        sections_before=len(before),
        sections_after=len(rows),
        warnings=mismatches(reply, letter),
    )


def mismatches(reply: Reply, letter: dict) -> list[str]:
    """What in the letter names another agency, another proposal or another session than the
    reply it is being imported into (a letter picked up by mistake)."""
    proposal, agency = reply.proposal, reply.agency.name
    found = []
    for printed in {letter.get("agency") or "", letter.get("signature") or ""} - {"", agency}:
        found.append(f"原文的发文单位或署名是“{printed}”，本答复的承办单位是“{agency}”。")
    number = str(letter.get("proposal_number") or "").strip()
    if number and number.lstrip("0") != proposal.number.strip().lstrip("0"):
        found.append(f"原文答复的是第{number}号，本答复是第{proposal.number}号{proposal.kind}。")
    session = (letter.get("session") or "").strip()
    if session and "".join(session.split()) != "".join(proposal.session.name.split()):
        found.append(f"原文写的是“{session}”，本答复属于“{proposal.session.name}”。")
    return found


def restore(reply: Reply, letter: dict) -> dict[str, str]:
    """Editor data that gives `reply` exactly the saved letter (a version's snapshot)."""
    fields = {**_current_fields(reply), **_letter_fields(letter, reply.agency.name)}
    # A snapshot holds the printed title and salutation; the defaults stay defaults.
    proposal = reply.proposal
    for name, default in (
        ("title", proposal.default_reply_title()),
        ("salutation", proposal.default_salutation()),
    ):
        if fields[name] == default:
            fields[name] = ""
    fields["heading_style"] = letter.get("heading_style") or reply.heading_style
    return _form_data(reply, fields, _sections_to_rows(letter.get("sections") or []))
