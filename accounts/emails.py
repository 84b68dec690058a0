"""Every e-mail the accounts app sends goes through `send`, one place to route mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send(*, to: str, subject: str, template: str, context: dict) -> None:
    """Send the plain-text e-mail templates/accounts/<template>.txt to `to`.

    Callers run it in transaction.on_commit, so nothing is sent for a change that
    did not happen.
    """
    context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    body = render_to_string(f"accounts/{template}.txt", context)
    send_mail(subject, body, None, [to])
