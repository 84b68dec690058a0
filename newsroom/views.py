from django.conf import settings
from django.views.static import serve


def media(request, path):
    # Read at request time (not captured in the URLconf) so tests can point
    # MEDIA_ROOT at a temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)
