"""The public version of a letter: no phone or ID number (国办发〔2014〕46号, PIPL art. 25; SEC-18).

A number is found by what its digits are, not by how it is written. The text is read as runs of
digits in any form (ASCII, full-width and other Unicode digits, ①, Chinese numerals 〇一二…九,
零, 幺, 两, 壹贰叁…) joined by up to three separator characters (spaces of any kind, ``- _ / .``,
dashes, dots, brackets; not commas, which part the numbers of a list); within a run the digits
are normalised and matched, and the original span is what gets replaced. Removed:

- mobiles ``1[3-9]`` + 9 digits, with or without ``+86`` / ``86`` / ``0086``;
- landlines with their area code, ``0`` + 2-3 digits + 7-8 digits (or ``+86`` without the 0);
- ID numbers, 17 digits + a digit or X (and the old 15-digit ones written in one piece);
- a bare local number (7-8 digits) after a phone label (电话, 手机, 传真, 热线, Tel…) or after
  another phone and ``、`` or ``/`` (``0722-3251238、3251247``).

A number must fill whole digit groups of its run (``139 0866 1566`` is three groups; a change
from Arabic to Chinese numerals also starts a group), so ``2019 2020 2021 2022`` or
``348.68 万元`` are left alone; inside one unbroken stretch of 10 or more digits any embedded
number is found (``王一13908661566``). Kept: 文号 (随人社函〔2022〕15号), dates, amounts, counts,
第12号, years, service hotlines such as 12333, and the 6-digit postcode, which is the agency's
public address and no phone. The contact block loses its phone parts with their labels.

The same findings give the public text (`public_context`) and the publisher's preview, where each
removal is highlighted before 批准公开 (`public_preview`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REDACTED = "（已隐去）"
PHONE, ID_NUMBER = "phone", "id"

# Chinese numerals, read as they are read out in a phone number (幺 = 1, 两 = 2).
_CJK_DIGITS = {
    **dict.fromkeys("〇○◯零", "0"),
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰貳两", "2"),
    **dict.fromkeys("三叁參", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_X = "XxＸｘ"  # the check character of an ID number
# Digits that are not decimal digits (\d) but have a digit value: ², ①, ⑴, ⒈, ❶, ₃…
_OTHER_DIGITS = "".join(
    chr(c) for c in range(0x10000) if unicodedata.digit(chr(c), None) is not None and not chr(c).isdecimal()
)
_DIGIT = "[\\d" + re.escape(_OTHER_DIGITS + "".join(_CJK_DIGITS) + _X) + "]"
_SEPARATOR = (
    r"[\s_＿/／\\＼\-－‐‑‒–—―−﹣﹘~～.．·・•‧()（）\[\]［］【】"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff]"
)
_RUN = re.compile(rf"{_DIGIT}(?:{_SEPARATOR}{{0,3}}{_DIGIT})*")
_DIGITS = re.compile(_DIGIT + "+")

# Whole-group patterns over the normalised digits of one or more consecutive groups.
_PREFIX = "(?:(?:00)?86)?"
_MOBILE = f"{_PREFIX}1[3-9][0-9]{{9}}"
_LANDLINE = "0[1-9][0-9]{8,10}|(?:00)?86[1-9][0-9]{8,10}"
_ID = "[0-9]{17}[0-9X]"
_OLD_ID = "[0-9]{15}"  # first-generation ID numbers, only as one unbroken group
_WHOLE = [(re.compile(_MOBILE), PHONE), (re.compile(_LANDLINE), PHONE), (re.compile(_ID), ID_NUMBER)]
# Embedded in one unbroken group of 10 or more digits.
_EMBEDDED = [
    (re.compile(_MOBILE), PHONE),
    (re.compile("0[1-9][0-9]{8,10}"), PHONE),
    (re.compile("[0-9]{17}[0-9X]"), ID_NUMBER),
]
_LOCAL = re.compile("[1-9][0-9]{6,7}")  # a local number without its area code
_LONGEST = 20

_LABEL = re.compile(
    r"(?:电话|手机|座机|传真|热线|号码|联系方式|(?<![a-z])(?:tel|phone|mobile|fax))"
    r"\s*[：:]?\s*[+＋(（\[［【\s]{0,3}$",
    re.IGNORECASE,
)
_AFTER_PHONE = re.compile(r"^\s?[、/／或及]\s?$")  # `0722-3251238、3251247`
_OPEN, _CLOSE = "(（[［【", ")）]］】"
_LEFT_MARKS = re.compile(r"(?:[+＋(（\[［【]\s?){1,3}$")
_RIGHT_MARKS = re.compile(r"^(?:\s?[)）\]］】]){1,3}")
# In the contact block a phone goes with its label: `主管领导姓名：张春强 联系电话：139…`.
_CONTACT_LABEL = re.compile(
    r"[\s，,、;；]*(?:(?:联系|办公|移动|固定|手机)?(?:电话|手机|座机|传真)(?:号码)?|tel|phone|mobile|fax)"
    r"\s*[：:]?\s*[+＋(（\[［【\s]{0,3}$",
    re.IGNORECASE,
)
_DANGLING_LABEL = re.compile(
    r"[\s，,、;；]*(?:联系|办公|移动|固定|手机)?(?:电话|手机|座机|传真)(?:号码)?\s*[：:]?\s*(?=$|[）)，,;；])"
)


def digit_value(ch: str) -> str:
    """The digit a character stands for ('0'-'9', 'X' for the ID check character), or ''."""
    if ch in _CJK_DIGITS:
        return _CJK_DIGITS[ch]
    if ch in _X:
        return "X"
    value = unicodedata.digit(ch, None)
    return "" if value is None else str(value)


def normalised_digits(text: str) -> str:
    """Every digit of `text` in ASCII, everything else dropped (the tests read output this way)."""
    return "".join(digit_value(ch) for ch in text)


@dataclass(frozen=True)
class Finding:
    """A number to remove: `text[start:end]`, a phone or an ID number."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str


