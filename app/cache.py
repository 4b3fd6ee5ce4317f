"""The per-process cache of rendered documents, bounded by bytes (least recently used dropped
first). ``Store`` keys it by build generation, so a new build empties it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


def approximate_size(value: Any) -> int:
    """Bytes a cached value holds, roughly: exact for the rendered bodies (bytes, str) that make
    up most of the cache; for documents (dicts, lists) a per-item estimate, never zero."""
    if isinstance(value, bytes | str):
        return len(value) + 64
    if isinstance(value, dict | list | tuple | set):
        return 256 + 256 * len(value)
    return 256


class BytesLRU:
    """Least-recently-used cache bounded by bytes (``cachetools.LRUCache`` with a size function);
    thread-safe. A value larger than the whole budget is returned but not kept."""

    def __init__(self, max_bytes: int):
        self.data: LRUCache[Any, Any] = LRUCache(maxsize=max(1, max_bytes), getsizeof=approximate_size)
        self.lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self.lock:
            return self.data.get(key, default)

    def get_or_compute(self, key: Any, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.data:
                return self.data[key]  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value)
        return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock, contextlib.suppress(ValueError):  # ValueError: larger than the budget
            self.data[key] = value

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
