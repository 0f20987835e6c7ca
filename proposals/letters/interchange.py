"""Reading and writing reply letters in the JSON interchange format (../shared/spec/reply-format.md).

`read_letter` checks a decoded JSON object and returns it normalised, or raises LetterFormatError
naming the key; `import_letter` saves a checked letter in one transaction; `export_letter` gives
the JSON object back. A letter exported and imported again gives the same letter.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from measures.models import MAX_LEVEL, Measure
from measures.outline import measure_tree
from proposals.letters import wording
from proposals.letters.wording import ContactStyle, CopyStyle
from proposals.models import (
    AddresseeTitle,
    Agency,
    AgencyCopy,
    Assignment,
    Deputy,
    HeadingStyle,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    Reply,
    ReplyCopy,
    Role,
    Session,
)

CONTACT_KEYS = ("leader_name", "leader_phone", "handler_name", "handler_phone", "postcode")
SECTION_KEYS = ("heading", "paragraphs", "subsections")
KNOWN_KEYS = (
    "agency",
    "title",
    "session",
    "proposal_number",
    "proposal_title",
    "kind",
    "addressee_title",
    "deputies",
    "deputies_more",
    "deputies_count",
    "salutation",
    "opening",
    "consulted",
    "sections",
    "closing",
    "heading_style",
    "class_code",
    "doc_number",
    "signer",
    "publicity",
    "signature",
    "date",
    "contact",
    "contact_block_lines",
    "cc",
    "cc_line",
    "attachments",
)


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# The longest text each key may hold, taken from the field it is stored in.
MAX_LENGTHS = {
    "agency": _max(Agency, "name"),
    "title": _max(Reply, "title"),
    "session": _max(Session, "name"),
    "proposal_title": _max(Proposal, "title"),
    "salutation": _max(Reply, "salutation"),
    "doc_number": _max(Reply, "doc_number"),
    "signer": _max(Reply, "signer"),
    "publicity": _max(Reply, "publicity"),
    "signature": _max(Reply, "signature"),
    "class_code": _max(Reply, "class_code"),
    "cc_line": _max(Reply, "copy_line_text"),
    "deputy": _max(Deputy, "name"),
    "recipient": _max(ReplyCopy, "recipient"),
    **{key: _max(Reply, key) for key in CONTACT_KEYS},
}


class LetterFormatError(ValueError):
    """A letter file that cannot be imported; the message names the file and the key."""


@dataclass
class Letter:
    """A checked letter: the decoded object plus the warnings found while checking it."""

    data: dict[str, Any]
    source: str
    warnings: list[str] = field(default_factory=list)


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.warnings: list[str] = []

    def fail(self, key: str, problem: str) -> LetterFormatError:
        return LetterFormatError(f"{self.source}：键“{key}”{problem}")

    def text(
        self,
        obj: dict,
        key: str,
        path: str,
        *,
        required: bool = False,
        nullable: bool = True,
        non_empty: bool = False,
        max_length: int | None = None,
    ) -> str | None:
        if key not in obj:
            if required:
                raise LetterFormatError(f"{self.source}：缺少必填键“{path}”")
            return None
        value = obj[key]
        if value is None and nullable and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(path, f"应为字符串，实为{_type_name(value)}")
        if non_empty and not value.strip():
            raise self.fail(path, "不能为空")
        if max_length is not None and len(value) > max_length:
            raise self.fail(path, f"过长（最多{max_length}个字符，实为{len(value)}个）")
        return value

    def text_list(self, obj: dict, key: str, path: str, *, required: bool = False) -> list[str] | None:
        if key not in obj:
            if required:
                raise LetterFormatError(f"{self.source}：缺少必填键“{path}”")
            return None
        value = obj[key]
        if not isinstance(value, list):
            raise self.fail(path, f"应为字符串列表，实为{_type_name(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{path}[{i}]", f"应为字符串，实为{_type_name(item)}")
        return value

    def choice(self, obj: dict, key: str, choices, default: str | None) -> str | None:
        value = self.text(obj, key, key)
        if value is None:
            return default
        if value not in choices:
            raise self.fail(key, f"的值“{value}”无效（可用：{'、'.join(choices)}）")
        return value

    def unknown(self, obj: dict, known, path: str) -> None:
        for key in obj:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.warnings.append(f"{self.source}：未知键“{where}”，已忽略")

    def sections(self, value: Any, path: str, level: int) -> list[dict]:
        if not isinstance(value, list):
            raise self.fail(path, f"应为列表，实为{_type_name(value)}")
        result = []
        for i, section in enumerate(value):
            here = f"{path}[{i}]"
            if not isinstance(section, dict):
                raise self.fail(here, f"应为对象，实为{_type_name(section)}")
            if level > MAX_LEVEL:
                raise self.fail(here, f"嵌套超过{MAX_LEVEL}级")
            self.unknown(section, SECTION_KEYS, here)
            if "heading" not in section:
                raise LetterFormatError(f"{self.source}：缺少必填键“{here}.heading”")
            heading = self.text(
                section,
                "heading",
                f"{here}.heading",
                max_length=Measure._meta.get_field("heading").max_length,
            )
            paragraphs = self.text_list(section, "paragraphs", f"{here}.paragraphs", required=True)
            for j, paragraph in enumerate(paragraphs):
                if "\n" in paragraph or "\r" in paragraph:
                    raise self.fail(f"{here}.paragraphs[{j}]", "不能包含换行；每段应为列表中的一项")
            children = self.sections(section.get("subsections", []), f"{here}.subsections", level + 1)
            result.append({"heading": heading, "paragraphs": paragraphs, "subsections": children})
        return result


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "布尔值", int: "整数", float: "小数", str: "字符串", list: "列表", dict: "对象"}.get(
        type(value), type(value).__name__
    )


def read_letter(obj: Any, source: str) -> Letter:
    """Check a decoded letter object and return it with every optional key filled in."""
    c = _Checker(source)
    if not isinstance(obj, dict):
        raise LetterFormatError(f"{source}：顶层应为 JSON 对象，实为{_type_name(obj)}")
    c.unknown(obj, KNOWN_KEYS, "")
    d: dict[str, Any] = {}
    for key in ("agency", "title", "session", "proposal_title"):
        d[key] = c.text(obj, key, key, required=True, non_empty=True, max_length=MAX_LENGTHS[key])
    d["opening"] = c.text(obj, "opening", "opening", required=True)

    if "proposal_number" not in obj:
        raise LetterFormatError(f"{source}：缺少必填键“proposal_number”")
    number = obj["proposal_number"]
    if isinstance(number, bool) or not isinstance(number, (str, int)):
        raise c.fail("proposal_number", f"应为字符串或整数，实为{_type_name(number)}")
    if isinstance(number, int) and number < 0 or isinstance(number, str) and not number.strip():
        raise c.fail("proposal_number", "无效")
    if len(str(number).strip()) > _max(Proposal, "number"):
        raise c.fail("proposal_number", f"过长（最多{_max(Proposal, 'number')}个字符）")
    d["proposal_number"] = number

    d["kind"] = c.choice(obj, "kind", ProposalKind.values, ProposalKind.SUGGESTION)
    default_title = AddresseeTitle.MEMBER if d["kind"] == ProposalKind.PROPOSAL else AddresseeTitle.DEPUTY
    d["addressee_title"] = c.choice(obj, "addressee_title", AddresseeTitle.values, default_title)
    d["heading_style"] = c.choice(obj, "heading_style", HeadingStyle.values, HeadingStyle.CHINESE)

    deputies = c.text_list(obj, "deputies", "deputies", required=True)
    if not deputies:
        raise c.fail("deputies", "至少要有一位提出人（领衔人在前）")
    for i, name in enumerate(deputies):
        if not name.strip():
            raise c.fail(f"deputies[{i}]", "不能为空")
        if len(name) > MAX_LENGTHS["deputy"]:
            raise c.fail(f"deputies[{i}]", f"过长（最多{MAX_LENGTHS['deputy']}个字符）")
    if len(set(deputies)) != len(deputies):
        raise c.fail("deputies", "有重复的姓名")
    d["deputies"] = deputies
    more = obj.get("deputies_more", False)
    if not isinstance(more, bool):
        raise c.fail("deputies_more", f"应为布尔值，实为{_type_name(more)}")
    d["deputies_more"] = more
    count = obj.get("deputies_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise c.fail("deputies_count", f"应为正整数或 null，实为{_type_name(count)}")
    d["deputies_count"] = count

    for key in ("salutation", "doc_number", "signer", "publicity", "signature", "class_code", "cc_line"):
        d[key] = c.text(obj, key, key, max_length=MAX_LENGTHS[key])
    if d["class_code"] is not None and d["class_code"] not in settings.REPLY_CLASS_CODES:
        known = "、".join(settings.REPLY_CLASS_CODES)
        raise c.fail("class_code", f"的值“{d['class_code']}”不是已知的办理结果分类（可用：{known}）")

    d["consulted"] = c.text_list(obj, "consulted", "consulted") or []
    d["attachments"] = c.text_list(obj, "attachments", "attachments") or []
    d["contact_block_lines"] = c.text_list(obj, "contact_block_lines", "contact_block_lines")
    if "sections" not in obj:
        raise LetterFormatError(f"{source}：缺少必填键“sections”")
    d["sections"] = c.sections(obj["sections"], "sections", 1)

    closing = obj.get("closing")
    if closing is None:
        d["closing"] = []
    elif isinstance(closing, str):
        d["closing"] = [closing]
    else:
        d["closing"] = c.text_list(obj, "closing", "closing")
    for i, paragraph in enumerate(d["closing"]):
        if "\n" in paragraph or "\r" in paragraph:
            raise c.fail(f"closing[{i}]", "不能包含换行；多段请用字符串列表")

    raw_date = c.text(obj, "date", "date")
    try:
        d["date"] = datetime.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise c.fail("date", f"的值“{raw_date}”不是有效日期（应为 YYYY-MM-DD）") from None

    contact = obj.get("contact")
    if contact is None:
        contact = {}
    if not isinstance(contact, dict):
        raise c.fail("contact", f"应为对象，实为{_type_name(contact)}")
    c.unknown(contact, CONTACT_KEYS, "contact")
    d["contact"] = {
        k: c.text(contact, k, f"contact.{k}", max_length=MAX_LENGTHS[k]) or "" for k in CONTACT_KEYS
    }

    cc = obj.get("cc") or []
    if not isinstance(cc, list):
        raise c.fail("cc", f"应为列表，实为{_type_name(cc)}")
    d["cc"] = []
    for i, item in enumerate(cc):
        here = f"cc[{i}]"
        if not isinstance(item, dict):
            raise c.fail(here, f"应为对象，实为{_type_name(item)}")
        c.unknown(item, ("recipient", "copies"), here)
        recipient = c.text(
            item,
            "recipient",
            f"{here}.recipient",
            required=True,
            non_empty=True,
            max_length=MAX_LENGTHS["recipient"],
        )
        copies = item.get("copies")
        if copies is not None and (isinstance(copies, bool) or not isinstance(copies, int) or copies < 1):
            raise c.fail(f"{here}.copies", f"应为正整数或 null，实为{_type_name(copies)}")
        d["cc"].append((recipient, copies))
    return Letter(d, source, c.warnings)


def read_letter_file(path: str | Path) -> Letter:
    """Read and check one letter file; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LetterFormatError(f"{path}：文件不存在") from None
    except UnicodeDecodeError:
        raise LetterFormatError(f"{path}：不是 UTF-8 编码的文本文件") from None
    except OSError as exc:
        raise LetterFormatError(f"{path}：无法读取（{exc.strerror}）") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LetterFormatError(
            f"{path}：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）"
        ) from None
    return read_letter(obj, str(path))


