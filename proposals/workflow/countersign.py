"""会签: the co-handling agencies (协办/会办) countersign the lead agency's final draft before
the leader's 签发 (domain.md §3; issue 16 §2), when the session's rule `countersign_on` is on.

The contract:
- `circulate(reply, user)` runs inside `drafting.submit`: one `Countersign` row per co-handler,
  circulation n+1, for the submitted version, due `countersign_working_days` working days from
  today (holidays and 调休 counted), one COUNTERSIGN_SEND event and a notice to each co-handler.
  No new circulation is started when the submitted text (the letter as `export_letter` gives it,
  the same content a `ReplyVersion` keeps) equals the text of the latest circulation, the same
  co-handlers took part and every one of them agreed or lapsed: they have already countersigned
  this very text. Rule off, or no co-handler: nothing happens.
- `countersign(row, user, agree, comments)`: the co-handler's clerk or leader agrees (同意) or
  returns comments (提出修改意见, required). Refused for another agency, a second answer, a
  superseded circulation (or a draft taken back), and after the due date (视为同意).
- `unsettled(reply)`: what still stops 签发 (pending or with comments in the latest
  circulation); `issuing.sign_off` refuses while it is not empty, naming the agencies. A reply
  submitted while the rule was off (or made by the bulk demo) has no circulation: nothing stops
  it; switching the rule off lets a waiting one through.
- The clock rule 会签逾期视为同意 marks open rows past their due date LAPSED (actor None), tells the
  lead, and does nothing the second time. `sign_off` records an overdue lapse itself too, so the
  leader never waits for the clock.
"""

from __future__ import annotations

import datetime
import json

from django.db import transaction
from django.utils import timezone

from proposals.letters.interchange import export_letter
from proposals.models import (
    Countersign,
    CountersignAnswer,
    HandlingVerb,
    Reply,
    ReplyVersion,
    User,
    UserRole,
    deadlines,
)
from proposals.supervision import notices
from proposals.workflow import clocks, grouping
from proposals.workflow.moves import (
    S,
    WorkflowError,
    bounded,
    co_assignments,
    record_handling,
    require_role,
    snapshot,
)

COMMENTS_MAX = 5000
A = CountersignAnswer


def applies(reply: Reply) -> bool:
    """The session's rule is on and the proposal has co-handlers."""
    return reply.proposal.session.countersign_on and co_assignments(reply).exists()


def latest_circulation(reply: Reply) -> list[Countersign]:
    """The rows of the reply's latest circulation (empty when it was never circulated)."""
    return list(Countersign.objects.current().filter(reply=reply).select_related("assignment__agency"))


def rounds(reply: Reply) -> list[dict]:
    """Every circulation, newest first, each with its rows (the reply page's 会签 card)."""
    rows = Countersign.objects.filter(reply=reply).select_related("assignment__agency", "answered_by")
    by_number: dict[int, list[Countersign]] = {}
    for row in rows.order_by("-circulation", "assignment__agency__name"):
        by_number.setdefault(row.circulation, []).append(row)
    latest = max(by_number, default=0)
    return [
        {
            "number": number,
            "version_number": items[0].version_number,
            "sent_at": items[0].sent_at,
            "rows": items,
            "current": number == latest,
        }
        for number, items in by_number.items()
    ]


