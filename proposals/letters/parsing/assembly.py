"""Building the letter from tagged lines (assemble) in the interchange format, the value of a
one-value line (line_value), and the required parts a letter lacks (missing_parts)."""

from __future__ import annotations

import re

from proposals.letters.parsing.facts import (
    _agency_in_title,
    _class_in_title,
    _consulted,
    _deputies,
    _proposal_facts,
    _read_contact,
    attachment_name,
    parse_cc,
)
from proposals.letters.parsing.patterns import _GREETING_RE, HEADINGS, PAGE_NUMBER, Line, _clean, _compact
from proposals.letters.parsing.recognisers import (
    _is_cc,
    parse_class_code,
    parse_date,
    parse_doc_number,
    parse_publicity,
    parse_signer,
)
from proposals.letters.parsing.sections import _Builder, heading_style


def line_value(line: Line) -> str | None:
    """The value a one-value line (date, class_code, signer, publicity, doc_number) gives its
    key: the ISO date, the known class code, the name after 签发人：, the 公开属性, the 文号. A
    short line the clerk tagged 签发人 / 公开属性 / 文号 without its label is taken whole. None
    when the line does not read as its tag (assemble then keeps it as a paragraph)."""
    text = _clean(line.text)
    short = len(text) <= 20 and not re.search(r"[。，,；;]", text)
    if line.tag == "date":
        day = parse_date(text)
        return day.isoformat() if day else None
    if line.tag == "class_code":
        return parse_class_code(text)
    if line.tag == "signer":
        value = parse_signer(text)
        return value if value is not None else (text if short else None)
    if line.tag == "publicity":
        value = parse_publicity(text)
        return value if value is not None else (text if short else None)
    if line.tag == "doc_number":
        parsed = parse_doc_number(text)
        if parsed:
            return parsed[0]
        return text if len(text) <= 50 and not re.search(r"[。；;]", text) else None
    return None


