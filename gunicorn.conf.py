"""gunicorn settings; each can be overridden with the usual GUNICORN_* style env vars below.

Reloads. preload_app: the master imports Django once and every worker is a fork
of it, ready within milliseconds, so workers started by a HUP or by max_requests
leave no gap while they would otherwise import the project. The price: a HUP
reloads this file and replaces the workers but no longer loads new code, since
workers are forks of the master. New code needs a new master:
- docker-compose: replace the web containers (docker compose up -d --build web);
  Caddy sends readers only to containers whose /readyz passes.
- gunicorn run directly: `kill -USR2 <master>` starts a new master with the new
  code beside the old one; once it answers, `kill -WINCH <old master>` stops the
  old workers, then `kill -TERM <old master>` the old master. (To roll back
  instead: `kill -HUP <old master>`, then `kill -TERM <new master>`.)
Nothing opens a database or cache connection at import, so workers share none.
Before each fork the master freezes its objects out of the garbage collector (see
pre_fork): a worker's collections then never scan the imported project, which
spared new workers collections of a second or more right after a reload.

Slow clients. Behind Caddy, gunicorn only ever gets whole requests (the
Caddyfile's request_buffers and timeouts). Without it, threaded workers
(gthread) keep a stalled upload to one thread, not a whole worker process;
newsroom/wsgi.py gives up on a body that stops arriving (REQUEST_BODY_TIMEOUT);
and a worker whose threads are all busy accepts no more connections
(worker_connections = threads), so the kernel hands new ones to a worker that
has a thread free instead of queueing them behind the stalled ones. With 20
uploads held stalled, the home page's p50/p99 stayed where they were
(bench/slow_clients.py).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Each worker thread that has served a page keeps a database connection (CONN_MAX_AGE),
# so workers x threads x app servers must stay below PostgreSQL's max_connections
# (2 CPUs: 5 x 8 = 40 a server); the default is capped for big hosts. WEB_CONCURRENCY
# and GUNICORN_THREADS, when set, are taken as they are.
MAX_DEFAULT_WORKERS = 8
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or min(multiprocessing.cpu_count() * 2 + 1, MAX_DEFAULT_WORKERS)
)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# Accept only what a free thread can take at once (see above). A kept-alive idle
# connection would count too, so connections close after each response: behind Caddy
# that is one local connect per request, and without it one per page for a browser.
worker_connections = threads
keepalive = 0
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
preload_app = True
# Recycle workers now and then to bound memory growth. A recycled worker is a fork
# (preload_app), and the jitter of half the count keeps workers from retiring together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = max_requests // 2
# Off unless set ("-" for stdout): Django's newsroom.request logger writes the one line
# per request, with its request id and user (newsroom/observability.py).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    # The abuse pre-screen's model is loaded once here, in the master, and shared.
    from comments.moderation import prescreen

    prescreen.warm()
    # As Python's gc docs advise for fork without exec: objects made before the fork are
    # never the worker's garbage, and scanning them would also copy their memory pages.
    gc.freeze()
