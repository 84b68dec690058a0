import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import ArticleFactory, SectionFactory

# Each journey flushes the database afterwards; serialized_rollback restores the rows
# data migrations made (the Editors group) for the next one.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_publishes_and_reader_reads(new_page, screenshot, editor):
    section = SectionFactory(name="Science", slug="science")
    ArticleFactory(title="An earlier story", section=section)
    article = ArticleFactory(
        title="Comet visible to the naked eye",
        section=section,
        draft=True,
        standfirst="Look north-west after dusk.",
        body="Astronomers say the comet will be **bright**.",
        authors=[editor],
    )

    staff = new_page()
    staff.goto("/admin/")
    staff.fill("#id_username", editor.username)
    staff.fill("#id_password", PASSWORD)
    staff.click("input[type=submit]")
    expect(staff.locator("#site-name")).to_contain_text("Newsroom")
    staff.goto("/admin/articles/article/")
    staff.check(f"input[name=_selected_action][value='{article.pk}']")
    staff.select_option("select[name=action]", "publish_selected")
    staff.click("button[name=index]")
    expect(staff.locator(".messagelist")).to_contain_text("Published 1 article")

    reader = new_page(viewport={"width": 390, "height": 844})
    reader.goto("/")
    lead = reader.locator(".lead-story")
    expect(lead).to_contain_text("Comet visible to the naked eye")
    screenshot(reader, "home")
    lead.get_by_role("link", name="Comet visible to the naked eye").click()
    expect(reader.locator("h1")).to_have_text("Comet visible to the naked eye")
    expect(reader.locator(".article__body strong")).to_have_text("bright")
    expect(reader.locator(".preview-banner")).to_have_count(0)
    screenshot(reader, "article")