def _groups(text: str, run: re.Match) -> list[_Group]:
    """The run's digit groups: split at separators and where Chinese numerals meet other digits."""
    groups = []
    for chunk in _DIGITS.finditer(text, run.start(), run.end()):
        start = chunk.start()
        for i in range(chunk.start() + 1, chunk.end() + 1):
            if i == chunk.end() or (text[i] in _CJK_DIGITS) != (text[i - 1] in _CJK_DIGITS):
                groups.append(_Group(start, i, normalised_digits(text[start:i])))
                start = i
    return groups


def _embedded(text: str, run: re.Match) -> list[Finding]:
    """Numbers inside an unbroken stretch of digits (`王一13908661566`, `唯一一三九〇八…`)."""
    found = []
    for chunk in _DIGITS.finditer(text, run.start(), run.end()):
        digits = normalised_digits(chunk.group())
        if len(digits) < 10:
            continue
        for pattern, kind in _EMBEDDED:
            for pos in range(len(digits)):
                match = pattern.match(digits, pos)
                if match:  # the digits of a chunk map one to one onto its characters
                    found.append(Finding(chunk.start() + pos, chunk.start() + match.end(), kind))
    return found


def _whole(text: str, groups: list[_Group], labelled: bool, listed: bool = False) -> list[Finding]:
    """Numbers filling whole consecutive groups; then a local number (7-8 digits) where a label
    or a phone just before makes it one (`电话：3251238`, `0722-3251238/3251247`)."""
    found = []
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j].digits
            if len(digits) > _LONGEST:
                break
            for pattern, kind in _WHOLE:
                if pattern.fullmatch(digits):
                    found.append(Finding(groups[i].start, groups[j].end, kind))
                    break
        if re.fullmatch(_OLD_ID, groups[i].digits):
            found.append(Finding(groups[i].start, groups[i].end, ID_NUMBER))
    phones = [f for f in found if f.kind == PHONE]
    for i, group in enumerate(groups):
        if any(f.start <= group.start < f.end for f in phones):
            continue
        after_phone = _follows(phones, text, group.start)
        if not ((i == 0 and labelled) or after_phone):
            continue
        # In a list of phones (`0722-3251238、3251247`) a local number ends its run or another
        # 、 or / follows; digits going on (`13000000000、2019 2020 2021年`) are something else.
        local = _local(groups[i:], text if (after_phone or (i == 0 and listed)) else None)
        if local is not None:
            phones.append(Finding(group.start, local.end, PHONE))
    # 18 digits made of phones side by side (`0722-3251238/3251247`) are phones, not an ID
    # number; nor are a phone's last digits and the numbers after it (`1 3000000000 2019 2020`).
    ids = [
        f
        for f in found
        if f.kind == ID_NUMBER
        and not all(
            any(p.start <= g.start and g.end <= p.end for p in phones)
            for g in groups
            if f.start <= g.start and g.end <= f.end
        )
        and not any(
            p.start < f.end and f.start < p.end and not f.start <= p.start < p.end <= f.end for p in phones
        )
    ]
    return phones + ids


