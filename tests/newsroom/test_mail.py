"""Every e-mail is a task: queued in PostgreSQL, sent by a worker, retried with backoff
while the mail server fails, and left failed (visible to staff) when it keeps failing."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from newsroom.mail import retry_delay, send_email
from tests.conftest import work_until_empty
from tests.newsroom.flaky_mail import FlakyBackend

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.newsroom.flaky_mail.FlakyBackend"
    settings.MAIL_RETRY_SECONDS = 0  # due at once, so a batch worker sees the retries
    FlakyBackend.attempts = FlakyBackend.failures = 0
    mail.outbox = []
    return FlakyBackend


def test_a_failing_mail_server_is_retried_until_the_mail_goes(db, flaky_mail):
    flaky_mail.failures = 2
    send_email(to="reader@example.com", subject="Hello", body="Body")
    assert flaky_mail.attempts == 3
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_the_wait_between_attempts_doubles(settings):
    settings.MAIL_RETRY_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


def test_mail_waits_in_the_queue_until_a_worker_sends_it(db, settings, flaky_mail, run_worker):
    send_email(to=["a@example.com", "b@example.com"], subject="Queued", body="Body")
    assert mail.outbox == []  # no worker yet: the message waits in PostgreSQL
    assert DBTaskResult.objects.ready().count() == 1
    run_worker()
    assert mail.outbox[0].to == ["a@example.com", "b@example.com"]
    assert DBTaskResult.objects.successful().count() == 1


def test_retries_are_deferred_with_backoff(db, settings, flaky_mail, run_worker):
    settings.MAIL_RETRY_SECONDS = 60
    flaky_mail.failures = 1
    send_email(to="reader@example.com", subject="Later", body="Body")
    run_worker()
    assert mail.outbox == []
    retry = DBTaskResult.objects.filter(status="READY").get()  # not ready() yet: deferred
    first = DBTaskResult.objects.successful().get()
    assert 59 <= (retry.run_after - first.finished_at).total_seconds() <= 61
    assert retry.args_kwargs["kwargs"]["attempt"] == 2


def test_mail_that_keeps_failing_is_a_failed_task_staff_can_see(
    db, settings, flaky_mail, client, superuser, run_worker
):
    settings.MAIL_MAX_ATTEMPTS = 3
    flaky_mail.failures = 100
    send_email(to="reader@example.com", subject="Never", body="Body")
    run_worker()
    assert flaky_mail.attempts == 3 and mail.outbox == []
    failed = DBTaskResult.objects.failed().get()
    assert failed.exception_class_path == "smtplib.SMTPServerDisconnected"
    client.force_login(superuser)
    page = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"), {"status": "FAILED"}
    )
    assert page.status_code == 200
    assert str(failed.id) in page.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_several_workers_share_the_queue_and_send_each_mail_once(settings, flaky_mail):
    settings.TASKS = DATABASE_QUEUE
    for n in range(30):
        send_email(to=f"reader{n}@example.com", subject=f"Mail {n}", body="Body")

    def work(name):
        try:
            work_until_empty(name)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Mail {n}" for n in range(30))
    assert DBTaskResult.objects.successful().count() == 30


def test_password_reset_mail_is_queued_not_sent_in_the_request(
    client, reader, settings, flaky_mail, run_worker
):
    response = client.post(reverse("accounts:password_reset"), {"email": reader.email})
    assert response.status_code == 302
    assert mail.outbox == []
    run_worker()
    [email] = mail.outbox
    assert email.to == [reader.email] and "/accounts/password/reset/" in email.body
