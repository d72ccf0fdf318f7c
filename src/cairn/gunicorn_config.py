"""Gunicorn's settings for Cairn (docs/adr/0049-gunicorn-for-many-processes.md).

Used by ``cairn serve --processes N`` and by the production command
``gunicorn -c python:cairn.gunicorn_config cairn.wsgi`` (docs/operations.md), so both run
the same way:

- ``gthread`` workers: each process serves a few requests at once on threads, so a slow
  upload or a page waiting on the database does not hold a whole process; the processes
  use the cores (Python's GIL holds one process to about one core).
- Stopping: SIGTERM lets running requests finish for up to ``graceful_timeout`` seconds,
  SIGINT stops at once; a worker that hangs is replaced after ``timeout``.
- No access log here: the request log is Cairn's own (``cairn.web.logging``), with a
  request id and no query strings. No control socket (several instances share a machine).

Environment: ``CAIRN_BIND`` (default 127.0.0.1:8000), ``CAIRN_WEB_PROCESSES`` (default:
the number of cores), ``CAIRN_WEB_THREADS`` (default 4).
"""

from __future__ import annotations

import os

bind = [os.environ.get("CAIRN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("CAIRN_WEB_PROCESSES", "0") or 0) or (os.cpu_count() or 1)
worker_class = "gthread"
threads = int(os.environ.get("CAIRN_WEB_THREADS", "4"))
graceful_timeout = 5
timeout = 60
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CAIRN_GUNICORN_LOG", "warning")
control_socket_disable = True
proc_name = "cairn"


def worker_exit(server: object, worker: object) -> None:
    """A web process that has finished its requests ends at once. Its interpreter's own
    clean-up would walk the whole heap it shares with the arbiter (copied on write after
    the fork), which was seen to take seconds on a busy machine and hold up stopping."""
    import logging

    logging.shutdown()
    os._exit(0)
