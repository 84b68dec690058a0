import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from articles.models import HIGHLIGHT_START, HIGHLIGHT_STOP
from newsroom.site import absolute_url as site_url

register = template.Library()

# As django.utils.html.json_script does: nothing in the data can close the <script>.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
# Markdown markers that would look like noise in a plain-text search snippet.
SNIPPET_NOISE = str.maketrans("", "", "*#`")


@register.filter
def highlight(text):
    """A search headline as HTML: the text escaped, then the matched words in <mark>."""
    html = escape(str(text).translate(SNIPPET_NOISE))
    return mark_safe(  # noqa: S308 - escaped above; only our own tags are added
        html.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    )


@register.simple_tag
def absolute_url(path):
    """`path` on the site's public address (SITE_URL), whatever host was asked."""
    return site_url(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without tracking or sorting parameters, keeping ?page=N."""
    request = context.get("request")
    if request is None:  # error pages rendered without a request
        return ""
    page = context.get("page_obj")
    path = request.path
    if page is not None and page.number > 1:
        path += f"?page={page.number}"
    return site_url(path)


@register.filter
def html_datetime(value) -> str:
    """A `<time datetime>` value: HTML allows at most three digits of fractional
    seconds, and `|date:'c'` writes six, so we write whole seconds."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


@register.inclusion_tag("articles/_lead_image.html")
def lead_image(article, sizes="100vw", loading="lazy", caption=True):
    renditions = article.lead_image_sizes
    if not renditions:
        return {"renditions": None}
    # The default src is the middle size: sharp enough for browsers without srcset.
    default = renditions[len(renditions) // 2]
    return {
        "article": article,
        "renditions": renditions,
        "default": default,
        "srcset": ", ".join(f"{r['url']} {r['width']}w" for r in renditions),
        "sizes": sizes,
        "loading": loading,
        "caption": caption,
    }


def news_article_data(article) -> dict:
    """schema.org NewsArticle for an article page.

    The comments app publishes the page's visible comments in a second block
    for the same "@id" (comments/rendering.py), which search engines merge.
    """
    url = site_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": article.standfirst,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "datePublished": article.published_at,
        "dateModified": article.modified_at,
        "author": [
            {
                "@type": "Person",
                "name": author.display_name,
                "url": site_url(reverse("articles:author", args=[author.username])),
            }
            for author in article.authors.all()
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": site_url(reverse("articles:home")),
        },
    }
    if renditions := article.lead_image_sizes:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": site_url(r["url"]),
                "width": r["width"],
                "height": r["height"],
            }
            for r in renditions
        ]
    return data


@register.simple_tag
def article_json_ld(article):
    data = news_article_data(article)
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
