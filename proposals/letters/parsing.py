"""Recognising a letter's parts in plain text (pasted, or read from .docx by word_import).

Three steps, each usable alone, so the clerk can correct the middle one in the browser:

- `split_text(text)` gives the letter's logical lines: one per printed paragraph, page-number
  lines kept (tagged later), paragraphs split by a page break joined again.
- `tag_lines(lines)` gives each line a tag from TAGS (what it is in the letter).
- `assemble(lines, agency=None)` builds the letter from tagged lines as a dict in the
  interchange format (../shared/spec/reply-format.md), before `interchange.read_letter`.

Every input line lands somewhere: a line no rule recognises is tagged UNKNOWN and assembled as
a paragraph; only PAGE_NUMBER lines (page numbers, 此页无正文, （盖章）, rule lines) are left out
of the letter. Besides those, the only text assemble leaves out is what the portal prints
itself: heading numbers (一、（一）1.（1）), the "附件：" label and attachment numbers, and the
labels of the one-value lines (签发人：, 办复类别：, 公开属性：); a date is kept as its ISO form.

Heading levels come from the numbering the whole letter uses: chinese style when it uses 一、 or
（一）, else arabic (1. then (1)); the kinds used are ranked in the style's order and numbered 1–4
from the top, so a letter using only （一） and 1. has them at levels 1 and 2 (the portal then
prints 一、 and （一）). A numbered line with a sentence after its number is a run-in heading:
its first sentence (with 。！？) is the heading and the rest its first paragraph.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings

# tag → what the clerk reads in the line-by-line view, in the order the select offers them.
TAGS: dict[str, str] = {
    "letterhead": "发文机关标志",
    "doc_number": "发文字号",
    "class_code": "办理结果分类",
    "signer": "签发人",
    "publicity": "公开属性",
    "title": "标题",
    "salutation": "称谓",
    "opening": "开头",
    "heading1": "一级标题",
    "heading2": "二级标题",
    "heading3": "三级标题",
    "heading4": "四级标题",
    "paragraph": "段落",
    "closing": "结束语",
    "attachment": "附件",
    "signature": "署名",
    "date": "日期",
    "contact": "联系方式",
    "cc": "抄送",
    "page_number": "页码（不入答复）",
    "unknown": "未识别（作段落）",
}
UNKNOWN = "unknown"
PAGE_NUMBER = "page_number"
HEADINGS = ("heading1", "heading2", "heading3", "heading4")


@dataclass
class Line:
    """One logical line of the input and what it is in the letter."""

    text: str
    tag: str


# ---------------------------------------------------------------------------------------------
# Character folding: full-width ASCII → ASCII, one character for one, so that indexes found in
# the folded text are valid in the original.

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2014: 0x2D, 0x2013: 0x2D, 0x2212: 0x2D, 0xFE30: 0x3A})
_STRIP = " \t\r\n\u3000\u00a0\ufeff\u200b\u2002\u2003\u2009\u200c\u200d"


def fold(text: str) -> str:
    """The text with full-width ASCII and odd spaces/dashes as plain ASCII, same length."""
    return text.translate(_FOLD)


def _clean(text: str) -> str:
    return text.strip(_STRIP)


def _compact(text: str) -> str:
    """The folded text without any whitespace (for matching patterns with stray spaces)."""
    return re.sub(r"\s+", "", fold(text))


# ---------------------------------------------------------------------------------------------
# Line patterns, matched against fold(line) unless noted.

_CN = "一二三四五六七八九十"
_PAGE_RE = re.compile(
    r"(?:[-~_·.\s]*\d{1,3}[-~_·.\s]*)"
    r"|(?:[-\s]*第\s*\d{1,3}\s*页\s*(?:[,/，]?\s*共\s*\d{1,3}\s*页)?[-\s]*)"
    r"|(?:共\s*\d{1,3}\s*页\s*[,/，]?\s*第\s*\d{1,3}\s*页)"
    r"|(?:\d{1,3}\s*/\s*\d{1,3})"
    r"|(?:page\s*\d{1,3}(?:\s*of\s*\d{1,3})?)"
    r"|(?:[(（]?\s*此\s*页\s*无\s*正\s*文\s*[)）]?)|(?:[(（]\s*(?:盖\s*章|公\s*章|印\s*章)\s*[)）])"
    r"|(?:[-—_=─━~·.\s]{3,})",
    re.IGNORECASE,
)
_YEAR_BRACKET = r"[〔\[［(【]\s*(?:19|20)\d{2}\s*[〕\]］)】]"
_DOC_RE = re.compile(
    r"(?P<label>(?:发文字号|文号|字号)\s*[:]\s*)?"
    r"(?P<number>[^\s。,，;；]{0,16}?\s*" + _YEAR_BRACKET + r"\s*第?\s*\d{1,5}\s*号)"
    r"(?P<rest>.*)$"
)
_CODE = r"[A-DＡ-Ｄ甲乙丙丁]"
_CLASS_LABEL = r"(?:[\u4e00-\u9fff]{0,6}?(?:类别|分类|类型|结果|等级))"
_CLASS_RE = re.compile(
    r"(?:" + _CLASS_LABEL + r"\s*[:]?\s*)?"
    r"(?:\(\s*(?P<a>" + _CODE + r")\s*[类類]?\s*\)|(?P<b>" + _CODE + r")\s*[类類]?)"
    # the class's wording after the code: `A类（已经解决或基本解决）`
    r"(?:\s*\([\u4e00-\u9fff，,、]{2,40}\)|\s+[\u4e00-\u9fff，,、]{2,40})?"
)
_SIGNER_RE = re.compile(
    r"\(?\s*(?P<label>(?:签发人|签发领导|领导签发|签\s*发\s*人|签发))\s*[:]\s*(?P<value>\S.{0,30})"
)
_PUBLICITY_WORDS = r"(?:主动公开|依申请公开|不予公开|不公开|免予公开|免于公开|部分公开|公开)"
_PUBLICITY_RE = re.compile(
    r"(?:(?P<label>(?:信息)?公开(?:属性|方式|类型|选项|形式)?)\s*[:]\s*(?P<value>\S.{0,20})"
    r"|(?P<ask>是否同意公开|是否公开|同意公开)\s*[:]?\s*(?P<answer>是|否|同意|不同意)"
    r"|(?P<word>" + _PUBLICITY_WORDS + r")"
    r"|(?P<note>[(（]\s*此件(?:主动|不予|依申请|不)?公开(?:发布)?\s*[)）]))"
)
_DATE_RE = re.compile(
    r"(?:(?:成文日期|日期|时间)\s*[:]\s*)?[(（]?\s*"
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<cy>[〇零○Ｏ〇O0一二三四五六七八九]{4})\s*年\s*(?P<cm>[" + _CN + r"]{1,3})\s*月"
    r"\s*(?P<cd>[" + _CN + r"]{1,3})\s*日"
    r"|(?P<iy>(?:19|20)\d{2})\s*[.\-/]\s*(?P<im>\d{1,2})\s*[.\-/]\s*(?P<id>\d{1,2}))"
    r"\s*[)）]?"
)
_TITLE_END_RE = re.compile(
    r"(?:答复|复函|答复函|答复意见|回复|的函|办理情况的函|答复的函)\s*(?:\(\s*函\s*\)|〔\s*函\s*〕)?"
    r"\s*(?:\(\s*" + _CODE + r"\s*[类類]?\s*\))?$"
)
_TITLE_HINT_RE = re.compile(r"关于|^对|会议|届|第\s*[\w\-]+\s*号|建议|提案|议案")
_SALUTATION_RE = re.compile(
    r"^(?:尊敬的)?\s*(?P<names>[^:。；;]{1,60}?)\s*"
    r"(?:等\s*(?P<n>\d{1,3}|[" + _CN + r"两]{1,3})?\s*(?:名|位)?)?\s*"
    r"(?P<title>代表|委员|同志|先生|女士)(?:们)?\s*[:]$"
)


def _spaced(*words: str) -> str:
    """An alternation of label words that allows spaces between their characters (邮 政 编 码)."""
    return "(?:" + "|".join(r"\s*".join(word) for word in words) + ")"


_CONTACT_LABEL = (
    r"(?:"
    + _spaced("主管领导", "分管领导", "责任领导", "单位领导")
    + r"(?:姓名)?|负责人|"
    + _spaced("经办人", "承办人", "具体承办人")
    + r"(?:姓名)?|"
    + _spaced("联系人")
    + r"(?:及联系电话|及电话|及联系方式|姓名)?|"
    + _spaced("联系电话", "联系方式", "办公电话", "手机号码", "手机", "电话", "传真")
    + "|"
    + _spaced("邮政编码", "邮编", "联系单位", "分管单位", "承办单位", "承办科室", "责任科室")
    + "|"
    + _spaced("通讯地址", "联系地址", "地址", "电子邮箱", "电子信箱", "邮箱")
    + r")"
)
_CONTACT_RE = re.compile(r"^[(（]?\s*" + _CONTACT_LABEL + r"\s*[:]")
_WEAK_CONTACT_RE = re.compile(
    r"^[(（]?\s*(?:手机号码|手机|电\s*话|传\s*真|通讯地址|联系地址|地\s*址|电子邮箱|电子信箱|邮\s*箱|负责人|承办单位)\s*[:]"
)
_GREETING_RE = re.compile(r"(?:您|你|你们|各位代表|各位委员)好[!！。]?")
_CC_RE = re.compile(r"^(?:抄\s*送|抄\s*报|抄\s*送\s*单\s*位)\s*[:]")
_ATTACHMENT_RE = re.compile(r"^附\s*件\s*(?:[:]|\d|[一二三四五六七八九十]\s*[:：]|《|$)")
_ATTACHMENT_LABEL_RE = re.compile(r"附\s*件\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})?\s*[:：]?\s*")
_SENTENCE_END = "。！？!?"
_FINAL = "。！？!?；;：:…"
_CLOSERS = "”’」』）)】》\"'"

# Heading labels, in the chinese style's order of levels, then the arabic style's extras.
_LABELS: dict[str, re.Pattern] = {
    "cn": re.compile(r"^([" + _CN + r"]{1,3})\s*(?:、|[,.](?!\d))\s*"),
    "pcn": re.compile(r"^\(\s*([" + _CN + r"]{1,3})\s*\)\s*[、.]?\s*"),
    "num": re.compile(r"^(\d{1,2})\s*(?:、|\.(?!\d)|\.(?=\d{4}年))\s*"),
    "pnum": re.compile(r"^\(\s*(\d{1,2})\s*\)\s*[、.]?\s*"),
    "rnum": re.compile(r"^(\d{1,2})\s*\)\s*"),
    "circ": re.compile(r"^([\u2460-\u2473])\s*"),
}
_CHINESE_ORDER = ("cn", "pcn", "num", "pnum", "rnum", "circ")
_ARABIC_ORDER = ("num", "pnum", "rnum", "circ")

_STRONG_CLOSING_RE = re.compile(
    r"^(?:特此(?:答复|函复|回复|复函)|以上答复|专此(?:答复|函复)|此复|再次(?:表示)?感谢|衷心感谢|感谢您|感谢你|"
    r"感谢各位|非常感谢|诚挚感谢|最后[,，]|欢迎|恳请|敬请|请予|如有不同意见|如对.{0,12}有.{0,8}意见|"
    r"若有不同意见|希望您|希望你们)"
    r"|感谢.{0,40}(?:关心|关注|支持|理解|监督|帮助)"
    r"|欢迎.{0,20}(?:继续|提出|批评|指导|监督|关注)"
    r"|以上答复.{0,10}(?:如有|若有|如您)"
)
_SUMMARY_RE = re.compile(
    r"^(?:下一步|今后|总之|综上|近年来|近年|总的来看|当前|我们将|我局将|我委将|我办将|我厅将|本局将)"
    r"|下一步[,，]?\s*(?:我们|我局|我委|我办|我厅|我市|我县|我区|将)"
)
# In a letter with numbered headings, a paragraph after the last section that looks ahead
# (…我们将持续跟踪，力争…) is the closing summary too.
_LOOKING_AHEAD_RE = re.compile(r"下一步|今后|我们将|我局将|我委将|我厅将|我办将|将持续|将继续|力争")
_AGENCY_SUFFIX_RE = re.compile(
    r"(?:局|委|厅|办|室|府|部|院|会|处|所|中心|公司|集团|署|站|队|行|社|馆|团|校|司)$"
)


def _label(folded: str) -> tuple[str, re.Match] | None:
    """The heading-label kind and match at the start of a folded line, if any text follows it."""
    for kind in _CHINESE_ORDER:
        m = _LABELS[kind].match(folded)
        if m and m.end() < len(folded):
            return kind, m
    return None


def is_page_number(line: str) -> bool:
    """True for `— 2 —`, `-2-`, `2`, `第2页`, `第 2 页 共 5 页`, `2/5`."""
    return bool(_PAGE_RE.fullmatch(fold(_clean(line))))


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


# ---------------------------------------------------------------------------------------------
# Tagging


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


def _find_salutation(texts: list[str], tags: list[str | None]) -> int | None:
    limit = min(len(texts), 25)
    for i in range(limit):
        if tags[i] is None and _is_salutation(texts[i]):
            return i
    # A short line ending in a colon right after a title: a party or group (民盟随州市委：).
    for i in range(1, limit):
        c = _compact(texts[i])
        plain = (
            tags[i] is None
            and c.endswith(":")
            and len(c) <= 30
            and not re.search(r"[。,，;；]|答复|如下|收悉|现将|报告", c)
        )
        if plain and any(_is_title(texts[j]) for j in range(max(0, i - 3), i)):
            return i
    return None


def _tag_header(texts: list[str], tags: list[str | None], end: int) -> None:
    """Tags of the lines before `end` (the salutation or the first body line)."""
    title_at = [i for i in range(end) if tags[i] is None and _is_title(texts[i])]
    if not title_at and end < len(texts):
        # No title pattern: the last plain line before the salutation.
        for i in range(end - 1, -1, -1):
            if tags[i] is None:
                c = _compact(texts[i])
                if _TITLE_HINT_RE.search(c) or not _AGENCY_SUFFIX_RE.search(c):
                    title_at = [i]
                break
    if title_at:
        last = title_at[-1]
        first = last
        # A title printed over two or three lines: lines before it with a title's words.
        for j in range(last - 1, max(-1, last - 3), -1):
            c = _compact(texts[j])
            if tags[j] is not None or j in title_at or re.search(r"[。;；:]$", c) or len(c) > 60:
                break
            if not _TITLE_HINT_RE.search(c) and not c.endswith("的"):
                break
            first = j
        for j in range(first, last + 1):
            if tags[j] is None:
                tags[j] = "title"
        for j in title_at:
            tags[j] = "title"
        first_title = min(first, title_at[0])
    else:
        first_title = end
    letterhead_done = False
    for i in range(end):
        if tags[i] is not None:
            continue
        c = _compact(texts[i])
        if i < first_title and not letterhead_done and len(c) <= 60 and not re.search(r"[。;；]", c):
            tags[i] = "letterhead"
            letterhead_done = True
        else:
            tags[i] = UNKNOWN


def _tag_foot_line(text: str, previous_tag: str | None, previous_text: str) -> str | None:
    """The tag of a line at the foot of the letter (contact, 抄送, 附件), from itself and the line
    before it; None when it is none of those."""
    folded = fold(_clean(text))
    if _is_cc(text):
        return "cc"
    if _is_attachment(text):
        return "attachment"
    if _is_contact(text):
        if _WEAK_CONTACT_RE.match(folded) and previous_tag != "contact":
            return None
        return "contact"
    if previous_tag == "attachment":
        label = _label(folded)
        short = len(folded) <= 80 and "。" not in folded
        if short and (label and label[0] in ("num", "pnum", "rnum", "circ") or folded.startswith("《")):
            return "attachment"
    if previous_tag == "cc" and _cc_continues(previous_text, text):
        return "cc"
    return None


def _cc_continues(previous: str, line: str) -> bool:
    """True when `line` is the 抄送 line wrapped: recipients, no sentence, no date."""
    folded = fold(_clean(line))
    if parse_date(line) or _is_contact(line) or "。" in folded[:-1] or len(folded) > 120:
        return False
    if fold(previous).rstrip()[-1:] in "、,，;；":
        return True
    return bool(re.search(r"份\s*\)?$", folded) or ("、" in folded and not re.search(r"[:：]", folded)))


def tag_lines(lines: list[str]) -> list[Line]:
    """Each line with a tag from TAGS: the header (letterhead, 文号, class code, 签发人, 公开属性,
    title), salutation, opening, headings at four levels (level from the labels the whole letter
    uses), paragraphs, closing, and the foot (附件, 署名, date, contact, 抄送); what no rule
    recognises is UNKNOWN. One Line per input line, texts unchanged; a blank line (which
    split_text never gives) is UNKNOWN and plays no part in recognising the others."""
    filled = [i for i, text in enumerate(lines) if _clean(text)]
    texts = [lines[i] for i in filled]
    tags: list[str | None] = [_meta(text) for text in texts]
    body_start = _tag_head(texts, tags)
    _tag_body(texts, tags, body_start)
    _tag_signature(texts, tags, body_start)
    _tag_closing(texts, tags, body_start)
    result = [Line(text, UNKNOWN) for text in lines]
    for i, tag in zip(filled, tags, strict=True):
        result[i].tag = tag or UNKNOWN
    return result


def _tag_head(texts: list[str], tags: list[str | None]) -> int:
    """Tag the lines before the body (header, title, salutation); return where the body starts."""
    n = len(texts)
    salutation = _find_salutation(texts, tags)
    if salutation is not None:
        tags[salutation] = "salutation"
        _tag_header(texts, tags, salutation)
        body_start = salutation + 1
        # `您好！` under the salutation belongs to it.
        if (
            body_start < n
            and tags[body_start] is None
            and _GREETING_RE.fullmatch(_compact(texts[body_start]))
        ):
            tags[body_start] = "salutation"
            body_start += 1
        return body_start
    # No salutation: the header ends before the first line that reads like the opening or a
    # numbered heading, else after the title.
    end = next(
        (
            i
            for i in range(min(n, 25))
            if tags[i] is None
            and (re.search(r"收悉|答复如下|现答复|现将.{0,20}答复", texts[i]) or _label(fold(texts[i])))
        ),
        None,
    )
    if end is None:
        end = next((i for i in range(n) if tags[i] is None and _is_title(texts[i])), -1) + 1
    _tag_header(texts, tags, end)
    return end


def _tag_body(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """Tag the body and the foot line by line: 附件, contact, 抄送 (with their continuation
    lines), headings (levels from the labels the whole body uses), the opening (the first
    other line), paragraphs."""
    kinds: dict[int, str] = {}
    opening_done = False
    previous_tag: str | None = None
    previous_text = ""
    for i in range(body_start, len(texts)):
        text = texts[i]
        if tags[i] is None:
            found = _label(fold(text))
            foot = _tag_foot_line(text, previous_tag, previous_text)
            if foot:
                tags[i] = foot
            elif found:
                kinds[i] = found[0]
                tags[i] = "heading"
                opening_done = True
            elif not opening_done:
                tags[i] = "opening"
                opening_done = True
            else:
                tags[i] = "paragraph"
        if tags[i] != PAGE_NUMBER:
            previous_tag, previous_text = tags[i], text
    first = kinds[min(kinds)] if kinds else None
    _, levels = _heading_levels(set(kinds.values()), first)
    for i, kind in kinds.items():
        tags[i] = f"heading{levels[kind]}" if kind in levels else "paragraph"


def _tag_signature(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """署名: a short plain line just before the date (or before another 署名 line, when it reads
    like an agency), or an agency-like short line with only the foot after it. Scanned from the
    end, so that a joint signature over two lines is found whole."""
    foot = {"date", "contact", "cc", "attachment", "signature", "class_code", "signer", "publicity"}
    for i in range(len(texts) - 1, body_start - 1, -1):
        if tags[i] != "paragraph":
            continue
        c = _compact(texts[i])
        if len(c) > 40 or re.search(r"[。,，;；:：!！?？]", c) or _STRONG_CLOSING_RE.search(c):
            continue
        agency_like = bool(_AGENCY_SUFFIX_RE.search(c))
        nxt = next((j for j in range(i + 1, len(texts)) if tags[j] != PAGE_NUMBER), None)
        later = [t for t in tags[i + 1 :] if t != PAGE_NUMBER]
        if (
            (nxt is not None and tags[nxt] == "date")
            or (nxt is not None and tags[nxt] == "signature" and agency_like)
            or (agency_like and all(t in foot for t in later))
        ):
            tags[i] = "signature"


def _tag_closing(texts: list[str], tags: list[str | None], body_start: int) -> None:
    """Closing paragraphs: the last run of plain paragraphs of the body that reads as a closing
    (thanks, 特此答复, 以上答复…; or a summary / next-steps paragraph followed only by closings)."""
    body_end = len(texts)
    for i in range(body_start, len(texts)):
        if tags[i] in ("attachment", "signature", "date", "contact", "cc"):
            body_end = i
            break
    run: list[int] = []
    for i in range(body_end - 1, body_start - 1, -1):
        tag = tags[i]
        if tag in (PAGE_NUMBER, "class_code", "signer", "publicity", "doc_number"):
            continue
        if tag in ("paragraph", UNKNOWN):
            run.append(i)
            continue
        break
    run.reverse()
    if not run:
        return
    before = next((tags[j] for j in range(run[0] - 1, -1, -1) if tags[j] != PAGE_NUMBER), None)
    has_headings = any(tags[j] in HEADINGS for j in range(body_start, run[0]))
    after_heading_only = before in HEADINGS and _heading_only(texts[_prev_content(tags, run[0])])
    for pos in range(len(run) - 1, -1, -1):
        i = run[pos]
        if tags[i] == UNKNOWN:
            break
        text = _clean(texts[i])
        first = pos == 0
        strong = bool(_STRONG_CLOSING_RE.search(fold(text)))
        summary = bool(
            _SUMMARY_RE.search(fold(text)) or (has_headings and _LOOKING_AHEAD_RE.search(fold(text)))
        )
        if first and after_heading_only:
            break
        if strong or (summary and not (first and before in ("opening", None))):
            tags[i] = "closing"
            continue
        break


def _prev_content(tags: list[str | None], index: int) -> int:
    j = index - 1
    while j >= 0 and tags[j] == PAGE_NUMBER:
        j -= 1
    return j


# ---------------------------------------------------------------------------------------------
# Assembling


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
    r"(?:会商|征求了?|商请|会同|经与|经商(?=[市县省区州])|协办单位|会办单位)(?P<u>[^，,。；;：:]{2,100})"
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
    return [u.strip() for u in units if u.strip() and not skip.search(u) and u.strip() != agency]


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


def line_value(line: Line) -> str | None:
    """The value a one-value line (date, class_code, signer, publicity, doc_number) gives its
    key: the ISO date, the known class code, the name after 签发人：, the 公开属性, the 文号. A
    short line the clerk tagged 签发人 / 公开属性 / 文号 without its label is taken whole. None
    when the line does not read as its tag (assemble then keeps it as a paragraph)."""
    text = _clean(line.text)
    short = len(text) <= 20 and not re.search(r"[。，,；;]", text)
    if line.tag == "date":
        day = parse_date(text)
        return day.isoformat() if day else None
    if line.tag == "class_code":
        return parse_class_code(text)
    if line.tag == "signer":
        value = parse_signer(text)
        return value if value is not None else (text if short else None)
    if line.tag == "publicity":
        value = parse_publicity(text)
        return value if value is not None else (text if short else None)
    if line.tag == "doc_number":
        parsed = parse_doc_number(text)
        if parsed:
            return parsed[0]
        return text if len(text) <= 50 and not re.search(r"[。；;]", text) else None
    return None


def assemble(lines: list[Line], agency: str | None = None) -> dict:
    """The letter in the interchange format, built from tagged lines in any order and with any
    tags: every line lands in a field (one-value lines that do not read as their tag, extra
    salutations, unknown lines… become paragraphs), except page numbers. Required keys the
    letter does not give are empty strings (deputies: an empty list)."""
    builder = _Builder()
    titles: list[str] = []
    closing: list[str] = []
    attachments: list[str] = []
    contact_lines: list[str] = []
    cc_parts: list[str] = []  # one per 抄送/抄报 line, wrapped lines joined: the printed cc_line
    cc_segments: list[str] = []  # the same text cut where a wrapped line starts: for recipients
    signatures: list[str] = []
    one: dict[str, object] = {}
    in_foot = False  # after 附件, 署名, date, contact or 抄送: stray text is a closing
    in_closing = False  # after a closing paragraph: plain text is a closing too
    greeting = False

    def plain(text: str) -> None:
        """A line kept as text: a paragraph of the open section, or a closing after the body."""
        text = _clean(text)
        if not text:
            return
        if in_foot or in_closing:
            closing.append(text)
        else:
            builder.paragraph(text)

    def once(key: str, value: object, text: str) -> None:
        """Set a one-value key; a line without a value, or a second one that differs, is text."""
        if value is None or (key in one and one[key] != value):
            plain(text)
        else:
            one[key] = value

    for line in lines:
        text, tag = line.text, line.tag
        if not _clean(text) or tag == PAGE_NUMBER:
            continue
        if tag == "letterhead":
            head, code = _class_in_title(_clean(text))
            if code and "class_code" not in one:
                one["class_code"] = code
            else:
                head = _clean(text)
            once("letterhead", head, text)
        elif tag == "doc_number":
            parsed = parse_doc_number(text)
            if parsed is None:
                once("doc_number", line_value(line), text)
            else:
                number, signer, code = parsed
                once("doc_number", number, text)
                if signer:
                    once("signer", signer, signer)
                if code:
                    once("class_code", code, code)
        elif tag in ("class_code", "signer", "publicity"):
            once(tag, line_value(line), text)
        elif tag == "title":
            titles.append(_clean(text))
        elif tag == "salutation":
            if "salutation" in one and _GREETING_RE.fullmatch(_compact(text)):
                one["salutation"] = f"{one['salutation']}{_clean(text)}"
                greeting = True
            else:
                once("salutation", _clean(text), text)
        elif tag == "opening":
            once("opening", _clean(text), text)
        elif tag in HEADINGS:
            if in_foot:
                plain(text)
            else:  # a heading after a closing paragraph goes on with the sections
                builder.heading(int(tag[-1]), text)
                in_closing = False
        elif tag == "closing":
            closing.append(_clean(text))
            in_closing = True
        elif tag == "attachment":
            name = attachment_name(text)
            if name:
                attachments.append(name)
            in_foot = True
        elif tag == "signature":
            signatures.append(_clean(text))
            in_foot = True
        elif tag == "date":
            once("date", line_value(line), text)
            in_foot = True
        elif tag == "contact":
            contact_lines.append(_clean(text))
            in_foot = True
        elif tag == "cc":
            if _is_cc(text) or not cc_parts:
                cc_parts.append(_clean(text))
            else:
                cc_parts[-1] += _clean(text)
            cc_segments.append(_clean(text))
            in_foot = True
        else:  # paragraph, unknown, or a tag this module does not know
            plain(text)

    title = "".join(titles)
    if "class_code" not in one:
        title, code = _class_in_title(title)
        if code:
            one["class_code"] = code
    letterhead = one.get("letterhead")
    signature = " ".join(signatures) or None
    agency_name = agency or letterhead or signature or _agency_in_title(title) or ""
    if signature == agency_name:
        signature = None
    opening = str(one.get("opening") or "")
    salutation = one.get("salutation")
    if greeting and isinstance(salutation, str):
        salutation_line = re.sub(r"(?:您|你|你们|各位代表|各位委员)好[!！。]?\s*$", "", salutation)
    else:
        salutation_line = salutation
    facts = _proposal_facts(title, opening, str(salutation or ""))
    deputies, more, count, addressee = (
        _deputies(str(salutation_line)) if salutation_line else ([], False, None, None)
    )
    kind = facts["kind"] or "建议"
    if kind not in ("建议", "议案", "提案"):
        kind = "建议"
    cc_line = "\n".join(cc_parts)
    letter: dict = {
        "agency": agency_name,
        "class_code": one.get("class_code"),
        "title": title,
        "session": facts["session"],
        "proposal_number": facts["proposal_number"],
        "proposal_title": facts["proposal_title"],
        "kind": kind,
        "addressee_title": addressee or ("委员" if kind == "提案" else "代表"),
        "deputies": deputies,
        "deputies_more": more,
        "deputies_count": count,
        "salutation": salutation,
        "opening": opening,
        "consulted": _consulted(opening, agency_name),
        "sections": builder.result(),
        "closing": closing,
        "heading_style": heading_style(lines),
        "doc_number": one.get("doc_number"),
        "signer": one.get("signer"),
        "publicity": one.get("publicity"),
        "contact": _read_contact(contact_lines),
        "contact_block_lines": contact_lines,
        "cc": [item for part in cc_segments for item in parse_cc(part)],
        "cc_line": cc_line,
        "attachments": attachments,
        "signature": signature,
        "date": one.get("date"),
    }
    return letter


REQUIRED_PARTS = {
    "agency": "承办单位",
    "title": "标题",
    "session": "届次",
    "proposal_number": "建议（提案）编号",
    "proposal_title": "建议（提案）标题",
    "deputies": "代表（委员）姓名",
    "opening": "开头",
}


def missing_parts(letter: dict) -> list[str]:
    """The Chinese names of the required parts the assembled letter lacks."""
    return [name for key, name in REQUIRED_PARTS.items() if letter.get(key) in ("", None, [])]
