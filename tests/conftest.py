import pytest
from django.contrib.auth.models import Group

from tests.factories import ArticleFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and cached fragments live in the cache; start every test clean.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded pictures and their renditions go to a fresh folder for each test.
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
def superuser(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def published_article(db, editor):
    return ArticleFactory(title="Council approves flood barrier", authors=[editor])
