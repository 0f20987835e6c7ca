"""发出前检查: what a letter needs before it moves on (submit, sign-off, issue). Each check names
the editor field to fix, so the list can link to it. Which checks run is a setting
(REPLY_CHECKS); the co-handlers' opinions are the workflow's to check, not the letter's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from measures.outline import measure_tree
from proposals.letters.wording import ContactStyle

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")  # area code with its 0, then the local number
PHONE_SEPARATORS = re.compile(r"[\s\-－‐—()（）]")
PHONE_LIKE = re.compile(r"[0-9０-９][0-9０-９\s\-－‐—()（）]{5,}[0-9０-９]")
POSTCODE = re.compile(r"\d{6}")
ALL_CHECKS = ("class_code", "title", "contact", "sections")


@dataclass(frozen=True)
class Problem:
    """One missing or wrong item: the editor field that fixes it and what to do, in Chinese."""

    field: str
    message: str

    @property
    def anchor(self) -> str:
        return "measures" if self.field == "sections" else f"id_{self.field}"


def valid_phone(value: str) -> bool:
    """A mobile number (1[3-9] and nine digits) or a landline with its area code, in any of the
    usual ways of writing it (spaces, hyphens, brackets, full-width digits)."""
    digits = PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    return bool(MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits))


def _phone(problems: list[Problem], field: str, label: str, value: str) -> None:
    if not value.strip():
        problems.append(Problem(field, f"请填写{label}。"))
    elif not valid_phone(value):
        problems.append(Problem(field, f"{label}“{value}”不是有效的电话号码（手机11位，固定电话须带区号）。"))


def _name(problems: list[Problem], field: str, label: str, value: str) -> None:
    if not value.strip():
        problems.append(Problem(field, f"请填写{label}。"))


def _contact(reply) -> list[Problem]:
    problems: list[Problem] = []
    if reply.contact_block_text.strip():
        numbers = PHONE_LIKE.findall(reply.contact_block_text)
        if not numbers:
            problems.append(Problem("contact_block_text", "联系方式（按原文）中没有联系电话。"))
        for number in numbers:
            if not valid_phone(number):
                problems.append(
                    Problem("contact_block_text", f"联系方式中的“{number.strip()}”不是有效的电话号码。")
                )
        return problems
    if reply.contact_style == ContactStyle.SUIZHOU:
        _name(problems, "leader_name", "主管领导姓名", reply.leader_name)
        _phone(problems, "leader_phone", "主管领导电话", reply.leader_phone)
    _name(problems, "handler_name", "经办人姓名", reply.handler_name)
    _phone(problems, "handler_phone", "经办人电话", reply.handler_phone)
    if reply.contact_style == ContactStyle.SUIZHOU and not POSTCODE.fullmatch(reply.postcode.strip()):
        problems.append(Problem("postcode", "请填写6位邮政编码。"))
    return problems


def _sections(reply) -> list[Problem]:
    tree = measure_tree(reply)
    if not tree:
        return [Problem("sections", "答复还没有办理措施：请至少写一段正文。")]
    problems = []

    def walk(nodes):
        for measure, children in nodes:
            if measure.heading.strip() and not measure.paragraph_list and not children:
                problems.append(Problem("sections", f"小标题“{measure.heading}”下面没有内容。"))
            walk(children)

    walk(tree)
    return problems


def _class_code(reply) -> list[Problem]:
    if not reply.class_code:
        return [Problem("class_code", "请选择办理结果分类（A、B、C、D类）。")]
    return []


def _title(reply) -> list[Problem]:
    problems = []
    if not reply.effective_title.strip():
        problems.append(Problem("title", "请填写标题。"))
    salutation = reply.effective_salutation.strip().rstrip("：:")
    if salutation in ("", "代表", "委员", "等代表", "等委员"):
        problems.append(Problem("salutation", "请填写称谓（如“沈宝栋、李芸等代表：”）。"))
    return problems


CHECKS = {"class_code": _class_code, "title": _title, "contact": _contact, "sections": _sections}


def problems(reply) -> list[Problem]:
    """Everything the letter still lacks, in the order of the editor's fields."""
    enabled = getattr(settings, "REPLY_CHECKS", ALL_CHECKS)
    found: list[Problem] = []
    for name in ("title", "sections", "class_code", "contact"):
        if name in enabled:
            found.extend(CHECKS[name](reply))
    return found


def summary(found: list[Problem]) -> str:
    """The refusal's one line: every problem, for the message at the top of the page."""
    return "；".join(problem.message.rstrip("。") for problem in found) + "。"
