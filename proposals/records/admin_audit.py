"""The admin (数据管理) as a guarded, audited place (SEC-08, SEC-11, SEC-12): every object saved
or deleted there is audited with each changed field before and after (event `admin_change`,
后台修改), and every attempt it refused; records of the work are read-only (`RecordAdmin`), a
record that `locked` names is neither changed nor deleted, and a refusal is a message, never a
500. The rows are written by the admin's save and delete hooks inside the admin's own
transaction, so a change and its row are saved together or not at all.

Values are kept as a person can check them later: a related object as its name with its id,
a file as its stored name, many-to-many fields as sorted names; passwords never.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from proposals.models import FrozenReply
from proposals.records import audit

EVENT = "admin_change"
NEVER_KEPT = frozenset({"password", "last_login", "updated_at"})


def _value(obj: models.Model, field: models.Field):
    if field.many_to_one or field.one_to_one:
        related_id = getattr(obj, field.attname)
        return None if related_id is None else f"{getattr(obj, field.name)}（编号{related_id}）"
    value = field.value_from_object(obj)
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


def snapshot(obj: models.Model, skip: frozenset[str] | tuple[str, ...] = ()) -> dict:
    """The object's fields as the audit keeps them (`skip`: fields audited elsewhere)."""
    values = {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if not field.primary_key and field.name not in NEVER_KEPT and field.name not in skip
    }
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if field.name not in skip:
                values[field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    return values


def stored(obj: models.Model, skip: frozenset[str] | tuple[str, ...] = ()) -> dict:
    """The object as the database holds it now (before a save), or {} for a new object."""
    if obj.pk is None:
        return {}
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(row, skip) if row is not None else {}


def changes(before: dict, after: dict) -> dict[str, list]:
    """{field: [before, after]} for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def changed(request: HttpRequest, obj: models.Model, action: str, before: dict, after: dict, **detail):
    """One `admin_change` row for a create, update or delete; nothing when nothing changed."""
    diff = changes(before, after)
    if not diff:
        return None
    return audit.record(request, EVENT, obj, action=action, changes=diff, **detail)


def refused(request: HttpRequest, obj: models.Model | None, action: str, reason: str, **detail):
    """The row of a change or deletion the admin refused (the record stays as it was)."""
    return audit.record(request, EVENT, obj, outcome="refused", action=action, reason=reason, **detail)


# What a save can refuse with (a frozen letter, a model rule, a database guard): shown as a
# message, never as a 500.
REFUSALS = (FrozenReply, ValidationError, IntegrityError)


def refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    if isinstance(error, FrozenReply):
        return str(error)
    return "数据库拒绝了这项修改（已发出的答复函和办理记录不能修改），未保存任何内容。"


class AuditedAdmin(admin.ModelAdmin):
    """Every change made here is audited (后台修改: each field before and after, SEC-12), and
    every refusal is a message on the page, never a 500. `locked(obj)` says why a record is
    read-only (empty: it may be changed); a locked record can be neither changed nor deleted."""

    audit_skip: tuple[str, ...] = ()  # fields audited elsewhere
    deletable = True

    def locked(self, obj) -> str:
        return ""

    def delete_refusal(self, obj) -> str:
        return self.locked(obj) or f"{self.opts.verbose_name}不能在数据管理中删除（办理记录须保留）。"

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj is not None and self.locked(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return (
            self.deletable
            and super().has_delete_permission(request, obj)
            and not (obj is not None and self.locked(obj))
        )

    def refuse(self, request, obj, action: str, reason: str, to: str = ""):
        refused(request, obj, action, reason, **({} if obj else {"model": self.opts.label}))
        messages.error(request, reason)
        return HttpResponseRedirect(to or request.path)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        reason = self.locked(obj) if obj is not None else ""
        if reason and request.method == "POST":
            return self.refuse(request, obj, "update", reason)
        if reason:
            messages.warning(request, reason)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            return self.refuse(request, obj, "update" if obj else "create", refusal_text(error))

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_delete_permission(request, obj):
            page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            if request.method != "POST":
                messages.error(request, self.delete_refusal(obj))
                return HttpResponseRedirect(page)
            return self.refuse(request, obj, "delete", self.delete_refusal(obj), to=page)
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as error:
            return self.refuse(request, obj, "delete", refusal_text(error))

    def save_model(self, request, obj, form, change) -> None:
        obj._audit_before = stored(obj, self.audit_skip) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = snapshot(obj, self.audit_skip)
        changed(request, obj, "update" if change else "create", obj._audit_before, after)

    def save_formset(self, request, form, formset, change) -> None:
        """The inline rows (measures, 抄送, authors ...), each audited as its own object."""
        parent = str(form.instance)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                before = stored(deleted.instance)
                changed(request, deleted.instance, "delete", before, {}, parent=parent)
        before = {
            row.instance.pk: stored(row.instance)
            for row in formset.initial_forms
            if row.instance.pk is not None and row.has_changed() and row not in formset.deleted_forms
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            changed(request, obj, "create", {}, snapshot(obj), parent=parent)
        for obj, _fields in formset.changed_objects:
            after = snapshot(obj)
            changed(request, obj, "update", before.get(obj.pk, {}), after, parent=parent)

    def delete_model(self, request, obj) -> None:
        changed(request, obj, "delete", snapshot(obj, self.audit_skip), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            changed(request, obj, "delete", snapshot(obj, self.audit_skip), {})
        super().delete_queryset(request, queryset)


class RecordAdmin(AuditedAdmin):
    """A record of the work (SEC-11): the admin shows it, never adds, changes or deletes one."""

    deletable = False

    def locked(self, obj) -> str:
        return f"{self.opts.verbose_name}是办理过程的记录，在数据管理中只能查看，不能修改或删除。"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LockedWithParent:
    """An inline that is read-only while its parent record is (the parent admin's `locked`)."""

    def parent_locked(self, obj) -> bool:
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return obj is not None and parent_admin is not None and bool(parent_admin.locked(obj))

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not self.parent_locked(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self.parent_locked(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self.parent_locked(obj)
