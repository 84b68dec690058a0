from datetime import UTC, datetime

import pytest
from django.db import connection

from comments.models import Comment
from newsroom import compiled
from tests.factories import CommentFactory

_ARTICLE, _SINCE = -2_000_000_101, datetime(1901, 1, 1, tzinfo=UTC)


def test_a_compiled_query_runs_with_each_requests_values(published_article):
    old = CommentFactory(article=published_article)
    queryset = Comment.objects.filter(article_id=_ARTICLE, created_at__gte=_SINCE).values("pk")
    sql, params = compiled.sql(queryset, _ARTICLE, _SINCE)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, compiled.bind(params, {_ARTICLE: published_article.pk, _SINCE: old.created_at})
        )
        assert [row[0] for row in cursor.fetchall()] == [old.pk]


def test_a_stand_in_matches_only_itself():
    assert compiled.bind([1, True, 1.0, [1], "1"], {1: 5}) == [5, True, 1.0, [1], "1"]


def test_a_stand_in_the_query_lost_fails_loudly(db):
    with pytest.raises(AssertionError, match="stand-ins"):
        compiled.sql(Comment.objects.filter(pk=1), _ARTICLE)
