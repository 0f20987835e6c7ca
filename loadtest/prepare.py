"""Load-test data on top of `seed_demo --proposals N --agencies M` (run by loadtest/run).

Creates, idempotently:
- one year of audit history (default 100,000 events, hash-chained exactly as audit.record does,
  so `manage.py verifyaudit` still passes), so that /audit/ is measured on a realistic table;
- the load accounts: CLERKS_PER_AGENCY clerks and one leader per agency over the demo agencies,
  and STAFF committee-staff accounts, all with one random password that satisfies the validators;
- per agency, DRAFTS editable drafts started through proposals.workflow (start_reply, save_draft)
  and filled with the full seed letter (reply-12.json: 8 pages), so every on-demand PDF is the
  real render of a multi-page letter, and ISSUED of them taken through submit, sign-off and issue
  (rendered, signed with the make_demo_pki certificate, stored with its SHA-256);
and writes the accounts and the ids/filter values the locustfile needs to a JSON file (mode 0600).

Usage: DJANGO_SETTINGS_MODULE=suizhou_replies.settings python loadtest/prepare.py OUT.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suizhou_replies.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.models import Measure  # noqa: E402
from measures.outline import measure_tree  # noqa: E402
from proposals import workflow  # noqa: E402
from proposals.models import (  # noqa: E402
    GENESIS_HASH,
    Agency,
    Assignment,
    AuditEvent,
    AuditHead,
    Reply,
    ReplyStatus,
    Role,
    Session,
    User,
    UserRole,
)

PREFIX = "load"
OFFICE = "市人大常委会选任工委"


def password() -> str:
    """Random, ≥ 8 characters, all four character classes."""
    value = f"Ld{secrets.token_urlsafe(12)}#7q"
    validate_password(value, User(username=f"{PREFIX}-clerk-01"))
    return value


def seed_reply() -> Reply:
    """The imported seed letter (市五届人大一次会议第12号建议, 8 pages), source of the drafts' text."""
    return (
        Reply.objects.filter(assignment__proposal__number="12", assignment__proposal__session__year=2022)
        .exclude(assignment__proposal__session__name__contains="演示数据")
        .annotate(n=Count("measures"))
        .filter(n__gt=0)
        .order_by("pk")
        .first()
    )


def audit_history(total: int, users: list[User], reply_ids: list[int]) -> int:
    """Append `total` events spread over the past year, chained like audit.record (one head lock)."""
    if total <= 0 or AuditEvent.objects.filter(detail__load_history=True).exists():
        return 0
    rng = random.Random(2022)
    now = timezone.now()
    start = now - datetime.timedelta(days=365)
    step = (now - start) / total
    kinds = (
        ["login"] * 30
        + ["pdf_download"] * 25
        + ["reply_save"] * 20
        + ["logout"] * 8
        + ["reply_submit"] * 4
        + ["export"] * 3
        + ["audit_view"] * 2
        + ["reply_sign_off"] * 3
        + ["login_failed"] * 2
        + ["access_denied"] * 1
        + ["reply_issue"] * 2
    )
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
            head = AuditHead.objects.create(
                pk=1, sequence=last[0] if last else 0, last_hash=last[1] if last else GENESIS_HASH
            )
        seq, previous, batch = head.sequence, head.last_hash, []
        for index in range(total):
            user = rng.choice(users)
            event = rng.choice(kinds)
            on_reply = event.startswith(("reply_", "pdf_"))
            seq += 1
            row = AuditEvent(
                seq=seq,
                at=start + step * index,
                actor=user,
                actor_name=user.username,
                actor_role=user.role,
                ip=f"10.12.{rng.randrange(1, 30)}.{rng.randrange(2, 250)}",
                event=event,
                object_type="proposals.Reply" if on_reply else "",
                object_id=str(rng.choice(reply_ids)) if on_reply else "",
                outcome="failed"
                if event == "login_failed"
                else "denied"
                if event == "access_denied"
                else "ok",
                detail={"load_history": True},
                prev_hash=previous,
            )
            row.hash = previous = row.compute_hash()
            batch.append(row)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        AuditHead.objects.filter(pk=1).update(sequence=seq, last_hash=previous)
    return total


