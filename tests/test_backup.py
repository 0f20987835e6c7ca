"""REL-06: backup, restore into an empty instance, and the integrity checks, on the test
database's own kind (SQLite or PostgreSQL, chosen by DATABASE_URL)."""

import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from proposals.models import AuditEvent, Publication, Reply
from proposals.records import dbguards
from proposals.records.audit import verify_chain
from tests.conftest import login
from tests.databases import empty_database

# pg_dump runs in another process: the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(issued, leader):
    """The issued seed reply, and its public version (公开版), both stored as PDFs."""
    login(leader).post(reverse("reply_publish", args=[issued.pk]))
    assert Publication.objects.filter(reply=issued).exists()
    return Reply.objects.get(pk=issued.pk)


def run(command: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(command: str, *args) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(command, *args, stdout=out, stderr=err)
    return str(refused.value), out.getvalue(), err.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
    }


def flip_a_byte(archive, member_name: str) -> None:
    """Rewrite the media archive with one byte of `member_name` changed (a damaged backup)."""
    with tarfile.open(archive) as tar:
        members = [
            (member, tar.extractfile(member).read() if member.isfile() else None)
            for member in tar.getmembers()
        ]
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            if member.name == member_name:
                data = bytearray(data)
                data[len(data) // 2] ^= 0xFF
                data = bytes(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)


def test_backup_then_restore_into_an_empty_database_reproduces_rows_chain_and_letters(
    published, settings, tmp_path
):
    reply, publication = published, Publication.objects.get(reply=published)
    before = row_counts()
    chain = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))
    assert len(chain) >= 8  # drafting, saving, submitting, signing, issuing, publishing …

    out, _ = run("backup", str(tmp_path / "backup"))
    assert "备份完成" in out
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["database"]["file"] == (
        "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"
    )
    for part in ("database", "media"):
        stored = (tmp_path / "backup" / manifest[part]["file"]).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == manifest[part]["sha256"]
    assert manifest["tables"]["proposals_reply"] == Reply.objects.count()
    assert manifest["tables"]["proposals_auditevent"] == len(chain)
    assert manifest["audit"] == {"length": len(chain), "last_seq": chain[-1][0], "last_hash": chain[-1][1]}
    assert {
        (letter["kind"], letter["id"], letter["file"], letter["sha256"]) for letter in manifest["letters"]
    } == {
        ("reply", reply.pk, reply.pdf.name, reply.pdf_sha256),
        ("public", publication.pk, publication.pdf.name, publication.pdf_sha256),
    }
    assert manifest["media"]["files"][reply.pdf.name] == reply.pdf_sha256
    assert "proposals.0001_initial" in manifest["migrations"]

    with empty_database(tmp_path):
        settings.MEDIA_ROOT = tmp_path / "restored-media"
        out, err = run("restore", str(tmp_path / "backup"))
        assert err == ""
        assert "每张表的行数与备份清单一致" in out and "哈希链完整" in out and "恢复完成，校验全部通过" in out
        assert "存档 PDF 2 份（其中公开版 1 份），文件的 SHA-256 与数据库记录、备份清单一致" in out
        # Checked independently of the command: the same rows, chain and letters.
        assert row_counts() == before
        assert list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")) == chain
        assert verify_chain() == (len(chain), [])
        restored = Reply.objects.get(pk=reply.pk)
        assert restored.status == "issued" and restored.pdf_sha256 == reply.pdf_sha256
        assert hashlib.sha256(restored.pdf.read()).hexdigest() == reply.pdf_sha256
        restored.pdf.close()
        # The database guards come back with the dump: the restored letter stays frozen.
        assert dbguards.installed(connection)
        out, _ = run("verifyintegrity")
        assert "完整性校验通过" in out


def test_a_damaged_letter_in_the_backup_is_reported_and_the_restore_fails(issued, settings, tmp_path):
    run("backup", str(tmp_path / "backup"))
    flip_a_byte(tmp_path / "backup" / "media.tar", issued.pdf.name)
    with empty_database(tmp_path):
        settings.MEDIA_ROOT = tmp_path / "restored-media"
        message, out, err = run_failing("restore", str(tmp_path / "backup"))
        assert "恢复后的校验发现" in message and "恢复的数据不可直接使用" in message
        assert "备份文件 media.tar 的校验值与备份清单不符" in err
        assert f"答复函（答复 id {issued.pk}）的文件“{issued.pdf.name}”校验值与数据库记录不符" in err
        assert f"媒体文件“{issued.pdf.name}”的校验值与备份清单不符" in err
        assert "哈希链完整" in out  # what did verify is still listed


def test_restore_refuses_a_database_that_is_not_empty(issued, tmp_path):
    run("backup", str(tmp_path / "backup"))
    before = row_counts()
    message, _, _ = run_failing("restore", str(tmp_path / "backup"))
    assert "不是空库" in message and "拒绝恢复" in message
    assert row_counts() == before


def test_restore_refuses_a_media_folder_that_already_holds_the_files(issued, tmp_path):
    run("backup", str(tmp_path / "backup"))
    with empty_database(tmp_path):  # MEDIA_ROOT still holds the issued letter
        message, _, _ = run_failing("restore", str(tmp_path / "backup"))
        assert "媒体目录中已有" in message and "拒绝恢复" in message
        assert connection.introspection.table_names() == []  # nothing was written


def test_backup_never_writes_into_a_folder_that_is_not_empty(seed_reply, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "manifest.json").write_text("{}")
    message, _, _ = run_failing("backup", str(tmp_path / "backup"))
    assert "不是空目录" in message
    assert (tmp_path / "backup" / "manifest.json").read_text() == "{}"


def test_verifyintegrity_names_a_changed_letter_and_an_edited_audit_row(issued):
    out, _ = run("verifyintegrity")
    assert "哈希链完整" in out and "存档 PDF 1 份" in out and "完整性校验通过" in out

    with open(issued.pdf.path, "r+b") as stored:
        stored.seek(100)
        byte = stored.read(1)
        stored.seek(100)
        stored.write(bytes([byte[0] ^ 0xFF]))
    victim = AuditEvent.objects.order_by("seq")[2]
    dbguards.remove(connection)  # what someone with direct database access could do
    try:
        AuditEvent.objects.filter(pk=victim.pk).update(actor_name="改过的名字")
    finally:
        dbguards.install(connection)
    message, _, err = run_failing("verifyintegrity")
    assert "完整性校验发现 2 处问题" in message
    assert f"答复函（答复 id {issued.pk}）的文件“{issued.pdf.name}”校验值与数据库记录不符" in err
    assert f"第{victim.seq}条（id {victim.pk}）内容被修改" in err
