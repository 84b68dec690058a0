"""The benchmark floor: a response of captured bytes, served through the full stack.

`bench/run.py` captures the article page once, writes its bytes under
BENCH_FLOOR_DIR and measures this view next to the real page on the same
gunicorn: same middleware, same response size, none of the page's work. A
page's requests per second divided by its floor's is then a fraction that
does not depend on the machine.

The URL exists only when BENCH_FLOOR_DIR is set (see newsroom/urls.py); the
benchmark sets it for its own server, and nothing else should.
"""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse

_captured: dict[str, bytes] = {}


def captured_page(name: str) -> bytes:
    """The bytes saved as `<name>.html`, read once per process."""
    if name not in _captured:
        path = Path(settings.BENCH_FLOOR_DIR) / f"{name}.html"
        try:
            _captured[name] = path.read_bytes()
        except FileNotFoundError:
            raise Http404(f"No captured page named {name!r}.") from None
    return _captured[name]


def floor(request, name):
    return HttpResponse(captured_page(name), content_type="text/html; charset=utf-8")
