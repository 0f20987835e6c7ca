"""Comparing two saved versions of a letter (查看修改): the letter as located lines (each with where
it stands: 标题, 开头语, 一、（二） 第2段 …), and the changed lines with one line of context
around each change, not the whole letter."""

from __future__ import annotations

import datetime
import difflib

from proposals.letters.wording import chinese_date, heading_number


def letter_lines(snapshot: dict) -> list[tuple[str, str]]:
    """A saved version (the interchange JSON) as (where, text) lines in printed order."""
    style = snapshot.get("heading_style") or "chinese"
    out = [
        ("标题", snapshot["title"]),
        ("称谓", snapshot["salutation"] or "（按提出人生成）"),
        ("开头语", snapshot["opening"]),
    ]

    def walk(sections, level: int, prefix: str) -> None:
        for n, section in enumerate(sections, start=1):
            number = prefix + heading_number(style, min(level, 4), n) if section.get("heading") else prefix
            if section.get("heading"):
                out.append(
                    (
                        number.strip() or "正文",
                        f"{heading_number(style, min(level, 4), n)}{section['heading']}",
                    )
                )
            for index, paragraph in enumerate(section["paragraphs"], start=1):
                out.append((f"{number}第{index}段" if number else f"第{index}段", paragraph))
            walk(section.get("subsections", []), level + 1, number)

    walk(snapshot["sections"], 1, "")
    closing = snapshot["closing"]
    out.extend(("结束语", p) for p in ([closing] if isinstance(closing, str) else closing))
    out.append(("署名", snapshot.get("signature") or snapshot.get("agency") or ""))
    if snapshot.get("date"):
        out.append(("成文日期", chinese_date(datetime.date.fromisoformat(snapshot["date"]))))
    code = snapshot["class_code"]
    out.append(("办理结果分类", f"{code}类" if code else "未分类"))
    out.extend(("联系方式", line) for line in snapshot["contact_block_lines"])
    out.append(("抄送", snapshot["cc_line"]))
    return [(where, text) for where, text in out if text]


def changes(older: dict, newer: dict, context: int = 1) -> list[dict]:
    """The changed lines between two versions, each with its place in the letter, and `context`
    unchanged lines around each change; a gap marks what is left out. Empty when nothing changed."""
    old, new = letter_lines(older), letter_lines(newer)
    matcher = difflib.SequenceMatcher(a=[t for _, t in old], b=[t for _, t in new], autojunk=False)
    out: list[dict] = []
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append({"kind": "gap", "where": "", "text": "……"})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend({"kind": "same", "where": w, "text": t} for w, t in new[j1:j2])
                continue
            out.extend({"kind": "removed", "where": w, "text": t} for w, t in old[i1:i2])
            out.extend({"kind": "added", "where": w, "text": t} for w, t in new[j1:j2])
    return out
