"""`manage.py verifyreply FILE.pdf`: check a signed reply letter; exit 1 unless it is valid,
trusted and unchanged since signing."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.letters import signing
from proposals.models import Reply


class Command(BaseCommand):
    help = "验证答复函 PDF 的数字签名：签名是否有效、由谁何时签章、签章后是否被修改、对应哪件存档答复。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.pdf")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}：文件不存在")
        result = signing.verify(path.read_bytes())
        for line in signing.describe(result, Reply.objects.all()):
            self.stdout.write(line)
        if not result.ok:
            sys.exit(1)
