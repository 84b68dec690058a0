"""The WSGI application gunicorn serves (newsroom.wsgi:application).

Request bodies are read with a timeout. gunicorn reads from the client's socket
with none, so a client that stops sending halfway through an upload would hold
the thread reading it for as long as it keeps the connection open. With
settings.REQUEST_BODY_TIMEOUT seconds without a byte, the read fails and Django
answers 400, and the thread is free again. Behind Caddy, which hands gunicorn
only whole bodies (see the Caddyfile), it never fires.
"""

import os

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
    """wsgi.input, but a read that times out is a bad request, not a server error."""

    def __init__(self, body):
        self.body = body

    def read(self, *args):
        return self._timed(self.body.read, *args)

    def readline(self, *args):
        return self._timed(self.body.readline, *args)

    @staticmethod
    def _timed(read, *args):
        try:
            return read(*args)
        except TimeoutError as stalled:
            raise BadRequest("The request body stopped arriving.") from stalled


def application(environ, start_response):
    client = environ.get("gunicorn.socket")  # absent under runserver and the test client
    if client is not None and settings.REQUEST_BODY_TIMEOUT:
        client.settimeout(settings.REQUEST_BODY_TIMEOUT)
        environ["wsgi.input"] = TimedBody(environ["wsgi.input"])
    return django_application(environ, start_response)
