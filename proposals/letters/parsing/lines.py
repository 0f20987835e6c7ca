"""The letter's logical lines (split_text): one per printed paragraph, a paragraph cut by a
page break joined again."""

from __future__ import annotations

import re

from proposals.letters.parsing.patterns import _AGENCY_SUFFIX_RE, _clean, _compact, fold
from proposals.letters.parsing.recognisers import (
    _heading_only,
    _is_attachment,
    _is_cc,
    _is_contact,
    _is_salutation,
    _is_title,
    _label,
    _meta,
    _sentence_end,
    is_page_number,
)


def _blocks_join(line: str) -> bool:
    """True when `line` starts something of its own and cannot continue the paragraph before it."""
    folded = fold(line)
    if folded[:1] in ",，、。;；:：)）”’》":
        return False
    return bool(
        _meta(line)
        or _label(folded)
        or _is_contact(line)
        or _is_cc(line)
        or _is_attachment(line)
        or _is_salutation(line)
        or _is_title(line)
        or (len(_compact(line)) <= 30 and _AGENCY_SUFFIX_RE.search(_compact(line)) and "，" not in line)
    )


_JOIN_MIN = 20
_HEADING_WORDS_RE = re.compile(r"(?:方面|问题|情况|建议|措施|打算|举措|成效|计划)$")


def _unnumbered_heading(line: str) -> bool:
    """A heading printed without a number: no comma or full stop, ending in 方面/问题/情况…."""
    c = _compact(line)
    return not re.search(r"[。,，;；]", c) and bool(_HEADING_WORDS_RE.search(c))


def _joins(previous: str, line: str) -> bool:
    """True when `line` is the rest of `previous`, a paragraph cut by a page break."""
    if _sentence_end(previous) or _blocks_join(line):
        return False
    if _heading_only(previous) and fold(previous)[-1:] in "、,，" and len(_compact(line)) <= 40:
        return True
    if _unnumbered_heading(previous):
        return False
    if _heading_only(previous) or _meta(previous) or _is_contact(previous) or _is_title(previous):
        return False
    if _is_salutation(previous):
        return False
    if _is_cc(previous):
        return fold(previous)[-1:] in "、,，;；"
    if fold(line)[:1] in ",，、。;；:：)）”’》":
        return True
    return len(_compact(previous)) >= _JOIN_MIN


def split_text(text: str) -> list[str]:
    """The logical lines of a letter: CRLF/CR normalised, each line stripped of surrounding
    whitespace (full-width spaces too, inner text kept), empty lines dropped, and a paragraph
    cut by a page break joined again (page-number lines between the two halves stay, after the
    joined line). Never loses a non-space character."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result: list[str] = []
    last_content: int | None = None
    for piece in raw:
        line = _clean(piece)
        if not line:
            continue
        if is_page_number(line):
            result.append(line)
            continue
        if last_content is not None and _joins(result[last_content], line):
            previous = result[last_content]
            glue = " " if previous[-1:].isascii() and previous[-1:].isalnum() and line[:1].isascii() else ""
            result[last_content] = previous + glue + line
            continue
        result.append(line)
        last_content = len(result) - 1
    return result
