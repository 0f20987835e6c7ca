"""Run the handling clocks once: 视为签收, 会签视为同意, 跟踪事项到期提醒 (proposals.workflow.clocks)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from proposals import workflow


class Command(BaseCommand):
    help = "运行到期规则一次：逾期未签收的视为签收、会签逾期视为同意、跟踪事项到期提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期“{date}”格式不对，应为 YYYY-MM-DD。") from None
        for label, count in workflow.tick_clocks(today).items():
            self.stdout.write(f"{label}：{count}件")
