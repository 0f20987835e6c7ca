"""The admin is Chinese throughout (issue 13 §7): every page a system administrator opens, from
the index to each model's list, add and change page, names things in Chinese; Django's, axes's and
django-tasks' own English strings included."""

import contextlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from proposals.models import AuditEvent
from tests.conftest import login

# What a Chinese administrator reads as it is: technical names, and data rather than wording
# (digests, file names and paths, password hash summaries, the browser name axes did not get).
ALLOWED = re.compile(
    r"(?<![A-Za-z])(PDF|SHA-256|SM3|PKCS#12|PNG|README|REPLY_SIGNING_DIR|REPLY_SIGNING_PASSWORD_|IP|HTTP"
    r"|Accept|GET|POST|Control|Mac|Command|LDAP|e-psp|pbkdf2_sha256)(?![A-Za-z])"
    r"|[0-9a-f]{16,}|[\w.-]*/[\w./-]*|[\w-]+\.(png|pdf|p12)|[A-Za-z0-9+/]{6}\*+|<unknown>"
)


class VisibleText(HTMLParser):
    """Text a person reads: element text plus title, placeholder and aria-label attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea", "pre"):
            self.hidden += 1
        self.parts += [
            value for key, value in attrs if key in ("title", "placeholder", "aria-label") and value
        ]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "pre"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def english_words(html: str, known: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    words = set()
    data = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" for word in known))
    for part in parser.parts:
        words |= set(re.findall(r"[A-Za-z][A-Za-z ]{2,}", ALLOWED.sub("", data.sub("", part))))
    return {word.strip() for word in words if len(word.strip()) >= 3}


def admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse("admin:app_list", args=[meta.app_label]))
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model.objects.first()
        if first is not None:
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return list(dict.fromkeys(pages))


@pytest.mark.django_db
def test_every_admin_page_is_in_chinese(sysadmin, issued, client):
    # A failed and a successful login: rows in axes's and the audit's tables.
    client.post(reverse("login"), {"username": "sysadmin", "password": "错误的口令"})
    browser = login(sysadmin)
    assert AuditEvent.objects.exists()
    # Data, not the admin's wording: login names, and the form fields of a recorded login.
    known = {"sysadmin", "clerk", "leader", "cohandler", "committee", "outsider", "username", "password"}
    found = {}
    for url in admin_pages():
        response = browser.get(url)
        if response.status_code == 403:  # read-only records: no add page
            continue
        assert response.status_code == 200, url
        words = english_words(response.content.decode(), known)
        if words:
            found[url] = sorted(words)
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


@pytest.mark.django_db
def test_permissions_are_named_in_chinese():
    names = set(Permission.objects.values_list("name", flat=True))
    assert "可添加答复" in names and "可查看登录日志" in names and "可删除后台任务" in names
    assert not [name for name in names if name.startswith("Can ")]


@pytest.mark.django_db
def test_the_admin_scripts_speak_chinese_too(sysadmin):
    """The selection boxes for groups and permissions (SelectFilter2.js) take their words from the
    admin's JavaScript catalogue."""
    catalogue = login(sysadmin).get("/admin/jsi18n/").content.decode("unicode_escape")
    for english, chinese in (("Choose all %s", "全选%s"), ("Remove all %s", "移除全部%s")):
        assert f'"{english}": "{chinese}"' in catalogue


@pytest.mark.django_db
def test_a_draft_reply_in_the_admin_reads_as_in_the_editor(draft, sysadmin):
    """No JSON, no bare code: 会商单位 one per line, 办理结果分类 chosen from the session's set."""
    page = login(sysadmin).get(reverse("admin:proposals_reply_change", args=[draft.pk])).content.decode()
    assert '["' not in page.split('name="consulted"', 1)[1].split("</textarea>", 1)[0]
    assert '<option value="A" selected>A类：' in page
