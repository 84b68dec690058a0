"""The abuse pre-screen: every new or edited text is scored; a rule holds the worst."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction, ModerationPolicy
from comments.moderation import prescreen, rules
from tests.comments.moderating import decide
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

EVALUATION = Path(__file__).parent / "data" / "abuse_eval.tsv"
ABUSIVE = "Shut up, you stupid moron."
CIVIL = "Thanks for the clear explainer, it helped me a lot."


def evaluation_set():
    with EVALUATION.open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def post(client, article, body):
    return client.post(reverse("comments:post", args=[article.pk]), {"body": body})


def switch_on(threshold="0.80"):
    policy = ModerationPolicy.current()
    policy.hold_abusive, policy.abuse_threshold = True, Decimal(threshold)
    policy.save()


def test_evaluation_set_has_every_kind_of_comment():
    rows = evaluation_set()
    labels = {row["label"] for row in rows}
    assert len(rows) >= 200 and labels == {"civil", "heated", "abusive", "spam"}
    assert all(row["text"].strip() for row in rows)
    assert len({row["text"] for row in rows}) == len(rows)


def test_scores_are_the_packaged_models_own():
    from profanity_check import predict_prob

    texts = [row["text"] for row in evaluation_set()]
    expected = predict_prob(texts)
    assert prescreen.scores(texts) == pytest.approx(list(expected), abs=1e-4)
    assert prescreen.score(texts[0]) == prescreen.scores(texts[:1])[0]


def test_abusive_text_scores_above_civil_text():
    rows = evaluation_set()
    scores = prescreen.scores([row["text"] for row in rows])
    by_label = {}
    for row, score in zip(rows, scores, strict=True):
        by_label.setdefault(row["label"], []).append(score)
    mean = {label: sum(values) / len(values) for label, values in by_label.items()}
    assert mean["abusive"] > mean["heated"] > mean["civil"]


def test_every_new_comment_is_scored_and_the_rule_is_off_by_default(
    client, reader, published_article
):
    client.force_login(reader)
    post(client, published_article, ABUSIVE)
    comment = Comment.objects.get()
    assert comment.abuse_score == prescreen.score(ABUSIVE) and comment.abuse_score > 0.9
    assert comment.is_visible
    assert not ModerationAction.objects.filter(kind="hold").exists()


def test_rule_holds_above_threshold_and_audits_the_score(client, reader, published_article):
    switch_on("0.80")
    client.force_login(reader)
    post(client, published_article, ABUSIVE)
    post(client, published_article, CIVIL)
    held = Comment.objects.get(body=ABUSIVE)
    assert held.is_pending and Comment.objects.get(body=CIVIL).is_visible
    hold = ModerationAction.objects.get(kind="hold")
    assert hold.comment == held and hold.moderator is None
    assert hold.rule == f"abuse score {held.abuse_score:.2f} ≥ 0.80"
    page = client.get(published_article.get_absolute_url()).content.decode()
    assert "moderator" in page  # the author is told it waits for review


def test_threshold_boundary():
    policy = ModerationPolicy(hold_abusive=True, abuse_threshold=Decimal("0.50"))
    assert rules.abuse_hold(0.5, policy).rule == "abuse score 0.50 ≥ 0.50"
    assert rules.abuse_hold(0.4999, policy) is None
    assert rules.abuse_hold(None, policy) is None
    policy.hold_abusive = False
    assert rules.abuse_hold(1.0, policy) is None


def test_threshold_set_in_the_admin_takes_effect_at_once(
    client, moderator, reader, published_article
):
    heated = "Frankly this policy is a disgrace and should be scrapped."
    score = prescreen.score(heated)
    assert 0.5 < score < 0.95
    ModerationPolicy.current()
    client.force_login(moderator)
    url = reverse("admin:comments_moderationpolicy_change", args=[1])
    form = {"max_links": 2, "min_account_age_hours": 0, "hold_abusive": "on"}
    response = client.post(url, {**form, "abuse_threshold": "0.95"})
    assert response.status_code == 302 and ModerationPolicy.current().hold_abusive
    client.force_login(reader)
    post(client, published_article, heated)
    assert Comment.objects.get().is_visible

    client.force_login(moderator)
    client.post(url, {**form, "abuse_threshold": "0.50"})
    client.force_login(reader)
    post(client, published_article, heated + " Again.")
    assert Comment.objects.get(body__endswith="Again.").is_pending


@pytest.mark.parametrize("threshold", ["0", "1.5", "-0.2", "abc"])
def test_threshold_out_of_range_is_a_form_error(client, moderator, threshold):
    ModerationPolicy.current()
    client.force_login(moderator)
    url = reverse("admin:comments_moderationpolicy_change", args=[1])
    response = client.post(
        url, {"max_links": 2, "min_account_age_hours": 0, "abuse_threshold": threshold}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert ModerationPolicy.current().abuse_threshold == Decimal("0.80")


def test_an_edit_is_scored_again_and_can_be_held(reader, published_article):
    switch_on()
    comment = moderation.post_comment(author=reader, article=published_article, body=CIVIL)
    assert comment.is_visible and comment.abuse_score < 0.1
    edited = moderation.edit_comment(comment=comment, body=ABUSIVE)
    assert edited.is_pending and edited.abuse_score > 0.9
    assert ModerationAction.objects.get(kind="hold").rule.startswith("abuse score")


def test_moderators_decisions_keep_the_score(client, moderator, reader, published_article):
    switch_on()
    held = moderation.post_comment(author=reader, article=published_article, body=ABUSIVE)
    fine = moderation.post_comment(author=reader, article=published_article, body=CIVIL)
    client.force_login(moderator)
    decide(client, held, "hide", **{f"hide_reason_{held.pk}": "abuse"})
    decide(client, fine, "hide", **{f"hide_reason_{fine.pk}": "off_topic"})
    decide(client, fine, "restore")
    recorded = {
        (a.comment_id, a.kind): a.abuse_score
        for a in ModerationAction.objects.filter(moderator=moderator)
    }
    assert recorded == {
        (held.pk, "hide"): held.abuse_score,
        (fine.pk, "hide"): fine.abuse_score,
        (fine.pk, "restore"): fine.abuse_score,
    }


def test_comments_stored_before_the_prescreen_are_scored_by_the_backfill(published_article):
    old = CommentFactory(article=published_article, body=ABUSIVE, abuse_score=None)
    assert moderation.score_unscored(batch=1) == 1
    old.refresh_from_db()
    assert old.abuse_score == prescreen.score(ABUSIVE) and old.is_visible
    assert moderation.score_unscored() == 0


def test_queue_shows_the_score_and_sorts_the_worst_first(client, moderator, published_article):
    author = UserFactory()
    for body in (CIVIL, ABUSIVE, "This is the worst decision the council has made."):
        moderation.post_comment(author=author, article=published_article, body=body)
    client.force_login(moderator)
    queue = client.get(reverse("admin:comments_comment_changelist"))
    worst_first = queue.context["worst_first"]
    rows = client.get(reverse("admin:comments_comment_changelist"), {"o": worst_first})
    scores = [c.abuse_score for c in rows.context["cl"].result_list]
    assert (
        scores == sorted(scores, reverse=True) and rows.context["cl"].result_list[0].body == ABUSIVE
    )
    assert f"{scores[0]:.2f}" in rows.content.decode()
