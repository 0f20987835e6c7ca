"""The reply letter as HTML and as a GB/T 9704 PDF. The only module that imports WeasyPrint.
(Font rules live in `fonts`, the public version's redaction in `public`.)

One template (`letters/letter_document.html` around `letters/reply_letter.html`) and one
stylesheet (`static/css/letter.css`, plus the font rules built here from settings) serve the
preview page and the PDF. Rendering is locked down: WeasyPrint reads packaged static files,
configured font files and `data:` URIs, nothing else (no network, no file:, no redirects).

A process keeps one font configuration and the parsed stylesheets (../shared/spec/
pdf-performance.md): the first letter pays for loading fonts, the next ones do not.
"""

from __future__ import annotations

import mimetypes
import re
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import CSS, HTML
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from measures.outline import measure_tree
from proposals.letters import wording
from proposals.letters.fonts import (
    FONT_ROLES,
    FONT_SELECTORS,
    agency_mark_class,
    agency_mark_css,
    agency_mark_size,
    font_css,
    packaged_file,
)
from proposals.models import ClassCodePosition, ContactForm, Rating, Reply


class _Deflate:
    """zlib for pydyf, which deflates every PDF stream at level 9. Profiling a three-page letter
    showed level 9 taking a fifth of the render for 1-2 % smaller files; level 6 is the zlib
    default (benchletters shows the figures)."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = 6, *args, **kwargs):
        return zlib.compressobj(6, *args, **kwargs)


pydyf.zlib = _Deflate

# Relative URLs in the letter resolve against this base; it names no real host.
LETTER_BASE_URL = "https://letter.invalid/"


class LetterRenderingUnavailable(RuntimeError):
    """The PDF cannot be rendered on this machine; the message says what to install."""


class LetterURLFetcher(URLFetcher):
    """Serves packaged files and `data:` URIs; refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(LETTER_BASE_URL):
            path = packaged_file(url[len(LETTER_BASE_URL) :].split("?")[0].split("#")[0])
            if path is None or not path.is_file():
                raise ValueError(f"答复函渲染只读取系统自带文件，拒绝：{url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        raise ValueError(f"答复函渲染不访问外部资源，拒绝：{url}")


class _Renderer:
    """One per process: the font configuration and parsed stylesheets, reused for every letter."""

    def __init__(self):
        if weasyprint_ffi.harfbuzz_subset is None:
            raise LetterRenderingUnavailable(
                "无法生成 PDF：缺少 HarfBuzz 字体子集库 libharfbuzz-subset0（没有它每封函需要数秒）。"
                "请运行 apt-get install libharfbuzz-subset0。"
            )
        missing = [
            spec.bundled_file
            for spec in FONT_ROLES.values()
            if not (Path(settings.LETTER_FONT_BUILD_DIR) / spec.bundled_file).exists()
        ]
        if missing:
            raise LetterRenderingUnavailable(
                f"无法生成 PDF：缺少字体文件 {'、'.join(missing)}，请运行 python manage.py buildfonts。"
            )
        self.fetcher = LetterURLFetcher()
        self.font_config = FontConfiguration()
        stylesheet = finders.find("css/letter.css")
        self.stylesheets = [
            CSS(
                string=font_css(),
                base_url=LETTER_BASE_URL,
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            ),
            CSS(
                string=Path(stylesheet).read_text(encoding="utf-8"),
                base_url=LETTER_BASE_URL,
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            ),
        ]
        self.lock = threading.Lock()

    def render(self, html: str, extra_css: str = ""):
        """`extra_css`: rules computed for this document only (no template carries a <style>)."""
        # Pango and fontconfig are not documented as thread-safe: one letter at a time.
        with self.lock:
            stylesheets = self.stylesheets
            if extra_css:
                extra = CSS(string=extra_css, url_fetcher=self.fetcher, font_config=self.font_config)
                stylesheets = [*stylesheets, extra]
            return HTML(string=html, base_url=LETTER_BASE_URL, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=stylesheets
            )


_renderer: _Renderer | None = None


def renderer() -> _Renderer:
    global _renderer
    if _renderer is None:
        _renderer = _Renderer()
    return _renderer


# Code points that confuse layout or text extraction, replaced before rendering.
_ODD_CHARACTERS = str.maketrans(
    {
        "\u2011": "-",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\u2028": " ",
        "\u2029": " ",
    }
)


def clean_text(text: str) -> str:
    """NFC, no control or zero-width characters, no non-breaking hyphens."""
    text = unicodedata.normalize("NFC", text).translate(_ODD_CHARACTERS)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def letter_context(reply: Reply, tree=None, copies=None) -> dict:
    """Everything the letter prints, cleaned, in printed order. `tree` and `copies` replace the
    saved measures and 抄送 list (the editor's live preview of unsaved text)."""

    def numbered(tree, level: int) -> list[dict]:
        items, count = [], 0
        for measure, children in tree:
            number = ""
            if measure.heading:
                count += 1
                number = wording.heading_number(reply.heading_style, level, count)
            items.append(
                {
                    "level": level,
                    "number": number,
                    "heading": clean_text(measure.heading),
                    "paragraphs": [clean_text(p) for p in measure.paragraph_list],
                    "children": numbered(children, level + 1),
                }
            )
        return items

    agency = reply.agency
    class_code = reply.class_code
    position = agency.class_code_position
    return {
        "draft_mark": reply.draft_mark,
        "agency": clean_text(agency.name),
        "agency_mark_pt": agency_mark_size(agency.name),
        "agency_mark_class": agency_mark_class(agency.name),
        "class_code_header": f"({class_code})"
        if class_code and position == ClassCodePosition.HEADER_LINE
        else "",
        "class_code_top_right": f"类别：{class_code}"
        if class_code and position == ClassCodePosition.TOP_RIGHT
        else "",
        "class_code_foot": f"办复类别：{class_code}类"
        if class_code and position == ClassCodePosition.FOOT
        else "",
        "doc_number": clean_text(reply.doc_number),
        "signer": clean_text(reply.signer),
        "publicity": clean_text(reply.publicity),
        "title": clean_text(reply.effective_title),
        "salutation": clean_text(reply.effective_salutation),
        "opening": clean_text(reply.opening),
        "sections": numbered(measure_tree(reply) if tree is None else tree, 1),
        "closing": [clean_text(p) for p in reply.closing_paragraphs],
        "attachments": [clean_text(a) for a in reply.attachments],
        "signature": clean_text(reply.effective_signature),
        "date": reply.date_text(),
        "contact_lines": [clean_text(line) for line in reply.contact_lines()],
        "contact_style": "custom" if reply.contact_block_text.strip() else reply.contact_style,
        "copy_line": clean_text(
            reply.copy_line()
            if copies is None
            else wording.copy_line(reply.copy_style, copies)
            if not reply.copy_line_text
            else reply.copy_line_text
        ),
    }


def letter_html(reply: Reply, *, for_pdf: bool, tight: bool = False, final: bool = False) -> str:
    """The letter as a standalone HTML document (the PDF source, or the print preview). Marked
    草稿·未签发 (or 已签发·未发出) unless the reply is issued or `final` (the letter being issued)."""
    letter = {**letter_context(reply), "tight": tight}
    if final:
        letter["draft_mark"] = ""
    return render_to_string(
        "letters/letter_document.html",
        {
            "letter": letter,
            "for_pdf": for_pdf,
            "font_css_url": reverse("letter_font_css"),
        },
    )


def _render_reply(reply: Reply, final: bool = False):
    """The laid-out letter. The 署名, date, contact block and 抄送 must end on one page: when
    they would spill onto a page of their own, the spacing around them is tightened
    (GB/T 9704 7.3.5: no page without body text)."""
    document = renderer().render(letter_html(reply, for_pdf=True, final=final))
    if _sign_page(document) != len(document.pages) - 1:
        tight = renderer().render(letter_html(reply, for_pdf=True, tight=True, final=final))
        if _sign_page(tight) == len(tight.pages) - 1:
            return tight
    return document


def _sign_page(document) -> int:
    return next(i for i, page in enumerate(document.pages) if "letter-sign" in page.anchors)


def render_pdf_from_html(html: str) -> bytes:
    return renderer().render(html).write_pdf()


def render_pdf(reply: Reply) -> bytes:
    """The reply letter as PDF bytes."""
    document = _render_reply(reply)
    with renderer().lock:
        return document.write_pdf()


SEAL_DIAMETER_MM = 42  # GB/T 9704 practice: the round official seal of a government body
PX_TO_PT = 0.75


@dataclass(frozen=True)
class RenderedLetter:
    """A rendered letter and where its seal goes: page index and box in PDF points (y up)."""

    pdf: bytes
    seal_page: int
    seal_box: tuple[float, float, float, float]


def render_letter(reply: Reply) -> RenderedLetter:
    """The letter being issued (clean, no draft mark), with the seal placed over the 署名 and
    date as they were laid out: centred on them horizontally; both lines sit slightly below the
    seal's centre, so the seal rises into the blank lines above the 署名 (GB/T 9704 7.3.5.1)."""
    document = _render_reply(reply, final=True)
    page_index = _sign_page(document)
    anchor = document.pages[page_index].anchors["letter-sign"]
    page_height = document.pages[page_index].height * PX_TO_PT
    x1, y1, x2, y2 = (value * PX_TO_PT for value in anchor)
    centre_x, centre_y = (x1 + x2) / 2, page_height - (y1 + (y2 - y1) * 0.15)
    radius = SEAL_DIAMETER_MM / 25.4 * 72 / 2
    with renderer().lock:
        pdf = document.write_pdf()
    return RenderedLetter(
        pdf, page_index, (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius)
    )


def pdf_filename(reply: Reply) -> str:
    """`市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复.pdf` (`…办理落实情况的报告.pdf`
    for the second letter of a 跟踪事项); no path separators."""
    proposal = reply.proposal
    round_part = f"（第{reply.round}轮）" if reply.round > 1 else ""
    what = reply.get_kind_display()
    name = f"{proposal.session.name}第{proposal.number}号{proposal.kind}-{reply.agency.name}{what}{round_part}.pdf"
    return re.sub(r'[\\/:*?"<>|\s]+', "", name)


def download_filename(reply: Reply, suffix: str = ".pdf") -> str:
    """The name a downloaded letter gets: pdf_filename, with the letter's mark while it has not
    gone out (`…答复（草稿未签发）.pdf`), so that a draft on someone's desk is not taken for the
    letter; `suffix` `.docx` for the Word copy."""
    name = pdf_filename(reply).removesuffix(".pdf")
    mark = reply.draft_mark.replace("·", "")
    return f"{name}（{mark}）{suffix}" if mark else f"{name}{suffix}"


def naive_baseline_pdf(html: str) -> bytes:
    """The benchmark's baseline only: the same letter rendered the plain way, with the system
    Noto CJK collections and a fresh font configuration for every letter (what pdf-performance.md
    measures against). Never used to serve letters."""
    system_fonts = (
        "\n".join(
            f'{FONT_SELECTORS[role]} {{ font-family: "{spec.system_family}", {spec.generic}; }}'
            for role, spec in FONT_ROLES.items()
        )
        + "\n"
        + agency_mark_css()
    )
    stylesheet = Path(finders.find("css/letter.css")).read_text(encoding="utf-8")
    page = html.replace("</head>", f"<style>{stylesheet}\n{system_fonts}</style></head>", 1)
    pydyf.zlib = zlib  # stock pydyf, level 9
    try:
        return HTML(string=page, base_url=LETTER_BASE_URL, url_fetcher=LetterURLFetcher()).write_pdf()
    finally:
        pydyf.zlib = _Deflate


FEEDBACK_TITLES = {  # the form's title in the phrases it may break between
    "建议": ("人大代表建议、批评和意见", "办理情况征询意见表"),
    "提案": ("政协提案办理情况", "反馈意见表"),
}
# The layouts tried in turn: (五号 instead of 小四, the 意见 box's smallest height in mm). The first
# that fits one page is used, its 意见 box then grown to fill the page.
FEEDBACK_LAYOUTS = ((False, 45.0), (True, 45.0), (True, 20.0))
PX_PER_MM = 96 / 25.4


def feedback_form_context(reply: Reply, *, opinion_mm: float = 45.0, dense: bool = False) -> dict:
    """What the 征询意见表 prints: the proposal, its authors and agencies, and the rows on which
    the deputy rates 办理态度 and 办理结果 (满意 / 基本满意 / 不满意 each)."""
    proposal = reply.proposal
    names = [clean_text(name) for name in proposal.author_names()]
    cppcc = proposal.kind == "提案"
    parts = FEEDBACK_TITLES["提案" if cppcc else "建议"]
    return {
        "title": "".join(parts),
        "title_parts": parts,
        "number": f"{proposal.session.name}第{proposal.number}号{proposal.kind}",
        "proposal_title": clean_text(proposal.title),
        "lead": names[0] if names else "",
        "co_signer_names": names[1:],  # each kept whole on its line
        "more_authors": proposal.more_authors,
        "addressee": proposal.effective_addressee_title,
        "agency": clean_text(reply.agency.name),
        "co_agency_names": [
            clean_text(a.agency.name)
            for a in proposal.assignments.exclude(role__in=("lead", "separate")).select_related("agency")
        ],
        "issued": reply.date_text(),
        "class_code": reply.class_code,
        "round": reply.round,
        "ratings": Rating.labels,
        "contact_forms": [*ContactForm.labels, "其他"],
        "return_days": proposal.session.feedback_working_days,
        "opinion_mm": opinion_mm,
        "dense": dense,
    }


def _feedback_document(reply: Reply, **layout):
    form = feedback_form_context(reply, **layout)
    html = render_to_string("letters/feedback_form.html", {"form": form})
    return renderer().render(html, f".feedback-opinion-space {{ height: {form['opinion_mm']:.1f}mm; }}")


def render_feedback_form(reply: Reply) -> bytes:
    """代表建议办理情况征询意见表 (or the CPPCC 反馈意见表) for the lead author, as a one-page PDF.

    The layouts of FEEDBACK_LAYOUTS are tried in turn (小四 with a 45 mm 意见 box; 五号 when ten
    long names and a long title need the room; then a smaller box), and the first that fits one
    page is laid out again with its 意见 box grown by the room left above the foot of the type
    area, so the box fills the page. The table is never split over two pages (CSS)."""
    for dense, opinion_mm in FEEDBACK_LAYOUTS:
        document = _feedback_document(reply, dense=dense, opinion_mm=opinion_mm)
        if len(document.pages) == 1:
            break
    if len(document.pages) == 1:
        page = document.pages[0]
        room_mm = (page.anchors["feedback-page-bottom"][1] - page.anchors["feedback-end"][3]) / PX_PER_MM
        if room_mm > 2:
            filled = _feedback_document(reply, dense=dense, opinion_mm=opinion_mm + room_mm - 2)
            if len(filled.pages) == 1:
                document = filled
    with renderer().lock:
        return document.write_pdf()


def feedback_form_filename(reply: Reply) -> str:
    return pdf_filename(reply).replace("答复", "征询意见表")


def public_letter_html(reply: Reply) -> str:
    """The public version (no phone or ID number) as a standalone HTML document. Its <title>, the
    letter's title redacted like the rest, is the PDF's Title in the Info dictionary (WeasyPrint
    writes no XMP for a plain PDF)."""
    from proposals.letters.public import public_context

    return render_to_string(
        "letters/letter_document.html",
        {
            "letter": public_context(letter_context(reply)),
            "for_pdf": True,
            "font_css_url": "",
        },
    )


def render_public_pdf(reply: Reply) -> bytes:
    return render_pdf_from_html(public_letter_html(reply))


def public_pdf_filename(reply: Reply) -> str:
    """The public PDF's name, downloaded and stored: redacted too (a session or agency name is
    free text)."""
    from proposals.letters.public import redact_text

    what = reply.get_kind_display()
    return redact_text(pdf_filename(reply)).replace(what, f"{what}（公开版）")
