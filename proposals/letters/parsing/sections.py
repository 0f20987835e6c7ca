"""Headings and sections: the heading style and levels from the labels a letter uses, a
heading's text without its number, run-in headings, and the builder of nested sections."""

from __future__ import annotations

from proposals.letters.parsing.patterns import (
    _ARABIC_ORDER,
    _CHINESE_ORDER,
    _CLOSERS,
    _SENTENCE_END,
    HEADINGS,
    Line,
    _clean,
    fold,
)
from proposals.letters.parsing.recognisers import _label


def _heading_levels(kinds: set[str], first: str | None = None) -> tuple[str, dict[str, int]]:
    """The heading style and the level of each label kind, from the kinds the whole letter uses:
    chinese when it uses 一、 or （一）, else arabic; the kinds used get levels 1–4 in the style's
    order (一、（一）1.（1） or 1. (1) 1) ①), except that the kind of the letter's first heading
    (`first`) is level 1 (a letter numbering 1. above （一）)."""
    style = "chinese" if kinds & {"cn", "pcn"} else "arabic"
    order = _CHINESE_ORDER if style == "chinese" else _ARABIC_ORDER
    used = [k for k in order if k in kinds]
    if first in used:
        used.remove(first)
        used.insert(0, first)
    return style, {k: i + 1 for i, k in enumerate(used[:4])}


def heading_style(lines: list[Line]) -> str:
    """`chinese` or `arabic`, from the labels of the heading lines (default chinese)."""
    kinds = set()
    for line in lines:
        if line.tag in HEADINGS:
            found = _label(fold(line.text))
            if found:
                kinds.add(found[0])
    if not kinds:
        return "chinese"
    return _heading_levels(kinds)[0]


def strip_label(text: str) -> str:
    """A heading's text without its printed number (一、 （一） 1. 1． 1、 （1） (1) 1) ①)."""
    folded = fold(text)
    found = _label(folded)
    if not found:
        return _clean(text)
    return _clean(text[found[1].end() :])


def split_run_in(text: str) -> tuple[str, str]:
    """(lead sentence including its 。！？ and closing quotes, the rest) of a numbered line;
    (text, "") when the text is one sentence or none."""
    folded = fold(text)
    for k, ch in enumerate(folded):
        if ch in _SENTENCE_END:
            end = k + 1
            while end < len(text) and folded[end] in _CLOSERS:
                end += 1
            rest = _clean(text[end:])
            if not rest:
                return _clean(text), ""
            return _clean(text[:end]), rest
    return _clean(text), ""


_MAX_HEADING = 500


def _new_section(heading: str | None) -> dict:
    return {"heading": heading, "paragraphs": [], "subsections": []}


class _Builder:
    """Sections from headings and paragraphs, nesting one level per heading tag."""

    def __init__(self) -> None:
        self.sections: list[dict] = []
        self.stack: list[dict] = []

    def heading(self, level: int, text: str) -> None:
        """Open a section at `level` (1–4) under the last one of the level above (an un-headed
        one is made when a level is skipped); a run-in lead sentence is the heading and the
        rest of the line its first paragraph."""
        lead, rest = split_run_in(strip_label(text))
        if len(lead) > _MAX_HEADING:
            lead, rest = "", strip_label(text)
        while len(self.stack) >= level:
            self.stack.pop()
        while len(self.stack) < level - 1:
            self._push(_new_section(None))
        self._push(_new_section(lead or None))
        if rest:
            self.stack[-1]["paragraphs"].append(rest)

    def _push(self, section: dict) -> None:
        (self.stack[-1]["subsections"] if self.stack else self.sections).append(section)
        self.stack.append(section)

    def paragraph(self, text: str) -> None:
        """Add a paragraph to the section opened last (an un-headed one before any heading)."""
        if not self.stack:
            self._push(_new_section(None))
        self.stack[-1]["paragraphs"].append(text)

    def result(self) -> list[dict]:
        """The sections in the interchange format (`subsections` only where there are some)."""
        return [_tidy(s) for s in self.sections]


def _tidy(section: dict) -> dict:
    out = {"heading": section["heading"], "paragraphs": section["paragraphs"]}
    if section["subsections"]:
        out["subsections"] = [_tidy(s) for s in section["subsections"]]
    return out
