"""跟踪办理 (domain.md §3): a reply issued with a class that promises further work (the session's
`follow_up_codes()`, default B) becomes a commitment (跟踪事项) in the issuing transaction, due on
the session's `follow_up_due` or 31 December of the session's year. The agency edits what was
promised and which measures carry it while it is open, reports progress (落实情况), and sends a
second letter, the 办理落实情况的报告: a `Reply` of kind REPORT on the same assignment and round
that goes through the same letter workflow (editor, submit, 会签, 签发, 发出 with its own signed
PDF). Issuing it fulfils the commitment. The clock reminds the agency 30 and 7 days before the
due date, once each (`reminded_30`, `reminded_7`).

Every write locks the commitment, checks who acts, records a HandlingEvent (the timeline) and its
audit row, and tells whoever acts next; a refusal is a `WorkflowError`, nothing written.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from measures.models import Measure
from proposals.models import (
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    HandlingVerb,
    Reply,
    ReplyCopy,
    ReplyEvent,
    ReplyKind,
    User,
    UserRole,
)
from proposals.supervision import notices
from proposals.workflow import clocks
from proposals.workflow.moves import (
    S,
    WorkflowError,
    audit_write,
    bounded,
    record_handling,
    require_role,
    snapshot,
)

AGENCY_ROLES = (UserRole.CLERK, UserRole.LEADER)
REMINDER_DAYS = (30, 7)
SUMMARY_MAX = 300
PROGRESS_MAX = 2000


def _date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def due_date_for(reply: Reply) -> datetime.date:
    """The session's 跟踪事项完成期限, else 31 December of the session's year (the issue year when
    the session has none). Never a day already past when the reply is issued (a letter filed
    late for an old session): then 31 December of the issue year."""
    session = reply.proposal.session
    issued = reply.issued_on or timezone.localdate()
    due = session.follow_up_due or datetime.date(session.year or issued.year, 12, 31)
    return due if due >= issued else datetime.date(issued.year, 12, 31)


def promised(reply: Reply) -> str:
    """The default 承诺事项: the headings of the reply's measures (else its first paragraph)."""
    tops = list(reply.measures.filter(parent__isnull=True).order_by("position"))
    headings = [m.heading.strip().rstrip("。；;") for m in tops if m.heading.strip()]
    if headings:
        text = "按答复所列措施落实：" + "；".join(headings) + "。"
    else:
        first = next((p for m in tops for p in m.paragraph_list), "")
        text = f"按答复落实：{first}" if first else "按答复所列措施落实。"
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def after_issue(reply: Reply, user: User) -> Commitment | None:
    """Called by issuing, in its transaction, once a letter is 已答复: an answer of a follow-up
    class makes a commitment; a report fulfils the one it reports on."""
    if reply.kind == ReplyKind.REPORT:
        return _fulfil(reply, user)
    if reply.class_code not in reply.proposal.session.follow_up_codes():
        return None
    if Commitment.objects.filter(reply=reply).exists():
        return None
    commitment = Commitment.objects.create(
        assignment=reply.assignment,
        reply=reply,
        class_code=reply.class_code,
        text=promised(reply),
        due_date=due_date_for(reply),
    )
    commitment.measures.set(reply.measures.filter(parent__isnull=True))
    record_handling(
        reply.assignment,
        HandlingVerb.COMMITMENT_CREATE,
        user,
        f"{reply.class_code}类答复，完成期限{_date_text(commitment.due_date)}",
        reply=reply,
        commitment=commitment.pk,
    )
    notices.commitment_created(commitment, user)
    return commitment


def _fulfil(report: Reply, user: User) -> Commitment:
    commitment = Commitment.objects.select_for_update().filter(report=report).first()
    if commitment is None:
        raise WorkflowError("该办理落实情况的报告没有对应的跟踪事项，不能发出。")
    if commitment.status != CommitmentStatus.OPEN:
        raise WorkflowError("该跟踪事项已经落实。")
    commitment.status = CommitmentStatus.FULFILLED
    commitment.fulfilled_on = report.issued_on or timezone.localdate()
    commitment.save(update_fields=["status", "fulfilled_on"])
    late = commitment.fulfilled_on > commitment.due_date
    record_handling(
        report.assignment,
        HandlingVerb.COMMITMENT_FULFIL,
        user,
        f"已发出办理落实情况的报告（{'逾期落实' if late else '按期落实'}）",
        reply=report,
        commitment=commitment.pk,
    )
    return commitment


def _locked(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update()
        .select_related("assignment__proposal__session", "assignment__agency", "reply")
        .get(pk=commitment.pk)
    )


def _require_open(commitment: Commitment, action: str) -> None:
    if commitment.status != CommitmentStatus.OPEN:
        raise WorkflowError(f"该跟踪事项已落实，不能再{action}。")


@transaction.atomic
def edit_commitment(commitment: Commitment, user: User, text: str, measure_ids: list[int]) -> Commitment:
    """The agency corrects what was promised and ticks the measures that carry it, while open."""
    commitment = _locked(commitment)
    require_role(user, commitment.assignment.agency_id, AGENCY_ROLES, "修改跟踪事项")
    _require_open(commitment, "修改")
    text = bounded(text, "承诺事项", SUMMARY_MAX * 3)
    if not text:
        raise WorkflowError("请填写承诺事项。")
    measures = list(commitment.reply.measures.filter(pk__in=measure_ids))
    if len(measures) != len(set(measure_ids)):
        raise WorkflowError("所选措施不属于该答复。")
    commitment.text = text
    commitment.save(update_fields=["text"])
    commitment.measures.set(measures)
    audit_write("commitment_edit", commitment, user, text=text, measures=[m.pk for m in measures])
    return commitment


