from .models import Section


def sections(request):
    """The section navigation shown in every page's header (one query, lazily)."""
    return {"nav_sections": Section.objects.only("name", "slug")}
