"""The fact-check index file: written once per build generation, memory-mapped by every worker.

The index (``indexbuild.compile_index``: arrays, no per-claim Python objects) is stored in one file per
build generation and code version. Every worker of a host maps the same file read-only, so the
operating system keeps one copy of its pages for all of them, and a server started over an existing
database is ready in a fraction of a second instead of compiling the index (about 25 s at 10,000
claims).

Who writes it: ``evidence-kb build`` (``prepare``, before the new database is swapped in or
committed, so the first fact-check after a build finds it; after an incremental build, by
updating the previous build's file for the claims that changed, ``indexbuild.update_index``, or
in full when that file is missing, damaged or of other concepts, saying why); otherwise the first process of a host
that needs it (another host's build on a shared PostgreSQL database, a file deleted, a new version
of the code), under a file lock so that the workers of a host compile it once. A missing, stale or
damaged file is compiled again, never an error; when no folder is writable the index is kept in
memory.

Where (``directory``): ``EVIDENCE_KB_FACTCHECK_INDEX_DIR`` when set; else beside the SQLite
database (``.NAME.factcheck/``); else (PostgreSQL, or a folder the server cannot write) a folder per
database in the system's temporary directory. Files: ``GENERATION-FINGERPRINT.fcidx``; the
fingerprint changes with the code and model files that decide the index's contents, so an upgrade
never serves an index compiled by other code. The two newest files of a folder are kept.

Layout: ``MAGIC`` (8 bytes), the header's length (8 bytes, little-endian), the header (JSON: format,
fingerprint, generation, the index's meta, each array's dtype, shape and offset, the file size, a
CRC-32 of every array but the vectors and one of the vectors), then the arrays, each at a multiple
of 64 bytes. Checked when opened: magic, size, format, fingerprint, generation, CRC, array bounds
and the ragged arrays' structure (so a damaged file cannot raise while serving); the vectors' CRC
only when a build copies them into the next file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import mmap
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

from app.factcheck.arrays import Chunks
from app.factcheck.embed import MODEL_DIR
from app.factcheck.index import FORMAT, Index
from app.factcheck.indexbuild import Changes, Stale, compile_index, update_index

log = logging.getLogger("evidence_kb")

MAGIC = b"EKBFCIX1"
ALIGN = 64
SUFFIX = ".fcidx"
KEEP = 2  # files kept per folder: the newest (this build) and the one before (readers switching)
UNCHECKED = frozenset({"vectors"})  # too large to read at every start (its size is still checked)
CHUNK = 1 << 20
_HERE = Path(__file__).parent
#: Modules whose code decides what the index holds: a change to any of them changes the file name.
SOURCES = ("index.py", "indexbuild.py", "arrays.py", "indexfile.py", "analyzer.py", "figures.py", "embed.py")


class BadIndexFile(Exception):
    """The file cannot be used (missing, damaged, of another build or code); it is compiled again."""


def _fingerprint() -> str:
    digest = hashlib.sha256(str(FORMAT).encode())
    for name in SOURCES:
        digest.update((_HERE / name).read_bytes())
    for name in ("documents.py", "bibfields.py", "grading.py"):
        digest.update((_HERE.parent / name).read_bytes())
    for path in sorted(MODEL_DIR.iterdir()):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


_FINGERPRINT = _fingerprint()  # of the code as imported (not as the files may be edited later)


def fingerprint() -> str:
    """A hash of the code and model files the index depends on (16 hex digits)."""
    return _FINGERPRINT


def directory(settings: Any) -> Path:
    """The folder of the index files for ``settings``' database (module doc)."""
    if settings.factcheck_index_dir:
        return Path(settings.factcheck_index_dir)
    path: Path | None = settings.sqlite_path
    if path is not None:
        return path.parent / f".{path.name}.factcheck"
    key = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return _fallback(key)


def _fallback(key: str) -> Path:
    return Path(tempfile.gettempdir()) / "evidence-kb-factcheck" / key


def path_for(folder: Path, generation: str) -> Path:
    return folder / f"{generation}-{fingerprint()}{SUFFIX}"


# --- writing --------------------------------------------------------------------------------------


