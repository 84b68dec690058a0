from django.urls import path

from . import views
from .models import Page

app_name = "pages"

urlpatterns = [path(f"{kind}/", views.page, {"kind": kind}, name=kind) for kind in Page.Kind.values]
