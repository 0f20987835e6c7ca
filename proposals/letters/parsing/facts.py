"""The facts assemble reads from a letter's parts: attachment names, the contact block, 抄送
recipients, the proposal's session, number, title and kind, the deputies, consulted units, and
the agency and class code printed in a title."""

from __future__ import annotations

import re

from django.conf import settings

from proposals.letters.parsing.patterns import (
    _AGENCY_SUFFIX_RE,
    _ATTACHMENT_LABEL_RE,
    _CN,
    _CONTACT_LABEL,
    _SALUTATION_RE,
    _clean,
    _compact,
    fold,
)
from proposals.letters.parsing.recognisers import _cn_number, _label


def attachment_name(text: str) -> str:
    """An attachment's name without `附件：` and its number: `附件：1.征询意见表` → `征询意见表`."""
    rest = _clean(text)
    m = _ATTACHMENT_LABEL_RE.match(fold(rest))
    if m:
        rest = _clean(rest[m.end() :])
    found = _label(fold(rest))
    if found and found[0] in ("num", "pnum", "rnum", "circ"):
        rest = _clean(rest[found[1].end() :])
    return rest


_CONTACT_PAIR_RE = re.compile(r"[(（]?\s*(?P<label>" + _CONTACT_LABEL + r")\s*[:]\s*")


def _contact_pairs(line: str) -> list[tuple[str, str]]:
    """(label without spaces, value) pairs of a contact line: `经办人姓名：孙建波 联系电话：199…`."""
    folded = fold(_clean(line))
    matches = list(_CONTACT_PAIR_RE.finditer(folded))
    text = _clean(line)
    pairs = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        value = _clean(text[m.end() : end]).strip(" ,，;；、\u3000")
        while fold(value)[-1:] == ")" and fold(value).count(")") > fold(value).count("("):
            value = value[:-1].strip(" ,，;；、\u3000")  # the end of a note: （联系人：…，联系电话：…）
        pairs.append((re.sub(r"\s+", "", m["label"]), value.strip()))
    return pairs


_PHONE_RE = re.compile(r"[0-9][0-9\-\s()（）转]{5,}[0-9]")


def _name_and_phone(value: str) -> tuple[str, str | None]:
    """`李伟 8788586` → (李伟, 8788586); `张三` → (张三, None)."""
    phone = _PHONE_RE.search(fold(value))
    if not phone:
        return value, None
    name = _clean(value[: phone.start()] + value[phone.end() :]).strip("（()）,，;；")
    return name, phone[0].strip()


def _read_contact(lines: list[str]) -> dict[str, str]:
    """The contact keys (leader_*, handler_*, postcode) the contact lines give."""
    contact: dict[str, str] = {}
    person: str | None = None  # "leader" / "handler": whom a bare 联系电话 belongs to
    for line in lines:
        for label, value in _contact_pairs(line):
            value = value[:50]
            if re.match(r"(主管|分管|责任|单位)领导|负责人|经办人|承办人|具体承办人|联系人", label):
                # 联系人及电话：李伟 8788586 — a name with its phone after it.
                person = "leader" if re.match(r"(主管|分管|责任|单位)领导|负责人", label) else "handler"
                name, phone = _name_and_phone(value)
                contact.setdefault(f"{person}_name", name)
                if phone:
                    contact.setdefault(f"{person}_phone", phone)
            elif re.match(r"联系电话|联系方式|办公电话|手机|电话", label):
                who = person or "handler"
                if f"{who}_phone" in contact and who == "leader":
                    who = "handler"
                contact.setdefault(f"{who}_phone", fold(value))
            elif re.match(r"邮政编码|邮编", label):
                contact.setdefault("postcode", fold(value)[:10])
    return {k: v for k, v in contact.items() if v}


_COPIES_RE = re.compile(
    r"^(?P<name>.+?)\s*[(（]?\s*(?:一式)?\s*(?P<n>\d{1,3}|[" + _CN + r"两]{1,3})\s*份\s*[)）]?$"
)


