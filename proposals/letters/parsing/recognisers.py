"""What one line is, read from itself alone: a page number, a date, a class code, 签发人,
公开属性, 文号 (the parse_* functions give their values), a title, a salutation, a contact,
抄送 or 附件 line, a heading label."""

from __future__ import annotations

import datetime
import re

from django.conf import settings

from proposals.letters.parsing.patterns import (
    _ATTACHMENT_RE,
    _CC_RE,
    _CHINESE_ORDER,
    _CLASS_RE,
    _CLOSERS,
    _CONTACT_RE,
    _DATE_RE,
    _DOC_RE,
    _FINAL,
    _LABELS,
    _PAGE_RE,
    _PUBLICITY_RE,
    _SALUTATION_RE,
    _SENTENCE_END,
    _SIGNER_RE,
    _TITLE_END_RE,
    _TITLE_HINT_RE,
    _WEB_RE,
    _YEAR_BRACKET,
    PAGE_NUMBER,
    UNKNOWN,
    _clean,
    _compact,
    fold,
)


def _label(folded: str) -> tuple[str, re.Match] | None:
    """The heading-label kind and match at the start of a folded line, if any text follows it."""
    for kind in _CHINESE_ORDER:
        m = _LABELS[kind].match(folded)
        if m and m.end() < len(folded):
            return kind, m
    return None


def is_page_number(line: str) -> bool:
    """True for `— 2 —`, `-2-`, `2`, `第2页`, `第 2 页 共 5 页`, `2/5`, and the lines a web page
    adds to a copied letter (`发布时间：… 来源：… 浏览次数：…`, `【打印】【关闭窗口】`)."""
    folded = fold(_clean(line))
    return bool(_PAGE_RE.fullmatch(folded) or _WEB_RE.fullmatch(folded))


def parse_date(line: str) -> datetime.date | None:
    """The date a line consists of (`2023年7月18日`, `二〇二三年七月十八日`, `2023 年 7 月 18 日`)."""
    m = _DATE_RE.fullmatch(fold(_clean(line)))
    if not m:
        return None
    try:
        if m["y"]:
            return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["iy"]:
            return datetime.date(int(m["iy"]), int(m["im"]), int(m["id"]))
        year = int("".join(str(_cn_digit(c)) for c in m["cy"]))
        return datetime.date(year, _cn_number(m["cm"]), _cn_number(m["cd"]))
    except (ValueError, TypeError):
        return None


