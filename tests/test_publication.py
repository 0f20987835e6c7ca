"""公开: the public version of an issued reply carries no phone number; anyone can read it."""

import json
import re
import subprocess
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from proposals import workflow
from proposals.letters.interchange import import_letter, read_letter
from proposals.models import AuditEvent, Publication, Reply, ReplyStatus
from tests.conftest import SEED_JSON

pytestmark = pytest.mark.django_db

PHONES = [
    "13908661566",
    "139 0866 1566",
    "+86-139-0866-1566",
    "１３９０８６６１５６６",
    "139-0866-1566",
    "+86 13908661566",
    "(+86)139 0866 1566",
]


def digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@pytest.fixture
def issued_with_phones(hr_agency, clerk, pki):
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter["sections"][0]["paragraphs"].append(
        "咨询电话：" + "；".join(PHONES) + "。热线12333全天服务，全年补贴348.68万元。"
    )
    letter["closing"] = "如有疑问，请致电经办人19908660409或主管领导+86 139 0866 1566。"
    letter["contact"]["handler_phone"] = "１９９０８６６０４０９"
    del letter["contact_block_lines"]
    reply = import_letter(read_letter(letter, "phones.json"))
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED)
    return workflow.issue(Reply.objects.get(pk=reply.pk), clerk)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_public_version_has_no_phone_number_anywhere(issued_with_phones, leader, tmp_path):
    reply = issued_with_phones
    client_for(leader).post(reverse("reply_publish", args=[reply.pk]))
    publication = Publication.objects.get(reply=reply)
    assert AuditEvent.objects.filter(event="publish", object_id=str(publication.pk)).count() == 1

    anonymous = Client()
    html = anonymous.get(reverse("public_reply", args=[reply.pk])).content.decode()
    pdf = b"".join(anonymous.get(reverse("public_reply_pdf", args=[reply.pk])).streaming_content)
    (tmp_path / "public.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "public.pdf"), "-"], capture_output=True, text=True
    ).stdout
    meta = subprocess.run(
        [
            "pdfinfo",
            "-meta",
            str(tmp_path / "public.pdf"),
        ],
        capture_output=True,
        text=True,
    ).stdout
    info = subprocess.run(["pdfinfo", str(tmp_path / "public.pdf")], capture_output=True, text=True).stdout
    for where, content in (("html", html), ("pdf text", text), ("pdf metadata", meta + info)):
        for phone in PHONES + ["19908660409", "１９９０８６６０４０９"]:
            assert phone not in content, (where, phone)
        for number in ("13908661566", "19908660409"):
            assert number not in digits(content), (where, number)
    # The letter itself is intact apart from the numbers.
    flat = re.sub(r"\s+", "", text)
    assert "主管领导姓名：张春强" in flat and "经办人姓名：孙建波" in flat and "联系电话" not in flat
    assert "热线12333全天服务" in flat and "348.68万元" in flat and "（已隐去）" in flat
    # The archived letter keeps its numbers; only the public version is redacted.
    stored = subprocess.run(["pdftotext", reply.pdf.path, "-"], capture_output=True, text=True).stdout
    assert "13908661566" in stored


def test_only_a_leader_who_did_not_draft_may_publish(issued_with_phones, clerk, leader):
    reply = issued_with_phones
    response = client_for(clerk).post(reverse("reply_publish", args=[reply.pk]), follow=True)
    assert "只有本单位的主管领导／签发人可以批准公开" in response.content.decode()
    reply.versions.create(number=99, saved_by=leader, snapshot={})
    response = client_for(leader).post(reverse("reply_publish", args=[reply.pk]), follow=True)
    assert "公开须由未参与起草的领导审核" in response.content.decode()
    assert not Publication.objects.exists()


def test_confidential_proposals_are_never_published(issued_with_phones, leader):
    proposal = issued_with_phones.proposal
    proposal.confidential = True
    proposal.save()
    response = client_for(leader).post(reverse("reply_publish", args=[issued_with_phones.pk]), follow=True)
    assert "答复不得公开" in response.content.decode()
    assert not Publication.objects.exists()


def test_a_draft_cannot_be_published(seed_reply, leader):
    with pytest.raises(workflow.WorkflowError, match="答复发出后才能公开"):
        workflow.publish(seed_reply, leader)


def test_public_list_needs_no_login_and_searches(issued_with_phones, leader):
    anonymous = Client()
    assert "没有符合条件的公开答复" in anonymous.get(reverse("public_list")).content.decode()
    assert anonymous.get(reverse("public_reply", args=[issued_with_phones.pk])).status_code == 404
    client_for(leader).post(reverse("reply_publish", args=[issued_with_phones.pk]))
    page = anonymous.get(reverse("public_list")).content.decode()
    assert "对市五届人大一次会议第 12 号建议的答复" in page and "随州市人力资源和社会保障局" in page
    assert "招工难" in anonymous.get(reverse("public_list"), {"q": "招工"}).content.decode()
    assert (
        "没有符合条件的公开答复" in anonymous.get(reverse("public_list"), {"q": "农村公路"}).content.decode()
    )
    agency_id = issued_with_phones.agency.pk
    assert "第12号" in anonymous.get(reverse("public_list"), {"agency": agency_id}).content.decode()
    # The portal itself still needs a login.
    assert anonymous.get(reverse("reply_detail", args=[issued_with_phones.pk])).status_code == 302
