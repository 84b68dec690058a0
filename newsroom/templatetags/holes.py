"""`{% hole "name" %}…{% endhole %}`: a part of a page filled per request (newsroom.shell)."""

from django import template
from django.utils.safestring import mark_safe

from newsroom.shell import MARK, RECORDING

register = template.Library()


class HoleNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        if context.get(RECORDING):
            return mark_safe(f"{MARK}{self.name}\x00")  # noqa: S308 - a marker, split out
        return self.nodelist.render(context)


@register.tag
def hole(parser, token):
    """{% hole "name" %} what a normal render shows {% endhole %}"""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("{% hole %} takes a name in quotes.") from None
    if not (name[0] == name[-1] and name[0] in "'\"") or "\x00" in name:
        raise template.TemplateSyntaxError("{% hole %} takes a name in quotes.")
    nodelist = parser.parse(("endhole",))
    parser.delete_first_token()
    return HoleNode(name[1:-1], nodelist)
