"""`manage.py seed_demo`: the seed letter plus one demo user per role. Safe to run again."""

import secrets
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from proposals.letters.interchange import import_letter, read_letter_file
from proposals.models import Agency, Assignment, Reply, Role, User, UserRole

SEED_LETTER = Path(__file__).resolve().parents[2] / "demo" / "reply-12.json"

# username, full name, role, agency or committee office
DEMO_USERS = [
    ("clerk", "孙建波", UserRole.CLERK, "随州市人力资源和社会保障局"),
    ("leader", "张春强", UserRole.LEADER, "随州市人力资源和社会保障局"),
    ("cohandler", "刘晓红", UserRole.CLERK, "随州市总工会"),
    ("committee", "陈志刚", UserRole.COMMITTEE, "市人大常委会选任工委"),
    ("outsider", "王丽", UserRole.CLERK, "随州市教育局"),
    ("sysadmin", "系统管理员", UserRole.ADMIN, ""),
]
DEMO_AGENCIES = {
    "随州市人力资源和社会保障局": "市人社局",
    "随州市总工会": "市总工会",
    "随州市教育局": "市教育局",
}


class Command(BaseCommand):
    help = "载入演示数据：种子答复函（市五届人大一次会议第12号建议）和每个角色一个演示用户。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--proposals", type=int, default=0, help="另外生成这么多件演示建议（用于性能测试）"
        )
        parser.add_argument("--agencies", type=int, default=60, help="演示数据的承办单位数")

    @transaction.atomic
    def handle(self, *args, proposals: int = 0, agencies: int = 60, **options):
        self.seed_letter_and_users()
        self.sign_for_the_seed_reply()
        if proposals:
            from proposals.demo import bulk

            counts = bulk.build(proposals, agencies)
            self.stdout.write("演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))

    def sign_for_the_seed_reply(self) -> None:
        """The seed reply is being drafted, so its agency has signed for it (签收); the 会办 of
        总工会 stays 待签收, so the demo shows that step."""
        from proposals import workflow

        letter = read_letter_file(SEED_LETTER)
        clerk = User.objects.filter(username="clerk", agency__name=letter.data["agency"]).first()
        assignment = Assignment.objects.filter(
            proposal__session__name=letter.data["session"],
            proposal__number=str(letter.data["proposal_number"]),
            agency__name=letter.data["agency"],
        ).first()
        if clerk and assignment and assignment.received_at is None:
            workflow.receive(assignment, clerk)

    def seed_letter_and_users(self) -> None:
        letter = read_letter_file(SEED_LETTER)
        # Once loaded, the demo record belongs to the users: never overwrite their work.
        reply = Reply.objects.answers().filter(
            assignment__proposal__session__name=letter.data["session"],
            assignment__proposal__number=str(letter.data["proposal_number"]),
            assignment__agency__name=letter.data["agency"],
        ).order_by("round").first() or import_letter(letter)
        session = reply.proposal.session
        if session.year is None:
            session.year = 2022
            session.save(update_fields=["year"])
        for name, short_name in DEMO_AGENCIES.items():
            agency, _ = Agency.objects.get_or_create(name=name)
            if not agency.short_name:
                agency.short_name = short_name
                agency.save(update_fields=["short_name"])
        Assignment.objects.get_or_create(
            proposal=reply.proposal,
            agency=Agency.objects.get(name="随州市总工会"),
            defaults={"role": Role.JOINT},
        )
        self.stdout.write(f"种子答复函：答复 {reply.pk}（{reply.effective_title}）")
        self.stdout.write("演示用户（密码只显示这一次）：")
        for username, full_name, role, unit in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:10} 已存在，密码未改变")
                continue
            password = secrets.token_urlsafe(9)
            user = User(username=username, first_name=full_name, role=role)
            if role in (UserRole.CLERK, UserRole.LEADER):
                user.agency = Agency.objects.get(name=unit)
            else:
                user.office = unit
            user.is_staff = user.is_superuser = role == UserRole.ADMIN
            user.set_password(password)
            user.save()
            self.stdout.write(
                f"  {username:10} {password}  {full_name}（{user.get_role_display()}，{unit or '系统'}）"
            )
        self.deputy_accounts(reply)

    def deputy_accounts(self, reply) -> None:
        """The seed proposal's deputies get demo mobiles (1390000000n) and open accounts."""
        authors = reply.proposal.authorships.select_related("deputy").order_by("position")
        self.stdout.write(
            "演示代表／委员账号（在 /deputy/login/ 输入手机号码获取验证码；开发环境的验证码打印在控制台）："
        )
        for index, authorship in enumerate(authors, start=1):
            deputy = authorship.deputy
            if not deputy.mobile:
                deputy.mobile = f"1390000{index:04d}"
                deputy.save(update_fields=["mobile"])
            user = User.objects.filter(deputy=deputy).first()
            if user is None:
                user = User(
                    username=f"deputy-{deputy.pk}",
                    first_name=deputy.name,
                    role=UserRole.DEPUTY,
                    deputy=deputy,
                )
                user.set_unusable_password()
                user.save()
            lead = "领衔" if authorship.is_lead else "联名"
            self.stdout.write(f"  {deputy.name}（{lead}）手机号码 {deputy.mobile}")
