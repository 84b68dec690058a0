"""The WSGI application gunicorn serves (newsroom.wsgi:application).

Request bodies are read with a timeout. gunicorn reads from the client's socket
with none, so a client that stops sending halfway through an upload would hold
the thread reading it for as long as it keeps the connection open. With
settings.REQUEST_BODY_TIMEOUT seconds without a byte, the read fails and Django
answers 400, and the thread is free again. Behind Caddy, which hands gunicorn
only whole bodies (see the Caddyfile), it never fires.
"""

import contextlib
import os
import socket

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django_application = get_wsgi_application()


def warm_up() -> None:
    """Load now what each worker's first request would load: every URLconf and view
    module, and our templates, compiled. gunicorn imports this module in its master
    (preload_app), so every worker starts with them; nothing here opens a connection."""
    get_resolver().reverse_dict  # noqa: B018  (populating it imports every view)
    engine = engines["django"]
    for directory in engine.dirs:
        for template in directory.rglob("*.html"):
            engine.get_template(str(template.relative_to(directory)))


warm_up()


class TimedBody:
    """wsgi.input, but a read that times out is a bad request, not a server error;
    it counts what is left unread of the announced length."""

    def __init__(self, body, length: int = 0):
        self.body = body
        self.unread = length

    def read(self, *args):
        return self._timed(self.body.read, *args)

    def readline(self, *args):
        return self._timed(self.body.readline, *args)

    def _timed(self, read, *args):
        try:
            data = read(*args)
        except TimeoutError as stalled:
            raise BadRequest("The request body stopped arriving.") from stalled
        self.unread -= len(data)
        return data


class ClosedForReading:
    """The response, and once it is sent, no more reading of a body the site refused
    unread (a 403 before the upload came in, say).

    gunicorn closes such a connection gracefully: it waits up to 2 s for the client
    to stop sending, on the worker's main thread, which also accepts and dispatches
    every other connection; twenty stalled uploads refused that way held a worker's
    readers for 6 s. With the read side shut, that wait ends at once.
    """

    def __init__(self, response, body: TimedBody, client):
        self.response, self.body, self.client = response, body, client

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            if self.body.unread > 0:
                with contextlib.suppress(OSError):
                    self.client.shutdown(socket.SHUT_RD)


def application(environ, start_response):
    client = environ.get("gunicorn.socket")  # absent under runserver and the test client
    if client is None or not settings.REQUEST_BODY_TIMEOUT:
        return django_application(environ, start_response)
    client.settimeout(settings.REQUEST_BODY_TIMEOUT)
    try:
        length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        length = 0
    body = environ["wsgi.input"] = TimedBody(environ["wsgi.input"], length)
    response = django_application(environ, start_response)
    if not length:
        return response  # as is: gunicorn sends a file response (static files) with sendfile
    return ClosedForReading(response, body, client)
