from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_public_hides_drafts_and_future_articles():
    public = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    assert list(Article.objects.public()) == [public]


def test_article_published_one_second_in_the_future_is_not_public():
    article = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    assert not Article.objects.public().filter(pk=article.pk).exists()
    assert article.is_scheduled and not article.is_public


def test_article_published_one_second_ago_is_public():
    article = ArticleFactory(published_at=timezone.now() - timedelta(seconds=1))
    assert Article.objects.public().filter(pk=article.pk).exists()


def test_staff_with_permission_see_drafts_others_do_not(editor, reader):
    draft = ArticleFactory(draft=True)
    assert draft in Article.objects.visible_to(editor)
    assert draft not in Article.objects.visible_to(reader)
    staff_without_permission = UserFactory(username="intern", is_staff=True)
    assert draft not in Article.objects.visible_to(staff_without_permission)


def test_slug_generated_from_title_and_made_unique():
    first = ArticleFactory(title="Floods hit the valley")
    second = ArticleFactory(title="Floods hit the valley")
    assert first.slug == "floods-hit-the-valley"
    assert second.slug == "floods-hit-the-valley-2"


def test_slug_kept_when_editor_sets_it():
    assert ArticleFactory(title="Anything", slug="chosen-slug").slug == "chosen-slug"


def test_publish_sets_time_and_keeps_an_existing_one():
    article = ArticleFactory(draft=True)
    article.publish()
    article.refresh_from_db()
    assert article.is_public
    earlier = article.published_at
    article.unpublish()
    article.publish()
    article.refresh_from_db()
    assert article.published_at == earlier


def test_database_refuses_published_article_without_date():
    article = ArticleFactory(draft=True)
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(status="published")


def test_database_refuses_unknown_status():
    article = ArticleFactory()
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(status="archived")
