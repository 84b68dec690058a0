from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from PIL import Image

from tests.factories import ArticleFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.2 s a user; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and cached fragments live in the cache; start every test clean.
    from django.core.cache import cache

    from newsroom import freshness

    def clear():
        cache.clear()
        freshness.forget_local_copies()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _every_reply_shown(settings):
    # Most tests read whole threads; tests/comments/test_collapsing.py collapses them.
    settings.COMMENTS_REPLIES_SHOWN = 1000


@pytest.fixture(autouse=True)
def _versions_replaced_as_if_committed(request, monkeypatch):
    """A test runs inside a transaction that never commits, so a workflow's cache
    versions (newsroom/freshness.py), replaced on commit, would never be. Here they
    are replaced as the change is made, as if it committed right then. Tests of what
    happens between a change and its commit are marked `real_commits` and commit
    with django_capture_on_commit_callbacks."""
    if request.node.get_closest_marker("real_commits"):
        return
    from types import SimpleNamespace

    from newsroom import freshness

    at_once = SimpleNamespace(on_commit=lambda func, using=None, robust=False: func())
    monkeypatch.setattr(freshness, "transaction", at_once)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploads (avatars, lead images and renditions) go to a fresh folder for each test,
    # never the developer's .data/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reader(db):
    return UserFactory(username="reader")


@pytest.fixture
def other_reader(db):
    return UserFactory(username="other")


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(username="moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def banned_reader(db, moderator):
    from comments import moderation

    user = UserFactory(username="banned")
    moderation.ban(user=user, moderator=moderator, reason="Abuse", days=7)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def published_article(db, editor):
    return ArticleFactory(title="Council approves flood barrier", authors=[editor])


@pytest.fixture
def image_bytes():
    """Make an image file's bytes: image_bytes("JPEG", size=(300, 200))."""

    def make(image_format="PNG", size=(300, 200), colour=(30, 90, 160)) -> bytes:
        buffer = BytesIO()
        Image.new("RGB", size, colour).save(buffer, format=image_format)
        return buffer.getvalue()

    return make


@pytest.fixture
def privacy_page(db):
    from pages.models import Page

    return Page.objects.create(
        kind=Page.Kind.PRIVACY, title="Privacy notice", body="We keep little.", version="1"
    )


@pytest.fixture
def terms_page(db):
    from pages.models import Page

    return Page.objects.create(
        kind=Page.Kind.TERMS, title="Terms of use", body="Be kind.", version="2026-12-01"
    )


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Tasks (e-mails, notifications, renditions) run inside the call that queues them;
    # tests about the queue and the worker switch to the database backend themselves.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_worker(settings, monkeypatch):
    """Switch to the PostgreSQL queue; returns a function that runs the real db_worker
    loop until the queue has no task that is due, inside the test's transaction (its
    connection recycling between tasks, which would end that transaction, is left out)."""
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return work_until_empty


def work_until_empty(worker_id: str = "test-worker") -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    ).run()  # fmt: skip
