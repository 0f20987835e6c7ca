"""SEC-20: text users type never runs as code. The portal stores plain text only (no rich text,
nothing marked safe); Django escapes it in every page and WeasyPrint sets it as text in the PDF.

Payloads in the OWASP cheat-sheet style go into the reply's fields (title, opening, measures,
closing, contact names, 抄送) and the proposal's title and author names, then are read back in
the reply page, the editor and its live preview, the home list, the committee dashboard, the
search boxes and the PDFs."""

import html.parser
import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proposals.letters import rendering as letters
from proposals.letters.rendering import clean_text
from proposals.models import Assignment, Proposal, Reply, Role
from tests.conftest import PASSWORD, editor_data, login

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Active if the page carried them unescaped.
MARKUP = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.invalid/x.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88))</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=javascript:alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=# onerror=\"alert('XSS')\">",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<img src=x onerror=&#97;lert(1)>",
    "<img src=x:x onerror=eval(atob('YWxlcnQoMSk='))>",
    '<img srcset="x 1x" onerror=alert(1)>',
    '<img src=1 onerror="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<iframe src=//xss.invalid></iframe>",
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<a href=data:text/html,<script>alert(1)</script>>",
    '<math href="javascript:alert(1)">X</math>',
    '<form action="javascript:alert(1)"><button>X',
    "<button formaction=javascript:alert(1)>X</button>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<x onclick=alert(1)>点这里",
    '<table background="javascript:alert(1)">',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<div style="width: expression(alert(1))">',
    "<style>@import'//xss.invalid/x.css';</style>",
    "<link rel=stylesheet href=//xss.invalid/x.css>",
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    '<base href="//xss.invalid/">',
    '<meta http-equiv=refresh content="0;url=//x.in">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
]
# Harmless inside text, active if they broke out of an attribute value.
BREAKOUTS = [
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    '" autofocus onfocus=alert(1) x="',
    '" style="background:url(javascript:alert(1))',
]
# Must stay literally what was typed: template syntax, encodings, look-alikes.
TEXT = [
    "javascript:alert(1)",
    "{{7*7}}",
    "{% debug %}{{ settings.SECRET_KEY }}",
    "${7*7}#{7*7}<%= 7*7 %>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "＜script＞alert(1)＜/script＞",
    "<ſcript>alert(1)</ſcript>",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "expression(alert(1))",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",  # beats filters that strip once; one odd tag
]
PAYLOADS = MARKUP + BREAKOUTS + TEXT
SPECIAL = set("<>\"'&")


