from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("articles.urls")),
]
