import pytest

from comments import moderation
from tests.factories import UserFactory


@pytest.fixture
def author(db):
    """The reader whose comment gets replies."""
    return UserFactory(username="bea", first_name="Bea", last_name="Jones")


@pytest.fixture
def replier(db):
    return UserFactory(username="ann", first_name="Ann", last_name="Smith")


@pytest.fixture
def comment(author, published_article):
    return moderation.post_comment(author=author, article=published_article, body="First!")


@pytest.fixture
def reply(replier, comment):
    def post(body="I disagree.", *, to=None, by=None):
        return moderation.post_comment(
            author=by or replier, article=comment.article, body=body, parent=to or comment
        )

    return post
