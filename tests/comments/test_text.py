import pytest

from comments import text


def test_html_is_escaped_not_interpreted():
    html = text.render('<script>alert("x")</script> <b>bold</b> **not markdown**')
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "**not markdown**" in html


def test_paragraphs_and_line_breaks_are_kept():
    html = text.render("First line\nsecond line\n\nNew paragraph")
    assert html == "<p>First line<br>second line</p><p>New paragraph</p>"


def test_urls_become_links_with_ugc_rel():
    html = text.render("See https://example.com/report?a=1&b=2 for details")
    assert 'href="https://example.com/report?a=1&amp;b=2"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_javascript_urls_are_not_linked():
    html = text.render("javascript:alert(1)")
    assert "<a" not in html


def test_attribute_injection_in_url_is_escaped():
    html = text.render('https://example.com/"onmouseover="alert(1)')
    assert 'onmouseover="alert' not in html


def test_control_characters_detected_but_newlines_and_tabs_allowed():
    assert text.has_control_characters("a\x00b")
    assert text.has_control_characters("bell\x07")
    assert not text.has_control_characters("line\nnext\ttab")


def test_bidirectional_overrides_are_control_characters_but_emoji_joiners_are_not():
    assert text.has_control_characters("price \u202e0001\u202c")
    assert text.has_control_characters("isolate \u2067x\u2069")
    assert not text.has_control_characters("family \U0001f468\u200d\U0001f469\u200d\U0001f467")
    assert not text.has_control_characters("مرحبا hello")


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("no links here, just a full stop.at the end", 0),
        ("https://a.example and www.b.example", 2),
        ("cheap pills.com and meds.net/buy", 2),
        ("write to sales@pills.com", 1),
        ('<a href="https://x.example">escaped</a>', 1),
        ("javascript:alert(1)", 0),
    ],
)
def test_count_links_agrees_with_what_render_links(body, links):
    assert text.count_links(body) == links == text.render(body).count("<a ")