def parse_cc(text: str) -> list[dict]:
    """Recipients of a 抄送 text (`抄送：A（2份）、B（2份）`; any of 、，,；; copy counts optional)."""
    body = re.sub(r"^(?:抄\s*送|抄\s*报)(?:\s*单\s*位)?\s*[:：]\s*", "", _clean(text))
    body = re.sub(r"\s*(?:抄\s*送|抄\s*报)\s*[:：]\s*", "、", body)
    body = body.rstrip("。.;； ")
    parts = _split_outside_brackets(body)
    if len(parts) == 1:
        chunks = re.split(r"\s+", parts[0])
        if len(chunks) > 1 and all(
            _AGENCY_SUFFIX_RE.search(re.sub(r"[(（].*?[)）]$", "", c)) for c in chunks
        ):
            parts = chunks
    result = []
    for part in parts:
        part = _clean(part)
        if not part:
            continue
        copies = None
        m = _COPIES_RE.match(fold(part))
        if m and m["name"].strip():
            n = m["n"]
            copies = int(n) if n.isdigit() else _cn_count(n)
            part = _clean(part[: m.end("name")])
        if copies is not None and copies < 1:
            copies = None
        result.append({"recipient": part, "copies": copies})
    return result


def _cn_count(text: str) -> int | None:
    try:
        return _cn_number(text.replace("两", "二"))
    except ValueError:
        return None