@transaction.atomic
def report_progress(commitment: Commitment, user: User, day: datetime.date, text: str) -> CommitmentProgress:
    """落实情况: the agency records how far the promise has come (a date, what was done)."""
    commitment = _locked(commitment)
    require_role(user, commitment.assignment.agency_id, AGENCY_ROLES, "报告落实情况")
    _require_open(commitment, "报告落实情况")
    text = bounded(text, "落实情况", PROGRESS_MAX)
    if not text:
        raise WorkflowError("请填写落实情况。")
    if day is None:
        raise WorkflowError("请填写落实情况的日期。")
    if day > timezone.localdate():
        raise WorkflowError("落实情况的日期不能晚于今天。")
    progress = CommitmentProgress.objects.create(commitment=commitment, day=day, text=text, reported_by=user)
    record_handling(
        commitment.assignment,
        HandlingVerb.COMMITMENT_PROGRESS,
        user,
        f"{_date_text(day)}：{text}",
        reply=commitment.reply,
        commitment=commitment.pk,
    )
    return progress


def _report_opening(answer: Reply) -> str:
    p = answer.proposal
    when = f"已于{_date_text(answer.issued_on)}答复" if answer.issued_on else "已答复"
    return (
        f"您（们）在{p.session.name}上提出的《{p.title}》（第{p.number}号{p.kind}）{when}。"
        f"对答复中承诺的事项，我单位持续跟踪落实，现将办理落实情况报告如下："
    )


@transaction.atomic
def start_report(commitment: Commitment, user: User) -> Reply:
    """Open the 办理落实情况的报告: a REPORT on the same assignment and round as the answer, with the
    session's title, a report's opening, the answer's salutation, the agency's contact people and
    抄送 list, and one section per committed measure for the clerk to fill in."""
    commitment = _locked(commitment)
    require_role(user, commitment.assignment.agency_id, AGENCY_ROLES, "起草办理落实情况的报告")
    _require_open(commitment, "起草办理落实情况的报告")
    if commitment.report_id:
        raise WorkflowError("该跟踪事项的办理落实情况的报告已在办理中，请继续办理该报告。")
    answer = commitment.reply
    assignment = commitment.assignment
    if Reply.objects.filter(assignment=assignment, round=answer.round, kind=ReplyKind.REPORT).exists():
        raise WorkflowError("本轮答复已有办理落实情况的报告。")
    report = Reply(
        assignment=assignment,
        round=answer.round,
        kind=ReplyKind.REPORT,
        created_by=user,
        due_date=commitment.due_date,
        class_code=answer.class_code,
        salutation=answer.salutation,
        heading_style=answer.heading_style,
    )
    report.fill_defaults_from_agency()
    report.title = report.default_report_title()
    report.opening = _report_opening(answer)
    report.save()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=report, position=c.position, recipient=c.recipient, copies=c.copies)
        for c in assignment.agency.default_copies.all()
    )
    Measure.objects.bulk_create(
        Measure(reply=report, level=1, position=i, heading=m.heading)
        for i, m in enumerate(commitment.measures.filter(parent__isnull=True).order_by("position"), start=1)
        if m.heading.strip()
    )
    commitment.report = report
    commitment.save(update_fields=["report"])
    ReplyEvent.objects.create(reply=report, actor=user, verb="start", to_status=S.DRAFT)
    audit_write("reply_start", report, user, commitment=commitment.pk)
    snapshot(report, user)
    return report


@clocks.rule("跟踪事项到期提醒")
def remind(today: datetime.date) -> int:
    """30 and 7 days before the due date, the agency's clerks and leaders are reminded, once each;
    a commitment first seen inside 7 days gets the 7-day reminder only. Overdue ones are flagged
    where they are listed, not reminded."""
    sent = 0
    for commitment in Commitment.objects.filter(
        status=CommitmentStatus.OPEN, due_date__gte=today, due_date__lte=today + datetime.timedelta(days=30)
    ).filter(reminded_7__isnull=True):
        sent += _remind_one(commitment, today)
    return sent


@transaction.atomic
def _remind_one(commitment: Commitment, today: datetime.date) -> int:
    commitment = _locked(commitment)
    if commitment.status != CommitmentStatus.OPEN:
        return 0
    days = (commitment.due_date - today).days
    now = timezone.now()
    if days <= 7 and commitment.reminded_7 is None:
        commitment.reminded_7 = now
        commitment.reminded_30 = commitment.reminded_30 or now
    elif days <= 30 and commitment.reminded_30 is None:
        commitment.reminded_30 = now
    else:
        return 0
    record_handling(
        commitment.assignment,
        HandlingVerb.COMMITMENT_REMIND,
        None,
        f"距完成期限（{_date_text(commitment.due_date)}）还有{days}天",
        reply=commitment.reply,
        commitment=commitment.pk,
    )
    notices.commitment_due_soon(commitment, days)
    commitment.save(update_fields=["reminded_30", "reminded_7"])
    return 1
