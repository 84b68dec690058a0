"""Page shells: a page rendered once with holes, the holes filled for each request.

Most of an article's page (the head, the article, related articles, the header and
footer) is the same for every reader until the article changes; only a few parts are
the reader's own (the account links, flash messages) or change with every comment (the
conversation). A template marks those parts `{% hole "name" %}…{% endhole %}`: rendered
normally, a hole is its content; rendered as a shell (`record`), it is a marker, and the
page is kept as the pieces between markers. A request then renders only its holes
(`fill`), each with a function of its own, and joins the pieces: no template engine
for the rest of the page.
"""

from collections.abc import Callable, Mapping

from django.template.loader import render_to_string

# Neither PostgreSQL text nor our templates can hold a NUL: a marker is never content.
MARK = "\x00hole:"
RECORDING = "_shell_recording"


def record(template_name: str, context: dict, request) -> tuple[str, ...]:
    """The template rendered with a marker for each hole, as pieces: HTML, then hole
    names and HTML in turn (a tuple of strings: cheap to keep and to copy)."""
    return split(render_to_string(template_name, {**context, RECORDING: True}, request))


def split(html: str) -> tuple[str, ...]:
    """A page rendered with hole markers, as pieces (see `record`)."""
    first, *rest = html.split(MARK)
    pieces = [first]
    for part in rest:  # each starts with the name of the hole it follows
        pieces.extend(part.split("\x00", 1))
    return tuple(pieces)


def fill(shell: tuple[str, ...], fillers: Mapping[str, Callable[[], str]]) -> str:
    """The shell's page, each hole given its filler's HTML."""
    pieces = list(shell)
    for n in range(1, len(pieces), 2):
        pieces[n] = fillers[pieces[n]]()
    return "".join(pieces)
