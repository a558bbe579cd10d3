"""Several people clicking at once, for the PostgreSQL race tests."""

import threading

from django.db import connection


def race(clicks):
    """Run each click in its own thread, released together.

    A click is a function of nothing that does what a person did before clicking (load
    the page) and returns the click itself, which runs once every thread is ready.
    Returns the outcome of each, in order: what the click returned or the exception it
    raised.
    """
    start = threading.Barrier(len(clicks))
    outcomes = [None] * len(clicks)

    def run(index, click):
        try:
            prepared = click()
            start.wait(timeout=10)
            outcomes[index] = prepared()
        except Exception as error:
            outcomes[index] = error
        finally:
            # Each thread has its own connection: close it, or the test database
            # cannot be dropped.
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
