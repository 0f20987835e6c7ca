"""Notices: who acts next learns it. One in-app notice per event and recipient (the 通知 page
and the count in the navigation bar) and, where an address is on file, an e-mail through
Django's mail backend, sent once the transaction that made the event commits.

The workflow calls one function per event, inside its own transaction: a refused move raises
before it gets here, so a second click notifies nobody twice, and an undone transaction takes
its notices with it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from proposals.models import (
    ANSWERING_ROLES,
    Agency,
    Assignment,
    Deputy,
    Notice,
    Reply,
    ReplyEvent,
    ReplyKind,
    User,
    UserRole,
)

SUBJECT_PREFIX = "【建议提案答复】"


# 并案办理: the member letters that move with the group's first letter tell nobody again.
_muted = contextvars.ContextVar("notices_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No notices inside the block (the moves of a 并案 group's member letters: the first
    letter's notice already told whoever acts next)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(users: Iterable[User], text: str, link: str, *, subject: str = "") -> list[Notice]:
    """One notice to each distinct active user of `users`; an e-mail with `subject` (default: the
    text's first words) to those with an address, after commit. Returns the notices made."""
    if _muted.get():
        return []
    recipients = list({user.pk: user for user in users if user.is_active}.values())
    notices = Notice.objects.bulk_create(Notice(user=user, text=text, link=link) for user in recipients)
    addresses = [user.email for user in recipients if user.email]
    if addresses:
        mail_subject = SUBJECT_PREFIX + (subject or text.split("：", 1)[0])
        body = f"{text}\n\n请登录建议提案答复管理系统查看：{link}"
        transaction.on_commit(lambda: send_mail(mail_subject, body, None, addresses, fail_silently=True))
    return notices


def notify_agency(agency: Agency, subject: str, text: str, link: str) -> int | None:
    """督办: every active user of `agency` gets a notice linking to `link`; those with an e-mail
    address also get `subject` and `text` by mail, at once (the count is kept on the 督办 record).
    Returns the number of addresses mailed (0 when sending failed), or None when nobody has one."""
    recipients = list(agency.users.filter(is_active=True))
    Notice.objects.bulk_create(Notice(user=r, text=text, link=link) for r in recipients)
    addresses = [r.email for r in recipients if r.email]
    if not addresses:
        return None
    return send_mail(subject, text, None, addresses, fail_silently=True) and len(addresses)


# --- who ------------------------------------------------------------------------------------------


def agency_people(agency_id: int, *roles: str):
    users = User.objects.filter(agency_id=agency_id, is_active=True)
    return users.filter(role__in=roles) if roles else users


def committee_staff():
    return User.objects.filter(role=UserRole.COMMITTEE, is_active=True)


def drafter(reply: Reply) -> User | None:
    """Who submitted the reply last (the one waiting for the leader's answer), else who started it."""
    event = (
        ReplyEvent.objects.filter(reply=reply, verb="submit").select_related("actor").order_by("-at", "-pk")
    )
    latest = event.first()
    return latest.actor if latest else reply.created_by


# --- what -----------------------------------------------------------------------------------------


def proposal_label(assignment: Assignment) -> str:
    proposal = assignment.proposal
    return f"{proposal.session.name}第{proposal.number}号{proposal.kind}"


def reply_label(reply: Reply) -> str:
    suffix = f"（第{reply.round}轮）" if reply.round > 1 else ""
    return f"{proposal_label(reply.assignment)}的{reply.get_kind_display()}{suffix}"


def _reply_link(reply: Reply) -> str:
    return reverse("reply_detail", args=[reply.pk])


def reply_submitted(reply: Reply, by: User, countersign=()) -> list[Notice]:
    """The leaders review it; when it went round for 会签 (`countersign`: the rows) they sign once
    every co-handler has agreed."""
    waiting = ""
    if countersign:
        names = "、".join(row.assignment.agency.name for row in countersign)
        waiting = f"已送{names}会签，会签完成后才能签发；"
    return notify(
        agency_people(reply.assignment.agency_id, UserRole.LEADER),
        f"待签发：{reply_label(reply)}，{by.display_name}已提交审核，{waiting}请审核签发或退回修改。",
        _reply_link(reply),
    )


def reply_returned(reply: Reply, by: User, reason: str) -> list[Notice]:
    person = drafter(reply)
    return notify(
        [person] if person else [],
        f"已退回：{reply_label(reply)}被{by.display_name}退回修改。退回理由：{reason}",
        reverse("reply_edit", args=[reply.pk]),
    )


def reply_withdrawn(reply: Reply, by: User) -> list[Notice]:
    return notify(
        agency_people(reply.assignment.agency_id, UserRole.LEADER),
        f"已撤回：{by.display_name}撤回了{reply_label(reply)}，暂不需审核。",
        _reply_link(reply),
    )


def reply_signed_off(reply: Reply, by: User) -> list[Notice]:
    person = drafter(reply)
    return notify(
        [person] if person else [],
        f"已签发：{reply_label(reply)}已由{by.display_name}签发，请发出答复代表。",
        _reply_link(reply),
    )


def sign_off_revoked(reply: Reply, by: User, reason: str) -> list[Notice]:
    person = drafter(reply)
    return notify(
        [person] if person else [],
        f"已撤销签发：{by.display_name}撤销了{reply_label(reply)}的签发，暂不要发出。理由：{reason}",
        _reply_link(reply),
    )


def reply_issued(reply: Reply, by: User) -> list[Notice]:
    if reply.assignment.answers_deputy:
        noun = "办理落实情况的报告" if reply.kind == ReplyKind.REPORT else "答复"
        round_part = f"第{reply.round}轮" if reply.round > 1 else ""
        tell_deputies(
            reply.proposal,
            f"已答复：{reply.agency.name}已发出对您的{proposal_label(reply.assignment)}的{round_part}{noun}，"
            "请查看并填写征询意见表。",
        )
    if reply.kind == ReplyKind.REPORT:
        return report_issued(reply, by)
    return notify(
        committee_staff(),
        f"已答复：{reply.agency.name}已发出{reply_label(reply)}，请登记代表的评价。",
        _reply_link(reply),
    )


def opinion_submitted(assignment: Assignment, by: User) -> list[Notice]:
    """The lead (and 分办) agencies' clerks learn that a co-handler's 会办意见 is in."""
    lead_agencies = assignment.proposal.assignments.filter(role__in=ANSWERING_ROLES).values_list(
        "agency_id", flat=True
    )
    clerks = User.objects.filter(agency_id__in=list(lead_agencies), role=UserRole.CLERK, is_active=True)
    replies = (
        Reply.objects.answers()
        .filter(assignment__proposal=assignment.proposal, assignment__role__in=ANSWERING_ROLES)
        .order_by("-round")
    )
    reply = replies.first()
    link = _reply_link(reply) if reply else reverse("queue")
    return notify(
        clerks,
        f"会办意见已提交：{assignment.agency.name}已提交对{proposal_label(assignment)}的会办意见。",
        link,
    )


def extension_requested(assignment: Assignment, by: User, reason: str) -> list[Notice]:
    reply = assignment.replies.answers().order_by("-round").first()
    return notify(
        committee_staff(),
        f"延期申请：{assignment.agency.name}申请延期答复{proposal_label(assignment)}，理由：{reason}",
        _reply_link(reply) if reply else reverse("proposal_detail", args=[assignment.proposal_id]),
    )


def extension_approved(assignment: Assignment, by: User) -> list[Notice]:
    due = assignment.due_on
    when = f"，答复期限顺延至{due.year}年{due.month}月{due.day}日" if due else ""
    reply = assignment.replies.answers().order_by("-round").first()
    return notify(
        agency_people(assignment.agency_id),
        f"延期已批准：{proposal_label(assignment)}的延期申请已由{by.display_name}批准{when}。",
        _reply_link(reply) if reply else reverse("queue"),
    )


NAMED_AT_MOST = 5  # numbers named in one 待签收 notice; more are counted


def to_receive(assignments) -> list[Notice]:
    """交办: each agency's clerks and leaders learn which new items wait for their 签收, one notice
    per agency however long the list: one item by its number and role, several by their numbers
    (the first few) and count."""
    by_agency: dict[int, list[Assignment]] = {}
    for assignment in assignments.select_related("proposal__session").order_by("proposal__number", "pk"):
        by_agency.setdefault(assignment.agency_id, []).append(assignment)
    made = []
    for agency_id, items in by_agency.items():
        if len(items) == 1:
            what = f"{proposal_label(items[0])}（{items[0].get_role_display()}）"
            link = reverse("proposal_detail", args=[items[0].proposal_id])
        else:
            numbers = "、".join(a.proposal.number for a in items[:NAMED_AT_MOST])
            more = "等" if len(items) > NAMED_AT_MOST else ""
            what = f"{items[0].proposal.session.name}第{numbers}号{more}{len(items)}件建议提案"
            link = reverse("home") + "#todo-to_receive"
        made += notify(
            agency_people(agency_id, UserRole.CLERK, UserRole.LEADER),
            f"待签收：委员会新交办本单位{what}，请签收，或在签收期限内申请退办。",
            link,
        )
    return made


def reassigned(assignment: Assignment, previous: Agency, reason: str) -> list[Notice]:
    """调整承办单位 by committee staff: the agency that had it stops, the new one signs for it."""
    label = proposal_label(assignment)
    made = notify(
        agency_people(previous.pk, UserRole.CLERK, UserRole.LEADER),
        f"调整承办单位：{label}已改由{assignment.agency.name}承办，本单位不再办理。理由：{reason}",
        reverse("queue"),
    )
    return made + notify(
        agency_people(assignment.agency_id, UserRole.CLERK, UserRole.LEADER),
        f"待签收：{label}经委员会调整承办单位，改由本单位承办（交办日期不变），请签收。",
        reverse("proposal_detail", args=[assignment.proposal_id]),
    )


def handback_requested(request) -> list[Notice]:
    """申请退办: committee staff decide it."""
    assignment = request.assignment
    suggested = f"，建议改由{request.suggested_agency.name}办理" if request.suggested_agency else ""
    return notify(
        committee_staff(),
        f"退办申请：{request.agency.name}申请退办{proposal_label(assignment)}{suggested}。理由：{request.reason}",
        reverse("handback_decide", args=[request.pk]),
    )


def handback_decided(request) -> list[Notice]:
    """The requesting agency learns the decision; on approval the new agency learns it must sign."""
    assignment = request.assignment
    label = proposal_label(assignment)
    link = reverse("proposal_detail", args=[assignment.proposal_id])
    asking = agency_people(request.agency_id, UserRole.CLERK, UserRole.LEADER)
    if not request.approved:
        return notify(
            asking,
            f"退办未同意：{label}的退办申请未获同意，请继续办理。理由：{request.decision_note}",
            link,
        )
    made = notify(
        asking, f"退办已同意：{label}已改由{request.new_agency.name}承办，本单位不再办理。", reverse("queue")
    )
    return made + notify(
        agency_people(request.new_agency_id, UserRole.CLERK, UserRole.LEADER),
        f"待签收：{label}经委员会调整，改由本单位承办（交办日期不变），请签收。",
        link,
    )


def round_reopened(reply: Reply, deputy: Deputy) -> list[Notice]:
    """The lead author's 办理结果 不满意 opened the next round: the agency drafts again (and the
    authors learn that it is handled again)."""
    tell_deputies(
        reply.proposal,
        f"再次办理：{reply.agency.name}已开始第{reply.round}轮办理您的{proposal_label(reply.assignment)}，"
        f"将于{_due_text(reply.due_date)}前重新答复。"
        if reply.due_date
        else f"再次办理：{reply.agency.name}已开始第{reply.round}轮办理您的{proposal_label(reply.assignment)}。",
    )
    return notify(
        agency_people(reply.assignment.agency_id),
        f"再次办理：领衔代表{deputy.name}对{proposal_label(reply.assignment)}答复的办理结果不满意，"
        f"已开始第{reply.round}轮办理，请重新答复。",
        reverse("reply_edit", args=[reply.pk]),
    )


# --- the deputies (代表／委员): in-app notices and SMS --------------------------------------------


def _deputy_link(proposal) -> str:
    return reverse("deputy_proposal", args=[proposal.pk])


def tell_deputies(proposal, text: str) -> list[Notice]:
    """Every author of `proposal` with an active account gets an in-app notice linking to their
    page of it (even inside `muted()`: each letter of a 并案 group has its own authors); each
    author with SMS on and a mobile gets an SMS after commit (proposals/sms.py)."""
    from django.conf import settings

    authors = list(Deputy.objects.filter(authorships__proposal=proposal).distinct())
    link = _deputy_link(proposal)
    users = User.objects.filter(deputy__in=authors, is_active=True, role=UserRole.DEPUTY)
    notices = Notice.objects.bulk_create(Notice(user=user, text=text, link=link) for user in users)
    mobiles = sorted({author.mobile for author in authors if author.sms_enabled and author.mobile})
    if mobiles:
        message = f"{text}详见：{settings.PORTAL_URL.rstrip('/')}{link}" if settings.PORTAL_URL else text

        def send() -> None:
            from proposals.sms import send_sms

            for mobile in mobiles:
                send_sms(mobile, message)

        transaction.on_commit(send)
    return notices


def communication_recorded(communication) -> list[Notice]:
    """A 沟通记录 with the deputies was recorded: the authors learn it (and can read it)."""
    assignment = communication.assignment
    return tell_deputies(
        assignment.proposal,
        f"沟通记录：{assignment.agency.name}就您提出的{proposal_label(assignment)}记录了"
        f"{_due_text(communication.day)}的{communication.get_form_display()}沟通，可在建议页面查看。",
    )


# --- 跟踪办理 ---------------------------------------------------------------------------------------


def _commitment_link(commitment) -> str:
    return reverse("commitment_detail", args=[commitment.pk])


def _due_text(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def commitment_created(commitment, by: User) -> list[Notice]:
    """A reply of a follow-up class went out: the agency's clerks learn what it must still do."""
    assignment = commitment.assignment
    return notify(
        agency_people(assignment.agency_id, UserRole.CLERK),
        f"跟踪事项：{proposal_label(assignment)}以{commitment.class_code}类答复，已列为跟踪事项，"
        f"请于{_due_text(commitment.due_date)}前落实并报送办理落实情况的报告。",
        _commitment_link(commitment),
    )


def commitment_due_soon(commitment, days: int) -> list[Notice]:
    """到期提醒, 30 and 7 days before the due date: the agency's clerks and leaders."""
    assignment = commitment.assignment
    return notify(
        agency_people(assignment.agency_id, UserRole.CLERK, UserRole.LEADER),
        f"跟踪事项到期提醒：{proposal_label(assignment)}的跟踪事项将于{_due_text(commitment.due_date)}"
        f"到期（还有{days}天），请及时报送办理落实情况的报告。",
        _commitment_link(commitment),
    )


def report_issued(reply: Reply, by: User) -> list[Notice]:
    """The second letter went out: committee staff learn that the commitment is fulfilled (the
    deputies are told the way an answer tells them, through the staff)."""
    return notify(
        committee_staff(),
        f"已落实：{reply.agency.name}已发出{reply_label(reply)}，跟踪事项已落实。",
        _reply_link(reply),
    )


# --- 会签 and 督办审核 -------------------------------------------------------------------------------


def _lead_clerks(reply: Reply) -> list[User]:
    """The drafter and the lead agency's clerks: they act on a 会签 answer."""
    person = drafter(reply)
    return [*([person] if person else []), *agency_people(reply.assignment.agency_id, UserRole.CLERK)]


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def countersign_requested(rows, by: User) -> list[Notice]:
    """Each co-handling agency's clerks and leaders: the lead's draft waits for their 会签."""
    made = []
    for row in rows:
        made += notify(
            agency_people(row.assignment.agency_id, UserRole.CLERK, UserRole.LEADER),
            f"待会签：{row.reply.agency.name}已将{reply_label(row.reply)}送你单位会签（第{row.circulation}轮），"
            f"请于{_day(row.due_date)}前同意或提出修改意见，逾期视为同意。",
            reverse("countersign", args=[row.assignment_id]),
        )
    return made


def countersign_recalled(reply: Reply, rows, by: User) -> list[Notice]:
    made = []
    for row in rows:
        made += notify(
            agency_people(row.assignment.agency_id, UserRole.CLERK, UserRole.LEADER),
            f"会签已中止：{reply.agency.name}已收回{reply_label(reply)}修改，第{row.circulation}轮会签不必再回复；"
            "修改后重新提交时将再次送你单位会签。",
            reverse("countersign", args=[row.assignment_id]),
        )
    return made


def countersign_commented(row, by: User) -> list[Notice]:
    """The drafter's side revises; the leaders, who may 退回 it, learn it too."""
    made = notify(
        _lead_clerks(row.reply),
        f"会签意见待处理：{row.assignment.agency.name}对{reply_label(row.reply)}提出了修改意见：{row.comments}"
        "（请撤回提交修改后重新提交，再次送会签）",
        _reply_link(row.reply),
    )
    return made + notify(
        agency_people(row.reply.assignment.agency_id, UserRole.LEADER),
        f"会签有修改意见：{row.assignment.agency.name}对{reply_label(row.reply)}提出了修改意见：{row.comments}"
        "（可退回经办人修改，修改后重新送会签）",
        _reply_link(row.reply),
    )


def countersign_agreed(row, by: User, complete: bool) -> list[Notice]:
    """The drafter learns each agreement; once every co-handler has agreed the leaders may sign."""
    reply = row.reply
    made = notify(
        _lead_clerks(reply)[:1],
        f"会签同意：{row.assignment.agency.name}同意{reply_label(reply)}（第{row.circulation}轮会签）。",
        _reply_link(reply),
    )
    if complete:
        made += notify(
            agency_people(reply.assignment.agency_id, UserRole.LEADER),
            f"会签已完成：{reply_label(reply)}各协办单位均已同意或逾期视为同意，请审核签发。",
            _reply_link(reply),
        )
    return made


def countersign_lapsed(row) -> list[Notice]:
    reply = row.reply
    return notify(
        [*_lead_clerks(reply)[:1], *agency_people(reply.assignment.agency_id, UserRole.LEADER)],
        f"会签逾期视为同意：{row.assignment.agency.name}未在{_day(row.due_date)}前回复"
        f"{reply_label(reply)}的会签，视为同意。",
        _reply_link(reply),
    )


def review_requested(reply: Reply, by: User) -> list[Notice]:
    """签发 with 督办审核 on: committee staff review before the letter goes out."""
    person = drafter(reply)
    made = notify(
        committee_staff(),
        f"待督办审核：{reply.agency.name}的{reply_label(reply)}已由{by.display_name}签发，"
        "请审核后通过或退回（可调整办理结果分类）。",
        _reply_link(reply),
    )
    return made + notify(
        [person] if person else [],
        f"已签发：{reply_label(reply)}已由{by.display_name}签发，等待委员会督办审核，审核通过后发出。",
        _reply_link(reply),
    )


def review_passed(reply: Reply, by: User, change=None) -> list[Notice]:
    changed = ""
    if change is not None:
        changed = (
            f"办理结果分类由{change.from_code or '未分类'}类调整为{change.to_code}类，"
            f"理由：{change.reason.rstrip('。；;.')}。"
        )
    person = drafter(reply)
    return notify(
        [*([person] if person else []), *agency_people(reply.assignment.agency_id, UserRole.LEADER)],
        f"督办审核通过：{reply_label(reply)}已由{by.display_name}审核通过。{changed}请发出答复代表。",
        _reply_link(reply),
    )


def review_returned(reply: Reply, by: User, reason: str) -> list[Notice]:
    person = drafter(reply)
    return notify(
        [*([person] if person else []), *agency_people(reply.assignment.agency_id, UserRole.LEADER)],
        f"督办审核退回：{reply_label(reply)}被{by.display_name}退回修改。退回理由：{reason}",
        reverse("reply_edit", args=[reply.pk]),
    )


def review_cancelled(reply: Reply, by: User, reason: str) -> list[Notice]:
    return notify(
        committee_staff(),
        f"已撤销签发：{reply.agency.name}的{by.display_name}撤销了{reply_label(reply)}的签发，"
        f"暂不需督办审核。理由：{reason}",
        _reply_link(reply),
    )


def group_formed(group, numbers: str, primary_link: str, by: User) -> list[Notice]:
    """并案办理: the lead agency's clerks and leaders learn which proposals they answer together
    and on which letter the clerk writes."""
    session = group.session.name
    return notify(
        agency_people(group.lead_agency_id, UserRole.CLERK, UserRole.LEADER),
        f"并案办理：{by.display_name}将{session}第{numbers}号并案办理，由{group.lead_agency.name}主办，"
        f"{group.get_letter_mode_display()}；请在编号最小的一件上统一起草。",
        primary_link,
    )


def group_split(group, numbers: str, link: str, by: User, reason: str) -> list[Notice]:
    """撤销并案: the agency answers each proposal on its own again; the drafts are kept."""
    return notify(
        agency_people(group.lead_agency_id, UserRole.CLERK, UserRole.LEADER),
        f"撤销并案：{by.display_name}撤销了{group.session.name}第{numbers}号的并案办理，"
        f"请逐件分别起草答复（已有草稿保留）。理由：{reason}",
        link,
    )
