"""Stored files are what was recorded (issue 14 §4, REL-07): a signed letter, a public PDF or an
archive is read only through here wherever it is served or packed, and refused when its SHA-256
no longer matches the value recorded when it was made. A refusal writes an audit event and tells
committee staff which file, so that nobody hands out a swapped letter unnoticed."""

from __future__ import annotations

import hashlib
from typing import NoReturn

from django.urls import reverse

from proposals.models import User, UserRole
from proposals.records import audit
from proposals.supervision.notices import notify


class TamperedFile(Exception):
    """The stored file differs from the recorded one; the message says which, in Chinese."""


def verified_bytes(stored, expected_sha256: str, *, what: str, obj, link: str = "", request=None) -> bytes:
    """The stored file's bytes, or TamperedFile when they are not the recorded ones (or missing).
    `what` names the file as staff know it: 市五届人大一次会议第12号建议（市人社局）的答复函."""
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        data = None
    actual = hashlib.sha256(data).hexdigest() if data is not None else ""
    if data is not None and expected_sha256 and actual == expected_sha256:
        return data
    _refuse(data is None, expected_sha256, actual, what=what, obj=obj, link=link, request=request)


def verified_file(stored, expected_sha256: str, *, what: str, obj, link: str = "", request=None):
    """The stored file opened for reading (a large archive, hashed in chunks first), or
    TamperedFile as verified_bytes."""
    digest = hashlib.sha256()
    try:
        handle = stored.open("rb")
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    except (OSError, ValueError):
        _refuse(True, expected_sha256, "", what=what, obj=obj, link=link, request=request)
    if expected_sha256 and digest.hexdigest() == expected_sha256:
        handle.seek(0)
        return handle
    handle.close()
    _refuse(False, expected_sha256, digest.hexdigest(), what=what, obj=obj, link=link, request=request)


def _refuse(
    missing: bool, expected_sha256: str, actual: str, *, what: str, obj, link: str, request
) -> NoReturn:
    problem = "存档文件缺失" if missing else "与生成时的校验值不一致"
    audit.record(
        request,
        "file_integrity_failure",
        obj,
        outcome="denied",
        file=what,
        expected_sha256=expected_sha256,
        actual_sha256=actual,
    )
    staff = User.objects.filter(role=UserRole.COMMITTEE, is_active=True)
    notify(
        staff,
        f"存档文件校验失败：{what}{problem}，已拒绝使用。请核查服务器上的文件，必要时从备份恢复。",
        link or reverse("audit_log"),
        subject="存档文件校验失败",
    )
    raise TamperedFile(f"{what}{problem}，已拒绝使用；已通知委员会工作人员核查。")


def reply_label(reply) -> str:
    proposal = reply.proposal
    agency = reply.agency.short_name or reply.agency.name
    round_part = f"第{reply.round}轮" if reply.round > 1 else ""
    letter = "办理落实情况的报告" if reply.kind == "report" else "答复函"
    return f"{proposal.session.name}第{proposal.number}号{proposal.kind}（{agency}）{round_part}的{letter}"
