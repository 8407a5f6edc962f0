"""Work on another thread while this one waits for the database."""

import queue
import threading
from collections.abc import Iterable, Iterator

from django.utils import translation

_DONE = object()


def read_ahead(items: Iterable, *, depth: int = 2) -> Iterator:
    """The items of ``items``, produced on a thread of their own up to ``depth`` items ahead of the caller.

    For a long import: while the database writes one chunk (the thread waiting on the server lets go of the
    interpreter), the next chunks are read from the file and checked. ``items`` must not touch the database (a
    thread has its own connection, outside the caller's transaction); it runs in the caller's language. An error
    it raises is raised here, where the item would have come; closing this generator stops the thread.
    """
    handed = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language):
                for item in items:
                    if not hand((item, None)):
                        return
        except BaseException as error:  # noqa: BLE001 (handed to the caller, which raises it)
            hand((_DONE, error))
            return
        hand((_DONE, None))

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = handed.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()
