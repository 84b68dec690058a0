"""The benchmark floor view exists only for benchmark runs and serves bytes unchanged."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from newsroom import bench


@pytest.mark.django_db
def test_floor_url_does_not_exist_in_normal_runs(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench-floor", kwargs={"name": "anonymous"})
    assert client.get("/__bench__/floor/anonymous/").status_code == 404


def test_floor_serves_the_captured_bytes_exactly(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_captured", {})
    page = "<!doctype html><p>Caf\u00e9 \u2014 1,000 comments</p>\n".encode()
    (tmp_path / "anonymous.html").write_bytes(page)
    settings.BENCH_FLOOR_DIR = str(tmp_path)
    response = bench.floor(RequestFactory().get("/"), "anonymous")
    assert response.status_code == 200
    assert response.content == page
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_floor_without_a_capture_is_not_found(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_captured", {})
    settings.BENCH_FLOOR_DIR = str(tmp_path)
    with pytest.raises(Http404):
        bench.floor(RequestFactory().get("/"), "logged-in")
