"""SEC-21: every response carries the Content-Security-Policy and the other security headers,
and the pages still work under that policy: no inline script, event handler or style attribute."""

import html.parser
import http.server
import json
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from proposals import workflow
from proposals.letters import rendering as letters
from proposals.letters.interchange import import_letter, read_letter
from proposals.models import Assignment, ExportJob, Reply, ReplyStatus, ReplyVersion
from tests.conftest import PASSWORD, SEED_JSON

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

OTHER_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, where: str = "") -> dict[str, list[str]]:
    """The headers every response must carry; returns the parsed policy."""
    where = where or getattr(response, "request", {}).get("PATH_INFO", "")
    for name, value in OTHER_HEADERS.items():
        assert response.headers.get(name) == value, (
            where,
            response.status_code,
            name,
            response.headers.get(name),
        )
    policy = csp_directives(response)
    assert policy, (where, response.status_code, "no Content-Security-Policy header")
    header = response.headers["Content-Security-Policy"]
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"):
        assert loose not in header.split(), (where, header)
    assert policy["default-src"] == ["'self'"], (where, header)
    assert policy["script-src"][0] == "'self'", (where, header)
    assert all(s == "'self'" or s.startswith("'nonce-") for s in policy["script-src"]), (where, header)
    assert policy["style-src"][0] == "'self'", (where, header)
    assert all(s == "'self'" or s.startswith("'nonce-") for s in policy["style-src"]), (where, header)
    assert policy["img-src"] == ["'self'", "data:"], (where, header)
    assert policy["font-src"] == ["'self'"], (where, header)
    assert policy["object-src"] == ["'none'"], (where, header)
    assert policy["base-uri"] == ["'none'"], (where, header)
    assert policy["frame-ancestors"] == ["'none'"], (where, header)
    assert policy["form-action"] == ["'self'"], (where, header)
    return policy


def header_nonce(policy: dict[str, list[str]]) -> str | None:
    return next((s[len("'nonce-") : -1] for s in policy["script-src"] if s.startswith("'nonce-")), None)


class InlineCode(html.parser.HTMLParser):
    """What the policy would block in a page: <script> without src (unless it has the
    response's nonce), event handler attributes, style attributes, <style> without the nonce,
    javascript: URLs, scripts or stylesheets from another origin."""

    def __init__(self, nonce: str | None):
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            if name in ("href", "src", "action", "formaction", "data") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag == "script":
            src = attributes.get("src")
            if not src and (not self.nonce or attributes.get("nonce") != self.nonce):
                self.problems.append("inline <script> without the response's nonce")
            if src and (not src.startswith("/") or src.startswith("//")):
                self.problems.append(f"<script src={src}> from another origin")
        if tag == "style" and (not self.nonce or attributes.get("nonce") != self.nonce):
            self.problems.append("<style> element without the response's nonce")
        if (
            tag == "link"
            and "stylesheet" in (attributes.get("rel") or "")
            and not (attributes.get("href") or "").startswith("/")
        ):
            self.problems.append(f"stylesheet from another origin: {attributes.get('href')}")


def inline_code(response) -> list[str]:
    parser = InlineCode(header_nonce(csp_directives(response)))
    parser.feed(response.content.decode())
    return parser.problems


def is_html(response) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html") and not getattr(
        response, "streaming", False
    )


@pytest.fixture
def world(seed_reply, clerk, leader, cohandler, committee_staff, outsider, sysadmin, pki):
    """An issued and published letter (the seed), a second letter still in draft, an export
    under way: every URL pattern has an object to show."""
    Reply.objects.filter(pk=seed_reply.pk).update(status=ReplyStatus.APPROVED)
    issued = workflow.issue(Reply.objects.get(pk=seed_reply.pk), clerk)
    publisher = Client()
    publisher.force_login(leader)
    publisher.post(reverse("reply_publish", args=[issued.pk]))
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter.update(
        proposal_number="15",
        proposal_title="关于加强职业教育的建议",
        title="对市五届人大一次会议第15号建议的答复",
    )
    draft = import_letter(read_letter(letter, "15.json"))
    draft = workflow.save_draft(draft, clerk, draft.version, lambda reply: None)  # a saved version
    job = ExportJob.objects.create(
        session=issued.proposal.session, requested_by=committee_staff, status="running", total=2, done=1
    )
    return SimpleNamespace(
        issued=issued,
        draft=draft,
        job=job,
        union_assignment=Assignment.objects.get(proposal=issued.proposal, agency=cohandler.agency),
        users={
            "clerk": clerk,
            "leader": leader,
            "cohandler": cohandler,
            "committee_staff": committee_staff,
            "outsider": outsider,
            "sysadmin": sysadmin,
        },
    )


