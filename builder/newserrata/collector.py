"""How long stages treat Python's cycle collector.

Reading or building records allocates hundreds of small containers per record, none of them in a
reference cycle, so CPython's default (a cycle collection every 700 new containers) would run the
collector every few records, each time over everything already kept: a tenth of a build's or a
scorer's time for nothing. Collections still happen, only less often; the setting is restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(10_000, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
