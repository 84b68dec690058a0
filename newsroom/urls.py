from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("newsroom.urls_accounts")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # MEDIA_URL comes back from settings with a leading slash; routes are written without.
    media_route = f"{settings.MEDIA_URL.lstrip('/')}<path:path>"
    urlpatterns.append(path(media_route, views.media, name="media"))