def _matching_style(choices, render, printed: list[str] | str | None, default: str) -> tuple[str, bool]:
    """The style whose rendering equals the printed text, and whether one matched."""
    if printed is None:
        return default, True
    for style in [default, *[s for s in choices if s != default]]:
        if render(style) == printed:
            return style, True
    return default, False


@transaction.atomic
def import_letter(letter: Letter) -> Reply:
    """Save a checked letter: create or update its session, deputies, proposal, agency,
    assignment, reply and measures. Idempotent on session + proposal number + agency."""
    d = letter.data
    session, _ = Session.objects.get_or_create(
        name=d["session"],
        defaults={
            "body": Session.body_from_name(d["session"]),
            "year": d["date"].year if d["date"] else None,
        },
    )
    number = d["proposal_number"]
    proposal, _ = Proposal.objects.get_or_create(
        session=session, number=str(number).strip(), defaults={"title": d["proposal_title"]}
    )
    proposal.number_is_integer = isinstance(number, int)
    proposal.title = d["proposal_title"]
    proposal.kind = d["kind"]
    proposal.addressee_title = d["addressee_title"]
    proposal.more_authors = d["deputies_more"]
    proposal.author_count = d["deputies_count"]
    proposal.save()
    _set_authors(proposal, d["deputies"], session.body)

    contact = d["contact"]
    agency, created = Agency.objects.get_or_create(name=d["agency"])
    if created:
        agency.postcode = contact["postcode"]
        for key in ("leader_name", "leader_phone", "handler_name", "handler_phone"):
            setattr(agency, key, contact[key])
        agency.save()
        AgencyCopy.objects.bulk_create(
            AgencyCopy(agency=agency, position=i, recipient=r, copies=n)
            for i, (r, n) in enumerate(d["cc"], start=1)
        )
    assignment, _ = Assignment.objects.get_or_create(
        proposal=proposal, agency=agency, defaults={"role": Role.LEAD}
    )
    if not assignment.answers_deputy:
        raise LetterFormatError(
            f"{letter.source}：{agency}对该{proposal.kind}是{assignment.get_role_display()}单位，不能答复代表"
        )
    reply = assignment.replies.answers().order_by("-round").first() or Reply(assignment=assignment, round=1)
    if reply.is_frozen:
        raise LetterFormatError(f"{letter.source}：该答复已发出（已答复），不能用导入覆盖")

    reply.title = d["title"]
    reply.salutation = d["salutation"] or ""
    reply.opening = d["opening"]
    reply.closing = "\n".join(d["closing"])
    reply.consulted = d["consulted"]
    reply.heading_style = d["heading_style"]
    reply.class_code = d["class_code"] or ""
    for key in ("doc_number", "signer", "publicity", "signature"):
        setattr(reply, key, d[key] or "")
    reply.date = d["date"]
    for key in CONTACT_KEYS:
        setattr(reply, key, contact[key])
    reply.attachments = d["attachments"]

    printed_lines = d["contact_block_lines"]
    reply.contact_style, matched = _matching_style(
        ContactStyle.values,
        lambda s: wording.contact_lines(s, reply.contact),
        printed_lines,
        agency.contact_style,
    )
    reply.contact_block_text = "" if matched else "\n".join(printed_lines)
    reply.copy_style, matched = _matching_style(
        CopyStyle.values, lambda s: wording.copy_line(s, d["cc"]), d["cc_line"], agency.copy_style
    )
    reply.copy_line_text = "" if matched else d["cc_line"]
    reply.save()

    reply.copies.all().delete()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=reply, position=i, recipient=r, copies=n) for i, (r, n) in enumerate(d["cc"], start=1)
    )
    reply.measures.all().delete()
    _create_measures(reply, d["sections"], parent=None, level=1)
    return reply


