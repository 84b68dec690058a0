"""The moderation desk by keyboard, on a phone and with two moderators at once."""

import json
import re
import time
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from comments import moderation
from comments.models import Comment, ModerationAction
from newsroom import ratelimit
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUEUE = "/admin/comments/comment/"

# The hide reasons in the order the shortcuts number them (Comment.HideReason).
REASON_KEYS = {reason: str(n) for n, reason in enumerate(Comment.HideReason.values, start=1)}


def admin_log_in(page, user):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def make_moderator(username, first_name):
    user = UserFactory(username=username, first_name=first_name, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def reported_comments(article, plan, reporters):
    """One reported comment per planned decision; returns {comment id: decision}."""
    decisions = {}
    with ratelimit.lifted():
        for index, decision in enumerate(plan):
            comment = CommentFactory(
                article=article, body=f"Comment {index:03d} to {decision[0]}: {decision[1]}"
            )
            moderation.report_comment(
                reporter=reporters[index % len(reporters)], comment=comment, reason="abuse"
            )
            decisions[comment.pk] = decision
    return decisions


def current_id(page) -> int:
    return int(page.locator("tr.mod-row--current .mod-decide").get_attribute("data-comment"))


def test_a_hundred_reports_triaged_by_keyboard_only(new_page, screenshot, editor):
    article = ArticleFactory(title="Bridge closure", authors=[editor])
    reporters = UserFactory.create_batch(5)
    moderator = make_moderator("maya", "Maya")
    reasons = ["abuse", "spam", "off_topic", "personal_information", "other"]
    approve, dismiss = ("approve", "Fair point, politely made."), ("dismiss", "Heated, but fair.")
    plan = []
    for block in range(10):  # as a night's queue: mixed, some spam arriving in runs
        run, single = reasons[block % 5], reasons[(block + 2) % 5]
        plan += [approve, approve, dismiss, ("hide", run), ("hide", run)]
        plan += [approve, dismiss, approve, ("hide", single), dismiss]
    decisions = reported_comments(article, plan, reporters)

    page = new_page()
    admin_log_in(page, moderator)
    page.goto(f"{QUEUE}?queue=reported")
    expect(page.locator("tr.mod-row--current")).to_have_count(1)
    screenshot(page, "moderation-queue-1280")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")  # every column in view

    # "?" lists the shortcuts; Escape closes the list.
    page.keyboard.press("?")
    expect(page.locator("#mod-keys")).to_be_visible()
    screenshot(page, "moderation-queue-shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#mod-keys")).to_be_hidden()

    presses, decided = Counter(), Counter()
    last_reason, remembered = None, 0
    started = time.perf_counter()
    for _ in range(100):
        pk = current_id(page)
        decision, detail = decisions[pk]
        keys = {"approve": ["a"], "dismiss": ["d"], "hide": ["h", REASON_KEYS.get(detail)]}[
            decision
        ]
        if decision == "hide" and detail == last_reason:
            keys, remembered = ["h", "h"], remembered + 1  # the last reason is remembered
        if decision == "hide":
            last_reason = detail
        last_on_page = page.locator("#result_list tbody tr:not(.mod-row--decided)").count() == 1
        if last_on_page:  # the page reloads with the queue's next comments
            with page.expect_navigation():
                for key in keys:
                    page.keyboard.press(key)
        else:
            for key in keys:
                page.keyboard.press(key)
            row = page.locator(f"tr:has(.mod-decide[data-comment='{pk}'])")
            expect(row).to_have_class("mod-row--decided", timeout=15_000)
        presses[decision] += len(keys)
        decided[decision] += 1
    wall = time.perf_counter() - started

    # Every decision went through the workflow and the audit log, by this moderator.
    actions = ModerationAction.objects.filter(moderator=moderator)
    assert Counter(actions.values_list("kind", flat=True)) == Counter(
        {"approve": 40, "dismiss": 30, "hide": 30}
    )
    for pk, (decision, detail) in decisions.items():
        comment = Comment.objects.get(pk=pk)
        assert not comment.reports.open().exists()
        if decision == "hide":
            assert (comment.status, comment.hidden_reason) == ("hidden", detail)
        else:
            assert comment.is_visible
    expect(page.locator("#result_list")).to_have_count(0)  # the reported queue is empty

    # Restoring from the Hidden queue: one key each.
    page.goto(f"{QUEUE}?queue=hidden")
    for _ in range(3):
        pk = current_id(page)
        page.keyboard.press("r")
        presses["restore"] += 1
        decided["restore"] += 1
        row = page.locator(f"tr:has(.mod-decide[data-comment='{pk}'])")
        expect(row).to_contain_text("Restored")
        expect(row.locator(".mod-status")).to_have_count(0)  # no "Hidden" badge left
    assert actions.filter(kind="restore").count() == 3

    assert remembered > 0
    per_decision = {kind: presses[kind] / decided[kind] for kind in decided}
    assert per_decision == {"approve": 1, "dismiss": 1, "hide": 2, "restore": 1}
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        "decisions": sum(decided.values()) - decided["restore"],
        "key_presses_per_decision": per_decision,
        "hides_with_the_remembered_reason": remembered,
        "wall_seconds_for_100": round(wall, 1),
        "seconds_per_decision": round(wall / 100, 2),
    }
    (ARTIFACTS / "moderation-keyboard.json").write_text(json.dumps(report, indent=2))
    print(f"\nKeyboard triage: {report}")


