"""A real Celery worker in its own process, for the `real_worker` fixture (tests/conftest.py).

The worker needs a broker that answers and a database that both processes reach: the
suite's PostgreSQL test database. Without them its tests skip, saying what is missing.
"""

import os
import signal
import subprocess
import sys
from urllib.parse import quote

from tests.paths import ROOT

NO_BROKER = "needs a Celery broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"
NO_SHARED_DATABASE = "the worker needs a shared database: run the tests on PostgreSQL"
# One process, no chatter with other workers: it starts in about a second.
OPTIONS = [
    "--pool=solo",
    "--concurrency=1",
    "-l",
    "info",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]


def broker_answers(url):
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


def database_url(db):
    """The address of the database described by `db` (a settings_dict), for another process."""
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@" if credentials else ""
    return f"postgres://{host}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start(*, broker_url, result_backend, database, media_root, log):
    """A worker of this checkout's code on `broker_url`, writing its output to `log`."""
    env = {
        **os.environ,
        # This checkout first, whatever the virtualenv has installed in editable mode.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": result_backend,
        "DATABASE_URL": database,
        # The worker must not keep a connection open: the test database is dropped at the end.
        "CONN_MAX_AGE": "0",
        # Files are written where the test (and its pages) read them.
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *OPTIONS],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process):
    """Ask the worker for a warm shutdown; kill it if it has not stopped within 20 seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
