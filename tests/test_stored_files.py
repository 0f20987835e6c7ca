"""Every stored file is checked against its recorded hash wherever it is served or packed
(issue 14 §4): the public PDF, the filing archive's download and the seal stamped on a letter.
A mismatch refuses, writes 存档文件校验失败 and tells committee staff which file."""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from proposals import workflow
from proposals.models import AuditEvent, ExportJob, Notice, Reply, ReplyStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db


def swap(stored, data: bytes = b"%PDF-1.7 another file") -> None:
    with stored.open("wb") as handle:
        handle.write(data)


def told(committee_staff, words: str) -> bool:
    return Notice.objects.filter(user=committee_staff, text__contains=words).exists()


def test_a_swapped_public_pdf_is_refused(issued, second_leader, committee_staff):
    publication = workflow.publish(Reply.objects.get(pk=issued.pk), second_leader)
    public = Client()
    url = reverse("public_reply_pdf", args=[issued.pk])
    assert public.get(url).status_code == 200
    swap(publication.pdf)
    response = public.get(url)
    assert response.status_code == 409 and "未通过校验" in response.content.decode()
    event = AuditEvent.objects.get(event="file_integrity_failure")
    assert event.object_type == "proposals.Publication" and event.object_id == str(publication.pk)
    assert told(committee_staff, "的答复函公开版与生成时的校验值不一致")


def test_a_swapped_archive_is_not_handed_out(issued, committee_staff, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    staff = login(committee_staff)
    staff.post(reverse("exports"), {"session": issued.proposal.session.pk})
    job = ExportJob.objects.get()
    assert job.status == "done" and len(job.file_sha256) == 64
    download = reverse("export_download", args=[job.pk])
    assert staff.get(download).status_code == 200
    swap(job.file, b"PK\x03\x04 another archive")
    response = staff.get(download)
    assert response.status_code == 409
    assert (
        "答复函归档（第" in response.content.decode()
        and "与生成时的校验值不一致" in response.content.decode()
    )
    assert AuditEvent.objects.filter(event="file_integrity_failure", object_id=str(job.pk)).exists()
    assert told(committee_staff, "答复函归档")


def test_a_swapped_seal_stops_the_letter_going_out(submitted, leader, clerk, committee_staff, pki):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    agency = submitted.agency
    agency.refresh_from_db()
    assert len(agency.seal_sha256) == 64  # recorded when the seal was uploaded
    swap(agency.seal, b"\x89PNG another seal")
    response = login(clerk).post(reverse("reply_issue", args=[submitted.pk]), follow=True)
    assert "电子印章图片与生成时的校验值不一致" in response.content.decode()
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.APPROVED
    event = AuditEvent.objects.get(event="file_integrity_failure")  # kept: outside the refused transaction
    assert event.object_type == "proposals.Agency"
    assert told(committee_staff, f"{agency.name}的电子印章图片")


def test_a_new_seal_upload_records_its_own_hash(hr_agency, pki):
    hr_agency.refresh_from_db()
    first = hr_agency.seal_sha256
    hr_agency.seal.save("new-seal.png", ContentFile(io.BytesIO(b"\x89PNG new seal").getvalue()))
    hr_agency.refresh_from_db()
    assert hr_agency.seal_sha256 not in ("", first)
    second = hr_agency.seal_sha256
    hr_agency.leader_phone = "0722-3251238"
    hr_agency.save()  # an unrelated change keeps the recorded value
    hr_agency.refresh_from_db()
    assert hr_agency.seal_sha256 == second