# Who uses a page (everything else: the clerk of the agency that drafts the letter).
RIGHT_USER = {
    **dict.fromkeys(
        ["reply_sign_off", "reply_return", "reply_publish", "reply_revoke", "reply_unpublish"], "leader"
    ),
    "opinion_edit": "cohandler",
    **dict.fromkeys(
        [
            "dashboard",
            "statistics",
            "statistics_xlsx",
            "intake",
            "intake_template",
            "exports",
            "export_detail",
            "export_download",
            "verify_letter",
            "audit_log",
            "audit_xlsx",
            "proposal_create",
            "proposal_edit",
            "proposal_assign",
            "assignment_edit",
            "assignment_reassign",
            "assignment_supervise",
            "reply_feedback",
            "feedback_correct",
        ],
        "committee_staff",
    ),
    **dict.fromkeys(["login", "public_list", "public_reply", "public_reply_pdf", "letter_font_css"], None),
}
OTHER_ARGUMENTS = {"table": "agencies", "role": "fangsong"}


def pattern_urls(world) -> list[tuple[str, str]]:
    """(name, url) for every pattern of the URLconf, with real objects for its arguments; letter
    pages once for the draft and once for the issued letter."""
    urls = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            continue  # the admin, requested below
        assert isinstance(pattern, URLPattern) and pattern.name, pattern
        name, converters = pattern.name, pattern.pattern.converters
        variants = [{}]
        if "pk" in converters:
            if name.startswith("proposal"):
                pks = [world.draft.proposal.pk]
            elif name == "opinion_edit":
                pks = [world.union_assignment.pk]
            elif name.startswith("assignment"):
                pks = [world.draft.assignment_id]
            elif name.startswith("export"):
                pks = [world.job.pk]
            elif name.startswith("public"):
                pks = [world.issued.pk]
            else:
                pks = [world.draft.pk, world.issued.pk]
            variants = [{"pk": pk} for pk in pks]
        for kwargs in variants:
            for converter in converters:
                if converter == "number":  # a version of the letter
                    version = ReplyVersion.objects.filter(reply_id=kwargs["pk"]).order_by("number").last()
                    kwargs[converter] = version.number if version else 1
                elif converter != "pk":
                    kwargs[converter] = OTHER_ARGUMENTS.get(converter, 1)
            urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_every_url_pattern_answers_with_the_security_headers(world):
    """Each pattern as its user (GET; POST too where GET is refused), as an official of another
    agency and anonymously; the admin; error pages. Every response has the headers, and no HTML
    page holds code the policy would block."""
    clients = {None: Client()}
    for key, user in world.users.items():
        clients[key] = Client()
        clients[key].force_login(user)
    seen, by_name = set(), {}

    def check(response, label):
        assert_security_headers(response, label)
        if is_html(response) and response.status_code == 200:
            assert inline_code(response) == [], label
        seen.add(response.status_code)

    urls = pattern_urls(world)
    assert len({name for name, _ in urls}) >= 45
    for name, url in urls:
        user = RIGHT_USER.get(name, "clerk")
        client = clients[user]
        if name == "logout":  # would end the shared client's session
            client = Client()
            client.force_login(world.users["clerk"])
        response = client.get(url)
        check(response, (name, url, user, "GET"))
        by_name.setdefault(name, []).append(response.status_code)
        if response.status_code == 405:
            response = client.post(url)
            check(response, (name, url, user, "POST"))
            by_name[name].append(response.status_code)
        for other in ("outsider", None):
            if other != user:
                check(clients[other].get(url), (name, url, other, "GET"))
    for url in ("/admin/", "/admin/proposals/reply/", f"/admin/proposals/reply/{world.issued.pk}/change/"):
        check(clients["sysadmin"].get(url), (url, "sysadmin"))
    check(clients[None].get("/admin/login/"), ("/admin/login/", None))
    check(clients["clerk"].get("/no-such-page/"), "404 for a user")
    check(clients[None].get("/no-such-page/"), "404 anonymous")
    check(clients["committee_staff"].get(reverse("reply_edit", args=[world.draft.pk])), "403")

    # The pages people use answer normally (their user sees them, not an error).
    for name in (
        "home",
        "queue",
        "reply_detail",
        "reply_edit",
        "version_detail",
        "reply_changes",
        "reply_pdf",
        "feedback_form_pdf",
        "opinion_edit",
        "dashboard",
        "statistics",
        "statistics_xlsx",
        "intake",
        "intake_template",
        "exports",
        "export_detail",
        "proposal_detail",
        "notices",
        "verify_letter",
        "public_list",
        "public_reply",
        "public_reply_pdf",
        "letter_font_css",
        "login",
        "password_change",
    ):
        assert 200 in by_name[name], (name, by_name[name])
    assert {200, 302, 403, 404, 405} <= seen, seen


