"""`manage.py benchdashboard`: server time of the committee's pages on the current database.

Build the data first (`seed_demo --proposals 10000 --agencies 60`), then run this once with
SQLite and once with DATABASE_URL pointing at PostgreSQL. Prints JSON: p50/p95 milliseconds and
the number of SQL queries of each page. A benchmark, not a test.
"""

from __future__ import annotations

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from proposals.models import Agency, Assignment, Session, User, UserRole


class Command(BaseCommand):
    help = "测量督办总览和统计页面的服务器耗时（p50/p95）和 SQL 查询数，输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, repeat: int, **options):
        staff = User.objects.filter(role=UserRole.COMMITTEE, is_active=True).first()
        if staff is None:
            raise CommandError("没有委员会工作人员账号：请先运行 manage.py seed_demo。")
        session = Session.objects.order_by("-pk").first()
        agency = Agency.objects.order_by("pk").first()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(staff)
        pages = {
            "dashboard": ("/dashboard/", {}),
            "dashboard_overdue": ("/dashboard/", {"overdue": "1"}),
            "dashboard_agency": ("/dashboard/", {"agency": agency.pk if agency else ""}),
            "dashboard_search": ("/dashboard/", {"q": "招工"}),
            "dashboard_sorted_page_50": ("/dashboard/", {"sort": "-number", "page": "50"}),
            "statistics": ("/statistics/", {}),
            "statistics_session": ("/statistics/", {"session": session.pk if session else ""}),
        }
        results = {"database": connection.vendor, "assignments": Assignment.objects.count()}
        for name, (url, params) in pages.items():
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url, params, secure=True)  # as behind the HTTPS proxy
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} 返回 {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params, secure=True)
            timings.sort()
            results[name] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
                "queries": len(queries),
            }
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
