"""Tagging lines (tag_lines): the header, salutation, opening, headings, paragraphs, closing
and the foot of a letter, each line given a tag from TAGS."""

from __future__ import annotations

import re

from proposals.letters.parsing.patterns import (
    _AGENCY_SUFFIX_RE,
    _GREETING_RE,
    _LOOKING_AHEAD_RE,
    _STRONG_CLOSING_RE,
    _SUMMARY_RE,
    _TITLE_HINT_RE,
    _WEAK_CONTACT_RE,
    HEADINGS,
    PAGE_NUMBER,
    UNKNOWN,
    Line,
    _clean,
    _compact,
    fold,
)
from proposals.letters.parsing.recognisers import (
    _heading_only,
    _is_attachment,
    _is_cc,
    _is_contact,
    _is_salutation,
    _is_title,
    _label,
    _meta,
    parse_date,
)
from proposals.letters.parsing.sections import _heading_levels


def _find_salutation(texts: list[str], tags: list[str | None]) -> int | None:
    limit = min(len(texts), 25)
    for i in range(limit):
        if tags[i] is None and _is_salutation(texts[i]):
            return i
    # A short line ending in a colon right after a title: a party or group (民盟随州市委：).
    for i in range(1, limit):
        c = _compact(texts[i])
        plain = (
            tags[i] is None
            and c.endswith(":")
            and len(c) <= 30
            and not re.search(r"[。,，;；]|答复|如下|收悉|现将|报告", c)
        )
        if plain and any(_is_title(texts[j]) for j in range(max(0, i - 3), i)):
            return i
    return None


def _tag_header(texts: list[str], tags: list[str | None], end: int) -> None:
    """Tags of the lines before `end` (the salutation or the first body line)."""
    title_at = [i for i in range(end) if tags[i] is None and _is_title(texts[i])]
    if not title_at and end < len(texts):
        # No title pattern: the last plain line before the salutation.
        for i in range(end - 1, -1, -1):
            if tags[i] is None:
                c = _compact(texts[i])
                if _TITLE_HINT_RE.search(c) or not _AGENCY_SUFFIX_RE.search(c):
                    title_at = [i]
                break
    if title_at:
        last = title_at[-1]
        first = last
        # A title printed over two or three lines: lines before it with a title's words.
        for j in range(last - 1, max(-1, last - 3), -1):
            c = _compact(texts[j])
            if tags[j] is not None or j in title_at or re.search(r"[。;；:]$", c) or len(c) > 60:
                break
            # `长沙县人民政府` over `关于……的答复`, below a letterhead of its own: the title's
            # first line, the agency that answers.
            agency_line = (
                _AGENCY_SUFFIX_RE.search(c)
                and _compact(texts[j + 1]).startswith("关于")
                and any(tags[k] is None for k in range(j))
            )
            if not _TITLE_HINT_RE.search(c) and not c.endswith("的") and not agency_line:
                break
            first = j
        for j in range(first, last + 1):
            if tags[j] is None:
                tags[j] = "title"
        for j in title_at:
            tags[j] = "title"
        first_title = min(first, title_at[0])
    else:
        first_title = end
    letterhead_done = False
    for i in range(end):
        if tags[i] is not None:
            continue
        c = _compact(texts[i])
        if i < first_title and not letterhead_done and len(c) <= 60 and not re.search(r"[。;；]", c):
            tags[i] = "letterhead"
            letterhead_done = True
        else:
            tags[i] = UNKNOWN


def _tag_foot_line(text: str, previous_tag: str | None, previous_text: str) -> str | None:
    """The tag of a line at the foot of the letter (contact, 抄送, 附件), from itself and the line
    before it; None when it is none of those."""
    folded = fold(_clean(text))
    if _is_cc(text):
        return "cc"
    if _is_attachment(text):
        return "attachment"
    if _is_contact(text):
        if _WEAK_CONTACT_RE.match(folded) and previous_tag != "contact":
            return None
        return "contact"
    if previous_tag == "attachment":
        label = _label(folded)
        short = len(folded) <= 80 and "。" not in folded
        if short and (label and label[0] in ("num", "pnum", "rnum", "circ") or folded.startswith("《")):
            return "attachment"
    if previous_tag == "cc" and _cc_continues(previous_text, text):
        return "cc"
    return None


def _cc_continues(previous: str, line: str) -> bool:
    """True when `line` is the 抄送 line wrapped: recipients, no sentence, no date."""
    folded = fold(_clean(line))
    if parse_date(line) or _is_contact(line) or "。" in folded[:-1] or len(folded) > 120:
        return False
    if fold(previous).rstrip()[-1:] in "、,，;；":
        return True
    return bool(re.search(r"份\s*\)?$", folded) or ("、" in folded and not re.search(r"[:：]", folded)))


def tag_lines(lines: list[str]) -> list[Line]:
    """Each line with a tag from TAGS: the header (letterhead, 文号, class code, 签发人, 公开属性,
    title), salutation, opening, headings at four levels (level from the labels the whole letter
    uses), paragraphs, closing, and the foot (附件, 署名, date, contact, 抄送); what no rule
    recognises is UNKNOWN. One Line per input line, texts unchanged; a blank line (which
    split_text never gives) is UNKNOWN and plays no part in recognising the others."""
    filled = [i for i, text in enumerate(lines) if _clean(text)]
    texts = [lines[i] for i in filled]
    tags: list[str | None] = [_meta(text) for text in texts]
    body_start = _tag_head(texts, tags)
    _tag_body(texts, tags, body_start)
    _tag_signature(texts, tags, body_start)
    _tag_closing(texts, tags, body_start)
    result = [Line(text, UNKNOWN) for text in lines]
    for i, tag in zip(filled, tags, strict=True):
        result[i].tag = tag or UNKNOWN
    return result