def _cn_digit(char: str) -> int:
    if char in "〇零○ＯO0":
        return 0
    return "一二三四五六七八九".index(char) + 1


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十八 → 18, 二十 → 20, 三十一 → 31; raises ValueError otherwise."""
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(text)
        return _cn_digit(text)
    tens, _, units = text.partition("十")
    value = (_cn_digit(tens) if tens else 1) * 10 + (_cn_digit(units) if units else 0)
    if len(tens) > 1 or len(units) > 1:
        raise ValueError(text)
    return value


def parse_class_code(line: str) -> str | None:
    """The class code (A/B/C/D) a line consists of: `(A)`, `A类`, `办复类别：B类`, `类别：A`."""
    m = _CLASS_RE.fullmatch(fold(_clean(line)))
    if not m:
        return None
    code = fold(m["a"] or m["b"])
    return code if code in settings.REPLY_CLASS_CODES else None


def _looks_like_class_code(line: str) -> bool:
    """A class-code line, known code or not (甲/乙 with the default A–D set stay unknown)."""
    return bool(_CLASS_RE.fullmatch(fold(_clean(line))))


def parse_signer(line: str) -> str | None:
    """The name on a 签发人 / 领导签发 line."""
    m = _SIGNER_RE.fullmatch(fold(_clean(line)))
    if not m or re.search(_YEAR_BRACKET + r"\s*第?\s*\d{1,5}\s*号", m["value"]):
        return None
    value = _clean(m["value"])
    if fold(line).lstrip().startswith("(") and value.endswith(")"):
        value = _clean(value[:-1])  # （签发人：张三）
    return value or None


def parse_publicity(line: str) -> str | None:
    """The 公开属性 as kept: `主动公开`; `公开属性：依申请公开` → `依申请公开`; `是否同意公开：是` whole."""
    text = _clean(line)
    m = _PUBLICITY_RE.fullmatch(fold(text))
    if not m:
        return None
    if m["label"]:
        return _clean(text[m.start("value") :])
    return text


def parse_doc_number(line: str) -> tuple[str, str | None, str | None] | None:
    """(文号, 签发人, class code) from a 发文字号 line such as `随人社函〔2022〕15号 签发人：王明`;
    None when the line has more than those three things."""
    text = _clean(line)
    m = _DOC_RE.match(fold(text))
    signer = code = None
    if not m:
        # 签发人 printed before the number: `签发人：王明  随人社函〔2022〕15号`.
        split = re.match(r"(?P<signer>.+?)\s+(?=\S*" + _YEAR_BRACKET + ")", fold(text))
        if not split or parse_signer(text[: split.end("signer")]) is None:
            return None
        signer = parse_signer(text[: split.end("signer")])
        text = _clean(text[split.end() :])
        m = _DOC_RE.match(fold(text))
        if not m:
            return None
    number = _clean(text[m.start("number") : m.end("number")])
    rest = _clean(text[m.start("rest") :])
    if rest:
        folded_rest = fold(rest)
        s = re.search(r"(?:签发人|签发|领导签发)\s*[:]", folded_rest)
        if s:
            if signer is not None:
                return None
            signer = parse_signer(rest[s.start() :])
            if signer is None:
                return None
            rest = _clean(rest[: s.start()])
        if rest:
            code = parse_class_code(rest)
            if code is None:
                return None
    return number, signer, code


def _sentence_end(text: str) -> bool:
    """True when the text ends a sentence (。！？；： or such followed by closing quotes)."""
    t = fold(text).rstrip(_CLOSERS) if text and text[-1] in _CLOSERS else fold(text)
    if not t:
        return False
    if t != fold(text) and t[-1] in _FINAL:
        return True
    return fold(text)[-1] in _FINAL


def _is_title_end(folded: str) -> bool:
    return bool(_TITLE_END_RE.search(_compact(folded))) and len(folded) <= 80


def _is_title(line: str) -> bool:
    """A one-line title such as `对市五届人大一次会议第12号建议的答复`, `关于…的答复（函）`."""
    c = _compact(line)
    return (
        len(c) <= 80
        and not re.search(r"[。;；]", c)
        and _is_title_end(c)
        and bool(_TITLE_HINT_RE.search(c) or len(c) <= 20)
    )


def _is_salutation(line: str) -> bool:
    c = _compact(line)
    return len(c) <= 60 and bool(_SALUTATION_RE.match(c))


def _is_contact(line: str) -> bool:
    c = fold(_clean(line))
    return len(c) <= 120 and "。" not in c and bool(_CONTACT_RE.match(c))


def _is_cc(line: str) -> bool:
    return bool(_CC_RE.match(fold(_clean(line))))


def _is_attachment(line: str) -> bool:
    return bool(_ATTACHMENT_RE.match(fold(_clean(line))))


def _heading_only(line: str) -> bool:
    """A numbered line with no sentence after its label: `一、关于……方面`."""
    folded = fold(line)
    found = _label(folded)
    if not found:
        return False
    rest = folded[found[1].end() :]
    return not any(ch in rest for ch in _SENTENCE_END)


def _meta(line: str) -> str | None:
    """The tag of a one-value line recognised anywhere (class code, 签发人, 公开属性, 文号, 日期)."""
    if is_page_number(line):
        return PAGE_NUMBER
    if _looks_like_class_code(line):
        return "class_code" if parse_class_code(line) else UNKNOWN
    if parse_signer(line) is not None:
        return "signer"
    if parse_publicity(line) is not None:
        return "publicity"
    if parse_doc_number(line) is not None:
        return "doc_number"
    if parse_date(line) is not None:
        return "date"
    return None
