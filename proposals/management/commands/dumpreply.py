"""`manage.py dumpreply REPLY_ID`: print a reply letter in the interchange format."""

import json

from django.core.management.base import BaseCommand, CommandError

from proposals.letters.interchange import export_letter
from proposals.models import Reply


class Command(BaseCommand):
    help = "以 JSON 交换格式输出一件答复函。"

    def add_arguments(self, parser):
        parser.add_argument("reply_id", type=int, metavar="REPLY_ID")

    def handle(self, *args, reply_id, **options):
        try:
            reply = Reply.objects.select_related("assignment__proposal__session", "assignment__agency").get(
                pk=reply_id
            )
        except Reply.DoesNotExist:
            raise CommandError(f"答复 {reply_id} 不存在。") from None
        self.stdout.write(json.dumps(export_letter(reply), ensure_ascii=False, indent=2))