def _tag_head(texts: list[str], tags: list[str | None]) -> int:
    """Tag the lines before the body (header, title, salutation); return where the body starts."""
    n = len(texts)
    salutation = _find_salutation(texts, tags)
    if salutation is not None:
        tags[salutation] = "salutation"
        _tag_header(texts, tags, salutation)
        body_start = salutation + 1
        # `您好！` under the salutation belongs to it.
        if (
            body_start < n
            and tags[body_start] is None
            and _GREETING_RE.fullmatch(_compact(texts[body_start]))
        ):
            tags[body_start] = "salutation"
            body_start += 1
        return body_start
    # No salutation: the header ends before the first line that reads like the opening or a
    # numbered heading, else after the title.
    end = next(
        (
            i
            for i in range(min(n, 25))
            if tags[i] is None
            and (re.search(r"收悉|答复如下|现答复|现将.{0,20}答复", texts[i]) or _label(fold(texts[i])))
        ),
        None,
    )
    if end is None:
        end = next((i for i in range(n) if tags[i] is None and _is_title(texts[i])), -1) + 1
    _tag_header(texts, tags, end)
    return end


def _tag_body(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """Tag the body and the foot line by line: 附件, contact, 抄送 (with their continuation
    lines), headings (levels from the labels the whole body uses), the opening (the first
    other line), paragraphs."""
    kinds: dict[int, str] = {}
    opening_done = False
    previous_tag: str | None = None
    previous_text = ""
    for i in range(body_start, len(texts)):
        text = texts[i]
        if tags[i] is None:
            found = _label(fold(text))
            foot = _tag_foot_line(text, previous_tag, previous_text)
            if foot:
                tags[i] = foot
            elif found:
                kinds[i] = found[0]
                tags[i] = "heading"
                opening_done = True
            elif not opening_done:
                tags[i] = "opening"
                opening_done = True
            else:
                tags[i] = "paragraph"
        if tags[i] != PAGE_NUMBER:
            previous_tag, previous_text = tags[i], text
    first = kinds[min(kinds)] if kinds else None
    _, levels = _heading_levels(set(kinds.values()), first)
    for i, kind in kinds.items():
        tags[i] = f"heading{levels[kind]}" if kind in levels else "paragraph"


def _tag_signature(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """署名: a short plain line just before the date (or before another 署名 line, when it reads
    like an agency), or an agency-like short line with only the foot after it. Scanned from the
    end, so that a joint signature over two lines is found whole."""
    foot = {"date", "contact", "cc", "attachment", "signature", "class_code", "signer", "publicity"}
    for i in range(len(texts) - 1, body_start - 1, -1):
        if tags[i] != "paragraph":
            continue
        c = _compact(texts[i])
        if len(c) > 40 or re.search(r"[。,，;；:：!！?？]", c) or _STRONG_CLOSING_RE.search(c):
            continue
        agency_like = bool(_AGENCY_SUFFIX_RE.search(c))
        nxt = next((j for j in range(i + 1, len(texts)) if tags[j] != PAGE_NUMBER), None)
        later = [t for t in tags[i + 1 :] if t != PAGE_NUMBER]
        if (
            (nxt is not None and tags[nxt] == "date")
            or (nxt is not None and tags[nxt] == "signature" and agency_like)
            or (agency_like and all(t in foot for t in later))
        ):
            tags[i] = "signature"


def _tag_closing(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """Closing paragraphs: the last run of plain paragraphs of the body that reads as a closing
    (thanks, 特此答复, 以上答复…; or a summary / next-steps paragraph followed only by closings)."""
    body_end = len(texts)
    for i in range(body_start, len(texts)):
        if tags[i] in ("attachment", "signature", "date", "contact", "cc"):
            body_end = i
            break
    run: list[int] = []
    for i in range(body_end - 1, body_start - 1, -1):
        tag = tags[i]
        if tag in (PAGE_NUMBER, "class_code", "signer", "publicity", "doc_number"):
            continue
        if tag in ("paragraph", UNKNOWN):
            run.append(i)
            continue
        break
    run.reverse()
    if not run:
        return
    before = next((tags[j] for j in range(run[0] - 1, -1, -1) if tags[j] != PAGE_NUMBER), None)
    has_headings = any(tags[j] in HEADINGS for j in range(body_start, run[0]))
    after_heading_only = before in HEADINGS and _heading_only(texts[_prev_content(tags, run[0])])
    for pos in range(len(run) - 1, -1, -1):
        i = run[pos]
        if tags[i] == UNKNOWN:
            break
        text = _clean(texts[i])
        first = pos == 0
        strong = bool(_STRONG_CLOSING_RE.search(fold(text)))
        summary = bool(
            _SUMMARY_RE.search(fold(text)) or (has_headings and _LOOKING_AHEAD_RE.search(fold(text)))
        )
        if first and after_heading_only:
            break
        if strong or (summary and not (first and before in ("opening", None))):
            tags[i] = "closing"
            continue
        break


def _prev_content(tags: list[str | None], index: int) -> int:
    j = index - 1
    while j >= 0 and tags[j] == PAGE_NUMBER:
        j -= 1
    return j
