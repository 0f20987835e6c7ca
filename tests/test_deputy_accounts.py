"""代表／委员账号 (proposals/views/deputy_accounts.py): committee staff enter mobiles and open
accounts in bulk (all or nothing: a deputy without a mobile is named and nothing is opened) or
one by one, each with an SMS carrying the portal's address, and close them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals.models import AuditEvent, Deputy, ProposalAuthor, User, UserRole
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def authors(seed_reply):
    """The lead of 建议 12 with a mobile and a co-signer without one."""
    proposal = seed_reply.proposal
    lead = proposal.lead_author()
    lead.mobile = "13971230001"
    lead.save()
    second = Deputy.objects.create(name="王晓红", body=lead.body)
    ProposalAuthor.objects.create(proposal=proposal, deputy=second, position=9, is_lead=False)
    return proposal, lead, second


def page_url(proposal) -> str:
    return f"{reverse('deputy_accounts')}?session={proposal.session_id}"


def test_the_page_lists_the_sessions_deputies(authors, committee_staff):
    proposal, lead, second = authors
    html = login(committee_staff).get(page_url(proposal)).content.decode()
    assert lead.name in html and second.name in html and "未开通" in html


def test_bulk_activation_refuses_a_deputy_without_mobile_and_opens_nothing(
    authors, committee_staff, sms_outbox
):
    proposal, lead, second = authors
    client = login(committee_staff)
    response = client.post(page_url(proposal), {"deputy": [lead.pk, second.pk]}, follow=True)
    assert "王晓红没有登记手机号码" in response.content.decode()
    assert not User.objects.filter(role=UserRole.DEPUTY).exists()
    assert not sms_outbox


def test_bulk_activation_opens_accounts_and_sends_the_address(authors, committee_staff, sms_outbox, settings):
    settings.PORTAL_URL = "https://jyta.suizhou.example/deputy/login/"
    proposal, lead, second = authors
    client = login(committee_staff)
    response = client.post(
        reverse("deputy_mobile", args=[second.pk]),
        {"mobile": "139 7123 0002", "session": proposal.session_id},
    )
    assert response.status_code == 302
    response = client.post(page_url(proposal), {"deputy": [lead.pk, second.pk]}, follow=True)
    assert "已开通2个账号" in response.content.decode()
    accounts = User.objects.filter(role=UserRole.DEPUTY).order_by("deputy__name")
    assert {a.deputy_id for a in accounts} == {lead.pk, second.pk}
    assert not any(a.has_usable_password() for a in accounts)
    assert sorted(m.mobile for m in sms_outbox) == ["13971230001", "13971230002"]
    assert all("https://jyta.suizhou.example/deputy/login/" in m.text for m in sms_outbox)
    assert AuditEvent.objects.filter(event="deputy_account_open").count() == 2
    again = client.post(page_url(proposal), {"deputy": [lead.pk]}, follow=True)
    assert "此前已开通" in again.content.decode() and len(sms_outbox) == 2


def test_one_by_one_then_closing_and_reopening(authors, committee_staff, sms_outbox):
    proposal, lead, _ = authors
    client = login(committee_staff)
    client.post(reverse("deputy_account_open", args=[lead.pk]))
    account = User.objects.get(deputy=lead)
    assert account.is_active and "deputy/login/" in sms_outbox[0].text
    client.post(reverse("deputy_account_close", args=[lead.pk]))
    account.refresh_from_db()
    assert not account.is_active
    assert AuditEvent.objects.filter(event="deputy_account_close").exists()
    client.post(reverse("deputy_account_open", args=[lead.pk]))
    account.refresh_from_db()
    assert account.is_active and User.objects.filter(deputy=lead).count() == 1


def test_a_wrong_mobile_is_refused_in_chinese(authors, committee_staff):
    proposal, lead, _ = authors
    response = login(committee_staff).post(
        reverse("deputy_mobile", args=[lead.pk]), {"mobile": "12345678901", "session": proposal.session_id}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请输入正确的11位手机号码" in html
    assert 'value="12345678901"' in html, "the typed number is shown again"
    lead.refresh_from_db()
    assert lead.mobile == "13971230001"


def test_agencies_may_not_manage_accounts(authors, clerk):
    _, lead, _ = authors
    client = login(clerk)
    assert client.get(reverse("deputy_accounts")).status_code == 403
    # A deputy's own record is personal data: to an agency its URLs do not exist.
    assert client.post(reverse("deputy_account_open", args=[lead.pk])).status_code == 404
    assert not User.objects.filter(role=UserRole.DEPUTY).exists()


def test_closing_an_account_ends_the_deputys_session(authors, committee_staff):
    _, lead, _ = authors
    staff = login(committee_staff)
    staff.post(reverse("deputy_account_open", args=[lead.pk]))
    deputy = login(User.objects.get(deputy=lead))
    assert deputy.get(reverse("deputy_home")).status_code == 200
    staff.post(reverse("deputy_account_close", args=[lead.pk]))
    response = deputy.get(reverse("deputy_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("deputy_login"))
