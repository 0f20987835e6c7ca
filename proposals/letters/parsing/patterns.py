"""The tables and patterns the other modules read lines with: TAGS and the tag names, Line,
character folding (fold), and the regular expressions of the letter's parts, matched against
fold(line) unless noted."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    "page_number": "页码、网页信息（不入答复）",
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
# What a letter copied from a government web page brings along: the page's own lines (发布时间,
# 来源, 浏览次数, 【打印】【关闭窗口】, 分享到, 扫一扫…), never part of the letter.
_WEB_KEYS = (
    r"(?:发布时间|发布日期|更新时间|信息来源|来源|作者|编辑|责任编辑|浏览次数|阅读次数|访问次数|"
    r"点击数|点击量|访问量|阅读量|索引号|发布机构|主题分类|信息分类|字体)"
)
_WEB_RE = re.compile(
    r"(?:\s*" + _WEB_KEYS + r"\s*:\s*(?:[^:]|(?<=\d):(?=\d)){0,60}?)+"
    r"|(?:\s*[【\[［]\s*[^】\]］]{0,14}?(?:打印|关闭|字体|收藏|分享|返回|顶部|保存|纠错|大\s*中\s*小)"
    r"[^】\]］]{0,14}[】\]］]\s*)+"
    r"|(?:分享到|扫一扫|用手机扫描|打印本页|关闭窗口|返回顶部|【?\s*字体\s*[:：]?\s*大\s*中\s*小).{0,40}"
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
    # the summing-up before the next steps: `老旧小区改造是一项民生工程，涉及面广……`
    r"|^[^。]{2,30}是一项[^。]{0,8}工程"
)
# In a letter with numbered headings, a paragraph after the last section that looks ahead
# (…我们将持续跟踪，力争…) is the closing summary too.
_LOOKING_AHEAD_RE = re.compile(r"下一步|今后|我们将|我局将|我委将|我厅将|我办将|将持续|将继续|力争")
_AGENCY_SUFFIX_RE = re.compile(
    r"(?:局|委|厅|办|室|府|部|院|会|处|所|中心|公司|集团|署|站|队|行|社|馆|团|校|司)$"
)
