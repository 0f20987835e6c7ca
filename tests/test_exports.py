"""Filing: every issued reply of a session as one ZIP, built in the background."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from proposals import workflow
from proposals.letters.interchange import import_letter, read_letter
from proposals.models import ExportJob, Reply, ReplyStatus, User, UserRole
from tests.conftest import SEED_JSON

pytestmark = pytest.mark.django_db


def issue_letter(number: str, agency: str, title: str) -> Reply:
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter.update(
        proposal_number=number,
        agency=agency,
        proposal_title=title,
        title=f"对市五届人大一次会议第{number}号建议的答复",
    )
    reply = import_letter(read_letter(letter, f"{number}.json"))
    call_command("make_demo_pki", stdout=io.StringIO())
    clerk = User.objects.filter(agency=reply.agency, role=UserRole.CLERK).first() or User.objects.create(
        username=f"clerk-{reply.agency.pk}", role=UserRole.CLERK, agency=reply.agency
    )
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED)
    return workflow.issue(Reply.objects.get(pk=reply.pk), clerk)


@pytest.fixture
def issued_session(seed_reply, clerk, pki):
    Reply.objects.filter(pk=seed_reply.pk).update(status=ReplyStatus.APPROVED)
    first = workflow.issue(Reply.objects.get(pk=seed_reply.pk), clerk)
    second = issue_letter("15", "随州市教育局", "关于加强职业教育的建议")
    third = issue_letter("8", "随州市交通运输局", '=HYPERLINK("http://example.invalid","点我")')
    return [first, second, third]


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_committee_exports_a_session_as_zip_with_register(issued_session, committee_staff, immediate_tasks):
    client = staff_client(committee_staff)
    session = issued_session[0].proposal.session
    response = client.post(reverse("exports"), {"session": session.pk})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    assert (job.status, job.total, job.done) == ("done", 3, 3)
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "下载 ZIP" in page and "100%" in page
    download = client.get(reverse("export_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "12-随州市人力资源和社会保障局.pdf",
        "15-随州市教育局.pdf",
        "8-随州市交通运输局.pdf",
        "index.xlsx",
    ]
    sheet = load_workbook(io.BytesIO(archive.read("index.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "提出人")
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number["12"][1] == "关于化解企业招工难的建议" and by_number["12"][2] == "沈宝栋、李芸等"
    for reply in issued_session:
        data = archive.read(f"{reply.proposal.number}-{reply.agency.name}.pdf")
        assert hashlib.sha256(data).hexdigest() == reply.pdf_sha256 == by_number[reply.proposal.number][7]
    # A title that looks like a formula stays text.
    cells = [cell for row in sheet.iter_rows() for cell in row]
    risky = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert risky and all(c.data_type == "s" and c.value.startswith("'=") for c in risky)


@pytest.mark.django_db(transaction=True)  # the worker closes connections, as a real worker does
def test_the_database_worker_builds_the_export(issued_session, committee_staff, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client = staff_client(committee_staff)
    client.post(reverse("exports"), {"session": issued_session[0].proposal.session.pk})
    job = ExportJob.objects.get()
    assert job.status == "queued"
    progress = client.get(reverse("export_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in progress and "排队中" in progress
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 3)
    assert (
        "every 1s"
        not in client.get(reverse("export_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    )


def test_exports_are_for_committee_staff_only(issued_session, clerk, committee_staff, immediate_tasks):
    staff_client(committee_staff).post(reverse("exports"), {"session": issued_session[0].proposal.session.pk})
    job = ExportJob.objects.get()
    client = staff_client(clerk)
    assert client.get(reverse("exports")).status_code == 403
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404


def test_a_swapped_letter_stops_the_archive_and_staff_are_told(
    issued_session, committee_staff, immediate_tasks
):
    from proposals.models import AuditEvent, Notice

    swapped = issued_session[1]
    with swapped.pdf.open("wb") as stored:  # replaced on disk behind the portal's back
        stored.write(b"%PDF-1.7 a different letter")
    client = staff_client(committee_staff)
    client.post(reverse("exports"), {"session": swapped.proposal.session.pk})
    job = ExportJob.objects.get()
    assert job.status == "failed" and not job.file
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert (
        "导出失败：市五届人大一次会议第15号建议（随州市教育局）的答复函与生成时的校验值不一致，已拒绝使用"
        in page
    )
    event = AuditEvent.objects.get(event="file_integrity_failure")
    assert event.object_id == str(swapped.pk) and event.outcome == "denied"
    assert event.detail["expected_sha256"] == swapped.pdf_sha256
    notice = Notice.objects.get(user=committee_staff)
    assert notice.text.startswith("存档文件校验失败：市五届人大一次会议第15号建议（随州市教育局）的答复函")
    assert notice.link == reverse("reply_detail", args=[swapped.pk])
