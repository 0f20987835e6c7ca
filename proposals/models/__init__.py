"""Proposals, the agencies that handle them and the replies they send: the data, one module
per area, and nothing that renders, signs or changes a status (that is `letters`, `workflow`).

The vocabulary follows ../shared/spec/domain.md: a 届次 (Session) receives 建议/议案/提案
(Proposal) from 代表/委员 (Deputy); the committee 交办 (Assignment) each proposal to one or more
承办单位 (Agency); the lead agency writes a 答复 (Reply) per handling round, whose numbered
sections (办理措施) live in the `measures` app. Modules import only the ones listed before them
here (and `proposals.letters.wording`, which imports nothing of the project);
`from proposals.models import Reply` keeps working for every class.
"""

from proposals.models import deadlines
from proposals.models.access import (
    AgencyScopedQuerySet,
    AssignmentQuerySet,
    ProposalQuerySet,
    ReplyQuerySet,
)
from proposals.models.deputies import LoginCode, SmsLog
from proposals.models.handling import (
    ClassCodeChange,
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    Countersign,
    CountersignAnswer,
    HandbackRequest,
    HandlingEvent,
    HandlingVerb,
)
from proposals.models.people import (
    Agency,
    AgencyCopy,
    ClassCodePosition,
    CopyRecipient,
    Deputy,
    PasswordHistory,
    PortalUserManager,
    User,
    UserRole,
)
from proposals.models.proposals import (
    ANSWERING_ROLES,
    AddresseeTitle,
    Assignment,
    AssignmentChange,
    Extension,
    LetterMode,
    Proposal,
    ProposalAuthor,
    ProposalGroup,
    ProposalKind,
    Role,
)
from proposals.models.records import GENESIS_HASH, AuditEvent, AuditHead, ExportJob, ExportStatus
from proposals.models.replies import (
    CoOpinion,
    Feedback,
    FeedbackCorrection,
    FrozenReply,
    HeadingStyle,
    LetterPart,
    Publication,
    PublicationQuerySet,
    Rating,
    Reply,
    ReplyCopy,
    ReplyEvent,
    ReplyKind,
    ReplyStatus,
    ReplyVersion,
    refuse_if_issued,
    validate_class_code,
)
from proposals.models.sessions import Body, CalendarDay, Session
from proposals.models.supervision import (
    MEETING_FORMS,
    Communication,
    ContactForm,
    Notice,
    SupervisionNotice,
)

__all__ = [
    "LoginCode",
    "SmsLog",
    "ClassCodeChange",
    "Commitment",
    "CommitmentProgress",
    "CommitmentStatus",
    "Countersign",
    "CountersignAnswer",
    "HandbackRequest",
    "HandlingEvent",
    "HandlingVerb",
    "LetterMode",
    "ProposalGroup",
    "ReplyKind",
    "ANSWERING_ROLES",
    "GENESIS_HASH",
    "MEETING_FORMS",
    "AddresseeTitle",
    "Agency",
    "AgencyCopy",
    "AgencyScopedQuerySet",
    "Assignment",
    "AssignmentChange",
    "AssignmentQuerySet",
    "AuditEvent",
    "AuditHead",
    "Body",
    "CalendarDay",
    "ClassCodePosition",
    "CoOpinion",
    "Communication",
    "ContactForm",
    "CopyRecipient",
    "Deputy",
    "ExportJob",
    "ExportStatus",
    "Extension",
    "Feedback",
    "FeedbackCorrection",
    "FrozenReply",
    "HeadingStyle",
    "LetterPart",
    "Notice",
    "PortalUserManager",
    "Proposal",
    "ProposalAuthor",
    "ProposalKind",
    "ProposalQuerySet",
    "Publication",
    "PublicationQuerySet",
    "Rating",
    "Reply",
    "ReplyCopy",
    "ReplyEvent",
    "ReplyQuerySet",
    "ReplyStatus",
    "ReplyVersion",
    "Role",
    "Session",
    "SupervisionNotice",
    "User",
    "PasswordHistory",
    "UserRole",
    "deadlines",
    "refuse_if_issued",
    "validate_class_code",
]
