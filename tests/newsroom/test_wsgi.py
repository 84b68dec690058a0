import io
import socket
import time

import pytest
from django.core.exceptions import BadRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from newsroom import wsgi


def _upload_environ(body_file, client_socket, *, length: int) -> dict:
    """What gunicorn hands the app for a multipart upload to the log-in page."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        # With a CSRF cookie, Django's CSRF check reads the body for the form's token.
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
        "CONTENT_TYPE": "multipart/form-data; boundary=stalled",
        "CONTENT_LENGTH": str(length),
        "wsgi.url_scheme": "http",
        "wsgi.input": body_file,
        "wsgi.errors": io.StringIO(),
        "gunicorn.socket": client_socket,
    }


def _tcp_pair():
    """Both ends of a TCP connection on the loopback, as gunicorn's client socket is."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client_end = socket.create_connection(listener.getsockname())
        server_end, _ = listener.accept()
    return server_end, client_end


@pytest.fixture
def _keep_the_test_connection():
    # As Django's test client does: a request must not close the test's transaction.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_the_test_connection")
def test_a_stalled_upload_is_a_400_after_the_body_timeout(settings):
    settings.REQUEST_BODY_TIMEOUT = 0.2
    server_end, client_end = socket.socketpair()
    with server_end, client_end:
        client_end.sendall(b"--stalled\r\n")  # of 100,000 announced bytes, then nothing
        statuses = []
        started = time.monotonic()
        environ = _upload_environ(server_end.makefile("rb"), server_end, length=100_000)
        response = wsgi.application(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        assert statuses == ["400 Bad Request"]
        assert time.monotonic() - started < 5


def test_a_body_read_that_times_out_is_a_bad_request():
    class Stalled:
        def read(self, size=-1):
            raise TimeoutError("timed out")

        readline = read

    body = wsgi.TimedBody(Stalled())
    with pytest.raises(BadRequest):
        body.read(10)
    with pytest.raises(BadRequest):
        body.readline()


def test_a_body_that_arrives_is_read_as_it_is():
    body = wsgi.TimedBody(io.BytesIO(b"line one\nline two"))
    assert body.readline() == b"line one\n"
    assert body.read() == b"line two"


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_the_test_connection")
@pytest.mark.parametrize("with_cookie", [False, True])
def test_a_body_refused_unread_stops_being_read_once_answered(settings, with_cookie):
    """gunicorn's graceful close would wait for the client to stop sending; a read side
    that is shut ends that wait at once."""
    settings.REQUEST_BODY_TIMEOUT = 0.2
    server_end, client_end = _tcp_pair()
    with server_end, client_end:
        client_end.sendall(b"--stalled\r\n")
        environ = _upload_environ(server_end.makefile("rb"), server_end, length=100_000)
        if not with_cookie:
            del environ["HTTP_COOKIE"]  # refused by the CSRF check before any body is read
        statuses = []
        response = wsgi.application(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()
        assert statuses == ["400 Bad Request" if with_cookie else "403 Forbidden"]
        server_end.settimeout(1)
        while server_end.recv(4096):  # what had arrived; then the end, without waiting
            pass


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_the_test_connection")
def test_a_body_read_to_its_end_keeps_the_connection_readable(settings, reader):
    settings.REQUEST_BODY_TIMEOUT = 0.5
    server_end, client_end = _tcp_pair()
    with server_end, client_end:
        body = b"username=nobody&password=wrong"
        client_end.sendall(body + b"NEXT")
        environ = _upload_environ(server_end.makefile("rb"), server_end, length=len(body))
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["wsgi.input"] = io.BytesIO(body)
        response = wsgi.application(environ, lambda status, headers: None)
        b"".join(response)
        response.close()
        server_end.settimeout(1)
        assert server_end.recv(100) == body + b"NEXT"  # nothing was shut
