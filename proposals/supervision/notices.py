"""Notices to the people of an agency: one in-app notice each (the 通知 page and the count in the
navigation bar) and, where an address is on file, an e-mail through Django's mail backend."""

from __future__ import annotations

from django.core.mail import send_mail

from proposals.models import Agency, Notice


def notify_agency(agency: Agency, subject: str, text: str, link: str) -> int | None:
    """Every active user of `agency` gets a notice linking to `link`; those with an e-mail
    address also get `subject` and `text` by mail. Returns the number of addresses mailed
    (0 when sending failed), or None when nobody has an address."""
    recipients = list(agency.users.filter(is_active=True))
    Notice.objects.bulk_create(Notice(user=r, text=text, link=link) for r in recipients)
    addresses = [r.email for r in recipients if r.email]
    if not addresses:
        return None
    return send_mail(subject, text, None, addresses, fail_silently=True) and len(addresses)