def _local(groups: list[_Group], listed_in: str | None = None) -> _Group | None:
    """The last group of the longest start of `groups` with at most 8 digits, if those digits
    make a local number; given the text (`listed_in`), only where the run ends there or a 、 or /
    follows."""
    digits, last, taken = "", None, 0
    for group in groups:
        if len(digits + group.digits) > 8:
            break
        digits, last, taken = digits + group.digits, group, taken + 1
    if last is None or not _LOCAL.fullmatch(digits):
        return None
    goes_on = listed_in is not None and taken < len(groups)
    if goes_on and not _AFTER_PHONE.match(listed_in[last.end : groups[taken].start]):
        return None
    return last


def _follows(found: list[Finding], text: str, start: int) -> bool:
    """Whether a phone ends just before `start`, with at most a `、` or `/` between."""
    ends = [f.end for f in found if f.kind == PHONE and f.end <= start]
    return bool(ends) and bool(_AFTER_PHONE.match(text[max(ends) : start]))


def _widen(text: str, finding: Finding) -> Finding:
    """Take in a leading `+`, `(+86)` or `（` and the brackets that close inside the number."""
    start, end = finding.start, finding.end
    left = _LEFT_MARKS.search(text[max(0, start - 6) : start])
    if left:
        start -= len(left.group())
    span = text[start:end]
    if sum(span.count(c) for c in _OPEN) > sum(span.count(c) for c in _CLOSE):
        right = _RIGHT_MARKS.match(text[end : end + 6])
        if right:
            end += len(right.group())
    return Finding(start, end, finding.kind)


def find_numbers(text: str) -> list[Finding]:
    """Every phone and ID number in `text`, as non-overlapping spans in order."""
    found: list[Finding] = []
    for run in _RUN.finditer(text):
        labelled = bool(_LABEL.search(text[max(0, run.start() - 12) : run.start()]))
        listed = False  # after a phone and 、 or /: a local number only if the run ends with it
        if not labelled and found and found[-1].kind == PHONE:
            listed = labelled = bool(_AFTER_PHONE.match(text[found[-1].end : run.start()]))
        spans = _whole(text, _groups(text, run), labelled, listed) + _embedded(text, run)
        for finding in _merge(spans):
            found.append(_widen(text, finding))
    return _merge(found)


