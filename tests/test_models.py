"""The domain model: constraints the database enforces and the wording generated from a proposal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import Measure
from proposals.models import (
    Agency,
    Assignment,
    Deputy,
    Proposal,
    ProposalAuthor,
    Reply,
    Role,
    Session,
    User,
    UserRole,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return Session.objects.create(name="市五届人大一次会议", year=2022)


@pytest.fixture
def cppcc_session():
    return Session.objects.create(name="市政协五届一次会议", body="cppcc", year=2022)


def make_proposal(session, number="12", names=("沈宝栋", "李芸"), **extra) -> Proposal:
    proposal = Proposal.objects.create(
        session=session, number=number, title="关于化解企业招工难的建议", **extra
    )
    for position, name in enumerate(names, start=1):
        deputy = Deputy.objects.create(name=name, body=session.body)
        ProposalAuthor.objects.create(
            proposal=proposal, deputy=deputy, position=position, is_lead=position == 1
        )
    return proposal


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


# --- constraints -------------------------------------------------------------------------------


def test_proposal_number_unique_within_session(session, cppcc_session):
    make_proposal(session, "12")
    assert refused(lambda: Proposal.objects.create(session=session, number="12", title="另一件建议"))
    # The same number in another session is a different proposal.
    Proposal.objects.create(
        session=cppcc_session, number="12", title="关于加快农村公路建设的提案", kind="提案"
    )


def test_one_lead_author_and_no_duplicate_authors(session):
    proposal = make_proposal(session)
    other = Deputy.objects.create(name="王强")
    assert refused(
        lambda: ProposalAuthor.objects.create(proposal=proposal, deputy=other, position=3, is_lead=True)
    )
    lead = proposal.authorships.get(is_lead=True).deputy
    assert refused(lambda: ProposalAuthor.objects.create(proposal=proposal, deputy=lead, position=4))
    assert refused(lambda: ProposalAuthor.objects.create(proposal=proposal, deputy=other, position=1))
    ProposalAuthor.objects.create(proposal=proposal, deputy=other, position=3)
    assert proposal.author_names() == ["沈宝栋", "李芸", "王强"]
    assert proposal.lead_author().name == "沈宝栋"


def test_one_assignment_per_agency_and_one_reply_per_round(session):
    proposal = make_proposal(session)
    agency = Agency.objects.create(name="随州市人力资源和社会保障局")
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=Role.LEAD, assigned_date=datetime.date(2022, 3, 1)
    )
    assert refused(lambda: Assignment.objects.create(proposal=proposal, agency=agency, role=Role.CO))
    Reply.objects.create(assignment=assignment, round=1)
    assert refused(lambda: Reply.objects.create(assignment=assignment, round=1))
    assert refused(lambda: Reply.objects.create(assignment=assignment, round=0))
    second = Reply.objects.create(assignment=assignment, round=2)
    assert str(second).endswith("（第2轮）")


def test_only_lead_or_separate_agencies_answer(session):
    proposal = make_proposal(session)
    union = Agency.objects.create(name="随州市总工会")
    co = Assignment.objects.create(proposal=proposal, agency=union, role=Role.JOINT)
    with pytest.raises(ValidationError, match="只有主办或分办单位答复代表"):
        Reply(assignment=co).full_clean()


def test_class_code_must_be_in_the_configured_set(seed_reply):
    seed_reply.class_code = "E"
    with pytest.raises(ValidationError, match="“E”不是已知的办理结果分类"):
        seed_reply.full_clean()
    seed_reply.class_code = "D"
    seed_reply.full_clean()
    assert seed_reply.class_code_wording() == "因条件限制暂时难以解决留作参考，已作出解释"


def test_measures_nest_at_most_four_levels(seed_reply):
    top = seed_reply.measures.get(level=1, position=1)
    parent = top
    for level in (2, 3, 4):
        parent = Measure.objects.create(
            reply=seed_reply, parent=parent, level=level, position=1, heading=f"第{level}级"
        )
    assert refused(lambda: Measure.objects.create(reply=seed_reply, parent=parent, level=5, position=1))
    assert refused(lambda: Measure.objects.create(reply=seed_reply, parent=None, level=2, position=9))
    assert refused(lambda: Measure.objects.create(reply=seed_reply, parent=top, level=1, position=9))
    # Two top-level sections cannot share a position; children are numbered per parent.
    assert refused(lambda: Measure.objects.create(reply=seed_reply, level=1, position=1))
    assert refused(lambda: Measure.objects.create(reply=seed_reply, parent=top, level=2, position=1))
    skipping = Measure(reply=seed_reply, parent=top, level=3, position=2)
    with pytest.raises(ValidationError, match="层级必须比上级措施多一级"):
        skipping.full_clean()


def test_agency_users_need_an_agency_and_committee_users_none(hr_agency):
    assert refused(lambda: User.objects.create(username="nobody", role=UserRole.CLERK))
    assert refused(lambda: User.objects.create(username="mixed", role=UserRole.COMMITTEE, agency=hr_agency))
    staff = User.objects.create(username="staff", role=UserRole.COMMITTEE, office="市政府督查室")
    assert staff.sees_everything
    admin = User.objects.create_superuser("root2", "", "Suizhou-2026-test")
    assert admin.role == UserRole.ADMIN


# --- generated salutation and title -----------------------------------------------------------


@pytest.mark.parametrize(
    "names,more,count,kind,expected",
    [
        (["王芳"], False, None, "建议", "王芳代表："),
        (["沈宝栋", "李芸"], True, None, "建议", "沈宝栋、李芸等代表："),
        (["郭正东", "袁朝芳", "李荣珠"], False, None, "建议", "郭正东、袁朝芳、李荣珠代表："),
        (["纪占斌"], False, 3, "建议", "纪占斌等3名代表："),
        (["纪占斌"], False, 3, "议案", "纪占斌等3名代表："),
        (["王芳"], False, None, "提案", "王芳委员："),
        (["王芳", "刘洋"], True, None, "提案", "王芳、刘洋等委员："),
        (["王芳", "刘洋"], False, 5, "提案", "王芳、刘洋等5名委员："),
    ],
)
def test_generated_salutation(session, cppcc_session, names, more, count, kind, expected):
    target = cppcc_session if kind == "提案" else session
    proposal = make_proposal(target, names=names, more_authors=more, author_count=count, kind=kind)
    assert proposal.default_salutation() == expected


def test_addressee_title_can_be_overridden(session):
    proposal = make_proposal(session, names=["王芳"], addressee_title="委员")
    assert proposal.default_salutation() == "王芳委员："


@pytest.mark.parametrize(
    "kind,session_name,number,expected",
    [
        ("建议", "市五届人大一次会议", "12", "对市五届人大一次会议第12号建议的答复"),
        ("议案", "市五届人大一次会议", "3", "对市五届人大一次会议第3号议案的答复"),
        ("提案", "市政协五届一次会议", "74227", "对市政协五届一次会议第74227号提案的答复"),
    ],
)
def test_generated_title(kind, session_name, number, expected):
    session = Session.objects.create(name=session_name, body=Session.body_from_name(session_name))
    proposal = make_proposal(session, number=number, names=["王芳"], kind=kind)
    assert proposal.default_reply_title() == expected


def test_reply_uses_generated_wording_until_the_clerk_overrides_it(session):
    proposal = make_proposal(session, names=["沈宝栋", "李芸"], more_authors=True)
    agency = Agency.objects.create(
        name="随州市人力资源和社会保障局",
        postcode="441300",
        leader_name="张春强",
        leader_phone="13908661566",
        handler_name="孙建波",
        handler_phone="19908660409",
    )
    reply = Reply(
        assignment=Assignment.objects.create(proposal=proposal, agency=agency), consulted=["市总工会"]
    )
    reply.fill_defaults_from_agency()
    reply.save()
    assert reply.effective_title == "对市五届人大一次会议第12号建议的答复"
    assert reply.effective_salutation == "沈宝栋、李芸等代表："
    assert reply.effective_signature == "随州市人力资源和社会保障局"
    assert reply.default_opening() == (
        "你们在市五届人大一次会议提出的“关于化解企业招工难的建议”的建议（第12号）收悉，"
        "经会商市总工会意见，现答复如下："
    )
    assert reply.contact_lines() == [
        "主管领导姓名：张春强 联系电话：13908661566",
        "经办人姓名：孙建波 联系电话：19908660409",
        "邮 政 编 码：441300",
    ]
    reply.title = "关于市五届人大一次会议第12号建议的答复（函）"
    reply.salutation = "尊敬的沈宝栋代表："
    reply.signature = "随州市人社局"
    assert reply.effective_title == "关于市五届人大一次会议第12号建议的答复（函）"
    assert reply.effective_salutation == "尊敬的沈宝栋代表："
    assert reply.effective_signature == "随州市人社局"
