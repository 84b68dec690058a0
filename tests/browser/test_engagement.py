"""Two readers on one article: live threads, recommendations and a featured comment."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_comment_arrives_is_recommended_and_featured(
    new_page, screenshot, log_in, published_article, settings
):
    settings.COMMENTS_LIVE_POLL_SECONDS = 1
    UserFactory(username="ana", first_name="Ana", last_name="Reyes")
    UserFactory(username="bea", first_name="Bea", last_name="Quinn")
    CommentFactory(article=published_article, body="The opening comment of the thread.")
    url = published_article.get_absolute_url()

    ana = new_page()
    log_in(ana, "ana", next_path=url)
    bea = new_page()
    log_in(bea, "bea", next_path=url)

    # Bea sees how much room is left as she writes, then posts.
    text = "Has anyone asked who maintains the barrier once it is built?"
    bea.fill("#id_body", text)
    left = settings.COMMENTS_MAX_LENGTH - len(text)
    expect(bea.locator(".comment-form__counter")).to_have_text(f"{left:,} characters left")
    bea.get_by_role("button", name="Post comment").click()
    new = Comment.objects.get(author__username="bea")
    expect(bea.locator(f"#comment-{new.pk}")).to_be_visible()
    expect(bea.locator(".live-bar")).to_be_hidden()  # one's own comment is not "new"

    # Ana's open page learns of it without a reload, and shows it in place.
    show = ana.locator(".live-bar__show")
    expect(show).to_have_text("1 new comment \u2014 show")
    expect(ana.locator(f"#comment-{new.pk}")).to_have_count(0)
    screenshot(ana, "engagement-live-bar-1280")
    show.click()
    expect(ana.locator(f"#comment-{new.pk}")).to_contain_text("who maintains the barrier")
    expect(ana.locator("#comments-heading")).to_have_text("Comments 2")
    expect(ana.locator(".live-bar")).to_be_hidden()

    # She recommends it; the count updates in place, and pressing again takes it back.
    button = ana.locator(f"#comment-{new.pk} button.recommend")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".recommend__count")).to_have_text("1")
    assert Comment.objects.get(pk=new.pk).recommendation_count == 1
    screenshot(ana, "engagement-recommended-1280")

    # Staff feature it: it appears in the Featured block, and is marked in the thread.
    editor = new_page()
    log_in(editor, "editor", next_path=url)
    editor.locator(f"#comment-{new.pk}").get_by_role("button", name="Feature").click()
    featured = editor.locator(".featured-comments")
    expect(featured).to_contain_text("who maintains the barrier")
    expect(featured.get_by_role("link", name="Bea Quinn")).to_be_visible()

    ana.reload()
    expect(ana.locator(".featured-comments")).to_contain_text("who maintains the barrier")
    expect(ana.locator(f"#comment-{new.pk} .badge--featured")).to_have_text("Featured")
    expect(ana.locator(f"#comment-{new.pk} button.recommend")).to_have_attribute(
        "aria-pressed", "true"
    )
    ana.locator(".featured-comments").get_by_role(
        "link", name="Read it in the conversation"
    ).click()
    ana.wait_for_url(f"**#comment-{new.pk}")
    screenshot(ana, "engagement-featured-1280")

    phone = new_page(viewport={"width": 390, "height": 844})
    log_in(phone, "ana", next_path=url)
    expect(phone.locator(".featured-comments")).to_be_visible()
    screenshot(phone, "engagement-featured-390")


def test_recommend_works_without_javascript(new_page, log_in, published_article):
    UserFactory(username="ana")
    comment = CommentFactory(article=published_article, body="Worth a recommendation.")
    page = new_page(javascript=False)
    log_in(page, "ana", next_path=published_article.get_absolute_url())
    page.locator(f"#comment-{comment.pk} button.recommend").click()
    page.wait_for_url(f"**#comment-{comment.pk}")
    button = page.locator(f"#comment-{comment.pk} button.recommend")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".recommend__count")).to_have_text("1")
    button.click()  # again: taken back
    expect(page.locator(f"#comment-{comment.pk} button.recommend")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert Comment.objects.get(pk=comment.pk).recommendation_count == 0
    expect(page.locator(".live-bar")).to_have_count(0)  # without JavaScript nothing changes


def test_every_section_fits_a_phone_screen(new_page, screenshot, published_article):
    from tests.factories import SectionFactory

    for name in ["Politics", "Business", "Science", "Technology", "Culture", "Sport"]:
        SectionFactory(name=name)
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto("/")
    links = page.locator(".section-nav a")
    assert links.count() >= 7
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    screenshot(page, "section-menu-390")


def test_a_new_reply_inside_a_collapsed_thread_is_shown_opened(
    new_page, log_in, published_article, settings
):
    settings.COMMENTS_LIVE_POLL_SECONDS = 1
    settings.COMMENTS_REPLIES_SHOWN = 1
    UserFactory(username="ana", first_name="Ana", last_name="Reyes")
    earlier = timezone.now() - timedelta(minutes=5)
    first = CommentFactory(article=published_article, body="The opening.", created_at=earlier)
    CommentFactory(parent=first, body="The first reply, shown.", created_at=earlier)
    CommentFactory(parent=first, body="A second reply, collapsed.", created_at=earlier)
    url = published_article.get_absolute_url()
    ana = new_page()
    log_in(ana, "ana", next_path=url)
    expect(ana.locator(f'a[data-expand="{first.pk}"]')).to_be_visible()

    late = CommentFactory(parent=first, body="A late reply into the collapsed part.")
    show = ana.locator(".live-bar__show")
    expect(show).to_have_text("1 new comment \u2014 show")
    show.click()

    expect(ana.locator(f"#comment-{late.pk}")).to_contain_text("A late reply")
    expect(ana.locator(f'a[data-expand="{first.pk}"]')).to_have_count(0)
