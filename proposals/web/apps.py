"""Chinese names for the third-party apps the admin shows (issue 13 §7: the admin is Chinese
throughout). Their own strings that are marked for translation are in locale/zh_Hans; these
configurations name the apps and replace the English `__str__` of django-axes's records, which
is not marked for translation, in the admin's titles and breadcrumbs."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils import timezone
from django_tasks_db.apps import TasksAppConfig


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%-m月%-d日 %H:%M}" if moment else "时间不详"


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = "登录防护"

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = lambda self: (
            f"{self.username or '未知用户'}的登录尝试（{_when(self.attempt_time)}）"
        )
        AccessFailureLog.__str__ = lambda self: (
            f"{self.username or '未知用户'}登录失败（{_when(self.attempt_time)}，{self.ip_address or '地址不详'}）"
            + ("，已锁定" if self.locked_out else "")
        )
        AccessLog.__str__ = lambda self: f"{self.username or '未知用户'}的登录（{_when(self.attempt_time)}）"


class TaskResultsConfig(TasksAppConfig):
    verbose_name = "后台任务"
