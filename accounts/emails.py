"""Every e-mail the accounts app sends goes through `send`, one place to route mail."""

from django.conf import settings
from django.template.loader import render_to_string

from newsroom.mail import send_email


def send(*, to: str, subject: str, template: str, context: dict) -> None:
    """Queue the plain-text e-mail templates/accounts/<template>.txt to `to`.

    It goes through the task queue (newsroom/mail.py), in the caller's transaction:
    sent by a worker once the change commits, retried while the mail server fails.
    """
    context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    body = render_to_string(f"accounts/{template}.txt", context)
    send_email(to=to, subject=subject, body=body)