def _merge(findings: list[Finding]) -> list[Finding]:
    """Overlapping spans become one; it is an ID number if any part of it was one."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = ID_NUMBER if ID_NUMBER in (last.kind, f.kind) else PHONE
            merged[-1] = Finding(last.start, max(last.end, f.end), kind)
        else:
            merged.append(f)
    return merged


@dataclass(frozen=True)
class Segment:
    """A piece of the public text: `removed` pieces are left out of the public version."""

    text: str
    removed: bool = False
    kind: str = ""


def segments(text: str, *, contact: bool = False, prefix: str = "") -> list[Segment]:
    """`text` cut into kept and removed pieces. `prefix` is what the letter prints just before it
    (a heading's number `1.`, an attachment's `2.`): read with it, never returned. In the contact
    block a phone is removed together with its label, and so is a label left without a number."""
    findings = [
        Finding(max(0, f.start - len(prefix)), f.end - len(prefix), f.kind)
        for f in find_numbers(prefix + text)
        if f.end > len(prefix)
    ]
    if contact:
        # Whatever follows a phone label there goes, once it has 7 digits (`联系电话：0722-325123`).
        for run in _RUN.finditer(text):
            if len(normalised_digits(run.group())) >= 7 and _CONTACT_LABEL.search(text[: run.start()]):
                findings.append(_widen(text, Finding(run.start(), run.end(), PHONE)))
        spans = []
        for f in findings:
            label = _CONTACT_LABEL.search(text[: f.start])
            spans.append(Finding(label.start() if label else f.start, f.end, f.kind))
        for label in _DANGLING_LABEL.finditer(text):
            spans.append(Finding(label.start(), label.end(), ""))
        findings = _merge_contact(spans)
    pieces, at = [], 0
    for f in findings:
        if f.start > at:
            pieces.append(Segment(text[at : f.start]))
        pieces.append(Segment(text[f.start : f.end], True, f.kind))
        at = f.end
    if at < len(text):
        pieces.append(Segment(text[at:]))
    return pieces


def _merge_contact(spans: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for f in sorted((s for s in spans if s.end > s.start), key=lambda f: (f.start, f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.start, max(last.end, f.end), last.kind or f.kind)
        else:
            merged.append(f)
    return merged


def _joined(pieces: list[Segment], contact: bool) -> str:
    text = "".join(p.text if not p.removed else "" if contact else REDACTED for p in pieces)
    if contact:
        text = re.sub(r"[（(]\s*[）)]", "", text)
        text = re.sub(r"[，,、]\s*(?=[）)])", "", text)
        text = re.sub(r"[（(]\s*[，,、]\s*", lambda m: m.group()[0], text)
        return text.strip(" \u3000，,、;；")
    return text


def redact_text(text: str, prefix: str = "") -> str:
    """Phone and ID numbers replaced by （已隐去）."""
    return _joined(segments(text, prefix=prefix), contact=False)


def redact_contact_line(line: str) -> str:
    """A contact line without its phone part: `经办人姓名：孙建波 联系电话：199…` → `经办人姓名：孙建波`."""
    return _joined(segments(line, contact=True), contact=True)


def _attachment_prefix(letter: dict, index: int) -> str:
    return f"{index + 1}." if len(letter.get("attachments", ())) > 1 else ""


def public_context(letter: dict) -> dict:
    """The letter context of the public version: every string it prints, redacted."""

    def sections(items):
        return [
            {
                **s,
                "heading": redact_text(s["heading"], prefix=s["number"]),
                "paragraphs": [redact_text(p) for p in s["paragraphs"]],
                "children": sections(s["children"]),
            }
            for s in items
        ]

    public = {key: redact_text(value) if isinstance(value, str) else value for key, value in letter.items()}
    public["sections"] = sections(letter["sections"])
    public["closing"] = [redact_text(p) for p in letter["closing"]]
    public["attachments"] = [
        redact_text(a, prefix=_attachment_prefix(letter, i)) for i, a in enumerate(letter["attachments"])
    ]
    public["contact_lines"] = [
        line for line in (redact_contact_line(raw) for raw in letter["contact_lines"]) if line
    ]
    return public


def public_preview(letter: dict) -> dict:
    """What 批准公开 will publish, in printed order, each removed piece marked, with the counts:
    `{"blocks": [{"role", "number", "segments"}], "phones": 3, "ids": 1}`."""
    blocks = []

    def add(role: str, text: str, number: str = "", **options) -> None:
        if text:
            blocks.append({"role": role, "number": number, "segments": segments(text, **options)})

    for key, role in (
        ("agency", "agency"),
        ("doc_number", "meta"),
        ("signer", "meta"),
        ("publicity", "meta"),
    ):
        add(role, letter.get(key, ""))
    add("title", letter["title"])
    add("salutation", letter["salutation"])
    add("paragraph", letter["opening"])

    def sections(items):
        for s in items:
            add(f"heading level-{s['level']}", s["heading"], s["number"], prefix=s["number"])
            for p in s["paragraphs"]:
                add("paragraph", p)
            sections(s["children"])

    sections(letter["sections"])
    for p in letter["closing"]:
        add("paragraph", p)
    for i, name in enumerate(letter["attachments"]):
        number = _attachment_prefix(letter, i)
        add("attachment", name, ("附件：" if i == 0 else "") + number, prefix=number)
    add("signature", letter["signature"])
    add("signature", letter.get("date", ""))
    for line in letter["contact_lines"]:
        add("contact", line, contact=True)
    add("copies", letter["copy_line"])
    removed = [s for b in blocks for s in b["segments"] if s.removed]
    return {
        "blocks": blocks,
        "phones": sum(1 for s in removed if s.kind == PHONE),
        "ids": sum(1 for s in removed if s.kind == ID_NUMBER),
    }


def removal_summary(preview: dict) -> str:
    """`将隐去 3 处电话号码、1 处身份证号`, or that nothing will be removed."""
    parts = [
        f"{count} 处{label}"
        for count, label in ((preview["phones"], "电话号码"), (preview["ids"], "身份证号"))
        if count
    ]
    return "将隐去 " + "、".join(parts) if parts else "未发现需要隐去的电话号码或身份证号"
