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
