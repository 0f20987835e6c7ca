"""The audit trail (SEC-12, SEC-13): one row per security-relevant action with time (and UTC
offset), actor, role, IP, event, object and outcome; rows chained by hash; UPDATE and DELETE
refused by the database; the staff's audit page and its Excel export."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure
from proposals import workflow
from proposals.models import AuditEvent, Reply, ReplyCopy, ReplyEvent
from proposals.records import audit, dbguards
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def events_since(seq: int) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("event", "outcome"))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_each_action_writes_exactly_its_audit_row(issued, clerk, leader, committee_staff):
    client = Client(REMOTE_ADDR="10.20.30.40")
    start = last_seq()
    client.post(reverse("login"), {"username": "leader", "password": "wrong-Password-1"})
    client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    client.get(reverse("reply_pdf", args=[issued.pk]))
    client.post(reverse("reply_publish", args=[issued.pk]))
    client.post(reverse("logout"))
    assert events_since(start) == [
        ("login_failed", "failed"),
        ("login", "ok"),
        ("pdf_download", "ok"),
        ("publish", "ok"),
        ("logout", "ok"),
    ]
    for row in AuditEvent.objects.filter(seq__gt=start).exclude(event="login_failed"):
        assert (row.actor, row.actor_name, row.actor_role, row.ip) == (
            leader,
            "leader",
            "leader",
            "10.20.30.40",
        )
        assert row.at.utcoffset() is not None and row.hash and row.prev_hash
    # The workflow moves of the fixture: one row each, in order, on the reply.
    moves = list(
        AuditEvent.objects.filter(object_type="proposals.Reply", object_id=str(issued.pk))
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert moves[:1] == ["reply_start"] and moves.count("reply_submit") == 1
    assert moves.count("reply_sign_off") == 1 and moves.count("reply_issue") == 1
    # Refusals are recorded too.
    clerk_client = login(clerk)
    start = last_seq()
    assert clerk_client.get(reverse("dashboard")).status_code == 403
    assert events_since(start) == [("access_denied", "denied")]


def test_an_audit_failure_undoes_the_action(submitted, leader, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("审计表不可写")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(DatabaseError):
        workflow.sign_off(submitted, leader)
    assert Reply.objects.get(pk=submitted.pk).status == "submitted"
    assert not ReplyEvent.objects.filter(reply=submitted, verb="sign_off").exists()


def test_the_database_refuses_to_change_or_delete_audit_rows(clerk):
    row = audit.record(None, "login", clerk, actor=clerk)
    for sql in (
        "UPDATE proposals_auditevent SET outcome = 'failed' WHERE id = %s",
        "DELETE FROM proposals_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="审计记录只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(outcome="failed")
    assert AuditEvent.objects.get(pk=row.pk).outcome == "ok"


def test_the_database_refuses_to_change_an_issued_letter(issued):
    with pytest.raises(IntegrityError, match="答复已发出"), transaction.atomic():
        Reply.objects.filter(pk=issued.pk).update(title="改过的标题")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reply.objects.filter(pk=issued.pk).delete()
    measure = Measure.objects.filter(reply=issued).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(heading="改过的小标题")
    # bulk_create and QuerySet.delete skip the models' own guard: the triggers still refuse.
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.bulk_create([Measure(reply=issued, level=1, position=99, heading="补充")])
    assert issued.copies.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplyCopy.objects.filter(reply=issued).delete()
    assert Reply.objects.get(pk=issued.pk).title == issued.title


@pytest.fixture
def chain(clerk):
    """Six audit rows, and the triggers lifted as an intruder with database access would."""
    rows = [audit.record(None, "login", clerk, actor=clerk, n=n) for n in range(6)]
    dbguards.remove(connection)
    yield rows
    dbguards.install(connection)


def verify() -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verifyaudit", stdout=out, stderr=err)
    except CommandError as failure:
        return err.getvalue() + str(failure)
    return out.getvalue()


def test_verifyaudit_accepts_a_whole_chain(chain):
    assert "哈希链完整" in verify()


def test_verifyaudit_names_an_edited_row(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).update(outcome="failed")
    report = verify()
    assert f"第{chain[2].seq}条（id {chain[2].pk}）内容被修改" in report and "1 处问题" in report


def test_verifyaudit_names_a_deleted_row(chain):
    AuditEvent.objects.filter(pk=chain[3].pk).delete()
    assert f"第{chain[3].seq}条记录缺失" in verify()


def test_verifyaudit_names_an_inserted_row(chain, clerk):
    forged = AuditEvent(
        seq=chain[-1].seq + 1,
        at=chain[-1].at,
        actor=clerk,
        actor_name="clerk",
        event="login",
        outcome="ok",
        prev_hash="f" * 64,
    )
    forged.hash = forged.compute_hash()
    forged.save()
    report = verify()
    assert f"第{forged.seq}条（id {forged.pk}）与前一条记录的链接不符" in report
    assert "末尾的记录被删除或追加" in report


def test_a_line_break_in_a_user_name_stays_one_row(client):
    start = last_seq()
    client.post(reverse("login"), {"username": "clerk\n2026-11-25 login ok admin", "password": "x"})
    rows = AuditEvent.objects.filter(seq__gt=start)
    assert rows.count() == 1 and rows.get().actor_name == "clerk\n2026-11-25 login ok admin"
    assert audit.verify_chain()[1] == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(clerk):
    def write(n):
        from django.db import connection as own

        try:
            for i in range(5):
                with transaction.atomic():
                    audit.record(None, "export", None, actor=clerk, writer=n, i=i)
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seqs = list(AuditEvent.objects.filter(event="export").order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == 30 and seqs == list(range(seqs[0], seqs[0] + 30))
    assert audit.verify_chain()[1] == []


def test_staff_filter_and_export_the_trail(issued, committee_staff, clerk):
    client = login(committee_staff)
    page = client.get(reverse("audit_log"), {"event": "reply_issue"})
    html = page.content.decode()
    assert page.status_code == 200 and "答复代表" in html and "+08:00" in html
    assert page.context["page"].paginator.count == 1
    response = client.get(reverse("audit_xlsx"), {"actor": "clerk"})
    assert (
        "attachment" in response["Content-Disposition"]
        and "filename*=utf-8''" in response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.values)
    assert header[:6] == ("序号", "时间", "用户名", "角色", "IP 地址", "事件")
    assert rows and {row[2] for row in rows} == {"clerk"}
    assert all(
        cell.data_type == "s" or cell.value is None or isinstance(cell.value, int)
        for row in sheet.iter_rows(min_row=2)
        for cell in row
    )
    # Reading and exporting the trail are themselves recorded.
    assert AuditEvent.objects.filter(event="audit_view", actor=committee_staff).count() == 1
    assert AuditEvent.objects.filter(event="audit_export", actor=committee_staff).count() == 1
    assert login(clerk).get(reverse("audit_log")).status_code == 403
    assert login(clerk).get(reverse("audit_xlsx")).status_code == 403
