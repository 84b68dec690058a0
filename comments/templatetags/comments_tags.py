from django import template
from django.core.paginator import Paginator

from .. import personal, section
from ..models import Comment

register = template.Library()


@register.inclusion_tag(section.TEMPLATE, takes_context=True)
def comment_section(context, article, versions):
    """The conversation under an article: heading, form and a page of threads.

    `versions` are the article page's (articles.page_cache.page_versions), read
    before the article was; the threads are kept under its conversation's."""
    return section.context(context["request"], article, versions)


@register.simple_tag
def recommend_button(comment):
    return personal.recommend_button(comment)


@register.inclusion_tag("comments/_profile_comments.html", takes_context=True)
def profile_comments(context, person):
    """A reader's visible comments on public articles, newest first, paginated."""
    comments = (
        Comment.objects.public()
        .filter(author=person)
        .select_related("article")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(comments, 20).get_page(context["request"].GET.get("page"))
    return {"person": person, "page_obj": page, "comments": page.object_list}
