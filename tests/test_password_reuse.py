"""SEC-02: an initial password cannot be "changed" to itself (which would clear the must-change
flag), and a new password is neither the current one nor one of the last five."""

import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import PasswordHistory, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
REUSED = "新密码不能与当前密码或最近5次用过的密码相同。"


def change(client: Client, old: str, new: str):
    return client.post(
        reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_an_initial_password_cannot_be_kept_by_changing_it_to_itself(clerk):
    User.objects.filter(pk=clerk.pk).update(must_change_password=True)
    client = Client()
    client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    response = change(client, PASSWORD, PASSWORD)
    assert response.status_code == 400 and REUSED in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.must_change_password and clerk.check_password(PASSWORD)


def test_the_last_five_passwords_are_refused_the_sixth_is_allowed_again(clerk):
    client = Client()
    client.force_login(clerk)
    passwords = [PASSWORD] + [f"Suizhou-Hubei-{n}x" for n in range(1, 7)]
    for old, new in zip(passwords[:5], passwords[1:6], strict=True):
        assert change(client, old, new).status_code == 302, new
        client.force_login(User.objects.get(pk=clerk.pk))
    current = passwords[5]
    for earlier in passwords[:6]:  # the current one and the five before it
        response = change(client, current, earlier)
        assert response.status_code == 400 and REUSED in response.content.decode(), earlier
    # One more change: the initial password is now six back, allowed again.
    assert change(client, current, passwords[6]).status_code == 302
    client.force_login(User.objects.get(pk=clerk.pk))
    assert change(client, passwords[6], PASSWORD).status_code == 302
    assert PasswordHistory.objects.filter(user=clerk).count() == 6
