"""Mixed clerk / committee-staff journey for REL-10 (run by loadtest/run; loopback only).

Each virtual user logs in through the real login form (CSRF token from the page) as its own
load account made by loadtest/prepare.py (accounts in $LOAD_ACCOUNTS), so django-axes' per
user+IP lockout and per-user sessions behave as in production. Requests are named by page, not
by id, so the statistics group per page. Any status outside 2xx/3xx is a failure, and so is a
redirect to the login or password page (a lost session) or a PDF/Excel body that is not one.
Every request is also written to $LOAD_REQUEST_LOG (CSV) for exact percentiles.

Think time 2–8 s between actions (a busy clerk clicking through; a real one reads longer).
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
PASSWORD = ACCOUNTS["password"]
# First clerk of every agency, then the second…: 40 clerks spread over all agencies.
CLERKS = sorted(ACCOUNTS["clerks"], key=lambda c: (c["username"][-1], c["username"]))
STAFF = ACCOUNTS["staff"]
DASH = ACCOUNTS["dashboard"]
ALL_REPLIES = sorted({pk for c in CLERKS for pk in c["drafts"] + c["issued"]})
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOST = ("/accounts/login/", "/accounts/password/")

_lock = threading.Lock()
_next = {"clerk": 0, "staff": 0}


def take(kind: str, pool: list) -> dict:
    """The next unused account of a kind (wraps round only if there are more users than accounts)."""
    with _lock:
        account = pool[_next[kind] % len(pool)]
        _next[kind] += 1
    return account


# --- exact per-request log -------------------------------------------------------------------------

_log = {"file": None, "writer": None}


@events.test_start.add_listener
def _open_log(environment, **kwargs):
    path = os.environ.get("LOAD_REQUEST_LOG")
    if path:
        _log["file"] = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115  (closed at test_stop)
        _log["writer"] = csv.writer(_log["file"])
        _log["writer"].writerow(["start", "method", "name", "ms", "status", "bytes", "error"])


@events.request.add_listener
def _log_request(
    request_type,
    name,
    response_time,
    response_length,
    response=None,
    exception=None,
    start_time=None,
    **kwargs,
):
    if _log["writer"] is not None:
        status = getattr(response, "status_code", "") if response is not None else ""
        _log["writer"].writerow(
            [
                f"{start_time or time.time():.3f}",
                request_type,
                name,
                f"{response_time:.1f}",
                status,
                response_length,
                str(exception)[:200] if exception else "",
            ]
        )


@events.quitting.add_listener
def _close_log(environment, **kwargs):
    if _log["file"] is not None:
        _log["file"].close()
        _log["file"] = _log["writer"] = None


# --- the editor form, as htmx sends it for the live preview ---------------------------------------


class FormFields(HTMLParser):
    """Successful controls of <form id=…>, as a browser submits them (not those in <template>)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.in_form, self.template = form_id, False, 0
        self.fields: list[tuple[str, str]] = []
        self._textarea: list | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.template += 1
        if self.template or "disabled" in a:
            return
        name, kind = a.get("name"), (a.get("type") or "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "reset", "file", "image"):
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "template":
            self.template -= 1
            return
        if self.template:
            return
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            if chosen is not None or first is not None:
                self.fields.append((name, chosen if chosen is not None else first))
            self._select = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


# --- users ---------------------------------------------------------------------------------------


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    kind = ""
    pool: list = []

    def on_start(self):
        self.account = take(self.kind, self.pool)
        self.login()

    def check(self, response, expect=None, what=""):
        code = response.status_code
        location = response.headers.get("Location", "")
        if not 200 <= code < 400:
            response.failure(f"HTTP {code}")
        elif 300 <= code < 400 and any(p in location for p in LOST):
            response.failure(f"session lost: {code} to {location}")
        elif code < 300 and expect is not None and not expect(response):
            response.failure(f"not {what}")
        else:
            response.success()

    def get(self, url: str, name: str, expect=None, what: str = ""):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            self.check(response, expect, what)
        return response

    def login(self):
        page = self.get("/accounts/login/", "/accounts/login/")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            name="/accounts/login/ (POST)",
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": f"{self.host}/accounts/login/"},
            data={
                "username": self.account["username"],
                "password": PASSWORD,
                "next": "",
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
        ) as response:
            if response.status_code != 302 or response.headers.get("Location", "").startswith(LOST):
                response.failure(f"login refused: HTTP {response.status_code}")
            else:
                response.success()
        # The browser follows the redirect to the start page.
        self.get("/", "/ (start page after login)")


def is_pdf(r):
    return r.headers.get("Content-Type", "").startswith("application/pdf") and r.content[:5] == b"%PDF-"


is_xlsx = lambda r: r.content[:2] == b"PK"  # noqa: E731


class AgencyClerk(PortalUser):
    """经办人: 我的办理, a reply, its editor and live preview, the letter PDF."""

    weight = 4
    kind = "clerk"
    pool = CLERKS

    def on_start(self):
        super().on_start()
        self.drafts = self.account["drafts"]
        self.issued = self.account["issued"]
        self.form: dict[int, list[tuple[str, str]]] = {}

    @task(8)
    def my_work(self):
        self.get("/work/", "/work/")

    @task(8)
    def reply_page(self):
        self.get(f"/replies/{random.choice(self.drafts + self.issued)}/", "/replies/[id]/")

    @task(6)
    def editor(self):
        self.open_editor(random.choice(self.drafts))

    def open_editor(self, pk: int) -> None:
        response = self.get(
            f"/replies/{pk}/edit/",
            "/replies/[id]/edit/",
            expect=lambda r: 'id="reply-form"' in r.text,
            what="the editor",
        )
        if response.status_code == 200:
            parser = FormFields("reply-form")
            parser.feed(response.text)
            self.form[pk] = parser.fields

    @task(3)
    def live_preview(self):
        """What htmx posts 600 ms after typing stops: the whole form, with the typed change."""
        pk = random.choice(self.drafts)
        if pk not in self.form:  # the user opens the editor first
            self.open_editor(pk)
            if pk not in self.form:
                return
        fields = [
            (name, value + f"（修改{random.randrange(1000)}）" if name == "closing" else value)
            for name, value in self.form[pk]
        ]
        token = dict(fields).get("csrfmiddlewaretoken", "")
        with self.client.post(
            f"/replies/{pk}/preview/",
            name="/replies/[id]/preview/ (POST)",
            data=fields,
            allow_redirects=False,
            catch_response=True,
            headers={
                "HX-Request": "true",
                "X-CSRFToken": token,
                "Referer": f"{self.host}/replies/{pk}/edit/",
            },
        ) as response:
            self.check(response, lambda r: "修改" in r.text, "the previewed letter")

    @task(2)
    def letter_pdf(self):
        """The draft's letter, rendered on demand (the full 8-page seed letter)."""
        self.get(
            f"/replies/{random.choice(self.drafts)}/pdf/",
            "/replies/[id]/pdf/ (draft, rendered)",
            expect=is_pdf,
            what="a PDF",
        )

    @task(1)
    def issued_pdf(self):
        """An issued reply's stored, signed PDF (hash re-checked on every download)."""
        if self.issued:
            self.get(
                f"/replies/{random.choice(self.issued)}/pdf/",
                "/replies/[id]/pdf/ (issued, stored)",
                expect=is_pdf,
                what="a PDF",
            )


class CommitteeStaff(PortalUser):
    """委员会工作人员: 督办总览 with filters and pages, statistics, Excel, audit trail, a reply."""

    weight = 1
    kind = "staff"
    pool = STAFF

    @task(4)
    def dashboard(self):
        self.get("/dashboard/", "/dashboard/")

    @task(4)
    def dashboard_filtered(self):
        options = [
            {"session": DASH["demo_session"]},
            {"agency": random.choice(DASH["agencies"])},
            {"status": random.choice(["draft", "submitted", "approved", "issued", "returned"])},
            {"overdue": "1"},
            {"due_soon": "1"},
            {"key": "1"},
            {"rating": random.choice(["satisfied", "basically", "dissatisfied"])},
            {"class": random.choice("ABCD")},
            {"role": random.choice(["lead", "co"])},
            {"q": random.choice(DASH["search"])},
        ]
        params = random.choice(options)
        if random.random() < 0.3:
            params |= random.choice(options)
        self.client_get_params("/dashboard/", "/dashboard/ (filters)", params)

    @task(2)
    def dashboard_pages(self):
        self.client_get_params(
            "/dashboard/",
            "/dashboard/ (page n, sorted)",
            {
                "page": random.randint(2, DASH["pages"]),
                "sort": random.choice(["due", "-due", "number", "-number", "agency", "status", "session"]),
            },
        )

    @task(2)
    def reply_page(self):
        self.get(f"/replies/{random.choice(ALL_REPLIES)}/", "/replies/[id]/")

    @task(2)
    def statistics(self):
        self.get("/statistics/", "/statistics/")

    @task(1)
    def statistics_session(self):
        self.client_get_params(
            "/statistics/", "/statistics/ (one session)", {"session": DASH["demo_session"]}
        )

    @task(1)
    def statistics_xlsx(self):
        self.get("/statistics/agencies.xlsx", "/statistics/agencies.xlsx", expect=is_xlsx, what="an xlsx")

    @task(1)
    def audit(self):
        params = random.choice(
            [
                {},
                {},
                {"page": random.randint(2, 20)},
                {"event": "pdf_download"},
                {"event": "login"},
                {"actor": "load-clerk"},
            ]
        )
        self.client_get_params("/audit/", "/audit/", params)

    def client_get_params(self, path: str, name: str, params: dict):
        with self.client.get(path, params=params, name=name, allow_redirects=False, catch_response=True) as r:
            self.check(r)
        return r
