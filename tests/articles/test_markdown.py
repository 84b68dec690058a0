import re
from urllib.parse import urlsplit

import pytest

from articles.markdown import render_markdown
from tests.factories import ArticleFactory


def test_markdown_is_rendered():
    html = render_markdown("Hello **world**\n\n## Heading\n\n- one\n- two")
    assert "<strong>world</strong>" in html
    assert "<h2>Heading</h2>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="https://example.com" onclick="steal()">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_dangerous_html_is_removed(source):
    html = render_markdown(source)
    for needle in ("<script", "onerror", "javascript:", "onclick", "<iframe", "<style"):
        assert needle not in html


def test_links_keep_safe_href():
    html = render_markdown("[site](https://example.com)")
    assert 'href="https://example.com"' in html


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("![Map](https://maps.example.com/flood.png)", True),
        ("![Map](/media/articles/flood.png)", True),
        ("![Map](http://maps.example.com/flood.png)", False),
        ('<img src="ftp://example.com/x.png" alt="Map">', False),
    ],
)
def test_pictures_are_kept_only_from_sources_the_policy_allows(source, kept, settings):
    img_src = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY["DIRECTIVES"]["img-src"]
    html = render_markdown(source)
    assert 'alt="Map"' in html
    srcs = re.findall(r'src="([^"]*)"', html)
    assert bool(srcs) == kept
    for src in srcs:
        # What the browser would check: a relative address is 'self', else its scheme.
        scheme = urlsplit(src).scheme
        assert ("'self'" if not scheme else f"{scheme}:") in img_src


@pytest.mark.django_db
def test_body_html_is_stored_on_save():
    article = ArticleFactory(body="Text with <script>x()</script> and *emphasis*")
    assert "<em>emphasis</em>" in article.body_html
    assert "<script" not in article.body_html
