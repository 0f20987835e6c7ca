"""Notices: who acts next learns it. One in-app notice per event and recipient (the 通知 page
and the count in the navigation bar) and, where an address is on file, an e-mail through
Django's mail backend, sent once the transaction that made the event commits.

The workflow calls one function per event, inside its own transaction: a refused move raises
before it gets here, so a second click notifies nobody twice, and an undone transaction takes
its notices with it.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    User,
    UserRole,
)

SUBJECT_PREFIX = "【建议提案答复】"


def notify(users: Iterable[User], text: str, link: str, *, subject: str = "") -> list[Notice]:
    """One notice to each distinct active user of `users`; an e-mail with `subject` (default: the
    text's first words) to those with an address, after commit. Returns the notices made."""
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
    return f"{proposal_label(reply.assignment)}的答复{suffix}"


def _reply_link(reply: Reply) -> str:
    return reverse("reply_detail", args=[reply.pk])


def reply_submitted(reply: Reply, by: User) -> list[Notice]:
    return notify(
        agency_people(reply.assignment.agency_id, UserRole.LEADER),
        f"待签发：{reply_label(reply)}，{by.display_name}已提交审核，请审核签发或退回修改。",
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
    replies = Reply.objects.filter(
        assignment__proposal=assignment.proposal, assignment__role__in=ANSWERING_ROLES
    ).order_by("-round")
    reply = replies.first()
    link = _reply_link(reply) if reply else reverse("queue")
    return notify(
        clerks,
        f"会办意见已提交：{assignment.agency.name}已提交对{proposal_label(assignment)}的会办意见。",
        link,
    )


def extension_requested(assignment: Assignment, by: User, reason: str) -> list[Notice]:
    reply = assignment.replies.order_by("-round").first()
    return notify(
        committee_staff(),
        f"延期申请：{assignment.agency.name}申请延期答复{proposal_label(assignment)}，理由：{reason}",
        _reply_link(reply) if reply else reverse("proposal_detail", args=[assignment.proposal_id]),
    )


def extension_approved(assignment: Assignment, by: User) -> list[Notice]:
    due = assignment.due_on
    when = f"，答复期限顺延至{due.year}年{due.month}月{due.day}日" if due else ""
    reply = assignment.replies.order_by("-round").first()
    return notify(
        agency_people(assignment.agency_id),
        f"延期已批准：{proposal_label(assignment)}的延期申请已由{by.display_name}批准{when}。",
        _reply_link(reply) if reply else reverse("queue"),
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
    """The lead author's 办理结果 不满意 opened the next round: the agency drafts again."""
    return notify(
        agency_people(reply.assignment.agency_id),
        f"再次办理：领衔代表{deputy.name}对{proposal_label(reply.assignment)}答复的办理结果不满意，"
        f"已开始第{reply.round}轮办理，请重新答复。",
        reverse("reply_edit", args=[reply.pk]),
    )