def fill_from_seed(seed: Reply):
    """The editor's save, as a workflow `apply`: the seed letter's measures, closing and 抄送."""
    tree = measure_tree(seed)

    def apply(target: Reply) -> None:
        target.closing = seed.closing
        target.class_code = seed.class_code
        # A complete contact block, as 发出前检查 requires before submission.
        for name in ("leader_name", "leader_phone", "handler_name", "handler_phone", "postcode"):
            setattr(target, name, getattr(seed, name))
        target.measures.all().delete()

        def copy(nodes, parent):
            for measure, children in nodes:
                copy(
                    children,
                    Measure.objects.create(
                        reply=target,
                        parent=parent,
                        level=measure.level,
                        position=measure.position,
                        heading=measure.heading,
                        paragraphs=measure.paragraphs,
                    ),
                )

        copy(tree, None)

    return apply


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--agencies", type=int, default=30, help="agencies that get load clerks")
    parser.add_argument("--clerks-per-agency", type=int, default=2)
    parser.add_argument("--staff", type=int, default=15)
    parser.add_argument("--drafts", type=int, default=3, help="filled drafts per agency")
    parser.add_argument(
        "--issued", type=int, default=1, help="filled, then issued (signed, stored PDF) per agency"
    )
    parser.add_argument("--audit-history", type=int, default=100_000)
    args = parser.parse_args()
    began = time.monotonic()

    seed = seed_reply()
    if seed is None:
        sys.exit("prepare: run `manage.py seed_demo --proposals N` first (seed letter not found)")
    demo = Session.objects.filter(name__contains="演示数据").order_by("-pk").first()
    if demo is None:
        sys.exit("prepare: no demo session: run `manage.py seed_demo --proposals N` first")

    # Agencies with the most lead assignments in the demo session: where clerks have work.
    agencies = list(
        Agency.objects.annotate(
            leads=Count(
                "assignments", filter=Q(assignments__proposal__session=demo, assignments__role=Role.LEAD)
            )
        )
        .filter(leads__gt=0)
        .order_by("pk")[: args.agencies]
    )
    secret = password()
    hashed = make_password(secret)  # one PBKDF2 hash for all load accounts: setup stays quick
    now = timezone.now()

    def account(username: str, role: str, agency: Agency | None, name: str) -> User:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "office": "" if agency else OFFICE,
                "first_name": name,
                "password": hashed,
                "password_changed_at": now,
                "must_change_password": False,
                "is_active": True,
            },
        )
        return user

    clerks, staff, accounts = [], [], {"password": secret, "clerks": [], "staff": []}
    with transaction.atomic():
        for a_index, agency in enumerate(agencies, start=1):
            leader = account(f"{PREFIX}-leader-{a_index:02}", UserRole.LEADER, agency, f"领导{a_index}")
            agency_clerks = [
                account(f"{PREFIX}-clerk-{a_index:02}{c}", UserRole.CLERK, agency, f"经办人{a_index}{c}")
                for c in "abcdefghij"[: args.clerks_per_agency]
            ]
            clerks.append((agency, leader, agency_clerks))
        for s_index in range(1, args.staff + 1):
            staff.append(account(f"{PREFIX}-staff-{s_index:02}", UserRole.COMMITTEE, None, f"工委{s_index}"))

    history = audit_history(
        args.audit_history,
        [u for _, _, cs in clerks for u in cs] + staff,
        list(Reply.objects.values_list("pk", flat=True)[:2000]),
    )

    apply = fill_from_seed(seed)
    issued_total = 0
    for agency, leader, agency_clerks in clerks:
        drafter = agency_clerks[0]
        # The agency's replies already filled by a load clerk (a rerun adds none).
        replies = list(
            Reply.objects.filter(
                assignment__agency=agency, versions__saved_by__username__startswith=f"{PREFIX}-"
            )
            .distinct()
            .order_by("pk")
        )
        wanted = args.drafts + args.issued - len(replies)
        # New drafts from the agency's unanswered lead assignments, as 起草答复 does; then, if
        # there are too few, the demo drafts nobody has written yet.
        free = list(
            Assignment.objects.filter(agency=agency, role=Role.LEAD, replies__isnull=True).order_by("pk")[
                : max(0, wanted)
            ]
        )
        started = [workflow.start_reply(assignment, drafter) for assignment in free]
        started += list(
            Reply.objects.filter(
                assignment__agency=agency, status=ReplyStatus.DRAFT, versions__isnull=True
            ).order_by("pk")[: max(0, wanted - len(started))]
        )
        for reply in started:
            workflow.save_draft(reply, drafter, Reply.objects.get(pk=reply.pk).version, apply)
            replies.append(Reply.objects.get(pk=reply.pk))
        issued = [r for r in replies if r.status == ReplyStatus.ISSUED]
        for reply in [r for r in replies if r.status == ReplyStatus.DRAFT][
            : max(0, args.issued - len(issued))
        ]:
            workflow.submit(reply, drafter)
            workflow.sign_off(reply, leader)
            issued.append(workflow.issue(reply, leader))
            issued_total += 1
        drafts = [
            r.pk for r in Reply.objects.filter(pk__in=[r.pk for r in replies], status=ReplyStatus.DRAFT)
        ]
        for clerk in agency_clerks:
            accounts["clerks"].append(
                {
                    "username": clerk.username,
                    "agency": agency.pk,
                    "drafts": drafts,
                    "issued": [r.pk for r in issued],
                }
            )
    accounts["staff"] = [{"username": u.username} for u in staff]

    visible = Assignment.objects.count()
    accounts["dashboard"] = {
        "sessions": list(Session.objects.values_list("pk", flat=True)),
        "demo_session": demo.pk,
        "agencies": list(Agency.objects.values_list("pk", flat=True)),
        "pages": max(1, math.ceil(visible / 50)),
        "search": ["养老", "招工", "停车", "垃圾分类", "职业教育", "营商环境", "王", "12"],
    }
    args.out.write_text(json.dumps(accounts, ensure_ascii=False, indent=1), encoding="utf-8")
    args.out.chmod(0o600)
    n_drafts = sum(len(c["drafts"]) for c in accounts["clerks"][:: args.clerks_per_agency])
    print(
        f"prepare: {len(agencies)} agencies, {len(accounts['clerks'])} clerks, {len(agencies)} leaders, "
        f"{len(staff)} staff; {n_drafts} filled drafts, {issued_total} issued now; {history} audit events "
        f"of history; {visible} assignments ({accounts['dashboard']['pages']} dashboard pages); "
        f"{time.monotonic() - began:.1f} s"
    )


if __name__ == "__main__":
    main()
