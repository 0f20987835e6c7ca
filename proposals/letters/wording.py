"""The fixed wording of a reply letter, built from structured data.

Pure functions, no database: the salutation, title, opening formula, contact block, 抄送 line
and dates exactly as they are printed. Patterns that differ between places are settings
(REPLY_TITLE_TEMPLATE, REPLY_OPENING_TEMPLATE) or a style chosen per agency and per reply.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models


class ContactStyle(models.TextChoices):
    SUIZHOU = "suizhou", "随州式：主管领导姓名／经办人姓名／邮政编码"
    PLAIN = "plain", "分行式：联系人／联系电话"
    INLINE = "inline", "单行式：联系人 联系电话"
    NOTE = "note", "附注式：（联系人：…，联系电话：…）"


class CopyStyle(models.TextChoices):
    SUIZHOU = "suizhou", "随州式：顿号分隔，注明份数，不加句号"
    GB = "gb", "国标式：逗号分隔，末尾加句号"


@dataclass(frozen=True)
class Contact:
    """The people an agency names at the foot of a letter."""

    leader_name: str = ""
    leader_phone: str = ""
    handler_name: str = ""
    handler_phone: str = ""
    postcode: str = ""


def salutation(
    names: Sequence[str], *, more: bool = False, count: int | None = None, addressee: str = "代表"
) -> str:
    """`沈宝栋、李芸等代表：`, `纪占斌等3名代表：`, `郭正东、袁朝芳代表：`, `王芳委员：`."""
    joined = "、".join(names)
    if count and count > len(names):
        return f"{joined}等{count}名{addressee}："
    if more:
        return f"{joined}等{addressee}："
    return f"{joined}{addressee}："


def title(session: str, number: str, kind: str) -> str:
    """`对市五届人大一次会议第12号建议的答复` (pattern: REPLY_TITLE_TEMPLATE)."""
    return settings.REPLY_TITLE_TEMPLATE.format(session=session, number=number, kind=kind)


def opening(session: str, proposal_title: str, number: str, kind: str, consulted: Sequence[str]) -> str:
    """The receipt formula the clerk starts from (pattern: REPLY_OPENING_TEMPLATE)."""
    consulted_clause = f"经会商{'、'.join(consulted)}意见，" if consulted else ""
    return settings.REPLY_OPENING_TEMPLATE.format(
        session=session,
        title=proposal_title,
        number=number,
        kind=kind,
        consulted_clause=consulted_clause,
    )


def joint_title(session: str, numbers: Sequence[str], kind: str) -> str:
    """并案 一函联合答复: `对市五届人大一次会议第12、15、23号建议的答复` (REPLY_TITLE_TEMPLATE with the
    numbers joined by 、)."""
    return title(session, "、".join(numbers), kind)


def joint_salutation(lead_authors: Sequence[str], addressee: str = "代表") -> str:
    """并案 一函联合答复: every member's lead author, each once: `张三、李四、王五代表：`."""
    return salutation(list(dict.fromkeys(name for name in lead_authors if name)), addressee=addressee)


def joint_opening(session: str, items: Sequence[tuple[str, str]], kind: str, consulted: Sequence[str]) -> str:
    """并案 一函联合答复: the receipt formula naming every proposal, `(title, number)` in order:
    `你们在…提出的“…”的建议（第12号）、“…”的建议（第15号）收悉，…现答复如下：`."""
    named = "、".join(f"“{proposal_title}”的{kind}（第{number}号）" for proposal_title, number in items)
    consulted_clause = f"经会商{'、'.join(consulted)}意见，" if consulted else ""
    return f"你们在{session}提出的{named}收悉，{consulted_clause}现答复如下："


def _name_phone(label: str, name: str, phone: str) -> str:
    line = f"{label}：{name}"
    return f"{line} 联系电话：{phone}" if phone else line


def contact_lines(style: str, contact: Contact) -> list[str]:
    """The contact block as printed, one string per line; empty parts are left out."""
    c = contact
    if style == ContactStyle.SUIZHOU:
        lines = []
        if c.leader_name or c.leader_phone:
            lines.append(_name_phone("主管领导姓名", c.leader_name, c.leader_phone))
        if c.handler_name or c.handler_phone:
            lines.append(_name_phone("经办人姓名", c.handler_name, c.handler_phone))
        if c.postcode:
            # The label is spaced out to the width of the four-character labels above it.
            lines.append(f"邮 政 编 码：{c.postcode}")
        return lines
    if style == ContactStyle.PLAIN:
        return [
            line
            for line in (
                c.handler_name and f"联系人：{c.handler_name}",
                c.handler_phone and f"联系电话：{c.handler_phone}",
            )
            if line
        ]
    if style == ContactStyle.INLINE:
        if not (c.handler_name or c.handler_phone):
            return []
        return [_name_phone("联系人", c.handler_name, c.handler_phone)]
    if style == ContactStyle.NOTE:
        parts = [
            p
            for p in (
                c.handler_name and f"联系人：{c.handler_name}",
                c.handler_phone and f"联系电话：{c.handler_phone}",
            )
            if p
        ]
        return [f"（{'，'.join(parts)}）"] if parts else []
    raise ValueError(f"unknown contact style {style!r}")


