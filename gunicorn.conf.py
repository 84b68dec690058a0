"""gunicorn settings; each can be overridden with the usual GUNICORN_* style env vars below."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Each worker thread holds a database connection (CONN_MAX_AGE), so the default is
# capped: 2 x CPUs + 1 would exhaust PostgreSQL's 100 connections on a big host.
# WEB_CONCURRENCY, when set, is taken as is.
MAX_DEFAULT_WORKERS = 8
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or min(multiprocessing.cpu_count() * 2 + 1, MAX_DEFAULT_WORKERS)
)
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then to bound memory growth
max_requests_jitter = 200
# Off unless set ("-" for stdout): Django's newsroom.request logger writes the one line
# per request, with its request id and user (newsroom/observability.py).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
