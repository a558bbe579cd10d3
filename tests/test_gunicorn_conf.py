"""The web server's workers freeze what Django loaded before serving (gunicorn.conf.py)."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_freezes_what_django_loaded_so_full_collections_skip_it():
    hooks = runpy.run_path(str(CONF))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](worker=None)

        assert gc.get_freeze_count() > 10_000  # this test process's Django, at least
        assert len(gc.get_objects(generation=2)) < gc.get_freeze_count()
    finally:
        gc.unfreeze()