class ExecutableMarkup(html.parser.HTMLParser):
    """Markup a browser would run: event handler or style attributes, script-bearing URLs,
    srcdoc, and elements that load or run code (script other than our static files, iframe,
    object, embed, base, meta refresh, style, foreign stylesheets)."""

    URL_ATTRIBUTES = {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "background",
        "xlink:href",
        "poster",
        "srcset",
    }

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.found.append(f"<{tag} {name}>")
            elif name in self.URL_ATTRIBUTES and url.startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.found.append(f"<{tag} {name}={value}>")
        src = attributes.get("src") or ""
        if tag == "script" and not src.startswith("/static/"):
            self.found.append(f"<script src={src!r}>")
        if tag in ("iframe", "frame", "object", "embed", "base", "style", "svg", "math"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append("<meta http-equiv>")
        href = attributes.get("href") or ""
        if tag == "link" and (not href.startswith("/") or href.startswith("//")):
            self.found.append(f"<link href={attributes.get('href')}>")

    handle_startendtag = handle_starttag


def executable_markup(page: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


class Shown(html.parser.HTMLParser):
    """What a reader sees: text (entities decoded) and the values of form fields."""

    def __init__(self):
        super().__init__()
        self.text, self.values = [], []

    def handle_starttag(self, tag, attrs):
        self.values += [value for name, value in attrs if name == "value" and value]

    def handle_data(self, data):
        self.text.append(data)


def shown(page: str) -> tuple[str, list[str]]:
    parser = Shown()
    parser.feed(page)
    return "".join(parser.text), parser.values


def test_the_payloads():
    """≥ 50 payloads, each short enough for a name field (50 characters), each one that the
    checker above finds executable where it would be (so a miss cannot hide behind the checker)."""
    assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)
    for payload in PAYLOADS:
        assert len(payload) <= 50 and payload == payload.strip() and "\n" not in payload, payload
    for payload in MARKUP:
        assert executable_markup(payload), payload
    for payload in BREAKOUTS:
        assert executable_markup(f'<input value="{payload}">') or executable_markup(
            f"<input value='{payload}'>"
        )
    for payload in TEXT:
        assert not executable_markup(f"<p>{payload}</p>"), payload


def test_no_template_or_module_marks_user_text_safe():
    """Autoescaping is the defence: nothing turns it off. Rich text, should it ever come, has to
    be cleaned with an nh3 allow-list when saved and when shown (SEC-20)."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [
        *(root / "templates").rglob("*.html"),
        *(root / "proposals").rglob("*.py"),
        *(root / "measures").rglob("*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"\|\s*safe\b",
            r"\|\s*safeseq\b",
            r"mark_safe",
            r"autoescape\s+off",
            r"SafeString",
            r"SafeData",
            r"\|\s*escapejs\b",
        ):
            offenders += [f"{path.relative_to(root)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []


def save(client: Client, reply: Reply, data: dict) -> Reply:
    response = client.post(reverse("reply_edit", args=[reply.pk]), data)
    assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>(.*?)<", response.content.decode())
    return Reply.objects.get(pk=reply.pk)


def assert_inert(page: str, payload: str, where: str) -> None:
    """No executable markup at all, and the payload (as typed, or as the letter cleans it) never
    appears unescaped."""
    assert executable_markup(page) == [], (where, payload)
    for form in {payload, clean_text(payload)}:
        if SPECIAL & set(form):
            assert form not in page, (where, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_every_field_is_shown_as_text(payload, seed_reply, clerk, committee_staff):
    proposal = seed_reply.proposal
    proposal.title = payload
    proposal.save()
    proposal.set_authors([payload, "李芸"])
    clerk_client, staff = login(clerk), login(committee_staff)
    data = editor_data(
        seed_reply,
        [(1, payload, f"{payload}\n第二段：{payload}"), (2, payload, "")],
        title=payload,
        opening=payload,
        closing=f"{payload}\n此复。",
        leader_name=payload,
        handler_name=payload,
        copies_text=f"{payload}\n市政府督查室（2份）",
        client=clerk_client,
    )
    reply = save(clerk_client, seed_reply, data)
    # Stored as typed: plain text needs no cleaning, only escaping where it is shown.
    assert (reply.title, reply.opening, reply.leader_name, reply.handler_name) == (payload,) * 4
    assert (
        reply.measures.first().heading == payload and [c.recipient for c in reply.copies.all()][0] == payload
    )

    pages = {
        "reply page": clerk_client.get(reverse("reply_detail", args=[reply.pk])),
        "editor": clerk_client.get(reverse("reply_edit", args=[reply.pk])),
        "live preview": clerk_client.post(reverse("reply_preview", args=[reply.pk]), data),
        "home (clerk)": clerk_client.get(reverse("home")),
        "home (committee)": staff.get(reverse("home")),
        "dashboard": staff.get(reverse("dashboard")),
        "dashboard search": staff.get(reverse("dashboard"), {"q": payload}),
        "proposal page": staff.get(reverse("proposal_detail", args=[proposal.pk])),
        "public search": Client().get(reverse("public_list"), {"q": payload}),
    }
    letter_text = clean_text(payload)
    for where, response in pages.items():
        assert response.status_code == 200, where
        page = response.content.decode()
        assert_inert(page, payload, where)
        text, values = shown(page)
        expected = letter_text if where in ("reply page", "live preview") else payload
        if where == "editor":
            assert payload in values and payload in text  # inputs, and the textareas
        elif where == "dashboard search":
            assert payload in values  # the search box
        elif where != "public search":
            assert expected in text, where
    # The letter itself, in the reply page: every field came through as text.
    letter = shown(pages["reply page"].content.decode())[0]
    for part in (
        f"{letter_text}",
        f"第二段：{letter_text}",
        f"主管领导姓名：{letter_text}",
        f"抄送：{letter_text}",
    ):
        assert part in letter, part


# ---- The PDFs ----


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def in_order(needle: str, text: str) -> bool:
    """Every character of `needle` appears in `text`, in order."""
    rest = iter(text)
    return all(ch in rest for ch in needle)


ACTION_KEYS = {
    "JS",
    "JavaScript",
    "URI",
    "Launch",
    "SubmitForm",
    "ImportData",
    "GoToR",
    "GoToE",
    "OpenAction",
    "AA",
    "EmbeddedFiles",
    "EmbeddedFile",
    "RichMedia",
}


def pdf_actions(pdf: bytes) -> list[str]:
    """Link annotations, JavaScript and other actions anywhere in the file."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            if page.annots or page.hyperlinks:
                found.append(f"page {number}: {len(page.annots)} annotations")
        doc = document.doc
        for xref in doc.xrefs:
            for objid in xref.get_objids():
                try:
                    obj = doc.getobj(objid)
                except Exception:  # free or broken entries: nothing to inspect
                    continue
                attrs = obj if isinstance(obj, dict) else getattr(obj, "attrs", None)
                if isinstance(attrs, dict):
                    keys = {str(key) for key in attrs}
                    subtype = str(getattr(attrs.get("Subtype"), "name", attrs.get("Subtype")))
                    if keys & ACTION_KEYS or subtype in ("Link", "Widget", "FileAttachment"):
                        found.append(f"object {objid}: {sorted(keys & ACTION_KEYS) or subtype}")
    return found


@pytest.fixture
def letter_with_every_payload(seed_reply, clerk):
    """One letter holding all payloads: a measure each, and the single-line fields."""
    proposal = seed_reply.proposal
    proposal.title = MARKUP[0]
    proposal.save()
    proposal.set_authors([MARKUP[3], BREAKOUTS[0], TEXT[1]])
    client = login(clerk)
    data = editor_data(
        seed_reply,
        [(1, payload, f"{payload}\n正文：{payload}") for payload in PAYLOADS],
        title=MARKUP[19],
        opening=" ".join(PAYLOADS[:3]),
        closing="\n".join(TEXT[:3]),
        leader_name=MARKUP[4],
        handler_name=BREAKOUTS[1],
        copies_text="\n".join([MARKUP[12], TEXT[0], "市政府督查室（2份）"]),
        client=client,
    )
    return save(client, seed_reply, data)


def test_pdfs_show_the_payloads_as_text_with_no_link_or_script(letter_with_every_payload):
    reply = letter_with_every_payload
    for name, pdf in (
        ("letter", letters.render_pdf(reply)),
        ("public version", letters.render_public_pdf(reply)),
        ("feedback form", letters.render_feedback_form(reply)),
    ):
        assert pdf_actions(pdf) == [], name
        text = squeeze(pdf_text(pdf))
        if name == "feedback form":
            # The title spans the table; the lead author's narrow cell wraps between other cells.
            assert squeeze(MARKUP[0]) in text and in_order(squeeze(MARKUP[3]), text)
            continue
        for payload in PAYLOADS:
            assert squeeze(clean_text(payload)) in text, (name, payload)
        assert squeeze(clean_text(MARKUP[19])) in text  # the title


# ---- In Chromium: stored payloads open no dialog ----


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("policy", ["enforced", "bypassed"])
def test_stored_payloads_open_no_dialog_in_chromium(
    policy, live_server, letter_with_every_payload, committee_staff, chromium
):
    """Every payload is stored (the letter's fields and measures; one proposal per payload, with
    it as title and lead author). The pages open with the CSP enforced, and again with Chromium
    ignoring it: escaping alone must keep them inert."""
    reply = letter_with_every_payload
    session = reply.proposal.session
    for number, payload in enumerate(PAYLOADS, start=100):
        proposal = Proposal.objects.create(session=session, number=str(number), title=payload)
        proposal.set_authors([payload])
        Assignment.objects.create(
            proposal=proposal, agency=reply.agency, role=Role.LEAD, assigned_date=timezone.localdate()
        )
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1000}, locale="zh-CN", bypass_csp=policy == "bypassed"
    )
    page = context.new_page()
    dialogs, violations = [], []
    # The editor's own "leave with unsaved changes?" question is accepted, not counted: only
    # dialogs opened by a payload would be an attack.
    page.on(
        "dialog",
        lambda dialog: (
            dialog.accept()
            if dialog.type == "beforeunload"
            else (dialogs.append(dialog.message), dialog.dismiss())
        ),
    )
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    base = live_server.url

    def log_in(username):
        context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")
        page.wait_for_timeout(200)

    log_in("clerk")
    page.goto(f"{base}{reverse('reply_detail', args=[reply.pk])}")
    assert page.locator("article.letter h1.letter-title").inner_text() == MARKUP[19]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"xss-reply-csp-{policy}.png")
    page.goto(f"{base}{reverse('reply_edit', args=[reply.pk])}")
    assert page.locator("#id_title").input_value() == MARKUP[19]
    page.locator("#id_opening").fill(" ".join(MARKUP[:6]))  # the live preview swaps in the new letter
    page.locator("#preview .letter-p", has_text=MARKUP[5]).first.wait_for(timeout=10_000)
    page.locator("#measures .measure-heading").first.focus()
    log_in("committee")
    for url in (
        reverse("dashboard"),
        f"{reverse('dashboard')}?page=2",
        f"{reverse('dashboard')}?q={MARKUP[0]}",
        reverse("proposal_detail", args=[reply.proposal.pk]),
        reverse("notices"),
    ):
        page.goto(f"{base}{url}")
        page.wait_for_timeout(200)
    page.goto(f"{base}{reverse('dashboard')}")
    titles = page.locator("table.dashboard tbody td:nth-child(3)").all_inner_texts()
    assert sum(title.strip() in PAYLOADS for title in titles) >= 45  # shown as typed
    page.goto(f"{base}{reverse('home')}")
    page.wait_for_timeout(300)

    assert dialogs == []
    assert violations == []
    # Control: the listener does see a dialog.
    page.evaluate("() => setTimeout(() => alert('control'), 0)")
    page.wait_for_timeout(300)
    assert dialogs == ["control"]
    context.close()
