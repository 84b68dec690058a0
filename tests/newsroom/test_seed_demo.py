from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from comments.models import Ban, Comment, ModerationAction, Report

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Article.objects.count(), Comment.objects.count(), ModerationAction.objects.count())
    output = capsys.readouterr().out
    assert "moderator-demo-pass" in output and "editor-demo-pass" in output
    assert Article.objects.public().count() >= 30
    assert Article.objects.scheduled().count() == 1
    assert Article.objects.filter(status="draft").count() == 2
    assert Comment.objects.filter(depth__gt=0).exists()
    assert Comment.objects.pending().exists() and Comment.objects.hidden().exists()
    assert Report.objects.open().exists() and Ban.objects.active().exists()
    assert ModerationAction.objects.decisions().dates("created_at", "day").count() > 10
    assert not Comment.objects.filter(created_at__gt=timezone.now()).exists()  # never in the future
    assert Comment.objects.filter(recommendation_count__gt=0).exists()
    assert Comment.objects.featured().exists()
    # The abuse pre-screen holds some as they arrive, and every comment has its score.
    held = ModerationAction.objects.filter(kind="hold", rule__startswith="abuse score")
    assert held.exists() and all(action.comment.is_pending for action in held)
    assert not Comment.objects.filter(abuse_score__isnull=True).exists()
    call_command("seed_demo")
    assert (
        Article.objects.count(),
        Comment.objects.count(),
        ModerationAction.objects.count(),
    ) == counts


def test_seed_demo_keeps_one_article_scheduled_as_time_passes(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    scheduled = Article.objects.scheduled().get()
    count = Article.objects.count()
    # Three days later its time has come and gone: the next run schedules it again.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(days=1))
    assert not Article.objects.scheduled().exists()
    call_command("seed_demo")
    assert Article.objects.scheduled().get().pk == scheduled.pk
    assert Article.objects.scheduled().get().published_at > timezone.now()
    assert Article.objects.count() == count


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