def _plain(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _same_text(reply: Reply, rows: list[Countersign]) -> bool:
    version = ReplyVersion.objects.filter(reply=reply, number=rows[0].version_number).first()
    return version is not None and _plain(version.snapshot) == _plain(export_letter(reply))


def _submitted_version(reply: Reply, user: User) -> ReplyVersion:
    """The version that goes round: the latest saved one when it is the text as it stands, else a
    new snapshot of it (a letter loaded from a file, or facts of the proposal changed since)."""
    latest = reply.versions.order_by("-number").first()
    if latest is not None and _plain(latest.snapshot) == _plain(export_letter(reply)):
        return latest
    return snapshot(reply, user, submitted=True)


def circulate(reply: Reply, user: User) -> list[Countersign]:
    """Start a circulation of the submitted draft (in the caller's transaction, `reply` locked)."""
    if not applies(reply):
        return []
    co = list(co_assignments(reply))
    previous = latest_circulation(reply)
    if (
        previous
        and all(row.settled for row in previous)
        and {row.assignment_id for row in previous} == {a.pk for a in co}
        and _same_text(reply, previous)
    ):
        return []
    version = _submitted_version(reply, user)
    number = (previous[0].circulation if previous else 0) + 1
    due = deadlines.add_working_days(timezone.localdate(), reply.proposal.session.countersign_working_days)
    rows = [
        Countersign.objects.create(
            reply=reply, assignment=a, circulation=number, version_number=version.number, due_date=due
        )
        for a in co
    ]
    names = "、".join(a.agency.name for a in co)
    record_handling(
        reply.assignment,
        HandlingVerb.COUNTERSIGN_SEND,
        user,
        f"第{number}轮会签（第{version.number}版），送{names}，期限至{due.year}年{due.month}月{due.day}日",
        reply=reply,
        circulation=number,
        version=version.number,
    )
    notices.countersign_requested(rows, user)
    return rows


def recall(reply: Reply, user: User) -> None:
    """The draft was taken back (撤回提交, 退回修改): co-handlers still to answer learn that this
    circulation is over; the changed draft will come round again."""
    waiting = [row for row in latest_circulation(reply) if row.answer == A.PENDING]
    if waiting:
        notices.countersign_recalled(reply, waiting, user)


def unsettled(reply: Reply) -> list[Countersign]:
    """The rows of the latest circulation that still stop 签发: pending, or with comments."""
    if not reply.proposal.session.countersign_on:
        return []
    return [row for row in latest_circulation(reply) if not row.settled]


def refusal(rows: list[Countersign]) -> str:
    """Why 签发 must wait, in one sentence naming the agencies."""
    pending = [r for r in rows if r.answer == A.PENDING]
    commented = [r for r in rows if r.answer == A.COMMENTS]
    parts = []
    if pending:
        parts.append(
            "、".join(
                f"{r.assignment.agency.name}（截止{r.due_date.year}年{r.due_date.month}月{r.due_date.day}日）"
                for r in pending
            )
            + "尚未会签"
        )
    if commented:
        parts.append(
            "、".join(r.assignment.agency.name for r in commented)
            + "提出了修改意见，请经办人撤回提交（或由领导退回）修改后重新提交会签"
        )
    return f"会签尚未完成，暂不能签发：{'；'.join(parts)}。"


def lapse_overdue(reply: Reply, today: datetime.date | None = None) -> int:
    """Record 视为同意 for the reply's open rows past their due date (in the caller's transaction)."""
    today = today or timezone.localdate()
    rows = Countersign.objects.open().filter(reply=reply, due_date__lt=today)
    return sum(_lapse(row) for row in rows.select_for_update())


def _lapse(row: Countersign) -> int:
    row = Countersign.objects.select_related("assignment__agency", "reply__assignment").get(pk=row.pk)
    if row.answer != A.PENDING:
        return 0
    row.answer, row.answered_at = A.LAPSED, timezone.now()
    row.save(update_fields=["answer", "answered_at"])
    due = row.due_date
    record_handling(
        row.assignment,
        HandlingVerb.COUNTERSIGN_LAPSE,
        None,
        f"{row.assignment.agency.name}：会签期限{due.year}年{due.month}月{due.day}日届满未回复，视为同意",
        reply=row.reply,
        circulation=row.circulation,
    )
    notices.countersign_lapsed(row)
    return 1


@clocks.rule("会签逾期视为同意")
def lapse_all(today: datetime.date) -> int:
    """Every open 会签 past its due date counts as agreed; a second run finds none left."""
    done = 0
    for reply_id in (
        Countersign.objects.open()
        .filter(due_date__lt=today)
        .order_by()
        .values_list("reply_id", flat=True)
        .distinct()
    ):
        with transaction.atomic():
            reply = Reply.objects.select_for_update().get(pk=reply_id)
            done += lapse_overdue(reply, today)
    return done


@grouping.countersigns_together
@transaction.atomic
def countersign(row: Countersign, user: User, agree: bool, comments: str = "") -> Countersign:
    """同意 or 提出修改意见 on the current circulation of the lead's draft."""
    reply = (
        Reply.objects.select_for_update().select_related("assignment__proposal__session").get(pk=row.reply_id)
    )
    row = Countersign.objects.select_for_update().select_related("assignment__agency").get(pk=row.pk)
    row.reply = reply
    require_role(user, row.assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "会签")
    latest = (
        Countersign.objects.filter(reply=reply).order_by("-circulation").values_list("circulation", flat=True)
    )
    if row.circulation != latest.first():
        raise WorkflowError(
            f"第{row.circulation}轮会签已结束：主办单位已修改答复稿并重新送会签，请对最新一轮会签。"
        )
    if row.answer == A.LAPSED:
        raise WorkflowError("会签期限已过，已视为同意，不能再回复。")
    if row.answer != A.PENDING:
        raise WorkflowError(
            f"本单位已在第{row.circulation}轮会签中回复“{row.get_answer_display()}”，不能重复回复。"
        )
    if reply.status != S.SUBMITTED:
        raise WorkflowError("主办单位已撤回该答复稿修改，本轮会签已结束；重新提交后将再次送会签。")
    today = timezone.localdate()
    if row.due_date < today:
        due = row.due_date
        raise WorkflowError(f"会签期限已于{due.year}年{due.month}月{due.day}日届满，视为同意，不能再回复。")
    comments = bounded(comments, "修改意见", COMMENTS_MAX)
    if not agree and not comments:
        raise WorkflowError("提出修改意见必须写明具体意见。")
    row.answer = A.AGREED if agree else A.COMMENTS
    row.comments, row.answered_by, row.answered_at = comments, user, timezone.now()
    row.save(update_fields=["answer", "comments", "answered_by", "answered_at"])
    note = f"{row.assignment.agency.name}" + (f"：{comments}" if comments else "")
    record_handling(
        row.assignment,
        HandlingVerb.COUNTERSIGN_AGREE if agree else HandlingVerb.COUNTERSIGN_COMMENT,
        user,
        note,
        reply=reply,
        circulation=row.circulation,
    )
    if agree:
        notices.countersign_agreed(row, user, complete=not unsettled(reply))
    else:
        notices.countersign_commented(row, user)
    return row
