"""When PostgreSQL cannot be reached: 503 with Retry-After, in the site's design.

Installed as the project's handler500, because an unreachable database can
raise anywhere (a view, the session middleware saving on the way out), and
every such exception ends in that handler; there it is told apart from a bug,
which stays a 500. The page is rendered without context processors or the
user, which would need the database again.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.views.defaults import server_error

# Fields never written back into a page.
SECRET_FIELDS = ("password", "csrfmiddlewaretoken", "token")


def database_unreachable(exception) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def handler500(request) -> HttpResponse:
    if not database_unreachable(sys.exc_info()[1]):
        return server_error(request)
    return unavailable(request)


def unavailable(request) -> HttpResponse:
    """The 503 page; a form that was being sent comes back filled in, to send again."""
    kept = []
    if request.method == "POST":
        kept = [
            (name, value)
            for name, value in request.POST.items()
            if not any(secret in name.lower() for secret in SECRET_FIELDS)
        ]
    try:
        html = render_to_string(
            "503.html",
            {
                "SITE_NAME": settings.SITE_NAME,
                "kept": kept,
                "action": request.get_full_path(),
                "csrf_token": get_token(request),
                "retry_after": settings.DATABASE_RETRY_AFTER,
            },
        )
    except Exception:  # noqa: BLE001 - the plain page must always come out
        return HttpResponseServerError("Service temporarily unavailable", status=503)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
