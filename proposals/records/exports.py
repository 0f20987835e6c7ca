"""Filing exports: every issued reply of a session as one ZIP of signed PDFs plus an Excel
register, built in the background (Django Tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile

from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from proposals.models import ExportJob, ExportStatus, Reply, ReplyKind, ReplyStatus
from proposals.records import integrity
from proposals.supervision.spreadsheets import xlsx

REGISTER_COLUMNS = [
    "编号",
    "标题",
    "提出人",
    "承办单位",
    "办理结果分类",
    "答复日期",
    "轮次",
    "SHA-256",
    "SM3",
]


def archive_name(reply: Reply) -> str:
    name = f"{reply.proposal.number}-{reply.agency.name}"
    if reply.round > 1:
        name += f"-第{reply.round}轮"
    if reply.kind == ReplyKind.REPORT:  # beside the answer it follows, never in its place
        name += "-办理落实情况的报告"
    return re.sub(r'[\\/:*?"<>|\s]+', "", name) + ".pdf"


def issued_replies(session_id: int):
    return (
        Reply.objects.filter(assignment__proposal__session_id=session_id, status=ReplyStatus.ISSUED)
        .select_related("assignment__proposal__session", "assignment__agency")
        .prefetch_related("assignment__proposal__authorships__deputy")
        .order_by("assignment__proposal__number", "assignment__agency__name", "round")
    )


def register_xlsx(replies: list[Reply]) -> bytes:
    def rows():
        for reply in replies:
            proposal = reply.proposal
            authors = "、".join(a.deputy.name for a in proposal.authorships.all())
            yield (
                proposal.number,
                proposal.title,
                authors + ("等" if proposal.more_authors else ""),
                reply.agency.name,
                reply.class_code,
                reply.issued_on,
                reply.round,
                reply.pdf_sha256,
                reply.pdf_sm3,
            )

    return xlsx("答复登记", REGISTER_COLUMNS, rows(), widths=(10, 40, 24, 28, 12, 12, 6, 66, 66))


@task()
def build_session_archive(job_id: int) -> None:
    """Fill the job's ZIP, reporting progress as it goes; a failure is recorded on the job."""
    job = ExportJob.objects.get(pk=job_id)
    replies = list(issued_replies(job.session_id))
    ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.RUNNING, total=len(replies), done=0)
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
                for index, reply in enumerate(replies, start=1):
                    # A swapped letter stops the archive (and staff are told which one).
                    pdf = integrity.verified_bytes(
                        reply.pdf,
                        reply.pdf_sha256,
                        what=integrity.reply_label(reply),
                        obj=reply,
                        link=reverse("reply_detail", args=[reply.pk]),
                    )
                    archive.writestr(archive_name(reply), pdf)
                    if index % 10 == 0 or index == len(replies):
                        ExportJob.objects.filter(pk=job_id).update(done=index)
                archive.writestr("index.xlsx", register_xlsx(replies))
            spool.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: spool.read(1 << 20), b""):
                digest.update(chunk)
            spool.seek(0)
            job.refresh_from_db()
            job.file.save(f"{job.session.name}-答复归档-{job.pk}.zip", File(spool), save=False)
        job.file_sha256 = digest.hexdigest()
        job.status, job.finished_at = ExportStatus.DONE, timezone.now()
        job.save(update_fields=["file", "file_sha256", "status", "finished_at"])
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        raise


def start_export(session, user) -> ExportJob:
    job = ExportJob.objects.create(session=session, requested_by=user)
    build_session_archive.enqueue(job.pk)
    return job
