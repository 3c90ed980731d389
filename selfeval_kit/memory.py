"""Bulk work without the cyclic garbage collector's repeated full scans.

Loading and scoring thousands of forms allocates millions of long-lived objects;
each automatic full collection walks all of them again, which cost about a quarter
of `evaluate` on 10,000 forms. The objects made there hold no reference cycles
worth collecting early, so collection is paused for the call and resumed after
(what cycles there are get collected then).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause automatic collection inside the block; nested uses resume only at the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
