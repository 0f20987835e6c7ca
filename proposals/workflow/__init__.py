"""Every change of a reply's status, and every write that must not race, goes through here:
one module per stage (`drafting`, `issuing`, `cohandling`, `feedback`, `supervision`,
`registration`, `intake`), all built on `moves`.

The pipeline is data (`moves.TRANSITIONS`). Each verb is one function that locks the reply
(`select_for_update`), checks who may do it and from which status, writes one `ReplyEvent`
row and its audit row, then saves with `update_fields`. A refused move raises `WorkflowError`
with a Chinese message; nothing is written. A second click on the same button finds the status
already moved and is refused, so the state changes once. Callers use `from proposals import
workflow` and `workflow.submit(...)`; nothing else in the portal changes a status.
"""

from proposals.workflow.clocks import tick as tick_clocks
from proposals.workflow.cohandling import save_opinion
from proposals.workflow.countersign import countersign
from proposals.workflow.deputies import (
    activate_accounts,
    check_code,
    deactivate_account,
    request_code,
    set_mobile,
)
from proposals.workflow.deputy_feedback import rate_online
from proposals.workflow.drafting import (
    lapsed_opinions,
    missing_opinions,
    return_reply,
    save_draft,
    start_reply,
    submit,
    withdraw,
)
from proposals.workflow.feedback import correct_feedback, record_feedback, reopen
from proposals.workflow.follow_up import edit_commitment, report_progress, start_report
from proposals.workflow.grouping import group_proposals, split_group
from proposals.workflow.intake import import_proposals
from proposals.workflow.issuing import (
    archive_issue,
    drafted_by,
    issue,
    publish,
    revoke_sign_off,
    sign_off,
    withdraw_publication,
)
from proposals.workflow.moves import TRANSITIONS, VERB_LABELS, EditConflict, WorkflowError, co_assignments
from proposals.workflow.receipt import decide_handback, receive, request_handback
from proposals.workflow.registration import (
    assign,
    change_assignment,
    reassign,
    register_proposal,
    save_proposal,
)
from proposals.workflow.review import review_pass, review_return
from proposals.workflow.supervision import approve_extension, request_extension, supervise

__all__ = [
    "activate_accounts",
    "check_code",
    "deactivate_account",
    "request_code",
    "set_mobile",
    "group_proposals",
    "split_group",
    "countersign",
    "review_pass",
    "review_return",
    "edit_commitment",
    "report_progress",
    "start_report",
    "decide_handback",
    "receive",
    "request_handback",
    "tick_clocks",
    "lapsed_opinions",
    "import_proposals",
    "correct_feedback",
    "withdraw",
    "revoke_sign_off",
    "withdraw_publication",
    "TRANSITIONS",
    "VERB_LABELS",
    "EditConflict",
    "WorkflowError",
    "approve_extension",
    "archive_issue",
    "assign",
    "change_assignment",
    "co_assignments",
    "drafted_by",
    "issue",
    "missing_opinions",
    "publish",
    "reassign",
    "rate_online",
    "record_feedback",
    "register_proposal",
    "reopen",
    "request_extension",
    "return_reply",
    "save_draft",
    "save_opinion",
    "save_proposal",
    "sign_off",
    "start_reply",
    "submit",
    "supervise",
]
