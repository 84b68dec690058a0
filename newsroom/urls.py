from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from articles.sitemaps import sitemaps

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("", include("articles.urls")),
]
# Uploaded media in development; production serves it from the web server or object storage.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
