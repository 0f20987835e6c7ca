"""Permission names in Chinese. Django stores them in English when it creates them after a
migration ("Can add 答复"); the admin's user and group pages list them. Renamed once after every
migrate, after django.contrib.auth has created them (its receiver is connected first)."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import translation

ACTIONS = {"add": "可添加", "change": "可修改", "delete": "可删除", "view": "可查看"}


@receiver(post_migrate, dispatch_uid="chinese_permission_names")
def name_permissions_in_chinese(using: str = "default", apps=global_apps, **kwargs) -> None:
    try:
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _rename(Permission.objects.using(using).select_related("content_type"))


def _rename(permissions) -> None:
    for permission in permissions:
        action = permission.codename.split("_", 1)[0]
        model = global_apps.all_models.get(permission.content_type.app_label, {}).get(
            permission.content_type.model
        )
        if action not in ACTIONS or model is None:
            continue
        name = f"{ACTIONS[action]}{model._meta.verbose_name}"[:255]  # translated here
        if permission.name != name:
            permission.name = name
            permission.save(update_fields=["name"])
