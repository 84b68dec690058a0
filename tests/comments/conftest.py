import pytest

from tests.factories import UserFactory


@pytest.fixture
def login(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def readers(db):
    return UserFactory.create_batch(5)
