"""Word's automatic numbering (numbering.xml and the numbering of styles), resolved into the
label Word prints before a paragraph (一、, （一）, 1., ①…): the part of word_import that
counts. `Numbering(numbering_root, styles_root).label(paragraph)` as paragraphs are read in
order; `format_number(n, fmt)` for one w:numFmt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w_name(name: str) -> str:
    """The Clark name of a WordprocessingML element or attribute."""
    return f"{{{W}}}{name}"


W_PPR, W_NUMPR, W_NUMID, W_ILVL = w_name("pPr"), w_name("numPr"), w_name("numId"), w_name("ilvl")
W_PSTYLE, W_VAL, W_TYPE = w_name("pStyle"), w_name("val"), w_name("type")


def is_on(element) -> bool:
    """Whether an on/off property element (w:vanish, w:isLgl…) is on: present, and its w:val
    not 0/false/off."""
    return element is not None and element.get(W_VAL, "true").lower() not in ("0", "false", "off")


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
        element = lvl.find(w_name(name))
        return None if element is None else element.get(W_VAL)

    start = val("start")
    if start is not None and start.lstrip("-").isdigit():
        level.start = int(start)
    level.fmt = val("numFmt") or "decimal"
    level.text = val("lvlText") or ""
    restart = val("lvlRestart")
    if restart is not None and restart.isdigit():
        level.restart = int(restart)
    level.legal = is_on(lvl.find(w_name("isLgl")))
    level.style = val("pStyle")
    return level


def _levels(parent) -> dict[int, Level]:
    """The levels (w:lvl by w:ilvl) defined in an abstractNum or lvlOverride."""
    levels = {}
    for lvl in parent.iterfind(w_name("lvl")):
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
        for abstract in root.iterfind(w_name("abstractNum")):
            key = abstract.get(w_name("abstractNumId"))
            self.abstracts[key] = _levels(abstract)
            link = abstract.find(w_name("numStyleLink"))
            if link is not None:
                self.abstract_links[key] = link.get(W_VAL)
            style_link = abstract.find(w_name("styleLink"))
            if style_link is not None:
                self.style_defs[style_link.get(W_VAL)] = key
        for num in root.iterfind(w_name("num")):
            num_id = num.get(w_name("numId"))
            abstract = num.find(w_name("abstractNumId"))
            if num_id is None or abstract is None:
                continue
            self.nums[num_id] = abstract.get(W_VAL)
            overrides = {}
            for override in num.iterfind(w_name("lvlOverride")):
                ilvl = override.get(W_ILVL, "0")
                if not ilvl.isdigit():
                    continue
                start_element = override.find(w_name("startOverride"))
                start = start_element.get(W_VAL) if start_element is not None else None
                redefined = _levels(override).get(int(ilvl))
                overrides[int(ilvl)] = (int(start) if start and start.isdigit() else None, redefined)
            self.overrides[num_id] = overrides

    def _read_styles(self, root) -> None:
        """Read each paragraph style's basedOn and numPr, and the default paragraph style."""
        for style in root.iterfind(w_name("style")):
            style_id = style.get(w_name("styleId"))
            if style.get(W_TYPE, "paragraph") not in ("paragraph", "numbering"):
                continue
            if style.get(w_name("default")) in ("1", "true") and style.get(W_TYPE) == "paragraph":
                self.default_style = style_id
            based = style.find(w_name("basedOn"))
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
