"""Reader text: plain, escaped, with paragraphs, line breaks and safe links.

Nothing a reader writes is interpreted as HTML or Markdown. `urlize` escapes
everything that is not a URL; the only tags in the output are the <p>, <br>
and <a> we add here.
"""

import functools
import re
import unicodedata

from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

ALLOWED_CONTROL_CHARACTERS = {"\n", "\r", "\t"}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# In render()'s output every <a> is one urlize made: the reader's own text is escaped.
_LINK_TAG = re.compile(r"<a\s")


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# Bidirectional embeddings, overrides and isolates: they can make a comment (or the
# page around it) read in a different order from what was written ("Trojan Source").
# Other invisible formatting characters, such as the joiners inside emoji, are fine.
BIDI_CONTROL_CHARACTERS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROL_CHARACTERS)
        or ch in BIDI_CONTROL_CHARACTERS
        for ch in text
    )


def count_links(text: str) -> int:
    """How many links readers will see: counted on the rendered text, so that
    whatever render() links (bare domains, e-mail addresses...) is counted."""
    return len(_LINK_TAG.findall(render(text)))


# Posting renders each new text twice, to count its links (moderation.rules) and to
# store its HTML (Comment.save): the second time is a cache hit.
@functools.lru_cache(maxsize=32)
def render(text: str) -> SafeString:
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(normalise(text)) if p.strip()]
    html = []
    for paragraph in paragraphs:
        linked = urlize(paragraph, trim_url_limit=60, nofollow=True, autoescape=True)
        # urlize escaped the reader's text, so every rel="nofollow" here is one of its own links.
        linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
        html.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return mark_safe("".join(html))  # noqa: S308 - built from escaped text above
