"""Every e-mail the site sends goes through `send_email`: it is queued in PostgreSQL and
sent by a worker, never inside a reader's request.

A mail server that fails (refuses, times out, is down) is tried again later, with
a delay that doubles each time (settings.MAIL_RETRY_SECONDS, MAIL_MAX_ATTEMPTS); a
mail that still fails after the last attempt leaves a failed task, with its
traceback, in the admin under "Tasks". While the worker is stopped, mails wait in
the queue.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# What a mail server that is down, refusing or too slow raises; anything else is a bug.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def send_email(
    *,
    to: str | list[str],
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
    from_email: str = "",
) -> None:
    """Queue one e-mail for a worker to send; returns at once.

    The queue is a table in the same database, so inside a transaction the e-mail is
    queued with the rest of the change: sent if it commits, never if it rolls back
    (no on_commit needed, and nothing lost between the commit and the queueing).

    `to`: one address or a list; `body`: the plain-text message; `html_body`: an
    optional HTML alternative; `headers`: extra headers (e.g. List-Unsubscribe);
    `from_email`: defaults to settings.DEFAULT_FROM_EMAIL. Everything must be plain
    strings: the message is stored as JSON until it is sent. Returns at once.
    """
    message = {
        "to": [to] if isinstance(to, str) else list(to),
        "subject": subject,
        "body": body,
        "html_body": html_body,
        "headers": dict(headers or {}),
        "from_email": from_email,
    }
    deliver.enqueue(message=message, attempt=1)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...)."""
    return timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1))


@task()
def deliver(*, message: dict, attempt: int) -> str:
    """Send one queued e-mail (see send_email); on a delivery error queue the next
    attempt, or fail (visibly, in the admin) after the last one."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"] or None,
        to=message["to"],
        headers=message["headers"],
    )
    if message["html_body"]:
        email.attach_alternative(message["html_body"], "text/html")
    try:
        email.send()
    except DELIVERY_ERRORS as error:
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            raise  # recorded as a failed task, with its traceback, for staff to see
        delay = retry_delay(attempt)
        retry = deliver
        if delay and deliver.get_backend().supports_defer:
            retry = deliver.using(run_after=timezone.now() + delay)
        logger.warning(
            "Mail to %s failed (%s); attempt %d in %s",
            ", ".join(message["to"]), error, attempt + 1, delay,
        )  # fmt: skip
        retry.enqueue(message=message, attempt=attempt + 1)
        return f"attempt {attempt} failed ({error}); attempt {attempt + 1} queued"
    return f"sent to {', '.join(message['to'])}"
