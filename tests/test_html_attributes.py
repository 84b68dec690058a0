"""The attributes our reader pages emit are valid HTML (what the Nu Html Checker checks).

All 32 errors the checker reported on the home and article pages had one cause:
`<time datetime>` written with microseconds. This parses each page and checks every
attribute whose values HTML constrains and that we emit, by the HTML standard's grammar.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from tests.articles.test_images import picture
from tests.factories import ArticleFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db

# HTML's "valid date string", "valid time string", "valid global date and time string"
# (https://html.spec.whatwg.org/#dates-and-times): at most three fractional digits.
_DATE = r"\d{4,}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})"
DATETIME = re.compile(rf"^(?:{_DATE}|{_TIME}|{_DATE}[T ]{_TIME}{_ZONE}?)$")

ENUMERATED = {
    "loading": {"lazy", "eager"},
    "fetchpriority": {"high", "low", "auto"},
    "decoding": {"sync", "async", "auto"},
    "aria-pressed": {"true", "false", "mixed"},
    "aria-current": {"page", "step", "location", "date", "time", "true", "false"},
}


class Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors, self.ids, self.times = [], set(), 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "datetime" and tag in ("time", "ins", "del"):
                self.times += 1
                if not DATETIME.match(value or ""):
                    self.errors.append(f"<{tag} datetime={value!r}>")
            if name in ENUMERATED and value not in ENUMERATED[name]:
                self.errors.append(f"<{tag} {name}={value!r}>")
            if name == "id":
                if value in self.ids:
                    self.errors.append(f"duplicate id {value!r}")
                self.ids.add(value)


def check(html: str) -> Attributes:
    parser = Attributes()
    parser.feed(html)
    assert parser.errors == []
    return parser


@pytest.fixture
def site(published_article, reader, other_reader, editor):
    """A site as a reader finds it: an illustrated, revised, discussed and tagged article."""
    article = ArticleFactory(
        title="Illustrated story",
        lead_image=picture((2000, 1000)),
        lead_image_alt="A teal rectangle.",
        published_at=timezone.now() - timedelta(hours=3),
    )
    article.tags.add(TagFactory(name="Flooding"))
    first = CommentFactory(article=article, author=reader, body="First comment")
    moderation.post_comment(author=other_reader, article=article, body="A reply", parent=first)
    moderation.recommend(reader=other_reader, comment=first)
    moderation.feature(comment=first, moderator=editor)
    return article


@pytest.mark.parametrize("anonymous", [True, False])
def test_reader_pages_emit_valid_attributes(client, site, reader, anonymous):
    if not anonymous:
        client.force_login(reader)
    pages = [
        reverse("articles:home"),
        site.get_absolute_url(),
        site.get_absolute_url() + "?sort=recommended",
        site.section.get_absolute_url(),
        reverse("articles:search") + "?q=story",
        reader.get_absolute_url(),
    ]
    if anonymous:
        pages.append(reverse("accounts:signup"))
    times = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        times += check(response.content.decode()).times
    assert times >= 5  # bylines, comments and the profile's dates were checked


def test_datetime_grammar_refuses_microseconds():
    assert DATETIME.match("2026-12-05T03:02:03+00:00")
    assert DATETIME.match("2026-12-05T03:02:03.123Z")
    assert not DATETIME.match("2026-12-05T03:02:03.123456+00:00")
