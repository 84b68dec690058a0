"""The WSGI application gunicorn serves (newsroom.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()


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
