"""Request ids, one log line per request, and the request id on error reports.

- Every request has an id: the X-Request-ID its proxy sent, when that is a short
  token of safe characters, or else a new one. The response carries it back in
  the same header, and RequestIdFilter puts it on every log record written while
  the request is handled (settings.LOGGING attaches the filter to the console
  handler), so one grep finds everything a request did.
- RequestLogMiddleware writes one line per request to the "newsroom.request"
  logger: method, path, status, duration in ms and the user's id. It reads the
  user only if the request already did, so logging never loads a session or
  queries the database (which might be the thing that is down).
- tag_error_report is sentry-sdk's before_send hook when SENTRY_DSN is set.

Nothing here imports models: settings.LOGGING and settings' sentry set-up load it.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

logger = logging.getLogger("newsroom.request")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record: the current request's, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return True


def _request_id_for(request) -> str:
    sent = request.headers.get(HEADER, "")
    return sent if _ACCEPTED.fullmatch(sent) else uuid.uuid4().hex


def _user_id(request):
    # AuthenticationMiddleware's lazy request.user caches what it loaded here.
    user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """First in MIDDLEWARE, so the line covers everything, redirects and refusals too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id_for(request)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._log(request, response, started)
            return response
        finally:
            _request_id.reset(token)

    def _log(self, request, response, started):
        match = request.resolver_match
        # Health checks come every few seconds: their passes show at DEBUG only.
        quiet = match is not None and match.url_name in {"healthz", "readyz"}
        level = logging.DEBUG if quiet and response.status_code == 200 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
            },
        )


def tag_error_report(event, hint):
    """sentry-sdk's before_send: the request id as a tag, to find the request's log lines."""
    request_id = _request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
