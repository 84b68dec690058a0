"""One-click unsubscribe links: signed, expiring, and usable without logging in.

The token names the reader and is signed with the site's secret (salted for this use
only), so it can't be forged or pointed at someone else; it stops working after
settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from newsroom.site import absolute_url

_SALT = "notifications.unsubscribe"


class InvalidToken(Exception):
    def __init__(self, message: str, *, expired: bool):
        super().__init__(message)
        self.expired = expired


def token_for(user) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(user.pk))


def user_id_from(token: str) -> int:
    """The reader the token was made for; raises InvalidToken when tampered or expired."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken("This unsubscribe link has expired.", expired=True) from None
    except signing.BadSignature:
        raise InvalidToken("This unsubscribe link is not valid.", expired=False) from None
    return int(value)


def url_for(user) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[token_for(user)]))


def headers_for(user) -> dict[str, str]:
    """RFC 8058: mail clients offer their own button, which POSTs to the link."""
    return {
        "List-Unsubscribe": f"<{url_for(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
