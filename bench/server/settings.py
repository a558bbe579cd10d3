"""The production settings, as bench/bench_server.py serves them through gunicorn.

Everything production sets stays (DEBUG off, the manifest static storage, the
middleware, the session and CSRF settings); only what a bench on 127.0.0.1 over plain
HTTP cannot have changes: no HTTPS redirect, and the URLs gain the bench's floor view.
"""

import os

from config.settings_prod import *  # noqa: F403

ROOT_URLCONF = "server.urls"
SECURE_SSL_REDIRECT = False
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
