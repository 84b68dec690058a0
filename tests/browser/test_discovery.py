import pytest
from defusedxml import ElementTree
from playwright.sync_api import expect

from tests.factories import ArticleFactory, SectionFactory, TagFactory

# Each journey flushes the database afterwards; serialized_rollback restores the rows
# data migrations made (the Editors group) for the next one.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reader_searches_then_follows_author_and_section_feed(new_page, screenshot, editor):
    science = SectionFactory(name="Science", slug="science")
    sky = TagFactory(name="Night sky", slug="night-sky")
    ArticleFactory(
        title="Comet visible to the naked eye",
        section=science,
        standfirst="Look north-west after dusk.",
        body="Astronomers say the comet will be bright for a week.",
        authors=[editor],
        tags=[sky],
    )
    ArticleFactory(title="Star parties return", section=science, body="Bring a comet chart.")
    ArticleFactory(title="Council budget", body="Nothing about space.")

    page = new_page()
    page.goto("/")
    page.get_by_role("searchbox", name="Search articles").first.fill("comet")
    page.get_by_role("searchbox", name="Search articles").first.press("Enter")
    expect(page).to_have_url("/search/?q=comet")
    results = page.locator(".search-results .card")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Comet visible to the naked eye")
    expect(results.first.locator("mark").first).to_have_text("Comet")
    screenshot(page, "search-results")

    results.first.get_by_role("link", name="Comet visible to the naked eye").click()
    expect(page.locator("h1")).to_have_text("Comet visible to the naked eye")
    expect(page.locator(".tag-list")).to_contain_text("Night sky")

    page.locator(".article__header").get_by_role("link", name=editor.display_name).click()
    expect(page.locator("h1")).to_have_text(editor.display_name)
    screenshot(page, "author")

    page.locator(".card").first.get_by_role("link", name="Science").click()
    expect(page.locator("h1")).to_have_text("Science")
    feed_link = page.get_by_role("link", name="RSS feed")
    response = page.request.get(feed_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    rss = ElementTree.fromstring(response.body())
    titles = [item.findtext("title") for item in rss.findall("./channel/item")]
    assert titles == ["Star parties return", "Comet visible to the naked eye"]
