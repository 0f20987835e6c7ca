from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "建议提案办理"

    def ready(self) -> None:
        from proposals.records import signals  # noqa: F401  (connects the audit receivers)
        from proposals.web import (
            accounts,  # noqa: F401  (notes each login's time in its session)
            permissions,  # noqa: F401  (Chinese permission names after migrate)
        )
