"""The cast every test module shares: two agencies, a committee, and one user per role."""

import datetime
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse
from hypothesis import settings as hypothesis_settings

from proposals.letters.interchange import import_letter, read_letter_file
from proposals.models import Agency, Assignment, Reply, Role, Session, User, UserRole

# Property tests draw the same examples on every run, so that a stop's CI cannot turn red on a
# new random draw; `HYPOTHESIS_PROFILE=explore make test` searches afresh: add what it finds to
# the test as an @example.
hypothesis_settings.register_profile("fixed", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

REPO = Path(__file__).resolve().parent.parent
SEED_JSON = REPO / "proposals" / "demo" / "reply-12.json"
SEED_TXT = REPO / "proposals" / "demo" / "reply-12.txt"  # the repository's copy of the seed text
SHARED_SEED_JSON = REPO.parent / "shared" / "seed" / "reply-12.json"
PASSWORD = "Suizhou-2026-test"
CHROMIUM = "/usr/bin/chromium"  # Debian's build; never `playwright install`
ARTIFACTS = REPO / "test-artifacts"
# Every test runs on the same calendar day, 2026年12月1日, 10:00 in 随州 (the clock still ticks):
# a constant computed from the wall clock went stale when CI crossed midnight in Asia/Shanghai,
# and deadlines, 工作日 and the letter's date must not depend on the day CI happens to run.
# Cookies carry Max-Age, so the browser keeps its sessions though its own clock differs.
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture(autouse=True, scope="session")
def fixed_day():
    """The whole run happens on TODAY (see NOW)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def real_clock():
    """The wall clock back for one test, for tests that start servers in other processes (which
    keep the real time, so a session saved on TODAY would have expired there)."""
    now = datetime.datetime.fromtimestamp(time_machine.escape_hatch.time.time(), tz=datetime.UTC)
    with time_machine.travel(now, tick=True):
        yield


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    """Each test counts its rate limits from zero in a cache of its own (shared by the live
    server's threads); tests/test_rate_limits.py uses the database cache and Redis themselves."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """The in-memory SMS backend (no test prints an SMS), its outbox empty at the start."""
    from proposals import sms

    settings.SMS_BACKEND = "proposals.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploaded files, stored PDFs and the signing keys of a test live in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPLY_SIGNING_DIR = tmp_path / "pki"
    settings.REPLY_SIGNING_SECRETS_FILE = tmp_path / "pki" / "secrets.json"
    settings.REPLY_SIGNING_TRUST_ROOTS = [str(tmp_path / "pki" / "demo-ca.pem")]


@pytest.fixture
def pki(db):
    """A test CA, and a certificate and seal for every agency in the database."""
    call_command("make_demo_pki", stdout=io.StringIO())


@pytest.fixture
def seed_reply(db):
    """The 随州 seed letter, imported as 随州市人力资源和社会保障局's reply to 建议 12.

    The general fixtures model a session without 会签 (`countersign_on` off), so `submitted`,
    `issued` and the journeys sign off right after submitting; the portal's default for a new
    session is on, and the 会签 tests (tests/test_countersign*.py) switch it on."""
    reply = import_letter(read_letter_file(SEED_JSON))
    Session.objects.filter(pk=reply.proposal.session_id).update(countersign_on=False)
    return Reply.objects.get(pk=reply.pk)


@pytest.fixture
def hr_agency(seed_reply):
    return seed_reply.agency


@pytest.fixture
def union_agency(seed_reply):
    """随州市总工会, 会办 on 建议 12."""
    agency = Agency.objects.create(name="随州市总工会", short_name="市总工会")
    Assignment.objects.create(proposal=seed_reply.proposal, agency=agency, role=Role.JOINT)
    return agency


@pytest.fixture
def education_agency(db):
    return Agency.objects.create(name="随州市教育局", short_name="市教育局")


def _user(username: str, name: str, role: str, agency=None, office: str = "") -> User:
    user = User(username=username, first_name=name, role=role, agency=agency, office=office)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def clerk(hr_agency):
    return _user("clerk", "孙建波", UserRole.CLERK, hr_agency)


@pytest.fixture
def leader(hr_agency):
    return _user("leader", "张春强", UserRole.LEADER, hr_agency)


@pytest.fixture
def cohandler(union_agency):
    return _user("cohandler", "刘晓红", UserRole.CLERK, union_agency)


@pytest.fixture
def committee_staff(db):
    return _user("committee", "陈志刚", UserRole.COMMITTEE, office="市人大常委会选任工委")


@pytest.fixture
def outsider(education_agency):
    return _user("outsider", "王丽", UserRole.CLERK, education_agency)


@pytest.fixture
def sysadmin(db):
    return User.objects.create_superuser("sysadmin", "admin@example.cn", PASSWORD)


@pytest.fixture
def chromium():
    """Headless Chromium through Playwright. Request it after the database fixtures, so they run
    before Playwright starts its event loop."""
    # The loop makes Django believe it is in async code; the ORM calls here are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        # ORM calls made by the test while the loop ran used connections of the loop's
        # context; close them here, in that context, or PostgreSQL keeps the test database busy.
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person does, and wait for the start page."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def page(chromium):
    """A Chromium page (request it last, after the database fixtures)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    # Confirmations (签发, 发出, ...) are accepted as a person reading them would; their texts are
    # kept in page.confirmations for the test to check.
    page.confirmations = []

    def accept(dialog):
        page.confirmations.append("beforeunload" if dialog.type == "beforeunload" else dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    yield page


# --- a reply on its way: drafted, submitted, issued (建议 12 of the seed letter) ---


@pytest.fixture
def lead_assignment(seed_reply):
    """建议 12 handed to 市人社局 ten days ago, before anyone has drafted a reply."""
    assignment = seed_reply.assignment
    seed_reply.delete()
    assignment.assigned_date = TODAY - datetime.timedelta(days=10)
    assignment.save()
    return assignment


@pytest.fixture
def union_assignment(lead_assignment, union_agency):
    assignment = Assignment.objects.get(agency=union_agency)
    assignment.assigned_date = lead_assignment.assigned_date
    assignment.save()
    return assignment


@pytest.fixture
def second_leader(hr_agency):
    user = User(username="leader2", first_name="李卫东", role=UserRole.LEADER, agency=hr_agency)
    user.set_password(PASSWORD)
    user.save()
    return user


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def editor_data(
    reply: Reply, sections: list[tuple[int, str, str]], *, client: Client | None = None, **fields
) -> dict:
    """What the editor form posts: the form as loaded (by `client`, else the drafter), changed by
    `fields`, with `sections` as the measures in outline order."""
    client = client or login(reply.created_by or User.objects.get(username="clerk"))
    form = client.get(reverse("reply_edit", args=[reply.pk])).context["form"]
    data = {
        name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields
    }
    for name in form.fields:
        data.setdefault(name, "")
    data["date"] = ""
    data.update(
        {
            "m-TOTAL_FORMS": str(len(sections)),
            "m-INITIAL_FORMS": "0",
            "m-MIN_NUM_FORMS": "0",
            "m-MAX_NUM_FORMS": "200",
        }
    )
    for index, (level, heading, paragraphs) in enumerate(sections):
        data.update(
            {
                f"m-{index}-level": str(level),
                f"m-{index}-heading": heading,
                f"m-{index}-paragraphs": paragraphs,
            }
        )
    data.update(fields)
    return data


TWO_SECTIONS = [
    (1, "关于提高工人待遇方面", "建立了重点产业企业薪酬调查工作机制。\n完成了 275 家省级样本企业薪酬调查。"),
    (1, "关于弘扬劳模精神方面", "积极开展劳模先进事迹宣传。"),
]


@pytest.fixture
def draft(lead_assignment, union_assignment, clerk):
    client = login(clerk)
    response = client.post(reverse("assignment_start", args=[lead_assignment.pk]))
    reply = Reply.objects.get(assignment=lead_assignment)
    assert response["Location"] == reverse("reply_edit", args=[reply.pk])
    response = client.post(
        reverse("reply_edit", args=[reply.pk]), editor_data(reply, TWO_SECTIONS, class_code="A")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Reply.objects.get(pk=reply.pk)


def submit_opinion(cohandler, union_assignment):
    login(cohandler).post(
        reverse("opinion_edit", args=[union_assignment.pk]),
        {"text": "市总工会将继续开展劳模宣传月活动。", "submit": "1"},
    )


@pytest.fixture
def submitted(draft, clerk, cohandler, union_assignment):
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    return Reply.objects.get(pk=draft.pk)


@pytest.fixture
def issued(submitted, leader, clerk, pki):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    login(clerk).post(reverse("reply_issue", args=[submitted.pk]))
    return Reply.objects.get(pk=submitted.pk)
