import json
import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from newsroom import observability

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def request_lines(caplog):
    """The records of newsroom.request, each a request's one line."""
    caplog.set_level(logging.DEBUG, logger="newsroom.request")
    return lambda: [r for r in caplog.records if r.name == "newsroom.request"]


@pytest.fixture
def json_formatter(settings):
    """The production formatter, as settings.LOGGING builds it."""
    config = dict(settings.LOGGING["formatters"]["json"])
    return import_string(config.pop("()"))(**config)


def test_the_proxys_request_id_passes_through(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="2f1c9a7e-5b0d-4c2e-9f3a-1d2b3c4d5e6f")
    assert response["X-Request-ID"] == "2f1c9a7e-5b0d-4c2e-9f3a-1d2b3c4d5e6f"


def test_a_request_id_is_generated_when_missing(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "x" * 65,
        "id with spaces",
        "id;drop",
        "abc\r\nSet-Cookie: sessionid=stolen",
        "abc\nX-Injected: 1",
        "ünïcode",
    ],
)
def test_an_invalid_request_id_is_replaced_not_echoed(client, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert "Set-Cookie" not in response and "X-Injected" not in response
    assert not response.cookies


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_fields(client, reader, request_lines, json_formatter):
    client.force_login(reader)
    response = client.get("/", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200
    (record,) = request_lines()
    line = json_formatter.format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "INFO"
    assert fields["logger"] == "newsroom.request"
    assert fields["message"] == "GET / 200"
    assert fields["method"] == "GET"
    assert fields["path"] == "/"
    assert fields["status"] == 200
    assert fields["user_id"] == reader.pk
    assert isinstance(fields["duration_ms"], float)
    assert "timestamp" in fields
    # The filter that settings.LOGGING puts on the console handler adds the id.
    observability.RequestIdFilter().filter(record)
    assert json.loads(json_formatter.format(record))["request_id"] == "req-42"


@pytest.mark.django_db
def test_anonymous_requests_log_no_user(client, request_lines):
    client.get("/")
    (record,) = request_lines()
    assert record.user_id is None


def test_logging_never_loads_the_user(rf, request_lines):
    # A view that never looked at request.user: the log line must not load it (that
    # would read the session and query the database, perhaps the one that is down).
    def user_never_read(request):
        return HttpResponse()

    request = rf.get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the log line loaded the user"))
    observability.RequestLogMiddleware(user_never_read)(request)
    (record,) = request_lines()
    assert record.user_id is None


def test_every_record_during_a_request_carries_its_id():
    captured = []

    class Capture(logging.Handler):
        def emit(self, record):
            captured.append(record)

    handler = Capture()
    handler.addFilter(observability.RequestIdFilter())
    log = logging.getLogger("newsroom.test")
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    def view(request):
        log.info("inside the view")
        return HttpResponse()

    try:
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123")
        observability.RequestLogMiddleware(view)(request)
        log.info("after the request")
    finally:
        log.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in captured] == [
        ("inside the view", "abc-123"),
        ("after the request", "-"),
    ]


def test_passing_health_checks_log_at_debug_only(client, request_lines):
    client.get("/healthz")
    (record,) = request_lines()
    assert record.levelno == logging.DEBUG


def test_error_reports_are_tagged_with_the_request_id():
    events = []

    def view(request):
        events.append(observability.tag_error_report({"message": "boom"}, {}))
        return HttpResponse()

    observability.RequestLogMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="r-1"))
    assert events == [{"message": "boom", "tags": {"request_id": "r-1"}}]
    assert observability.tag_error_report({}, {}) == {}  # outside a request
