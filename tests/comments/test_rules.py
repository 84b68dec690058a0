from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import BlockedTerm, Comment, ModerationAction, ModerationPolicy
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def post(client, article, body):
    return client.post(reverse("comments:post", args=[article.pk]), {"body": body})


@pytest.mark.parametrize("body", ["What a SCOUNDREL you are", "scoundrel!", "(Scoundrel)"])
def test_refusing_term_is_a_form_error_and_stores_nothing(client, reader, published_article, body):
    BlockedTerm.objects.create(phrase="scoundrel", action="refuse")
    client.force_login(reader)
    response = post(client, published_article, body)
    assert response.status_code == 200
    assert "language we don" in response.content.decode()
    assert not Comment.objects.exists()
    refusal = ModerationAction.objects.get(kind="refuse")
    assert refusal.rule == "blocked term: scoundrel" and refusal.subject == reader


@pytest.mark.parametrize("body", ["scoundrels everywhere", "ascoundrel", "scoundrelly"])
def test_terms_match_whole_words_only(client, reader, published_article, body):
    BlockedTerm.objects.create(phrase="scoundrel", action="refuse")
    client.force_login(reader)
    assert post(client, published_article, body).status_code == 302


def test_multi_word_phrase_matches_across_spacing(client, reader, published_article):
    BlockedTerm.objects.create(phrase="buy now", action="hold")
    client.force_login(reader)
    post(client, published_article, "Please BUY\n  NOW cheap")
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert ModerationAction.objects.get(kind="hold").rule == "blocked term: buy now"


def test_holding_term_holds_and_author_sees_awaiting_moderation(
    client, reader, other_reader, published_article
):
    BlockedTerm.objects.create(phrase="idiot", action="hold")
    client.force_login(reader)
    response = post(client, published_article, "Only an idiot would say that")
    comment = Comment.objects.get()
    assert comment.status == "pending"
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting moderation" in page and "Only an idiot" in page and "Comments 0" in page
    client.force_login(other_reader)
    assert "Only an idiot" not in client.get(published_article.get_absolute_url()).content.decode()


def test_rule_changes_take_effect_at_once(client, reader, published_article):
    client.force_login(reader)
    post(client, published_article, "fine words")
    BlockedTerm.objects.create(phrase="fine", action="refuse")
    post(client, published_article, "fine words again")
    assert Comment.objects.count() == 1


def test_policy_changes_and_removed_terms_take_effect_at_once(client, reader, published_article):
    term = BlockedTerm.objects.create(phrase="rotten", action="refuse")
    client.force_login(reader)
    post(client, published_article, "rotten idea")
    post(client, published_article, "see https://a.example and https://b.example")
    assert list(Comment.objects.values_list("status", flat=True)) == ["visible"]
    policy = ModerationPolicy.current()
    policy.max_links = 0
    policy.save()
    term.delete()
    post(client, published_article, "rotten idea")
    post(client, published_article, "see https://c.example")
    statuses = list(Comment.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["visible", "visible", "pending"]


def test_more_than_n_links_is_held(client, reader, published_article):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"max_links": 1})
    client.force_login(reader)
    post(client, published_article, "one https://a.example")
    post(client, published_article, "two https://a.example and www.b.example")
    statuses = list(Comment.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["visible", "pending"]


def test_young_accounts_are_held(client, published_article):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"min_account_age_hours": 24})
    young = UserFactory(date_joined=timezone.now() - timedelta(hours=23))
    old = UserFactory(date_joined=timezone.now() - timedelta(hours=25))
    for user in (young, old):
        moderation.post_comment(author=user, article=published_article, body="hello")
    assert Comment.objects.get(author=young).status == "pending"
    assert Comment.objects.get(author=old).status == "visible"


def test_hold_until_first_approval_option(published_article, moderator):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"hold_until_first_approval": True})
    newcomer = UserFactory()
    first = moderation.post_comment(author=newcomer, article=published_article, body="first")
    assert first.status == "pending"
    moderation.approve(comment=first, moderator=moderator)
    second = moderation.post_comment(author=newcomer, article=published_article, body="second")
    assert second.status == "visible"


def test_hold_until_first_approval_is_off_by_default(published_article, reader):
    assert (
        moderation.post_comment(author=reader, article=published_article, body="x").status
        == "visible"
    )


def test_premoderated_article_holds_every_comment(reader):
    article = ArticleFactory(premoderate_comments=True)
    assert moderation.post_comment(author=reader, article=article, body="x").status == "pending"


def test_premoderated_reader_is_held_everywhere(reader, moderator, published_article):
    moderation.set_premoderation(user=reader, moderator=moderator, on=True)
    assert (
        moderation.post_comment(author=reader, article=published_article, body="x").status
        == "pending"
    )
    moderation.set_premoderation(user=reader, moderator=moderator, on=False)
    assert (
        moderation.post_comment(author=reader, article=published_article, body="y").status
        == "visible"
    )
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["premoderate", "hold", "unpremoderate"]


def test_banned_reader_cannot_comment_and_is_told_until_when(
    client, banned_reader, published_article
):
    client.force_login(banned_reader)
    page = client.get(published_article.get_absolute_url()).content.decode()
    assert "barred from commenting and reporting until" in page and "Post comment" not in page
    response = post(client, published_article, "let me in")
    assert response.status_code == 403 and "until" in response.content.decode()
    assert not Comment.objects.exists()


def test_expired_ban_no_longer_applies(reader, moderator, published_article):
    ban = moderation.ban(user=reader, moderator=moderator, reason="cool off", days=1)
    ban.expires_at = timezone.now() - timedelta(seconds=1)
    ban.save()
    assert moderation.post_comment(author=reader, article=published_article, body="back").is_visible


def test_expired_ban_no_longer_shows_on_the_page(client, reader, moderator, published_article):
    ban = moderation.ban(user=reader, moderator=moderator, reason="cool off", days=1)
    client.force_login(reader)
    assert (
        "barred from commenting"
        in client.get(published_article.get_absolute_url()).content.decode()
    )
    ban.expires_at = timezone.now() - timedelta(seconds=1)
    ban.save()
    page = client.get(published_article.get_absolute_url()).content.decode()
    assert "barred from commenting" not in page and "Post comment" in page


def test_banned_reader_can_still_read(client, banned_reader, published_article):
    CommentFactory(article=published_article, body="Visible to all")
    client.force_login(banned_reader)
    assert "Visible to all" in client.get(published_article.get_absolute_url()).content.decode()


def test_bare_domains_and_email_addresses_count_as_links(client, reader, published_article):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"max_links": 1})
    client.force_login(reader)
    post(client, published_article, "Cheap pills.com, mail orders@pills.com")
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.body_html.count("<a ") == 2
    assert ModerationAction.objects.get(kind="hold").rule == "more than 1 links (2)"