def _set_authors(proposal: Proposal, names: list[str], body: str) -> None:
    """Make the proposal's authors start with `names`; authors recorded beyond them stay."""
    current = proposal.author_names()
    if current[: len(names)] == names:
        return
    proposal.authorships.all().delete()
    for position, name in enumerate(names, start=1):
        deputy = Deputy.objects.filter(name=name, body=body).order_by("pk").first()
        if deputy is None:
            deputy = Deputy.objects.create(name=name, body=body)
        ProposalAuthor.objects.create(
            proposal=proposal, deputy=deputy, position=position, is_lead=position == 1
        )


def _create_measures(reply: Reply, sections: list[dict], parent: Measure | None, level: int) -> None:
    for position, section in enumerate(sections, start=1):
        measure = Measure.objects.create(
            reply=reply,
            parent=parent,
            level=level,
            position=position,
            heading=section["heading"] or "",
            paragraphs="\n".join(section["paragraphs"]),
        )
        _create_measures(reply, section["subsections"], parent=measure, level=level + 1)


def _export_sections(tree) -> list[dict]:
    sections = []
    for measure, children in tree:
        section: dict[str, Any] = {"heading": measure.heading or None, "paragraphs": measure.paragraph_list}
        if children:
            section["subsections"] = _export_sections(children)
        sections.append(section)
    return sections


