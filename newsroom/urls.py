from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from articles.sitemaps import sitemaps

from . import health, views

# An unreachable database answers 503 with Retry-After; anything else stays a 500.
handler500 = "newsroom.unavailable.handler500"

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom admin"
# The moderation queue is wide; the app list is one click away on the index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # Container and proxy health checks (newsroom/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("comments/", include("comments.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("accounts.urls")),
    path("", include("pages.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # MEDIA_URL comes back from settings with a leading slash; routes are written without.
    media_route = f"{settings.MEDIA_URL.lstrip('/')}<path:path>"
    urlpatterns.append(path(media_route, views.media, name="media"))
if settings.BENCH_FLOOR_DIR:  # benchmark runs only, see newsroom/bench.py
    from newsroom import bench

    urlpatterns.append(path("__bench__/floor/<slug:name>/", bench.floor, name="bench-floor"))
