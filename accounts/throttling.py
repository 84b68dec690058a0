"""How django-axes identifies who is failing to log in (see the AXES_* settings)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import fold_username


def client_ip(request: HttpRequest) -> str:
    """The address failed logins are counted against.

    X-Forwarded-For is written by whoever sends the request, so it is only
    believed when BEHIND_PROXY says our own proxy is in front. Even then only its
    last entry counts: that is the one our proxy appended, and anything to its
    left came from the client and may be forged.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The posted username, folded, so "Alice" and "ALICE" share one failure count."""
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    if credentials and credentials.get(field):
        username = credentials[field]
    else:
        username = request.POST.get(field, "") if request is not None else ""
    return lockout_username_of(str(username))


def lockout_username_of(username: str) -> str:
    """The form of `username` failed logins are recorded under."""
    return fold_username(username)


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """A readable page (429 Too Many Requests) in place of the login form."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