def test_a_rows_status_badge_follows_the_decision(new_page, editor):
    article = ArticleFactory(title="Ferry timetable", authors=[editor])
    for n in range(2):
        CommentFactory(article=article, body=f"Held {n}", status=Comment.Status.PENDING)
    reported_comments(article, [("hide", "spam")] * 2, UserFactory.create_batch(2))
    page = new_page()
    admin_log_in(page, make_moderator("maya", "Maya"))

    page.goto(f"{QUEUE}?queue=pending")
    row = page.locator(f"tr:has(.mod-decide[data-comment='{current_id(page)}'])")
    expect(row.locator(".mod-status")).to_have_text("Pending review")
    page.keyboard.press("a")
    expect(row).to_contain_text("Now: Visible")
    expect(row.locator(".mod-status")).to_have_count(0)

    page.goto(f"{QUEUE}?queue=reported")
    row = page.locator(f"tr:has(.mod-decide[data-comment='{current_id(page)}'])")
    expect(row.locator(".mod-status")).to_have_count(0)
    page.keyboard.press("h")
    page.keyboard.press(REASON_KEYS["spam"])
    expect(row.locator(".mod-status")).to_have_text("Hidden by a moderator")


def test_the_desk_on_a_phone_and_the_reader_page_on_a_laptop(new_page, screenshot, editor):
    article = ArticleFactory(
        title="A very long headline about the harbour bridge closure", authors=[editor]
    )
    troll = UserFactory(username="troll", first_name="Tess", last_name="Rollins")
    moderator = make_moderator("maya", "Maya")
    for n in range(6):
        comment = CommentFactory(
            article=article,
            author=troll,
            body=f"Comment {n}: " + "a long rant that goes on and on without a break " * 6,
        )
        moderation.report_comment(reporter=UserFactory(), comment=comment, reason="spam")
    for n in range(25):
        CommentFactory(article=article, author=troll, body=f"Older remark {n} " + "x" * 200)

    phone = new_page(viewport={"width": 390, "height": 844})
    admin_log_in(phone, moderator)
    phone.goto(f"{QUEUE}?queue=reported")
    first = phone.locator("#result_list tbody tr").first
    for part in (
        ".mod-excerpt",
        "button:text('Approve')",
        "button:text('Hide')",
        "td.field-report_summary",
    ):
        expect(first.locator(part)).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "moderation-queue-390")

    laptop = new_page(viewport={"width": 1280, "height": 900})
    admin_log_in(laptop, moderator)
    laptop.goto(f"/admin/comments/commenter/{troll.pk}/change/")
    expect(laptop.get_by_role("link", name="Ban this reader…")).to_be_visible()
    assert laptop.evaluate("document.documentElement.scrollWidth") <= 1280
    for control in ("#id_note_text", "text=Put on pre-moderation", "text=Ban this reader…"):
        box = laptop.locator(control).bounding_box()
        assert box["x"] + box["width"] <= 1280
    screenshot(laptop, "moderation-reader-1280")

    # The ban form looks like the admin's own forms; once banned, no second offer.
    laptop.get_by_role("link", name="Ban this reader…").click()
    expect(laptop.locator("fieldset.module.aligned")).to_be_visible()
    screenshot(laptop, "moderation-ban-form")
    laptop.get_by_label("30 days").check()
    laptop.fill("#id_reason", "Spamming every thread")
    laptop.get_by_role("button", name="Ban Tess Rollins").click()
    expect(laptop.locator(".messagelist")).to_contain_text("Tess Rollins is banned.")
    expect(laptop.get_by_role("link", name="Ban this reader…")).to_have_count(0)
    laptop.goto(f"{QUEUE}?queue=reported")
    expect(laptop.locator("#result_list")).to_contain_text("Author banned until")
    expect(laptop.get_by_role("link", name="Ban author…")).to_have_count(0)