def copy_line(style: str, copies: Iterable[tuple[str, int | None]]) -> str:
    """`抄送：市人大常委会选任工委（2份）、市政府督查室（2份）`; empty when nobody gets a copy."""
    parts = [f"{recipient}（{n}份）" if n else recipient for recipient, n in copies]
    if not parts:
        return ""
    if style == CopyStyle.GB:
        return "抄送：" + "，".join(parts) + "。"
    if style == CopyStyle.SUIZHOU:
        return "抄送：" + "、".join(parts)
    raise ValueError(f"unknown copy style {style!r}")


def chinese_date(day: datetime.date) -> str:
    """`2023年5月5日`: Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; from 100 on, Arabic digits."""
    if n < 1:
        raise ValueError("heading numbers start at 1")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens = "" if n < 20 else _DIGITS[n // 10]
        return tens + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def heading_number(style: str, level: int, n: int) -> str:
    """The printed number before a heading: 一、（一）1.（1） or, in the arabic style, 1. (1) 1) ①."""
    if style == "arabic":
        return [f"{n}.", f"({n})", f"{n})", chr(0x2460 + n - 1) if n <= 20 else f"[{n}]"][level - 1]
    return [f"{chinese_numeral(n)}、", f"（{chinese_numeral(n)}）", f"{n}.", f"（{n}）"][level - 1]


_NUMBER_QUERY = re.compile(r"第?\s*([0-9]+)\s*号?\s*(?:建议|提案|议案)?")


def bare_number(text: str) -> str | None:
    """The proposal number a search means, however it is written: 第12号, 第 12 号, 12号, 12号建议,
    １２ (full-width). None when the text is not a number."""
    match = _NUMBER_QUERY.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return match[1] if match else None


# ---- Title lines (GB/T 9704 7.3.3: 梯形或菱形, never a word split over two lines) ----

TYPE_AREA_WIDTH_MM = 156
TITLE_PT = 22  # 2号
# A 2号 character is 22 pt = 7.76 mm wide (letter-spacing 0 in the title): 156 / 7.76 = 20.1,
# so 20 full-width characters fit the 156 mm line, not 22.
TITLE_MAX_CHARS = int(TYPE_AREA_WIDTH_MM / (TITLE_PT * 25.4 / 72))

# Spans no line break may fall inside: numbers with their 第…号/届/次, years in 〔〕, digit runs,
# Latin words, short bracketed parts, and the words titles are made of.
_UNBREAKABLE = re.compile(
    r"第\s*[0-9０-９〇零一二三四五六七八九十百]+\s*[号届次]"
    r"|[〇零一二三四五六七八九十百]+[届次]"
    r"|〔[^〕]{0,8}〕|（[^）]{0,4}）|\([^)]{0,4}\)"
    r"|[0-9０-９]+(?:[.．][0-9０-９]+)*|[A-Za-z]+"
    r"|人民代表大会|代表大会|人民政府|政府|常委会|委员会|人大|政协|会议|建议|提案|议案|答复|关于|代表|委员|随州"
)
_NO_LINE_START = set("，。、；：？！”’）》〕」』…—·")
_NO_LINE_END = set("“‘（《〔「『")
# Cost of a break *before* position i, by what surrounds it; lower is better. A position no
# rule names costs _FALLBACK_COST (it may split a word the rules do not know).
_FALLBACK_COST = 12
_BREAK_RULES = (
    (0, re.compile(r"(?<=会议)|(?=关于)|(?=第\s*[0-9０-９]+\s*号)|(?<=[，、；：”》])|(?=[“《])")),
    (1, re.compile(r"(?<=的)|(?<=^对)|(?<=关于)|(?<=[局委会院办府厅处室])(?=对)")),
    (2, re.compile(r"(?<=号)|(?<=委员会)|(?<=常委会)|(?<=大会)|(?=第[〇零一二三四五六七八九十]+[届次])")),
    (3, re.compile(r"(?=[和与及并])")),
    (4, re.compile(r"(?<=人大)|(?<=政协)|(?<=[届次])|(?<=代表)|(?<=委员)")),
)


def text_width(text: str) -> float:
    """Printed width in full-width characters: a hanzi or full-width sign 1, a digit or other
    half-width sign 0.6, a Latin letter 0.75, a space 0.3 (the 2号 bold serif's advances)."""
    width = 0.0
    for ch in text:
        if ch == " ":
            width += 0.3
        elif unicodedata.east_asian_width(ch) in "WFA":
            width += 1
        elif ch.isascii() and ch.isalpha():
            width += 0.75
        else:
            width += 0.6
    return width


def _break_costs(title: str) -> dict[int, int]:
    """Allowed break positions (a break before title[i]) and their costs."""
    forbidden = {i for m in _UNBREAKABLE.finditer(title) for i in range(m.start() + 1, m.end())}
    costs: dict[int, int] = {}
    for i in range(1, len(title)):
        if i in forbidden or title[i] in _NO_LINE_START or title[i - 1] in _NO_LINE_END:
            continue
        costs[i] = _FALLBACK_COST
    for cost, rule in reversed(_BREAK_RULES):
        for match in rule.finditer(title):
            if match.start() in costs:
                costs[match.start()] = cost
    return costs


def title_lines(title: str, max_chars: float = TITLE_MAX_CHARS) -> list[str]:
    """The title as printed, one string per line; joined again they are the title (spaces at
    the breaks dropped). A title of at most `max_chars` (text_width) stays one line. A longer one
    is broken into the fewest lines the break rules allow (one or two more when that avoids a
    break no rule names, which may split a word), never inside a number (第31号,
    〔2023〕, 231) or a known word, preferably before 关于 or 第N号, after 会议, 的 or a leading 对;
    among those, the cheapest breaks and the lines of most similar width (a trapezoid or
    diamond). No line is wider than `max_chars`: a title with an unbreakable piece wider than
    that (no real title has one) is cut by width."""
    title = title.strip()
    if len(title) < 2 or text_width(title) <= max_chars:
        return [title] if title else []
    costs = _break_costs(title)
    ends = [*sorted(costs), len(title)]
    widths = {}

    def width(start: int, end: int) -> float:
        if (start, end) not in widths:
            widths[start, end] = text_width(title[start:end].strip())
        return widths[start, end]

    found = None
    for lines in range(2, len(title) + 1):
        breaks = _balanced_breaks(ends, costs, width, lines, max_chars, text_width(title) / lines)
        if breaks is None:
            continue
        if found is None:
            found, fewest = breaks, lines
        # A break no rule names may split a word: one or two more lines may avoid it.
        if all(costs[b] < _FALLBACK_COST for b in breaks):
            found = breaks
            break
        if lines >= fewest + 2:
            break
    if found is None:
        return _cut_by_width(title, max_chars)
    bounds = [0, *found, len(title)]
    return [title[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def _balanced_breaks(ends, costs, width, lines, max_chars, target) -> list[int] | None:
    """The cheapest `lines - 1` break positions (dynamic programming over `ends`): each line at
    most `max_chars` wide; cost 8 × the breaks' costs + the squared distance of every line's
    width from `target` (the mean). None when no such breaking exists."""
    # best[end] = (cost, breaks) of the cheapest way to set title[:end] in k lines.
    best = {0: (0.0, [])}
    for k in range(1, lines + 1):
        following = {}
        for end in ends[:-1] if k < lines else ends[-1:]:
            for start, (cost, breaks) in best.items():
                if start >= end or width(start, end) > max_chars:
                    continue
                total = cost + (width(start, end) - target) ** 2 + (8 * costs[end] if k < lines else 0)
                if end not in following or total < following[end][0]:
                    following[end] = (total, [*breaks, end] if k < lines else breaks)
        best = following
        if not best:
            return None
    return best[ends[-1]][1] if ends[-1] in best else None


def _cut_by_width(title: str, max_chars: float) -> list[str]:
    """The last resort: as many characters a line as fit `max_chars`, wherever that falls."""
    lines, line = [], ""
    for ch in title:
        if line and text_width(line + ch) > max_chars:
            lines.append(line.strip())
            line = ""
        line += ch
    return [*lines, line.strip()]


# ---- Run-in headings ----

RUN_IN_ENDINGS = "。！？"


# A lead sentence printed run-in is short (加强宣传引导。 建立台账，分类处置。); a longer one is
# a numbered paragraph (1、我局于……，……。): printed whole in the body font, number first.
RUN_IN_LEAD_MAX = 30


def is_numbered_paragraph(heading: str) -> bool:
    """A heading that is a whole long sentence: the section is a numbered paragraph, printed as
    number, heading and first paragraph in one body paragraph, like the letter it came from."""
    return is_run_in(heading) and len("".join(heading.split())) > RUN_IN_LEAD_MAX


def is_run_in(heading: str) -> bool:
    """A heading that is a lead sentence (ends in 。！？) is printed run-in: number and heading,
    then the section's first paragraph in the same paragraph (`1.加强宣传引导。我们将……`)."""
    return bool(heading) and heading.rstrip()[-1:] in RUN_IN_ENDINGS
