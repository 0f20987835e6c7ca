"""SEC-11 as a property: whatever users do in whatever order, a reply only moves along the
allowed transitions (draft/returned → submitted → approved → issued, submitted → returned),
only the right roles of the right agency move it, nobody signs off a reply they drafted, and
nothing changes after issue. Hypothesis drives random users through the workflow functions."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from measures.models import Measure
from proposals import workflow
from proposals.letters import rendering as letters
from proposals.models import Assignment, Proposal, Reply, ReplyEvent, Role, User, UserRole
from proposals.models import ReplyStatus as S
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The agency's own people come up more often than outsiders, so that long legal paths are walked.
ACTORS = st.sampled_from(
    ["clerk", "clerk", "leader", "leader", "leader2", "cohandler", "committee", "outsider"]
)
ALLOWED = {
    "submit": ({S.DRAFT, S.RETURNED}, S.SUBMITTED),
    "return": ({S.SUBMITTED}, S.RETURNED),
    "sign_off": ({S.SUBMITTED}, S.APPROVED),
    "issue": ({S.APPROVED}, S.ISSUED),
}


@pytest.fixture
def cast(clerk, leader, cohandler, committee_staff, outsider, hr_agency, pki):
    second = User(username="leader2", first_name="李卫东", role=UserRole.LEADER, agency=hr_agency)
    second.set_password(PASSWORD)
    second.save()
    return {
        "clerk": clerk,
        "leader": leader,
        "leader2": second,
        "cohandler": cohandler,
        "committee": committee_staff,
        "outsider": outsider,
    }


def test_random_users_and_actions_keep_the_rules(cast, seed_reply, monkeypatch):
    rendered = letters.render_letter(seed_reply)  # one real render, reused: the rules are the point
    monkeypatch.setattr(letters, "render_letter", lambda reply, **kwargs: rendered)
    session, agency = seed_reply.proposal.session, seed_reply.agency
    counter = iter(range(1000, 100000))

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            proposal = Proposal.objects.create(
                session=session, number=str(next(counter)), title="关于规则测试的建议"
            )
            proposal.set_authors(["沈宝栋"])
            assignment = Assignment.objects.create(proposal=proposal, agency=agency, role=Role.LEAD)
            self.reply = workflow.start_reply(assignment, cast["clerk"])
            # A complete letter (发出前检查 passes), so the roles and statuses are the point.
            Reply.objects.filter(pk=self.reply.pk).update(class_code="A")
            Measure.objects.create(reply=self.reply, level=1, position=1, paragraphs="已按建议办理。")
            self.drafters = {cast["clerk"].pk}
            self.status = S.DRAFT
            self.moves = 1  # the start event

        def refresh(self) -> Reply:
            self.reply = Reply.objects.get(pk=self.reply.pk)
            return self.reply

        def own(self, user) -> bool:
            return user.agency_id == agency.pk

        @rule(who=ACTORS)
        def save(self, who):
            user = cast[who]
            reply = self.refresh()
            allowed = (
                self.own(user)
                and user.role in (UserRole.CLERK, UserRole.LEADER)
                and self.status in (S.DRAFT, S.RETURNED)
            )
            try:
                workflow.save_draft(
                    reply, user, reply.version, lambda r: setattr(r, "closing", f"修改 {who}")
                )
            except workflow.WorkflowError:
                assert not allowed
            else:
                assert allowed, f"{who} saved a {self.status} reply"
                self.drafters.add(user.pk)

        def move(self, verb, who):
            user = cast[who]
            sources, target = ALLOWED[verb]
            roles = {
                "submit": (UserRole.CLERK,),
                "return": (UserRole.LEADER,),
                "sign_off": (UserRole.LEADER,),
                "issue": (UserRole.CLERK, UserRole.LEADER),
            }[verb]
            allowed = self.own(user) and user.role in roles and self.status in sources
            if verb == "sign_off":
                allowed = allowed and user.pk not in self.drafters
            action = {
                "submit": workflow.submit,
                "sign_off": workflow.sign_off,
                "issue": workflow.issue,
                "return": lambda reply, u: workflow.return_reply(reply, u, "请补充数据"),
            }[verb]
            try:
                action(self.refresh(), user)
            except workflow.WorkflowError:
                assert not allowed, f"{who} was refused {verb} on a {self.status} reply"
            else:
                assert allowed, f"{who} could {verb} a {self.status} reply"
                self.status = target
                self.moves += 1

        @rule(who=ACTORS)
        def submit(self, who):
            self.move("submit", who)

        @rule(who=ACTORS)
        def return_reply(self, who):
            self.move("return", who)

        @rule(who=ACTORS)
        def sign_off(self, who):
            self.move("sign_off", who)

        @rule(who=ACTORS)
        def issue(self, who):
            self.move("issue", who)

        @invariant()
        def matches_the_model(self):
            reply = self.refresh()
            assert reply.status == self.status
            assert ReplyEvent.objects.filter(reply=reply).count() == self.moves
            signer = (
                ReplyEvent.objects.filter(reply=reply, verb="sign_off")
                .values_list("actor_id", flat=True)
                .first()
            )
            assert signer is None or signer not in self.drafters
            if reply.status == S.ISSUED:
                assert reply.is_frozen and not reply.is_editable and reply.pdf_sha256

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=100,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