def assemble(lines: list[Line], agency: str | None = None) -> dict:
    """The letter in the interchange format, built from tagged lines in any order and with any
    tags: every line lands in a field (one-value lines that do not read as their tag, extra
    salutations, unknown lines… become paragraphs), except page numbers. Required keys the
    letter does not give are empty strings (deputies: an empty list)."""
    builder = _Builder()
    titles: list[str] = []
    closing: list[str] = []
    attachments: list[str] = []
    contact_lines: list[str] = []
    cc_parts: list[str] = []  # one per 抄送/抄报 line, wrapped lines joined: the printed cc_line
    cc_segments: list[str] = []  # the same text cut where a wrapped line starts: for recipients
    signatures: list[str] = []
    one: dict[str, object] = {}
    in_foot = False  # after 附件, 署名, date, contact or 抄送: stray text is a closing
    in_closing = False  # after a closing paragraph: plain text is a closing too
    greeting = False

    def plain(text: str) -> None:
        """A line kept as text: a paragraph of the open section, or a closing after the body."""
        text = _clean(text)
        if not text:
            return
        if in_foot or in_closing:
            closing.append(text)
        else:
            builder.paragraph(text)

    def once(key: str, value: object, text: str) -> None:
        """Set a one-value key; a line without a value, or a second one that differs, is text."""
        if value is None or (key in one and one[key] != value):
            plain(text)
        else:
            one[key] = value

    for line in lines:
        text, tag = line.text, line.tag
        if not _clean(text) or tag == PAGE_NUMBER:
            continue
        if tag == "letterhead":
            head, code = _class_in_title(_clean(text))
            if code and "class_code" not in one:
                one["class_code"] = code
            else:
                head = _clean(text)
            once("letterhead", head, text)
        elif tag == "doc_number":
            parsed = parse_doc_number(text)
            if parsed is None:
                once("doc_number", line_value(line), text)
            else:
                number, signer, code = parsed
                once("doc_number", number, text)
                if signer:
                    once("signer", signer, signer)
                if code:
                    once("class_code", code, code)
        elif tag in ("class_code", "signer", "publicity"):
            once(tag, line_value(line), text)
        elif tag == "title":
            titles.append(_clean(text))
        elif tag == "salutation":
            if "salutation" in one and _GREETING_RE.fullmatch(_compact(text)):
                one["salutation"] = f"{one['salutation']}{_clean(text)}"
                greeting = True
            else:
                once("salutation", _clean(text), text)
        elif tag == "opening":
            once("opening", _clean(text), text)
        elif tag in HEADINGS:
            if in_foot:
                plain(text)
            else:  # a heading after a closing paragraph goes on with the sections
                builder.heading(int(tag[-1]), text)
                in_closing = False
        elif tag == "closing":
            closing.append(_clean(text))
            in_closing = True
        elif tag == "attachment":
            name = attachment_name(text)
            if name:
                attachments.append(name)
            in_foot = True
        elif tag == "signature":
            signatures.append(_clean(text))
            in_foot = True
        elif tag == "date":
            once("date", line_value(line), text)
            in_foot = True
        elif tag == "contact":
            contact_lines.append(_clean(text))
            in_foot = True
        elif tag == "cc":
            if _is_cc(text) or not cc_parts:
                cc_parts.append(_clean(text))
            else:
                cc_parts[-1] += _clean(text)
            cc_segments.append(_clean(text))
            in_foot = True
        else:  # paragraph, unknown, or a tag this module does not know
            plain(text)

    title = "".join(titles)
    if "class_code" not in one:
        title, code = _class_in_title(title)
        if code:
            one["class_code"] = code
    letterhead = one.get("letterhead")
    signature = " ".join(signatures) or None
    agency_name = agency or letterhead or signature or _agency_in_title(title) or ""
    if signature == agency_name:
        signature = None
    opening = str(one.get("opening") or "")
    salutation = one.get("salutation")
    if greeting and isinstance(salutation, str):
        salutation_line = re.sub(r"(?:您|你|你们|各位代表|各位委员)好[!！。]?\s*$", "", salutation)
    else:
        salutation_line = salutation
    facts = _proposal_facts(title, opening, str(salutation or ""))
    deputies, more, count, addressee = (
        _deputies(str(salutation_line)) if salutation_line else ([], False, None, None)
    )
    kind = facts["kind"] or "建议"
    if kind not in ("建议", "议案", "提案"):
        kind = "建议"
    cc_line = "\n".join(cc_parts)
    letter: dict = {
        "agency": agency_name,
        "class_code": one.get("class_code"),
        "title": title,
        "session": facts["session"],
        "proposal_number": facts["proposal_number"],
        "proposal_title": facts["proposal_title"],
        "kind": kind,
        "addressee_title": addressee or ("委员" if kind == "提案" else "代表"),
        "deputies": deputies,
        "deputies_more": more,
        "deputies_count": count,
        "salutation": salutation,
        "opening": opening,
        "consulted": _consulted(opening, agency_name),
        "sections": builder.result(),
        "closing": closing,
        "heading_style": heading_style(lines),
        "doc_number": one.get("doc_number"),
        "signer": one.get("signer"),
        "publicity": one.get("publicity"),
        "contact": _read_contact(contact_lines),
        "contact_block_lines": contact_lines,
        "cc": [item for part in cc_segments for item in parse_cc(part)],
        "cc_line": cc_line,
        "attachments": attachments,
        "signature": signature,
        "date": one.get("date"),
    }
    return letter


REQUIRED_PARTS = {
    "agency": "承办单位",
    "title": "标题",
    "session": "届次",
    "proposal_number": "建议（提案）编号",
    "proposal_title": "建议（提案）标题",
    "deputies": "代表（委员）姓名",
    "opening": "开头",
}


def missing_parts(letter: dict) -> list[str]:
    """The Chinese names of the required parts the assembled letter lacks."""
    return [name for key, name in REQUIRED_PARTS.items() if letter.get(key) in ("", None, [])]
