from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("articles.urls")),
]

if settings.BENCH_FLOOR_DIR:  # benchmark runs only, see newsroom/bench.py
    from newsroom import bench

    urlpatterns.append(path("__bench__/floor/<slug:name>/", bench.floor, name="bench-floor"))
