"""What ``evidence-kb serve`` adds to uvicorn against slow and numerous clients.

- ``HeaderTimeoutProtocol``: uvicorn's httptools protocol with a *header timeout*: a connection
  that has not sent a complete request head within ``Settings.header_timeout`` seconds of opening
  (or of starting its next request) is closed. uvicorn itself only times out idle keep-alive
  connections, so a slowloris client (headers one byte at a time, thousands of connections) would
  otherwise hold a file descriptor each for ever.
- ``raise_open_file_limit``: the soft limit on open files raised to the hard limit, so the
  concurrency limit, not the file table, decides when new requests are refused (503).
- ``uvicorn_options``: the options ``serve`` passes (keep-alive timeout, backlog).

- ``serve``: the port bound before "serving on ..." is printed; without ``EVIDENCE_KB_BASE_URL``
  the base URL is the address served (``follow_served_address``), recorded for the command line's
  links while it serves (``record_served_address``, read by ``served_settings``), and a warning
  when one that was set does not match it (``base_url_warning``).

The body timeout is in ``app.guard`` (it reads every request body).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import Settings, get_settings


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """See the module docstring."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(get_settings().header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run keyword arguments for the limits in ``settings`` (README "Limits")."""
    return {
        "http": HeaderTimeoutProtocol,
        # Requests in progress are limited by app.guard (503 with Retry-After); connections are
        # not, since the header timeout closes idle and slow ones (a limit on connections would
        # let slowloris clients lock everyone out).
        "limit_concurrency": None,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "backlog": 2048,
    }


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ANY_ADDRESS = {"0.0.0.0", "::", ""}


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def serve(settings: Settings, host: str, port: int, workers: int, access_log: bool) -> int:
    """Bind host:port first, then say where we serve (never before: a port in use is an error,
    exit status 1), then hand the bound socket to uvicorn (one server, or a supervisor of several
    workers) with ``uvicorn_options``. Warns when ``EVIDENCE_KB_BASE_URL`` cannot be the address
    readers reach (``base_url_warning``)."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        _err(f"cannot serve on {host}:{port}: {exc.strerror or exc}")
        return 1
    sock.set_inheritable(True)
    bound = sock.getsockname()[1]
    address = f"http://{f'[{host}]' if family == socket.AF_INET6 else host}:{bound}"
    followed = follow_served_address(settings, host, address)
    record = record_served_address(followed) if followed is not settings else None
    settings = followed
    warning = base_url_warning(settings.base_url, host, bound)
    if warning:
        _err(f"warning: {warning}")
    _err(f"serving on {address} ({workers} worker(s)); Ctrl-C stops")
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=host,
        port=bound,
        workers=workers,
        access_log=access_log,
        log_level="info" if access_log else "warning",
        **uvicorn_options(settings),
    )
    raise_open_file_limit()
    previous = _stop_on_sigterm()
    try:
        run_server(config, sock)
    except (KeyboardInterrupt, Terminated):  # Ctrl-C or SIGTERM, after uvicorn's graceful shutdown
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sock.close()
        if record is not None:
            forget_served_address(record)
    return 0


class Terminated(Exception):
    """SIGTERM reached ``serve`` (``_stop_on_sigterm``)."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def _stop_on_sigterm() -> Any:
    """Make SIGTERM raise ``Terminated`` in this (main) thread; the handler it replaces, or None
    off the main thread (no handler can be set there). uvicorn handles SIGTERM while it serves,
    shuts down gracefully, puts the handler it found back and sends itself the signal again:
    with Python's default (terminate at once) the address record (``record_served_address``)
    outlived the process; with this one ``serve`` removes it and returns 0, as after Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)


def follow_served_address(settings: Settings, host: str, address: str) -> Settings:
    """``settings`` with the base URL of the address served (``http://127.0.0.1:8765``) when none
    was set (``EVIDENCE_KB_BASE_URL`` in the environment or ``.env``): links, feeds and ClaimReview
    URLs then point where the site is, not at the default's port 8000. Set in the environment
    too, which the app (``create_app`` reads ``get_settings``) and its worker processes read. A
    base URL that was set is kept; so is the default when serving on every interface (no one
    address is the site's: ``base_url_warning`` says so)."""
    if "base_url" in settings.model_fields_set or host in ANY_ADDRESS:
        return settings
    os.environ["EVIDENCE_KB_BASE_URL"] = address
    get_settings.cache_clear()
    return settings.model_copy(update={"base_url": address})


def served_address_file(settings: Settings) -> Path:
    """Where ``serve`` records the address it serves for ``settings``' database on this host:
    beside the SQLite file (``.NAME.serving``), else a file per database URL in the system's
    temporary directory."""
    path = settings.sqlite_path
    if path is not None:
        return path.parent / f".{path.name}.serving"
    key = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "evidence-kb-serving" / key


def record_served_address(settings: Settings) -> Path | None:
    """Record ``settings.base_url`` (the address served, ``follow_served_address``) with this
    process's id, so the command line's links (``evidence-kb factcheck``, ``dump``) point where
    the site is while it serves; the file, or None when it cannot be written (then the command
    line keeps the default). Every ``serve`` of the database has its own entry in the file
    (``{"servers": [{"address": ..., "pid": ...}, ...]}``, latest last): a second ``serve``
    stopping removes its own, and the first's address is followed again (the one record it
    overwrote and then deleted sent the links to the default's port 8000)."""
    path = served_address_file(settings)
    entry = {"address": settings.base_url, "pid": os.getpid()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path) as handle:
            others = [r for r in _entries(handle.read()) if r["pid"] != os.getpid() and _running(r["pid"])]
            _rewrite(handle, [*others, entry])
    except OSError:
        return None
    return path


def forget_served_address(path: Path) -> None:
    """Remove this process's entry from the record (entries of processes gone with it); the file
    goes with the last entry."""
    with contextlib.suppress(OSError), _locked(path, create=False) as handle:
        left = [r for r in _entries(handle.read()) if r["pid"] != os.getpid() and _running(r["pid"])]
        if left:
            _rewrite(handle, left)
        else:
            path.unlink()


@contextlib.contextmanager
def _locked(path: Path, *, create: bool = True) -> Iterator[Any]:
    """The record opened for reading and writing under an exclusive lock (two ``serve`` starting or
    stopping at once would otherwise lose an entry); reopened when another process removed the
    file while this one waited for the lock."""
    import fcntl

    while True:
        handle = open(path, "a+" if create else "r+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle.fileno()).st_nlink == 0:
                continue  # removed while we waited: open the one that is there now
            handle.seek(0)
            yield handle
            return
        finally:
            handle.close()


def _rewrite(handle: Any, entries: list[dict[str, Any]]) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"servers": entries}))
    handle.flush()