def test_typing_hiding_without_a_reason_and_two_moderators(new_page, editor):
    article = ArticleFactory(authors=[editor])
    reporter = UserFactory()
    with ratelimit.lifted():
        for n in range(3):
            moderation.report_comment(
                reporter=reporter,
                comment=CommentFactory(article=article, body=f"Reported {n}"),
                reason="spam",
            )
    maya, noor = make_moderator("maya", "Maya"), make_moderator("noor", "Noor")

    # Noor opens the queue: the first row is hers for a few minutes.
    other = new_page()
    admin_log_in(other, noor)
    other.goto(f"{QUEUE}?queue=reported")
    claimed = current_id(other)

    page = new_page()
    admin_log_in(page, maya)
    page.goto(f"{QUEUE}?queue=reported")
    row = page.locator(f"tr:has(.mod-decide[data-comment='{claimed}'])")
    expect(row).to_contain_text("Being reviewed by Noor")

    # Maya leaves Noor's row and moves on; typing in a note never triggers a shortcut.
    assert current_id(page) == claimed
    page.keyboard.press("j")
    pk = current_id(page)
    assert pk != claimed
    note = page.locator(f"input[name=hide_note_{pk}]")
    note.press_sequentially("ahd")
    expect(note).to_have_value("ahd")
    assert not ModerationAction.objects.exists()

    # The Hide button asks for a reason beside it, with no reload.
    current = page.locator(f"tr:has(.mod-decide[data-comment='{pk}'])")
    current.get_by_role("button", name="Hide").click()
    expect(current.locator(".mod-hide__error")).to_have_text(
        "Choose a reason to hide this comment."
    )
    expect(current.locator("select")).to_be_focused()
    current.locator("select").select_option("off_topic")
    current.get_by_role("button", name="Hide").click()
    expect(page.locator(".messagelist")).to_contain_text("Hidden as off-topic.")

    # Deciding on Noor's row anyway works, and is audited as Maya's.
    expect(page.locator("tr.mod-row--current")).to_have_count(1)
    if current_id(page) != claimed:
        page.keyboard.press("k")
    assert current_id(page) == claimed
    page.keyboard.press("a")
    expect(page.locator(f"tr:has(.mod-decide[data-comment='{claimed}'])")).to_contain_text(
        "Approved"
    )
    assert ModerationAction.objects.get(comment_id=claimed).moderator == maya

    # The focus moved on to the next undecided row; "o" opens it in its thread, in a new tab.
    following = current_id(page)
    assert following not in (claimed, pk)
    with page.context.expect_page() as opened:
        page.keyboard.press("o")
    expect(opened.value).to_have_url(
        re.compile(f"{article.get_absolute_url()}#comment-{following}$")
    )


def test_report_form_radios_sit_beside_their_labels(
    new_page, screenshot, log_in, published_article
):
    comment = CommentFactory(article=published_article, body="Buy my watches")
    UserFactory(username="bea")
    page = new_page()
    log_in(page, "bea", next_path=published_article.get_absolute_url())
    page.goto(f"/comments/{comment.pk}/report/")
    radios = page.locator("input[type=radio]")
    expect(radios).to_have_count(4)
    expect(page.locator("form.report-form")).not_to_contain_text("---------")
    for index in range(4):
        radio = radios.nth(index).bounding_box()
        label = page.locator(f"label[for={radios.nth(index).get_attribute('id')}]").bounding_box()
        assert label["x"] > radio["x"] + radio["width"] - 1  # to its right
        assert abs((label["y"] + label["height"] / 2) - (radio["y"] + radio["height"] / 2)) < 8
    screenshot(page, "report-form")
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".messages")).to_contain_text("Thank you")