def write(path: Path, meta: Mapping[str, Any], arrays: Mapping[str, npt.NDArray[Any] | Chunks]) -> None:
    """Write the file atomically: a temporary file in the same folder, fsync, rename. ``Chunks``
    are written piece by piece (never joined in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    layout: dict[str, Any] = {}
    offset = 0
    crc = crc_unchecked = 0
    for name, array in arrays.items():
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        for piece in _pieces(array):
            if name in UNCHECKED:
                crc_unchecked = zlib.crc32(piece, crc_unchecked)
            else:
                crc = zlib.crc32(piece, crc)
        offset += _aligned(array.nbytes)
    header = {"format": FORMAT, "fingerprint": fingerprint(), "generation": meta.get("generation"),
              "meta": dict(meta), "arrays": layout, "crc": crc, "crc_unchecked": crc_unchecked}  # fmt: skip
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    start = _aligned(16 + len(head) + 64)  # room for the two fields below
    header["start"], header["size"] = start, start + offset
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    if 16 + len(head) > start:
        raise AssertionError("index file header outgrew its room")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + len(head).to_bytes(8, "little") + head)
            out.write(b"\0" * (start - 16 - len(head)))
            for array in arrays.values():
                for piece in _pieces(array):
                    out.write(piece)
                out.write(b"\0" * (_aligned(array.nbytes) - array.nbytes))
            out.flush()
            os.fchmod(out.fileno(), 0o644)  # mkstemp makes it private; workers may run as another user
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _pieces(array: npt.NDArray[Any] | Chunks) -> Iterator[bytes | memoryview]:
    """The array's bytes in order (``Chunks``: piece by piece, read back from a spill in blocks)."""
    if isinstance(array, Chunks):
        yield from array.blocks()
    else:
        yield np.ascontiguousarray(array).data


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# --- reading --------------------------------------------------------------------------------------


def read(
    path: Path, generation: str | None = None, *, whole: bool = False
) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """(meta, arrays) of the file, the arrays read-only views of its memory map. Raises
    ``BadIndexFile`` (with the reason) for anything but a complete file of this code's format and
    fingerprint (and of ``generation`` when given). ``whole``: check the vectors' CRC too (a
    build that copies them into the next file; a server start does not read them)."""
    mapped, size = _map(path)
    try:
        if mapped[:8] != MAGIC:
            raise BadIndexFile(f"{path}: not an index file")
        length = int.from_bytes(mapped[8:16], "little")
        header = json.loads(bytes(mapped[16 : 16 + length]))
        _check_header(path, header, size, generation)
        start = int(header["start"])
        arrays: dict[str, npt.NDArray[Any]] = {}
        spans: list[tuple[int, int]] = []
        unchecked: list[tuple[int, int]] = []
        for name, spec in header["arrays"].items():
            dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
            count = int(np.prod(shape)) if shape else 1
            at = start + int(spec["offset"])
            if at < 16 + length or at + count * dtype.itemsize > size:
                raise BadIndexFile(f"{path}: array {name} out of bounds")
            arrays[name] = np.frombuffer(mapped, dtype=dtype, count=count, offset=at).reshape(shape)
            (unchecked if name in UNCHECKED else spans).append((at, count * dtype.itemsize))
        if _crc(path, spans) != header["crc"]:
            raise BadIndexFile(f"{path}: checksum mismatch")
        if whole and _crc(path, unchecked) != header["crc_unchecked"]:
            raise BadIndexFile(f"{path}: checksum mismatch in {', '.join(sorted(UNCHECKED))}")
        _check_structure(path, header["meta"], arrays)
    except BadIndexFile:
        raise
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise BadIndexFile(f"{path}: damaged ({exc})") from exc
    return header["meta"], arrays


def _crc(path: Path, spans: list[tuple[int, int]]) -> int:
    """CRC-32 of the file's byte ranges, read with ``pread``: the pages pass through the page
    cache but are not mapped into this process, so checking does not add them to its memory."""
    crc = 0
    fd = os.open(path, os.O_RDONLY)
    try:
        for at, n in spans:
            done = 0
            while done < n:
                piece = os.pread(fd, min(CHUNK, n - done), at + done)
                if not piece:
                    raise BadIndexFile(f"{path}: truncated")
                crc = zlib.crc32(piece, crc)
                done += len(piece)
    finally:
        os.close(fd)
    return crc