def _entries(text: str) -> list[dict[str, Any]]:
    """The record's entries, oldest first (a record of one entry, ``{"address", "pid"}``, as
    earlier versions wrote it, is read too); unreadable ones are left out."""
    try:
        record = json.loads(text)
    except ValueError:
        return []
    found = record.get("servers") if isinstance(record, dict) and "servers" in record else [record]
    entries = []
    for item in found if isinstance(found, list) else []:
        try:
            entries.append({"address": str(item["address"]), "pid": int(item["pid"])})
        except (KeyError, TypeError, ValueError):
            continue
    return entries


def served_settings(settings: Settings) -> Settings:
    """``settings`` for the command line's links: with ``EVIDENCE_KB_BASE_URL`` set, as they are;
    else with the address a running ``serve`` of the same database recorded (``serve --port
    8765``: ``http://127.0.0.1:8765``, as the site's own pages; the latest started of several), or
    the default when none serves (an entry whose process is gone is ignored)."""
    if "base_url" in settings.model_fields_set:
        return settings
    try:
        entries = _entries(served_address_file(settings).read_text())
    except OSError:
        return settings
    live = [r for r in entries if _running(r["pid"])]
    if not live:
        return settings
    return settings.model_copy(update={"base_url": live[-1]["address"]})


def _running(pid: int) -> bool:
    if pid <= 0:  # os.kill would signal a process group
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # another user's process: it exists
        return True
    except OSError:
        return False
    return True


def run_server(config: Any, sock: socket.socket) -> None:
    """Serve on the bound socket: one uvicorn server, or a supervisor of ``config.workers``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if config.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def base_url_warning(base_url: str, host: str, port: int) -> str | None:
    """Why the base URL looks wrong for serving on host:port, or None.

    A base URL on a public name (``https://kb.example.org``) is taken as the address of a proxy
    in front and never questioned. A loopback or IP-address base URL must name the host and port
    served on; serving on every interface with a loopback base URL means other machines get
    links back to themselves.
    """
    parts = urlsplit(base_url)
    base_host = (parts.hostname or "").lower()
    base_port = parts.port or (443 if parts.scheme == "https" else 80)
    is_address = base_host in LOOPBACK or base_host.replace(".", "").isdigit() or ":" in base_host
    if not is_address:
        return None
    served_hosts = {host} | (LOOPBACK if host in LOOPBACK else set())
    if host in ANY_ADDRESS:
        if base_host in LOOPBACK:
            return (
                f"EVIDENCE_KB_BASE_URL is {base_url} but the site is served on every interface: canonical "
                "links, feeds and ClaimReview URLs will point other machines at themselves; set it to "
                "the public address"
            )
        served_hosts = {base_host}
    if base_host not in served_hosts or base_port != port:
        return (
            f"EVIDENCE_KB_BASE_URL is {base_url} but the site is served on {host}:{port}: canonical links, "
            "feeds and ClaimReview URLs will be wrong; set it to the address readers use"
        )
    return None
