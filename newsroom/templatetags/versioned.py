"""`{% versioned %}`: a part of a template kept under versions (newsroom.freshness).

Like Django's `{% cache %}`, but its key is named by freshness tokens read before the
page's data, so it is never stale and this process keeps its own copy: reading it again
costs no cache round trip.

    {% versioned 600 view.versions.content "article-body" article.pk %}...{% endversioned %}
"""

from django import template
from django.utils.safestring import mark_safe

from newsroom import freshness

register = template.Library()


class VersionedNode(template.Node):
    def __init__(self, nodelist, timeout, stamp, parts):
        self.nodelist, self.timeout, self.stamp, self.parts = nodelist, timeout, stamp, parts

    def render(self, context):
        name = ":".join(str(part.resolve(context)) for part in self.parts)
        html = freshness.cached(
            f"template:{name}",
            self.stamp.resolve(context),
            lambda: self.nodelist.render(context),
            timeout=self.timeout.resolve(context),
            local=True,
        )
        return mark_safe(html)  # noqa: S308 - rendered by the template, autoescaped


@register.tag
def versioned(parser, token):
    """{% versioned timeout stamp name_part... %} ... {% endversioned %}"""
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a timeout, a stamp and a name.")
    nodelist = parser.parse(("endversioned",))
    parser.delete_first_token()
    timeout, stamp, *parts = (parser.compile_filter(bit) for bit in bits[1:])
    return VersionedNode(nodelist, timeout, stamp, parts)
