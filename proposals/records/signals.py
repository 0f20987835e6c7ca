"""Audit rows for what happens outside the portal's own views: logins, logouts, failed logins
and changes to accounts (role, agency, active, admin rights, password), wherever they are made."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from proposals.models import User
from proposals.records import audit

WATCHED = ("role", "agency_id", "office", "is_active", "is_staff", "is_superuser", "password")


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    audit.record(request, "login", user, actor=user)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(request, "logout", user, actor=user)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    # The username tried is kept (it may not exist); the password never is.
    audit.record(
        request, "login_failed", outcome="failed", username=str(credentials.get("username", ""))[:150]
    )


@receiver(pre_save, sender=User)
def remember_account(sender, instance: User, **kwargs):
    if instance.pk:
        instance._audit_before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User)
def account_changed(sender, instance: User, created: bool, **kwargs):
    before = getattr(instance, "_audit_before", None)
    if created:
        changes = {name: getattr(instance, name) for name in WATCHED if name != "password"}
        audit.record(None, "user_change", instance, action="create", changes=changes)
        return
    if before is None:
        return
    changed = {
        name: [before[name], getattr(instance, name)]
        for name in WATCHED
        if before[name] != getattr(instance, name) and name != "password"
    }
    if before["password"] != instance.password:
        audit.record(None, "password_change", instance)
    if changed:
        audit.record(None, "user_change", instance, action="update", changes=changed)
    if changed.get("is_active") == [True, False]:
        end_sessions(instance)


def end_sessions(user: User) -> int:
    """End every session of `user` on the server (account disabled). Returns how many."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(
        request, "lockout", outcome="locked", username=str(username or "")[:150], ip_address=ip_address
    )


user_locked_out.connect(_locked_out, dispatch_uid="audit_lockout")
