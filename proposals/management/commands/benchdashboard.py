"""`manage.py benchdashboard`: server time of the committee's pages on the current database, and
the cost of the to-do count every page's navigation bar shows (待办 N), per role.

Build the data first (`seed_demo --proposals 10000 --agencies 60`), then run this once with
SQLite and once with DATABASE_URL pointing at PostgreSQL. Prints JSON: p50/p95 milliseconds and
the number of SQL queries of each page. A benchmark, not a test.
"""

from __future__ import annotations

import json
import statistics
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from proposals.models import Agency, Assignment, Session, User, UserRole


@contextmanager
def counted_queries():
    """The SQL statements run inside the block. (CaptureQueriesContext reads Django's query log,
    which stops growing at 9,000 entries: a long benchmark run would count nothing.)"""
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield statements


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
            with counted_queries() as queries:
                client.get(url, params, secure=True)
            timings.sort()
            results[name] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
                "queries": len(queries),
            }
        results["todo_count"] = self.todo_costs(repeat)
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))

    def todo_costs(self, repeat: int) -> dict:
        """The navigation bar's count for the busiest user of each role: milliseconds and queries
        of counting alone, and its share of a small page (通知)."""
        from proposals.supervision import todo

        today = timezone.localdate()
        per_agency = dict(Assignment.objects.values_list("agency").annotate(n=Count("pk")))
        costs = {}
        for role in (UserRole.CLERK, UserRole.LEADER, UserRole.COMMITTEE):
            users = list(User.objects.filter(role=role, is_active=True))
            # The busiest: the user whose agency has the most assignments (staff see them all).
            user = max(users, key=lambda u: per_agency.get(u.agency_id, 0), default=None)
            if user is None:
                continue
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                count = todo.total(todo.for_user(user, today))
                timings.append((time.perf_counter() - started) * 1000)
            with counted_queries() as queries:
                todo.total(todo.for_user(user, today))
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            page = [self.page_ms(client, "/notices/") for _ in range(repeat)]
            costs[role.label] = {
                "count": count,
                "p50_ms": round(statistics.median(timings), 1),
                "queries": len(queries),
                "notices_page_p50_ms": round(statistics.median(page), 1),
                "count_share_of_page": round(statistics.median(timings) / statistics.median(page), 2),
            }
        return costs

    @staticmethod
    def page_ms(client: Client, url: str) -> float:
        started = time.perf_counter()
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url} 返回 {response.status_code}")
        return (time.perf_counter() - started) * 1000