def export_letter(reply: Reply) -> dict[str, Any]:
    """The reply as a JSON-ready object in the interchange format, keys in the format's order."""
    proposal = reply.proposal
    number: str | int = proposal.number
    if proposal.number_is_integer and proposal.number.isdigit():
        number = int(proposal.number)
    closing = reply.closing_paragraphs
    copies = list(reply.copies.all())
    return {
        "agency": reply.agency.name,
        "class_code": reply.class_code or None,
        "title": reply.effective_title,
        "session": proposal.session.name,
        "proposal_number": number,
        "proposal_title": proposal.title,
        "kind": proposal.kind,
        "addressee_title": proposal.effective_addressee_title,
        "deputies": proposal.author_names(),
        "deputies_more": proposal.more_authors,
        "deputies_count": proposal.author_count,
        "salutation": reply.salutation or None,
        "opening": reply.opening,
        "consulted": list(reply.consulted),
        "sections": _export_sections(measure_tree(reply)),
        "closing": closing[0] if len(closing) == 1 else closing,
        "heading_style": reply.heading_style,
        "doc_number": reply.doc_number or None,
        "signer": reply.signer or None,
        "publicity": reply.publicity or None,
        "contact": {k: v for k in CONTACT_KEYS if (v := getattr(reply, k))},
        "contact_block_lines": reply.contact_lines(),
        "cc": [{"recipient": c.recipient, "copies": c.copies} for c in copies],
        "cc_line": reply.copy_line(),
        "attachments": list(reply.attachments),
        "signature": reply.signature or None,
        "date": reply.date.isoformat() if reply.date else None,
    }
