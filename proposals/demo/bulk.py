"""A large, realistic demo dataset for benchmarks: `seed_demo --proposals N --agencies M`."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from proposals.models import (
    Agency,
    Assignment,
    Communication,
    Deputy,
    Feedback,
    Proposal,
    ProposalAuthor,
    Rating,
    Reply,
    ReplyStatus,
    Role,
    Session,
    User,
    UserRole,
)

SIGNED_AT = datetime.time(9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))  # 随州
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玲文斌波宇浩凯鹏飞俊峰云帆晨"
BUREAUS = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "经济和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利和湖泊局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理执法委员会",
    "林业局",
    "信访局",
    "数据局",
    "总工会",
    "供销合作社",
    "粮食和物资储备局",
    "地方金融工作局",
    "公共资源交易中心",
    "行政审批局",
    "体育局",
    "气象局",
    "烟草专卖局",
    "税务局",
    "电力公司",
    "邮政管理局",
]
TOPICS = [
    "化解企业招工难",
    "加强职业教育",
    "改善农村公路",
    "推进垃圾分类",
    "加快老旧小区改造",
    "支持中小企业融资",
    "发展特色农业",
    "完善养老服务",
    "加强校园安全",
    "提升医疗服务",
    "保护澴水生态",
    "发展全域旅游",
    "优化营商环境",
    "推进数字政府",
    "加强食品安全监管",
    "完善城市停车设施",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@transaction.atomic
def build(proposals: int, agencies: int, seed: int = 2022) -> dict[str, int]:
    """Add `proposals` proposals over `agencies` agencies in a new session, with replies in every
    state, class codes, ratings and meetings. Deterministic for a given seed."""
    rng = random.Random(seed)
    session, _ = Session.objects.get_or_create(
        name=f"市五届人大{seed - 2020}次会议（演示数据）",
        defaults={
            "year": seed,
            "reply_calendar_date": datetime.date(seed, 6, 30),
            "opinion_calendar_date": datetime.date(seed, 5, 31),
        },
    )
    existing = {agency.pk: agency for agency in Agency.objects.order_by("pk")[:agencies]}
    index = 0
    while len(existing) < agencies:
        bureau = BUREAUS[index % len(BUREAUS)]
        suffix = "" if index < len(BUREAUS) else f"（{index // len(BUREAUS) + 1}）"
        agency = Agency.objects.get_or_create(
            name=f"随州市{bureau}{suffix}", defaults={"short_name": f"市{bureau}{suffix}"}
        )[0]
        existing[agency.pk] = agency
        index += 1
    existing = list(existing.values())
    staff = User.objects.filter(role=UserRole.COMMITTEE).first() or User.objects.create(
        username="demo-committee", role=UserRole.COMMITTEE, office="市人大常委会选任工委"
    )
    deputies = Deputy.objects.bulk_create(Deputy(name=_name(rng)) for _ in range(max(50, proposals // 20)))
    start = Proposal.objects.filter(session=session).count()
    new = Proposal.objects.bulk_create(
        Proposal(
            session=session,
            number=str(start + i + 1),
            title=f"关于{rng.choice(TOPICS)}的建议",
            key_supervision=rng.random() < 0.05,
        )
        for i in range(proposals)
    )
    authors, assignments = [], []
    for proposal in new:
        for position, deputy in enumerate(rng.sample(deputies, rng.choice((1, 1, 2, 3))), start=1):
            authors.append(
                ProposalAuthor(proposal=proposal, deputy=deputy, position=position, is_lead=position == 1)
            )
        assigned = datetime.date(seed, 3, 1) + datetime.timedelta(days=rng.randrange(0, 90))
        agencies_here = rng.sample(existing, 1 + rng.choice((0, 0, 1, 2)))
        for index, agency in enumerate(agencies_here):
            assignment = Assignment(
                proposal=proposal,
                agency=agency,
                role=Role.LEAD if index == 0 else Role.CO,
                assigned_date=assigned,
                # Signed for (签收) two days after 交办, within the window; no draw from `rng`,
                # so the rest of the demo data stays as it was.
                received_at=datetime.datetime.combine(assigned + datetime.timedelta(days=2), SIGNED_AT),
            )
            assignment.proposal.session = session
            assignment.due_on = assignment.due_date
            assignments.append(assignment)
    ProposalAuthor.objects.bulk_create(authors, batch_size=2000)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    replies, meetings = [], []
    statuses = [ReplyStatus.ISSUED] * 6 + [
        ReplyStatus.DRAFT,
        ReplyStatus.SUBMITTED,
        ReplyStatus.APPROVED,
        None,
    ]
    for assignment in assignments:
        if assignment.role != Role.LEAD:
            continue
        status = rng.choice(statuses)
        if rng.random() < 0.7:
            meetings.append(
                Communication(
                    assignment=assignment,
                    day=assignment.assigned_date + datetime.timedelta(days=10),
                    form=rng.choice(["meeting", "visit", "forum", "phone"]),
                    participants="承办处室负责人、领衔代表",
                    recorded_by=staff,
                )
            )
        if status is None:
            continue
        issued = (
            assignment.due_on + datetime.timedelta(days=rng.randrange(-40, 10))
            if status == ReplyStatus.ISSUED
            else None
        )
        replies.append(
            Reply(
                assignment=assignment,
                status=status,
                due_date=assignment.due_on,
                issued_on=issued,
                date=issued,
                class_code=rng.choice("AAABBBCD") if status == ReplyStatus.ISSUED else "",
            )
        )
    Reply.objects.bulk_create(replies, batch_size=2000)
    Communication.objects.bulk_create(meetings, batch_size=2000)
    leads = {a.proposal_id: a.deputy_id for a in authors if a.is_lead}
    ratings = [
        Feedback(
            reply=reply,
            deputy_id=leads[reply.assignment.proposal_id],
            recorded_by=staff,
            attitude=rng.choice(
                [Rating.SATISFIED] * 9 + [Rating.BASICALLY_SATISFIED] * 2 + [Rating.DISSATISFIED]
            ),
            rating=rng.choice([Rating.SATISFIED] * 8 + [Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED]),
        )
        for reply in replies
        if reply.status == ReplyStatus.ISSUED and rng.random() < 0.8
    ]
    Feedback.objects.bulk_create(ratings, batch_size=2000)
    return {
        "proposals": len(new),
        "agencies": len(existing),
        "assignments": len(assignments),
        "replies": len(replies),
        "ratings": len(ratings),
    }
