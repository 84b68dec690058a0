import pytest
from playwright.sync_api import expect

from comments.models import Comment, ModerationAction
from tests.factories import CommentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reports_hold_a_comment_and_a_moderator_hides_it(
    new_page, screenshot, log_in, published_article, moderator
):
    url = published_article.get_absolute_url()
    UserFactory(username="ana", first_name="Ana", last_name="Lopez")
    for name in ("bea", "cai", "dev"):
        UserFactory(username=name)

    # Reader A posts; someone answers, so the thread keeps its shape later.
    ana = new_page()
    log_in(ana, "ana", next_path=url)
    ana.fill("#id_body", "You are all idiots and I know where you live.")
    ana.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get(author__username="ana")
    CommentFactory(parent=comment, body="Please keep it civil.")

    # Readers B, C and D report it; the third report holds it automatically.
    for name in ("bea", "cai", "dev"):
        reader = new_page()
        log_in(reader, name, next_path=url)
        reader.locator(f"#comment-{comment.pk}").get_by_role("link", name="Report").click()
        reader.get_by_label("Harassment or abuse").check()
        reader.fill("#id_note", "Threatening")
        reader.get_by_role("button", name="Send report").click()
        expect(reader.locator(".messages")).to_contain_text("Thank you")
    comment.refresh_from_db()
    assert comment.status == "pending"
    visitor = new_page()
    visitor.goto(url)
    expect(visitor.locator("#comments")).not_to_contain_text("I know where you live")
    expect(visitor.locator("#comments")).to_contain_text("This comment was removed by a moderator.")

    # The moderator finds it at the top of the Reported queue and hides it with a reason.
    staff = new_page()
    staff.goto("/admin/")
    staff.fill("#id_username", moderator.username)
    staff.fill("#id_password", "correct-horse-battery")
    staff.get_by_role("button", name="Log in").click()
    staff.goto("/admin/comments/comment/?queue=reported")
    first_row = staff.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("I know where you live")
    expect(first_row).to_contain_text("3 open")
    screenshot(staff, "moderation-queue")
    first_row.locator("select").select_option("abuse")
    first_row.get_by_role("button", name="Hide").click()
    expect(staff.locator(".messagelist")).to_contain_text("Hidden as harassment or abuse.")
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == ("hidden", "abuse")

    # Readers see the placeholder; the author sees the reason.
    visitor.reload()
    expect(visitor.locator("#comments")).to_contain_text("This comment was removed by a moderator.")
    expect(visitor.locator("#comments")).to_contain_text("Please keep it civil.")
    ana.reload()
    expect(ana.locator(f"#comment-{comment.pk}")).to_contain_text(
        "Removed by a moderator: Harassment or abuse"
    )

    # The audit log shows the decision; the dashboard counts it.
    staff.goto("/admin/comments/moderationaction/")
    expect(staff.locator("#result_list")).to_contain_text("Hidden")
    expect(staff.locator("#result_list")).to_contain_text("rule: reported by 3 readers")
    assert ModerationAction.objects.filter(kind="hide", moderator=moderator).exists()
    staff.goto("/admin/comments/moderationaction/dashboard/")
    expect(staff.locator(".mod-cards")).to_contain_text("1 decisions in 30 days")
    screenshot(staff, "moderation-dashboard")

    # Moderators cannot edit articles: the admin shows it read-only, without a Save button.
    staff.goto(f"/admin/articles/article/{published_article.pk}/change/")
    expect(staff.locator("h1")).to_contain_text("View article")
    expect(staff.locator("input[name=_save]")).to_have_count(0)
