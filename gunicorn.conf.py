"""gunicorn's settings for Réemploi, read from the working directory (the Dockerfile's
/app, the benches' checkout) whatever the command line says."""

import gc


def post_worker_init(worker):
    """Freeze what loading Django left in memory (about 180,000 objects).

    They live as long as the worker, yet every full collection of the garbage collector
    walked them all again: 180 ms each on the 2-core bench machine, once in a few hundred
    scans, which was most of the scan station's slowest answers. Frozen, a collection
    only walks what requests create.
    """
    gc.collect()
    gc.freeze()
