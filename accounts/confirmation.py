"""E-mail confirmation: a signed, expiring link that works once.

Opening the link shows a page with a Confirm button, and only pressing it (a POST)
confirms: mail scanners and link previews open links, and must not confirm an address
nobody has read. The link carries the account, the address it confirms and the account's
confirmation state when it was made. Following it changes that state, so the
same link (or an older one) never works twice, and a link for an address the
reader has since replaced confirms nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from . import emails
from .models import User

SALT = "accounts.confirm-email"


class InvalidLink(Exception):
    """A link that was tampered with, has expired or was already used; says which."""


def _state(user: User) -> str:
    return user.email_confirmed_at.isoformat() if user.email_confirmed_at else "new"


def make_token(*, user: User, email: str) -> str:
    return signing.dumps({"u": user.pk, "e": email, "s": _state(user)}, salt=SALT, compress=True)


def link(*, user: User, email: str) -> str:
    return settings.SITE_URL + reverse(
        "accounts:confirm_email", kwargs={"token": make_token(user=user, email=email)}
    )


def send_confirmation(*, user: User, email: str) -> None:
    """E-mail a confirmation link for `email` (the reader's address, or a new one)."""
    url = link(user=user, email=email)
    days = settings.ACCOUNT_CONFIRMATION_DAYS
    emails.send(  # queued with the caller's change: sent only if it commits
        to=email,
        subject=f"Confirm your e-mail address for {settings.SITE_NAME}",
        template="confirm_email",
        context={"user": user, "url": url, "days": days},
    )


def check(*, token: str, lock: bool = False) -> tuple[User, str]:
    """The account and address `token` would confirm; raise InvalidLink with a reader's
    explanation. Changes nothing: opening the link only shows its page."""
    max_age = timedelta(days=settings.ACCOUNT_CONFIRMATION_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink("This confirmation link has expired.") from error
    except signing.BadSignature as error:
        raise InvalidLink("This confirmation link is not valid.") from error
    users = User.objects.select_for_update() if lock else User.objects
    user = users.active().filter(pk=data["u"]).first()
    if user is None:
        raise InvalidLink("This confirmation link is not valid.")
    if data["s"] != _state(user) or data["e"] not in (user.email, user.pending_email):
        raise InvalidLink("This confirmation link was already used or replaced by a newer one.")
    return user, data["e"]


@transaction.atomic
def confirm(*, token: str) -> User:
    """Confirm the address in `token` (the reader pressed Confirm: mail scanners that
    open links never do); raise InvalidLink with a reader's explanation."""
    user, email = check(token=token, lock=True)
    user.confirm_email(email)
    return user