def test_html_pages_carry_the_nonce_of_their_own_response(client, clerk, seed_reply):
    client.force_login(clerk)
    first, second = client.get(reverse("home")), client.get(reverse("reply_detail", args=[seed_reply.pk]))
    nonces = [header_nonce(assert_security_headers(r)) for r in (first, second)]
    assert all(nonces) and nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=False):
        page = response.content.decode()
        assert page.count(f'nonce="{nonce}"') >= 2  # bootstrap and htmx
        assert "<script>" not in page
    # htmx is told not to inject its indicator <style> nor to evaluate code.
    assert '"includeIndicatorStyles": false' in first.content.decode()


def test_static_files_and_the_letter_css_carry_the_headers(client):
    for url in ("/static/css/portal.css", "/static/vendor/htmx/htmx.min.js", reverse("letter_font_css")):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = assert_security_headers(response, url)
        assert header_nonce(policy) is None  # no nonce is spent where no page uses it


def test_no_template_has_inline_script_handler_or_style_attribute():
    """The templates themselves: one pass over templates/ catches pages no test requests."""
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"<script(?![^>]*\ssrc=)[^>]*>",
            r"<style[\s>]",
            r"javascript:",
            r"hx-on",
        ):
            for match in re.finditer(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []


def test_agency_mark_sizes_come_from_classes_with_the_computed_size():
    """The letter's red agency mark lost its style attribute: one class per name length."""
    css = letters.font_css()
    for name in (
        "随州市人力资源和社会保障局",
        "随州市人力资源和社会保障局劳动保障监察支队办公室",
        "局",
        "字" * 100,
    ):
        rule = f".letter-agency.{letters.agency_mark_class(name)} {{ font-size: {letters.agency_mark_size(name)}pt; }}"
        assert rule in css, rule


# ---- In Chromium ----


# Runs in every page before its own scripts; reports through a binding (not subject to the CSP).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation({
  page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""


class WatchedContext:
    """A browser context that records CSP violations, CSP console messages and page errors."""

    def __init__(self, browser, **options):
        self.violations, self.console, self.errors = [], [], []
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, locale="zh-CN", **options
        )
        self.context.expose_binding(
            "reportCspViolation", lambda source, detail: self.violations.append(detail)
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
                else None
            ),
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def problems(self) -> list:
        return self.violations + self.console + self.errors

    def log_in(self, base: str, username: str) -> None:
        self.context.clear_cookies()
        self.page.goto(f"{base}/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_work_in_chromium_without_a_csp_violation(live_server, world, chromium):
    base = live_server.url
    watched = WatchedContext(chromium)
    page = watched.page
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}{reverse('public_list')}")
    page.goto(f"{base}{reverse('public_reply', args=[world.issued.pk])}")
    assert page.locator("article.letter h1.letter-title").is_visible()
    watched.log_in(base, "clerk")
    assert page.get_by_role("heading", name="待办事项").is_visible()

    # The letter page: the agency mark has its computed size without a style attribute.
    page.goto(f"{base}{reverse('reply_detail', args=[world.draft.pk])}")
    mark = page.locator("article.letter .letter-agency")
    size_pt = letters.agency_mark_size(world.draft.agency.name)
    assert mark.evaluate("el => getComputedStyle(el).fontSize") == f"{size_pt * 4 / 3:g}px"
    page.screenshot(path=ARTIFACTS / "csp-reply.png", full_page=True)

    # The editor: the measures buttons add a row, and typing updates the live preview (htmx).
    page.goto(f"{base}{reverse('reply_edit', args=[world.draft.pk])}")
    rows = page.locator("#measures [data-measure-row]")
    before = rows.count()
    assert page.locator(".measure-level").first.evaluate("el => getComputedStyle(el).minWidth") == "104px"
    page.get_by_role("button", name="＋ 添加一条").click()
    assert rows.count() == before + 1
    rows.last.locator(".measure-heading").fill("关于浏览器检查的一条")
    page.locator("#preview .letter-heading", has_text="关于浏览器检查的一条").wait_for(timeout=10_000)
    page.locator("#id_title").fill("浏览器里改过的标题")
    page.locator("#preview h1.letter-title", has_text="浏览器里改过的标题").wait_for(timeout=10_000)
    expect(page.locator("#preview-busy")).to_have_css("opacity", "0")  # the indicator's CSS from portal.css
    page.screenshot(path=ARTIFACTS / "csp-editor.png", full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("答复已保存。").is_visible()
    assert Reply.objects.get(pk=world.draft.pk).title == "浏览器里改过的标题"

    watched.log_in(base, "committee")
    for name in ("dashboard", "statistics", "intake", "exports", "notices", "verify_letter"):
        page.goto(f"{base}{reverse(name)}")
        assert page.locator("h1").first.is_visible(), name
    page.goto(f"{base}{reverse('statistics')}")
    assert page.locator("svg.chart rect").count() > 0
    page.screenshot(path=ARTIFACTS / "csp-statistics.png", full_page=True)
    page.goto(f"{base}{reverse('dashboard')}")
    page.screenshot(path=ARTIFACTS / "csp-dashboard.png", full_page=True)
    page.goto(f"{base}{reverse('intake')}")
    page.screenshot(path=ARTIFACTS / "csp-intake.png", full_page=True)
    # The export's progress bar: width from a class; htmx polls the page every second.
    page.goto(f"{base}{reverse('export_detail', args=[world.job.pk])}")
    bar = page.locator("#export-progress .progress-bar")
    ratio = bar.evaluate(
        "el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width"
    )
    assert abs(ratio - 0.5) < 0.01
    page.screenshot(path=ARTIFACTS / "csp-export-progress.png")
    with page.expect_response(
        lambda r: reverse("export_detail", args=[world.job.pk]) in r.url, timeout=5_000
    ):
        pass
    page.goto(f"{base}{reverse('proposal_detail', args=[world.draft.proposal.pk])}")
    page.goto(f"{base}/no-such-page/")
    assert page.get_by_text("页面不存在").first.is_visible()

    assert watched.problems() == []

    # Control: the watch does see what the policy blocks, and the policy does block it.
    page.evaluate("""() => {
        const s = document.createElement("script"); s.textContent = "window.inlineRan = true"; document.body.append(s);
        document.body.setAttribute("style", "background: red");
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.inlineRan") is None
    assert {v["directive"] for v in watched.violations} >= {"script-src-elem", "style-src-attr"}
    watched.context.close()


class FramingPage(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):
        body = f'<!doctype html><title>framing</title><iframe id="f" src="{self.target}"></iframe>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_another_origin_cannot_frame_the_portal(live_server, chromium):
    """A page on a second loopback origin puts the public list in an iframe: Chromium refuses."""
    target = f"{live_server.url}{reverse('public_list')}"
    handler = type("Handler", (FramingPage,), {"target": target})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        watched = WatchedContext(chromium)
        messages = []
        watched.page.on("console", lambda message: messages.append(message.text))
        watched.page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        for _ in range(50):  # Chromium reports the refusal on the console
            if any("frame-ancestors" in m or "X-Frame-Options" in m for m in messages):
                break
            watched.page.wait_for_timeout(100)
        assert any("frame-ancestors 'none'" in m for m in messages), messages
        frame = next(f for f in watched.page.frames if f != watched.page.main_frame)
        assert "办理结果公开" not in frame.content()
        watched.context.close()
    finally:
        server.shutdown()
        server.server_close()