def _split_outside_brackets(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，,；;":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in (_clean(p) for p in parts) if p]


_NUMBER_IN_TITLE_RE = re.compile(r"第\s*(?P<n>[0-9A-Za-z\-]{1,20})\s*号\s*(?P<k>建议|提案|议案)?")
_SESSION_TAIL_RE = re.compile(r"(?P<s>[^\s，,。“”《》]{2,60}?会议)\s*(?:上|期间|中)?\s*$")
_OPENING_SESSION_RE = re.compile(r"在(?P<s>[^，,。“”《》]{2,40}?会议)(?:上|期间|中|召开期间)?")
_QUOTED_RE = re.compile(r"[“\"《「『](?P<q>[^“”\"《》「」『』]{2,120})[”\"》」』]")
_UNQUOTED_TITLE_RE = re.compile(
    r"提出的\s*(?P<q>关于[^，,。“”《》]{2,100}?(?:的建议|的提案|的议案|建议|提案|议案))"
)
_CONSULTED_RE = re.compile(
    r"(?:会商|征求了?|商请|会同|经与|(?:经|并)商(?=[市县省区州])|协办单位|会办单位)(?P<u>[^，,。；;：:]{2,100})"
)
_CONSULTED_TAIL_RE = re.compile(r"(?:等单位|等部门|等)?(?:的|有关)?(?:意见|建议|共同|研究|协商|同意|进行).*$")


def _proposal_facts(title: str, opening: str, salutation: str) -> dict:
    """session, proposal_number, proposal_title, kind from the title and the opening."""
    facts: dict = {"session": "", "proposal_number": "", "proposal_title": "", "kind": None}
    ftitle, fopening = fold(title), fold(opening)
    for source in (ftitle, fopening):
        m = _NUMBER_IN_TITLE_RE.search(source)
        if not m:
            continue
        number = m["n"]
        if not facts["proposal_number"]:
            facts["proposal_number"] = (
                int(number) if number.isdigit() and not number.startswith("0") else number
            )
        if m["k"] and not facts["kind"]:
            facts["kind"] = m["k"]
        if not facts["session"]:
            prefix = source[: m.start()]
            prefix = re.split(r"关于|^对|对(?=[^对]*会议)", prefix)[-1]
            s = _SESSION_TAIL_RE.search(prefix)
            if s:
                facts["session"] = s["s"].lstrip("对")
        break
    if not facts["session"]:
        m = _OPENING_SESSION_RE.search(fopening)
        if m:
            facts["session"] = m["s"]
    if not facts["proposal_number"]:
        m = re.search(r"(?P<n>\d{1,8})\s*号\s*(?:建议|提案|议案)", ftitle + " " + fopening)
        if m:
            facts["proposal_number"] = int(m["n"]) if not m["n"].startswith("0") else m["n"]
    for source, text in ((fopening, opening), (ftitle, title)):
        for m in _QUOTED_RE.finditer(source):
            q = m["q"]
            if q.startswith("关于") or re.search(r"(?:建议|提案|议案)$", q):
                facts["proposal_title"] = _clean(text[m.start("q") : m.end("q")])
                break
        if facts["proposal_title"]:
            break
    if not facts["proposal_title"]:
        m = _UNQUOTED_TITLE_RE.search(fopening)
        if m:
            facts["proposal_title"] = _clean(opening[m.start("q") : m.end("q")])
    if not facts["kind"]:
        m = re.search(r"(建议|提案|议案)", ftitle) or re.search(r"的(提案|议案|建议)", fopening)
        if m:
            facts["kind"] = m[1]
        elif "委员" in salutation:
            facts["kind"] = "提案"
    return facts


def _deputies(salutation: str) -> tuple[list[str], bool, int | None, str | None]:
    """(names, more, count, addressee title) from a salutation such as `沈宝栋、李芸等代表：`."""
    c = _compact(salutation)
    m = _SALUTATION_RE.match(c)
    if not m:
        name = c.removeprefix("尊敬的").rstrip(":")
        return ([name] if name else []), False, None, None
    names = [x for x in re.split(r"[、,，/]|和|及", m["names"]) if x and x not in ("各位", "尊敬的")]
    unique = list(dict.fromkeys(names))
    more = "等" in c[m.end("names") : m.start("title")]
    count = None
    if m["n"]:
        count = int(m["n"]) if m["n"].isdigit() else _cn_count(m["n"])
    title = m["title"] if m["title"] in ("代表", "委员") else None
    return unique, more, count, title


def _consulted(opening: str, agency: str) -> list[str]:
    m = _CONSULTED_RE.search(fold(opening))
    if not m:
        return []
    found = opening[m.start("u") : m.end("u")]
    tail = _CONSULTED_TAIL_RE.search(fold(found))
    units = re.split(
        r"[、,，及与]|(?<=[局委会办室厅院府部心司处所站队行])和", found[: tail.start()] if tail else found
    )
    skip = re.compile(r"科室|内设|本局|我局|本单位|有关部门|相关部门|有关单位|相关单位")
    units = [u.strip() for u in units if u.strip() and not skip.search(u) and u.strip() != agency]
    return _shared_suffix(units)


_PLACE_RE = re.compile(r"[省市县区州旗镇乡]$")
_BODY_SUFFIX_RE = re.compile(r"[省市县区州旗镇乡](?P<s>人民政府|政府|管委会|街道办事处)$")


def _shared_suffix(units: list[str]) -> list[str]:
    """`思明区、湖里区人民政府`: the bare place names before the last unit share its suffix."""
    if len(units) < 2:
        return units
    m = _BODY_SUFFIX_RE.search(units[-1])
    if not m:
        return units
    return [u + m["s"] if _PLACE_RE.search(u) else u for u in units[:-1]] + units[-1:]


_TITLE_AGENCY_RE = re.compile(
    r"^(?P<a>\S{2,40}?(?:局|委员会|委|厅|办公室|政府|院|中心|公司|集团|署|社|会|办))(?:关于|对)"
)


def _agency_in_title(title: str) -> str | None:
    """The agency a title starts with: `合肥市市场监督管理局关于…的答复` → 合肥市市场监督管理局."""
    m = _TITLE_AGENCY_RE.match(title)
    return m["a"] if m else None


def _class_in_title(title: str) -> tuple[str, str | None]:
    """A title or letterhead with a class code printed at its end (`…的答复（A）`,
    `随州市民政局    B类`) → (the text without it, code)."""
    m = re.search(r"\s*[(（]\s*([A-DＡ-Ｄ])\s*[类類]?\s*[)）]\s*$|\s+([A-DＡ-Ｄ])\s*[类類]?\s*$", title)
    if m and fold(m[1] or m[2]) in settings.REPLY_CLASS_CODES:
        return _clean(title[: m.start()]), fold(m[1] or m[2])
    return title, None
