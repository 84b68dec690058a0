from django.utils.functional import SimpleLazyObject

from .models import Section


def sections(request):
    """The section navigation shown in every page's header (cached; loaded only if shown)."""
    return {"nav_sections": SimpleLazyObject(Section.navigation)}
