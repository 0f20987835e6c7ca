"""交办导入, the write: a checked proposal list (proposals.supervision.intake reads and checks the
file) brought into a session, all rows or none, by committee staff.

Facts a reply prints (类别, 标题, 提出人) stay as they are once a reply of the proposal is in
review or out (待审核, 已签发, 已答复): a row that would change them is refused, naming the row,
as the proposal form refuses it. An import never gives a proposal a second 主办 and never moves
one (that is 调整承办单位, with its reason). Each proposal it creates or changes gets its own
audit row with every changed field before and after.
"""

from __future__ import annotations

from django.db import transaction

from proposals.letters import wording
from proposals.models import Assignment, Proposal, ReplyStatus, Role, Session, User
from proposals.supervision import notices
from proposals.supervision.intake import (
    CREATED,
    UNCHANGED,
    UPDATED,
    IntakeResult,
    Row,
    RowReport,
    agency_index,
    check_file,
    parse,
    read_rows,
)
from proposals.workflow.moves import audit_write, require_committee

# A reply in these states prints the proposal's facts as they are now.
PRINTED = (ReplyStatus.SUBMITTED, ReplyStatus.REVIEWING, ReplyStatus.APPROVED, ReplyStatus.ISSUED)


class _Refused(Exception):
    """Some row was refused while saving: roll every row back."""


def import_proposals(session: Session, user: User, name: str, data: bytes) -> IntakeResult:
    """Check and import a proposal list into `session`; nothing is saved when anything is wrong
    (IntakeRefused for the file itself, `errors` for its rows)."""
    require_committee(user, "导入建议清单")
    rows, errors, skipped = parse(read_rows(check_file(name, data), data), agency_index())
    result = IntakeResult(errors=errors)
    if errors:
        return result
    try:
        with transaction.atomic():
            before = Assignment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            reports, refusals = [], []
            for row in rows:
                report, refusal = _save_row(session, row, user)
                reports.append(report)
                if refusal:
                    refusals.append(refusal)
            if refusals:
                raise _Refused(refusals)
            notices.to_receive(Assignment.objects.filter(pk__gt=before))
    except _Refused as refused:
        result.errors = refused.args[0]
        return result
    result.reports = sorted(reports + skipped, key=lambda report: report.line)
    return result


def _agency_label(agency) -> str:
    return agency.short_name or agency.name


def _frozen_by(proposal: Proposal) -> str:
    """Why the printed facts cannot change ("" when they can): the reply that prints them."""
    reply = (
        proposal.assignments.filter(replies__status__in=PRINTED)
        .values_list("agency__name", "replies__status")
        .first()
    )
    return f"{reply[0]}的答复已“{ReplyStatus(reply[1]).label}”" if reply else ""


def _save_row(session: Session, row: Row, user: User) -> tuple[RowReport, str]:
    """Bring one proposal and its assignments in line with the row, writing only what differs.
    Returns the report and, when the row is refused, the reason (the caller rolls back)."""
    report = RowReport(row.line, row.number, row.title)
    proposal = Proposal.objects.select_for_update().filter(session=session, number=row.number).first()
    changes: dict[str, list] = {}
    if proposal is None:
        proposal = Proposal.objects.create(
            session=session,
            number=row.number,
            title=row.title,
            kind=row.kind,
            key_supervision=row.key_supervision,
        )
        report.status = CREATED
    else:
        printed = {"title": ("标题", row.title), "kind": ("类别", row.kind)}
        changes = {
            name: [getattr(proposal, name), value]
            for name, (_label, value) in {
                **printed,
                "key_supervision": ("重点督办", row.key_supervision),
            }.items()
            if getattr(proposal, name) != value
        }
        before = proposal.author_names()
        if before != row.authors:
            changes["authors"] = ["、".join(before), "、".join(row.authors)]
        frozen = [
            label for name, (label, _) in {**printed, "authors": ("提出人", None)}.items() if name in changes
        ]
        reason = _frozen_by(proposal) if frozen else ""
        if reason:
            return report, (
                f"第{row.line}行：第{row.number}号{reason}，{'、'.join(frozen)}不能再通过导入修改"
                "（须与答复函一致）；如确需更正，请先与承办单位沟通，在建议页面办理。"
            )
        lead = proposal.assignments.filter(role=Role.LEAD).select_related("agency").first()
        if lead is not None and lead.agency_id != row.lead_agency.pk:
            return report, (
                f"第{row.line}行：第{row.number}号已交办主办单位“{lead.agency.name}”，导入不更换主办单位"
                f"（文件中为“{row.lead_agency.name}”）；如需调整，请在建议页面用“调整承办单位”办理。"
            )
        if changes:
            for name in ("title", "kind", "key_supervision"):
                if name in changes:
                    setattr(proposal, name, changes[name][1])
            fields = [name for name in ("title", "kind", "key_supervision") if name in changes]
            if fields:
                proposal.save(update_fields=fields)
            labels = {"title": "标题", "kind": "类别", "key_supervision": "重点督办"}
            report.changes += [f"修改{labels[name]}" for name in fields]
            if "authors" in changes:
                old, new = before, row.authors
                if old[:1] != new[:1]:
                    report.changes.append("修改领衔代表")
                if old[1:] != new[1:]:
                    report.changes.append("修改联名代表")
    proposal.set_authors(row.authors)
    _save_assignments(proposal, row, report, changes)
    if row.assigned is None and not any(a.assigned_date for a in proposal.assignments.all()):
        report.notes.append("未填交办日期：补填后才能计算办理期限")
    if report.status == CREATED:
        audit_write("proposal_import", proposal, user, action="create", line=row.line, authors=row.authors)
    elif report.changes:
        report.status = UPDATED
        audit_write("proposal_import", proposal, user, action="update", line=row.line, changes=changes)
    else:
        report.status = UNCHANGED
    return report, ""


def _save_assignments(proposal: Proposal, row: Row, report: RowReport, changes: dict) -> None:
    existing = {a.agency_id: a for a in proposal.assignments.all()}
    for agency, role in [(row.lead_agency, Role.LEAD), *row.co_agencies]:
        assignment = existing.get(agency.pk)
        label = _agency_label(agency)
        if assignment is None:
            if role == Role.LEAD and any(a.role == Role.LEAD for a in existing.values()):
                continue  # never a second 主办 (refused above when it differs)
            Assignment.objects.create(proposal=proposal, agency=agency, role=role, assigned_date=row.assigned)
            if report.status != CREATED:
                report.changes.append(f"增加{Role(role).label}单位{label}")
                changes.setdefault("assignments_added", []).append(f"{label}（{Role(role).label}）")
            continue
        if assignment.role != role:
            report.notes.append(
                f"{label}已按{assignment.get_role_display()}交办，导入不改变办理方式；如需更正，请在建议页面修改"
            )
        if assignment.assigned_date is None and row.assigned is not None:
            assignment.assigned_date = row.assigned
            assignment.save(update_fields=["assigned_date"])
            report.changes.append(f"补填{label}的交办日期")
            changes.setdefault("assigned_dates_filled", []).append(
                f"{label}：{wording.chinese_date(row.assigned)}"
            )
        elif row.assigned is not None and assignment.assigned_date != row.assigned:
            report.notes.append(
                f"{label}的交办日期保留原来的{wording.chinese_date(assignment.assigned_date)}"
                "；如需更正，请在建议页面修改"
            )
