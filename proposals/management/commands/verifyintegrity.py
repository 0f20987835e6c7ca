"""`manage.py verifyintegrity`: check the live installation: the audit hash chain, and every
stored letter PDF against the SHA-256 in its row (REL-06, REL-07). Exit status 1 on any problem."""

from django.core.management.base import BaseCommand, CommandError

from proposals.records import backup


class Command(BaseCommand):
    help = "校验当前数据：审计记录哈希链是否完整，每份存档答复函 PDF 的 SHA-256 是否与数据库记录一致。"

    def handle(self, *args, **options):
        report = backup.verify()
        report.write(self)
        if not report.ok:
            raise CommandError(f"完整性校验发现 {len(report.problems)} 处问题（见上）。")
        self.stdout.write(self.style.SUCCESS("完整性校验通过。"))
