"""Compact building blocks of the fact-check index: ragged integer sets and string tables as numpy
arrays, so that a 10,000-claim index is a few arrays (memory-mapped from one file and shared by
the workers of a host, ``indexfile``) instead of 10,000 Python objects per worker.

- ``Ragged``: row ``r`` is ``ids[ptr[r]:ptr[r + 1]]`` (CSR). ``sums``, ``counts``, ``any`` and
  ``maxima`` reduce many rows at once (the rows of a unit's candidate claims) with array
  operations: the cost follows the candidates, never the size of the knowledge base.
- ``StringTable``: strings as one UTF-8 blob plus offsets; decoded on access.
- ``Chunks``: an array as pieces along its first axis (the vectors while an index is compiled:
  one piece per slice of claims, or views of the previous file's map), written without joining.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class Ragged:
    """Rows of integers (CSR): ``ptr`` int64 (rows + 1), ``ids`` int32."""

    def __init__(self, ptr: npt.NDArray[Any], ids: npt.NDArray[Any]) -> None:
        self.ptr = ptr
        self.ids = ids

    @classmethod
    def build(cls, rows: Iterable[Sequence[int]]) -> Ragged:
        ptr: list[int] = [0]
        flat: list[int] = []
        for row in rows:
            flat.extend(row)
            ptr.append(len(flat))
        return cls(np.asarray(ptr, dtype=np.int64), np.asarray(flat, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def row(self, r: int) -> npt.NDArray[Any]:
        return self.ids[self.ptr[r] : self.ptr[r + 1]]

    def sizes(self, rows: Ints) -> Ints:
        sizes: Ints = (self.ptr[rows + 1] - self.ptr[rows]).astype(np.int64)
        return sizes

    def gather(self, rows: Ints) -> tuple[Ints, Ints]:
        """(positions into ``ids`` of every element of ``rows``, the index in ``rows`` each
        belongs to), in row order."""
        sizes = self.sizes(rows)
        total = int(sizes.sum())
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
        if total == 0:
            return np.zeros(0, dtype=np.int64), owner
        starts = np.cumsum(sizes) - sizes
        positions = (
            np.arange(total, dtype=np.int64) - np.repeat(starts, sizes) + np.repeat(self.ptr[rows], sizes)
        )
        return positions, owner

    def sums(self, rows: Ints, values: Floats) -> Floats:
        """Per row of ``rows``: the sum of ``values[id]`` over its ids (0 for an empty row)."""
        positions, owner = self.gather(rows)
        out = np.bincount(owner, weights=values[self.ids[positions]], minlength=len(rows))
        return out.astype(np.float64, copy=False)

    def counts(self, rows: Ints, mask: Bools) -> Ints:
        """Per row: how many of its ids are set in ``mask``."""
        positions, owner = self.gather(rows)
        return np.bincount(owner, weights=mask[self.ids[positions]], minlength=len(rows)).astype(np.int64)

    def any(self, rows: Ints, mask: Bools) -> Bools:
        """Per row: whether any of its ids is set in ``mask``."""
        return self.counts(rows, mask) > 0


class Spill:
    """A temporary file (deleted when closed or collected) that keeps arrays out of memory while
    an index is compiled: ``store`` writes one and gives back a ``Stored`` that reads it."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as its Stored pieces live)
        self.size = 0

    def store(self, array: npt.NDArray[Any]) -> Stored:
        data = np.ascontiguousarray(array)
        os.pwrite(self.file.fileno(), data.data, self.size)
        stored = Stored(self, self.size, data.shape, data.dtype)
        self.size += data.nbytes
        return stored


class Stored:
    """Rows of an array kept in a ``Spill``: sliced by rows like an array, read back whole
    (``read``) or in blocks (``blocks``) through ``pread``, so they never sit in the process's
    memory (only in the page cache)."""

    def __init__(self, spill: Spill, offset: int, shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        self.spill, self.offset, self.shape, self.dtype = spill, offset, shape, dtype
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        self.nbytes = shape[0] * self.row_bytes

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> Stored:
        start, stop, step = rows.indices(self.shape[0])
        if step != 1:
            raise ValueError("stored rows are sliced with step 1 only")
        stop = max(start, stop)
        return Stored(
            self.spill, self.offset + start * self.row_bytes, (stop - start, *self.shape[1:]), self.dtype
        )

    def blocks(self, size: int = 1 << 20) -> Iterator[bytes]:
        done = 0
        while done < self.nbytes:
            block = os.pread(self.spill.file.fileno(), min(size, self.nbytes - done), self.offset + done)
            if not block:
                raise OSError("the spill file is shorter than what was stored")
            done += len(block)
            yield block

    def read(self) -> npt.NDArray[Any]:
        return np.frombuffer(b"".join(self.blocks()), dtype=self.dtype).reshape(self.shape)


Piece = npt.NDArray[Any] | Stored


class Chunks:
    """An array held as pieces along its first axis (arrays or ``Stored`` rows); ``empty`` (no
    rows) gives the dtype and the shape of a row. ``indexfile.write`` writes the pieces one after
    the other; ``join`` makes one array."""

    def __init__(self, pieces: list[Piece], empty: npt.NDArray[Any]) -> None:
        self.pieces = pieces
        self.dtype = empty.dtype
        self.shape = (sum(len(p) for p in pieces), *empty.shape[1:])
        self.nbytes = sum(p.nbytes for p in pieces)
        self._empty = empty
        for piece in pieces:
            if piece.dtype != self.dtype or piece.shape[1:] != self.shape[1:]:
                raise ValueError(
                    f"a piece of {piece.dtype} {piece.shape} in chunks of {self.dtype} {self.shape}"
                )

    def join(self) -> npt.NDArray[Any]:
        return np.concatenate([self._empty, *(p.read() if isinstance(p, Stored) else p for p in self.pieces)])

    def blocks(self) -> Iterator[bytes | memoryview]:
        """The bytes of the array in order."""
        for piece in self.pieces:
            if isinstance(piece, Stored):
                yield from piece.blocks()
            else:
                yield np.ascontiguousarray(piece).data


def segment_max(values: npt.NDArray[Any], sizes: Ints) -> npt.NDArray[Any]:
    """Maximum of consecutive segments of ``values`` (``sizes``: each at least 1)."""
    if len(sizes) == 0:
        return values[:0]
    starts = np.cumsum(sizes) - sizes
    return np.maximum.reduceat(values, starts)


class StringTable(Sequence[str]):
    """Strings stored as one UTF-8 blob (uint8) and offsets (int64, n + 1)."""

    def __init__(self, blob: npt.NDArray[np.uint8], offsets: npt.NDArray[Any]) -> None:
        self.blob = blob
        self.offsets = offsets

    @staticmethod
    def pack(strings: Iterable[str | bytes]) -> tuple[npt.NDArray[np.uint8], Ints]:
        encoded = [s.encode("utf-8") if isinstance(s, str) else s for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        return self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])].tobytes()

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.raw(i).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        data = self.blob.tobytes()
        bounds = self.offsets.tolist()
        for a, b in itertools.pairwise(bounds):
            yield data[a:b].decode("utf-8")
