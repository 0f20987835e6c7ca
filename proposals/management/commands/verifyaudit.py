"""`manage.py verifyaudit`: walk the audit chain and name every row edited, deleted or inserted
behind the portal's back. Exit status 0 when the chain is whole, 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError

from proposals.records import audit


class Command(BaseCommand):
    help = "校验审计记录的哈希链：找出被修改、删除或插入的记录。"

    def handle(self, *args, **options):
        count, problems = audit.verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"审计记录共 {count} 条，发现 {len(problems)} 处问题。")
        self.stdout.write(f"审计记录共 {count} 条，哈希链完整。")
