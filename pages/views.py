from django.conf import settings
from django.shortcuts import get_object_or_404, render

from .models import Page


def page(request, kind: str):
    shown = get_object_or_404(Page.objects.all(), kind=kind)
    return render(
        request,
        "pages/page.html",
        {
            "page": shown,
            # Stated from the settings the purge uses, so the notice is never out of date.
            "retention_days": settings.NETWORK_DATA_RETENTION_DAYS,
            "retired_name_days": settings.ACCOUNT_DELETED_NAME_HOLD_DAYS,
        },
    )
