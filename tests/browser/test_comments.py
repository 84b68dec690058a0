import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_readers_hold_a_threaded_conversation(
    new_page, screenshot, log_in, confirm_email, published_article
):
    UserFactory(username="bea", first_name="Bea", last_name="Quinn")
    url = published_article.get_absolute_url()

    # A visitor signs up and comments.
    ana = new_page()
    ana.goto(url)
    expect(ana.locator("#comments-heading")).to_have_text("Comments 0")
    ana.locator("#comments").get_by_role("link", name="Sign up").click()
    ana.fill("#id_username", "ana")
    ana.fill("#id_email", "ana@example.com")
    ana.fill("#id_password1", PASSWORD)
    ana.fill("#id_password2", PASSWORD)
    ana.check("#id_accept_terms")
    ana.get_by_role("button", name="Create account").click()
    confirm_email(ana, "ana@example.com")
    ana.goto(url)
    ana.fill(
        "#id_body",
        "Teh barrier should have been built years ago.\n\nSee https://example.org/report",
    )
    ana.get_by_role("button", name="Post comment").click()
    first = Comment.objects.get(author__username="ana")
    assert ana.url.endswith(f"{url}#comment-{first.pk}")
    expect(ana.locator(f"#comment-{first.pk}")).to_contain_text("built years ago")
    expect(ana.locator(f"#comment-{first.pk} a[rel='nofollow ugc noopener']")).to_have_count(1)
    expect(ana.locator("#comments-heading")).to_have_text("Comments 1")

    # A second reader replies inline (the script moves the form under the comment).
    bea = new_page()
    log_in(bea, "bea", next_path=url)
    bea.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    expect(bea.locator(f"#comment-{first.pk} + #comment-form")).to_be_visible()
    bea.fill("#id_body", "Agreed, though the cost doubled.")
    bea.get_by_role("button", name="Post comment").click()
    reply = Comment.objects.get(author__username="bea")
    assert reply.parent_id == first.pk
    expect(bea.locator(f".comment-replies #comment-{reply.pk}")).to_contain_text("cost doubled")

    # The first reader fixes a typo, then posts and deletes a second comment.
    ana.reload()
    ana.locator(f"#comment-{first.pk}").get_by_role("link", name="Edit").click()
    ana.fill("#id_body", "The barrier should have been built years ago.")
    ana.get_by_role("button", name="Save changes").click()
    expect(ana.locator(f"#comment-{first.pk} .comment__body")).to_have_text(
        "The barrier should have been built years ago."
    )
    expect(ana.locator(f"#comment-{first.pk} .comment__edited")).to_have_text("edited")
    ana.fill("#id_body", "Posted in haste.")
    ana.get_by_role("button", name="Post comment").click()
    hasty = Comment.objects.get(body="Posted in haste.")
    ana.locator(f"#comment-{hasty.pk}").get_by_role("link", name="Delete").click()
    ana.get_by_role("button", name="Delete comment").click()
    expect(ana.locator(f"#comment-{hasty.pk}")).to_have_count(0)
    expect(ana.locator("#comments-heading")).to_have_text("Comments 2")
    screenshot(ana, "comments-thread")

    # Everyone else sees the edited thread, and Bea has no Edit link on Ana's comment.
    bea.reload()
    expect(bea.locator(f"#comment-{first.pk}").get_by_role("link", name="Edit")).to_have_count(0)
    expect(bea.locator(f"#comment-{first.pk} .comment__body")).to_contain_text("The barrier")
    visitor = new_page(viewport={"width": 390, "height": 844})
    visitor.goto(url)
    expect(visitor.get_by_role("link", name="Log in to comment")).to_be_visible()
    screenshot(visitor, "comments-thread-mobile")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_long_thread_expands_in_place_or_by_its_link(
    new_page, settings, published_article, javascript
):
    from tests.factories import CommentFactory

    settings.COMMENTS_REPLIES_SHOWN = 1
    root = CommentFactory(article=published_article, body="Where does the money come from?")
    replies = [
        CommentFactory(article=published_article, parent=root, body=f"Answer number {n}")
        for n in range(3)
    ]
    page = new_page(javascript=javascript)
    page.goto(published_article.get_absolute_url())
    expect(page.locator(f"#comment-{replies[0].pk}")).to_be_visible()
    expect(page.locator(f"#comment-{replies[2].pk}")).to_have_count(0)
    page.get_by_role("link", name="Show 2 more replies").click()
    expect(page.locator(f"#comment-{replies[2].pk}")).to_contain_text("Answer number 2")
    expect(page.get_by_role("link", name="Show 2 more replies")).to_have_count(0)
    if javascript:  # loaded in place: still the article's own address
        assert "expand=" not in page.url
    else:
        assert f"expand={root.pk}" in page.url
