"""Safety of the SQLite database file: what a build may replace, and its leftovers.

A build writes a new file beside the database and swaps it in with ``os.replace``. That swap
would destroy whatever sits at the database path, so before anything is written the target is
checked (``check_target``):

- a path that does not exist, or an empty file: fine (nothing is lost);
- an evidence-kb database: fine. Recognised by the SQLite header (``SQLite format 3\\0`` in the
  first 16 bytes) and either our ``application_id`` (bytes 68-71 of the header, set by every
  build since it was introduced) or, for files built before that, a ``build_info`` table with a
  ``schema_version`` column;
- anything else (a YAML file, another application's SQLite database, a directory, a device, a
  socket) is refused with ``UnsafeDatabasePath``. ``replace_foreign=True`` (``build
  --start-over``) allows replacing a *regular file* that is not ours; never a directory, device
  or other special file;
- a symbolic link is followed only when its target stays in the link's folder; a link out of the
  folder is always refused (the swap would otherwise write wherever the link points).

``remove_stale_builds`` deletes the temporary files (``NAME.build-PID``) of builds that were
killed before they could clean up: their process no longer exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
from pathlib import Path

#: ``PRAGMA application_id`` of every evidence-kb database ("EVKB" in ASCII).
APPLICATION_ID = 0x45564B42
SQLITE_MAGIC = b"SQLite format 3\x00"
_TEMP_SUFFIX = re.compile(r"\.build-(\d+)(-journal|-wal|-shm)?$")


class UnsafeDatabasePath(Exception):
    """The database path holds something a build must not replace. The message says what and
    what to do."""


def check_target(path: Path, *, replace_foreign: bool = False) -> Path:
    """Check that a build may replace ``path``; return the path the swap should write to.

    ``path`` is the database path as configured (not resolved). Returns it unchanged, or the
    target of a symbolic link that stays in the same folder. Raises ``UnsafeDatabasePath``.
    """
    path = Path(os.path.abspath(path))
    target = _follow_link(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, socket or pipe)"
        )
        raise UnsafeDatabasePath(
            f"{target} is {kind}; a build never replaces it. Choose another database path."
        )
    if info.st_size == 0 or is_evidence_kb_database(target):
        return target
    if replace_foreign:
        return target
    raise UnsafeDatabasePath(
        f"{target} exists and is not an evidence-kb database; the build left it untouched. "
        "Check --database-url / EVIDENCE_KB_DATABASE_URL, or run 'evidence-kb build --start-over' "
        "to replace this file with a new database."
    )


def _follow_link(path: Path) -> Path:
    """The path a write would reach: a link is followed only within its own folder."""
    if not path.is_symlink():
        return path
    folder = path.parent.resolve()
    target = path.resolve()
    if target.parent != folder:
        raise UnsafeDatabasePath(
            f"{path} is a symbolic link to {target}, outside its folder {folder}; a build never "
            "follows it. Point the database URL at the real file instead."
        )
    return target


def is_evidence_kb_database(path: Path) -> bool:
    """True when ``path`` is an SQLite file written by an evidence-kb build (see module doc)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return False
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    return _has_marker_table(path)


def _has_marker_table(path: Path) -> bool:
    """Databases built before the application id: a ``build_info`` table with our columns."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(build_info)")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return {"schema_version", "generation", "data_hash"} <= columns


def temp_path(target: Path) -> Path:
    """Where this process builds the next database before swapping it in."""
    return target.with_name(f"{target.name}.build-{os.getpid()}")


def remove_stale_builds(target: Path) -> list[Path]:
    """Delete ``NAME.build-PID`` files (and their ``-journal``) beside ``target`` whose process
    has gone; returns them.

    Only regular files whose name matches exactly and whose PID is not a running process: a
    build running now elsewhere on this host keeps its file.
    """
    removed: list[Path] = []
    prefix = f"{target.name}.build-"
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(target.parent):
            match = _TEMP_SUFFIX.search(entry.name)
            if (
                not entry.name.startswith(prefix)
                or not match
                or entry.name != prefix + match.group(1) + (match.group(2) or "")
            ):
                continue
            if not entry.is_file(follow_symlinks=False) or _process_alive(int(match.group(1))):
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier attempt (a failed build in this process)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
