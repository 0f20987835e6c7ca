"""The cast every test module shares: two agencies, a committee, and one user per role."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from proposals.letters.interchange import import_letter, read_letter_file
from proposals.models import Agency, Assignment, Role, User, UserRole

REPO = Path(__file__).resolve().parent.parent
SEED_JSON = REPO / "proposals" / "demo" / "reply-12.json"
SHARED_SEED_JSON = REPO.parent / "shared" / "seed" / "reply-12.json"
SHARED_SEED_TXT = REPO.parent / "shared" / "seed" / "reply-12.txt"
PASSWORD = "Suizhou-2026-test"
CHROMIUM = "/usr/bin/chromium"  # Debian's build; never `playwright install`


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
    """The 随州 seed letter, imported as 随州市人力资源和社会保障局's reply to 建议 12."""
    return import_letter(read_letter_file(SEED_JSON))


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
