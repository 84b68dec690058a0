"""Markdown for article bodies, rendered once per save and sanitised.

Editors are trusted to write Markdown, not HTML: whatever they type is
rendered and then cleaned with an allow-list, so even a raw <script> in the
body never reaches a page.

Pictures in the body are kept only from our own site or over HTTPS, which is
what the Content-Security-Policy's img-src allows (newsroom/settings.py): an
http:// picture would be blocked on the page, so its address is dropped here.
"""

from urllib.parse import urlsplit

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure",
    "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}


IMAGE_SCHEMES = {"https", ""}  # "": a relative address, on our own site


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and urlsplit(value).scheme not in IMAGE_SCHEMES:
        return None
    return value


def render_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
        attribute_filter=_filter_attribute,
    )
