"""The per-process cache of rendered documents, bounded by bytes (least recently used dropped
first). ``Store`` keys it by build generation, so a new build empties it."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


def approximate_size(value: Any) -> int:
    """Bytes a cached value holds: ``sys.getsizeof`` of the value and of everything it contains
    (dicts, lists, tuples, sets, strings, numbers), each object counted once. A claim document
    with its studies is about 37 KB of Python objects at 10,000 claims; an estimate from its
    top-level keys alone (5 KB) let a 64 MiB cache hold about 180 MB (docs/performance.md,
    "Server memory"). Costs about a microsecond per contained object, paid once per insert."""
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


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