def _map(path: Path) -> tuple[mmap.mmap, int]:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < 16:
                raise BadIndexFile(f"{path}: truncated")
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), size
    except FileNotFoundError as exc:
        raise BadIndexFile(f"{path}: missing") from exc
    except (OSError, ValueError) as exc:
        raise BadIndexFile(f"{path}: {exc}") from exc


def _check_header(path: Path, header: Mapping[str, Any], size: int, generation: str | None) -> None:
    if header.get("format") != FORMAT or header.get("fingerprint") != fingerprint():
        raise BadIndexFile(f"{path}: written by another version of the code")
    if generation is not None and header.get("generation") != generation:
        raise BadIndexFile(f"{path}: of another build")
    if header.get("size") != size:
        raise BadIndexFile(f"{path}: {size} bytes, expected {header.get('size')} (truncated?)")


def _check_structure(path: Path, meta: Mapping[str, Any], arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """The ragged arrays' pointers run from 0 to their ids' length without going back, and every
    number points inside what it numbers (so serving never indexes out of range)."""
    claims, features = len(arrays["claim_ids_at"]) - 1, len(arrays["feature_names_at"]) - 1
    texts = len(arrays["text_weight"])
    bounds = {"postings": claims, "text_ptr": texts}
    sets = ["core", "features", "text_features", "postings", *(f"gate_{g}" for g in meta["gates"])]
    for name in sets:
        ptr, ids = arrays[f"{name}_ptr"], arrays[f"{name}_ids"]
        limit = bounds.get(name, features)
        if len(ptr) == 0 or ptr[0] != 0 or ptr[-1] != len(ids) or np.any(np.diff(ptr) < 0):
            raise BadIndexFile(f"{path}: {name} is damaged")
        if len(ids) and (ids.min() < 0 or ids.max() >= limit):
            raise BadIndexFile(f"{path}: {name} points outside")
    ptr = arrays["text_ptr"]
    if len(ptr) != claims + 1 or ptr[0] != 0 or ptr[-1] != texts or np.any(np.diff(ptr) < 1):
        raise BadIndexFile(f"{path}: text rows are damaged")
    for name, n in (("core_ptr", claims + 1), ("text_features_ptr", texts + 1), ("idf", features),
                    ("core_weight", claims), ("text_owner", texts), ("vocabulary_count", len(meta["vocabulary"]))):  # fmt: skip
        if len(arrays[name]) != n:
            raise BadIndexFile(f"{path}: {name} has the wrong length")
    if arrays["vectors"].ndim != 2 or len(arrays["vectors"]) != texts:
        raise BadIndexFile(f"{path}: vectors have the wrong shape")
    for table in ("feature_names", "claim_ids", "docs", "texts"):
        at = arrays[f"{table}_at"]
        if len(at) == 0 or at[0] != 0 or at[-1] != len(arrays[table]) or np.any(np.diff(at) < 0):
            raise BadIndexFile(f"{path}: {table} is damaged")


# --- who writes it, and when ----------------------------------------------------------------------


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder (one compiler per host at a time)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _tidy(folder: Path) -> None:
    """Remove all but the ``KEEP`` newest index files (and temporary files of killed writers)."""
    files = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
    for tmp in folder.glob(f".*{SUFFIX}.*.tmp"):  # a writer killed at least an hour ago
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()


def prepare(
    settings: Any, session: Session, changes: Changes | None = None, say: Callable[[str], None] = log.info
) -> Path | None:
    """Compile the index of the build ``session`` reads and write its file (``build`` calls this
    before the new build is served). ``changes``: what an incremental build changed; the previous
    build's file is then updated (``indexbuild.update_index``), or, when it cannot be, the index
    compiled in full (copying the vectors of the texts it has), ``say`` giving the reason.
    Returns the path, or None when no folder is writable (the first fact-check then compiles it)."""
    from app.factcheck import langmodel, language

    langmodel.load(language.CANDIDATES)  # the host's compact language model, made once
    previous = _previous(settings, changes, say) if changes is not None else None
    found = None
    if changes is not None and previous is not None:
        try:
            meta, arrays, compiled = update_index(session, *previous, changes.claims)
            say(
                f"fact-check index: {compiled} claim(s) compiled, the others' rows copied from the last build's"
            )
            found = meta, arrays
        except Stale as exc:
            say(f"fact-check index compiled in full: {exc}")
    meta, arrays = found or compile_index(session, previous)
    generation = meta["generation"]
    if generation is None:
        return None
    for folder in _folders(settings):
        try:
            with _locked(folder):
                path = path_for(folder, generation)
                write(path, meta, arrays)
                _tidy(folder)
            return path
        except OSError as exc:
            log.warning("cannot write the fact-check index in %s: %s", folder, exc)
    return None


def _previous(
    settings: Any, changes: Changes, say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The previous build's index (its file, mapped), or None (said why)."""
    reasons: list[str] = []  # why a file that is there cannot be used
    absent: list[tuple[Path, str]] = []  # (folder, reason) of each folder without the file
    for folder in _folders(settings):
        try:
            return read(path_for(folder, changes.generation), changes.generation, whole=True)
        except BadIndexFile as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                absent.append((folder, str(exc)))
            else:
                reasons.append(str(exc))
    if not reasons:  # the usual case (a first build here, a cleaned temporary folder): no alarm
        looked = " and ".join(str(folder) for folder, _ in absent)
        say(
            f"fact-check index compiled in full: the last build's index file is missing (looked in {looked}); nothing is wrong"
        )
    else:
        say(f"fact-check index compiled in full: {'; '.join(reasons + [why for _, why in absent])}")
    return None


def _folders(settings: Any) -> list[Path]:
    first = directory(settings)
    fallback = _fallback(hashlib.sha256(settings.database_url.encode()).hexdigest()[:12])
    return [first] if first == fallback else [first, fallback]


def load_or_build(store: Any) -> Index:
    """The index of the store's current build: its file mapped, or compiled (under the folder's
    lock, so a host's workers compile it once) and written first."""
    settings = store.db.settings
    generation = store.generation()
    if generation is not None:
        found = open_generation(settings, generation)
        if found is not None:
            return found
    for folder in _folders(settings) if generation is not None else []:
        try:
            with _locked(folder):
                found = _open(path_for(folder, generation), generation)  # another worker wrote it
                if found is not None:
                    return found
                with store.db.session() as session:
                    meta, arrays = compile_index(session)
                written = path_for(folder, meta["generation"] or generation)
                write(written, meta, arrays)
                _tidy(folder)
            found = _open(written, meta["generation"])
            if found is not None:
                return found
        except OSError as exc:
            log.warning("cannot write the fact-check index in %s: %s", folder, exc)
    with store.db.session() as session:  # nowhere to write: this process keeps it in memory
        meta, arrays = compile_index(session)
    return Index(meta, arrays)


def has_file(settings: Any, generation: str | None) -> bool:
    """Whether a folder holds the index file of build ``generation`` (its name only: what is
    in it is checked when it is opened)."""
    return generation is not None and any(path_for(f, generation).exists() for f in _folders(settings))


def ensure(store: Any) -> bool:
    """Make sure the index file of the store's current build exists, compiling and writing it
    when missing (as ``load_or_build``), without keeping the index in this process. False when
    it could not be written (no writable folder, or no build)."""
    if has_file(store.db.settings, store.generation()):
        return True
    load_or_build(store)
    return has_file(store.db.settings, store.generation())


def open_generation(settings: Any, generation: str) -> Index | None:
    """The index of build ``generation`` from its file (any of the folders ``load_or_build``
    writes to), or None when there is none: never compiled, it serves a request that started
    on a build another process has replaced since (``check.index_at``)."""
    for folder in _folders(settings):
        found = _open(path_for(folder, generation), generation)
        if found is not None:
            return found
    return None


def _open(path: Path, generation: str | None) -> Index | None:
    try:
        meta, arrays = read(path, generation)
    except BadIndexFile as exc:
        if path.exists():
            log.warning("fact-check index %s", exc)
        return None
    return Index(meta, arrays)
