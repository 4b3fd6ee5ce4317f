"""Processes for the benchmarks: run a command and measure its whole process tree, serve, wait.

Memory figures come from ``/proc`` (Linux): per process ``VmHWM`` (its peak resident set, from
``/proc/PID/status``), ``VmRSS`` (now) and ``Pss`` (proportional set size, from
``/proc/PID/smaps_rollup``: pages shared between processes, such as those a forked worker
shares with its parent, counted once in total). A command's "tree" is the command and every
process it starts, found through ``/proc/PID/task/TID/children`` while it runs.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (children, their children, ...)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def status_kb(pid: int, *fields: str) -> dict[str, int]:
    """Fields of /proc/PID/status in kB (e.g. ``VmRSS``, ``VmHWM``); {} once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in fields:
            out[name] = int(value.split()[0])
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size of a process in kB (0 when gone or not readable)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0
    return next((int(ln.split()[1]) for ln in text.splitlines() if ln.startswith("Pss:")), 0)


def command_line(pid: int) -> str:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    return ""


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (2 cores on the benchmark machine)."""
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


def process_memory(pid: int) -> list[dict[str, Any]]:
    """RSS and PSS in MB of a process and its children (uvicorn's supervisor and workers), each
    with its command line."""
    out = []
    for current in process_tree(pid):
        rss = status_kb(current, "VmRSS").get("VmRSS")
        if rss is None:
            continue
        out.append(
            {
                "pid": current,
                "command": command_line(current)[:80],
                "rss_mb": round(rss / 1024, 1),
                "pss_mb": round(pss_kb(current) / 1024, 1),
            }
        )
    return out


def postgres_backends(database: str) -> list[int]:
    """Server processes of the local PostgreSQL serving ``database`` (their title names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            cmd = command_line(int(entry.name))
            if cmd.startswith("postgres:") and f" {database} " in f"{cmd} ":
                found.append(int(entry.name))
    return found


@dataclass
class TreeSampler:
    """Peak memory of a process tree, sampled while it runs.

    ``hwm_sum_mb``: the sum over every process seen of its own peak (``VmHWM``): an upper bound,
    since the processes need not peak at once and a forked child's peak counts pages it shares
    with its parent. ``rss_peak_mb`` / ``pss_peak_mb``: the largest sum over the tree at one
    sample (RSS every sample, PSS every 5th: reading it walks the page tables). ``extra_pids``: processes outside the tree to watch too (a PostgreSQL backend).
    """

    root: int
    pg_database: str | None = None
    hwm: dict[int, int] = field(default_factory=dict)
    rss_peak: int = 0
    pss_peak: int = 0
    extra_hwm: dict[int, int] = field(default_factory=dict)
    extra_pss_peak: int = 0
    processes: dict[int, str] = field(default_factory=dict)
    samples: int = 0

    def sample(self) -> int:
        """One sample; returns the tree's RSS now, in kB."""
        rss_now = pss_now = 0
        with_pss = self.samples % 5 == 0  # PSS walks the page tables: every 5th sample
        for pid in process_tree(self.root):
            kb = status_kb(pid, "VmHWM", "VmRSS")
            if not kb:
                continue
            self.hwm[pid] = max(self.hwm.get(pid, 0), kb.get("VmHWM", 0))
            rss_now += kb.get("VmRSS", 0)
            if with_pss:
                pss_now += pss_kb(pid)
            if pid not in self.processes:
                self.processes[pid] = command_line(pid)[:80]
        self.rss_peak = max(self.rss_peak, rss_now)
        self.pss_peak = max(self.pss_peak, pss_now)
        if self.pg_database and self.samples % 10 == 0:
            extra_pss = 0
            for pid in postgres_backends(self.pg_database):
                kb = status_kb(pid, "VmHWM")
                self.extra_hwm[pid] = max(self.extra_hwm.get(pid, 0), kb.get("VmHWM", 0))
                extra_pss += pss_kb(pid)
            self.extra_pss_peak = max(self.extra_pss_peak, extra_pss)
        self.samples += 1
        return rss_now

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "peak_rss_mb": round(self.hwm.get(self.root, 0) / 1024, 1),
            "tree_hwm_sum_mb": round(sum(self.hwm.values()) / 1024, 1),
            "tree_rss_peak_mb": round(self.rss_peak / 1024, 1),
            "tree_pss_peak_mb": round(self.pss_peak / 1024, 1),
            "tree_processes": len(self.hwm),
        }
        if self.pg_database:
            out["pg_backend_hwm_mb"] = round(max(self.extra_hwm.values(), default=0) / 1024, 1)
            out["pg_backend_pss_peak_mb"] = round(self.extra_pss_peak / 1024, 1)
        return out


def run_measured(
    cmd: list[str],
    env: dict[str, str],
    *,
    timeout: float = 3600,
    memory_cap_mb: float = 16_000,
    pg_database: str | None = None,
    interval: float = 0.1,
) -> dict[str, Any]:
    """Run a command; wall time, CPU time of the whole tree (the kernel's rusage of waited-for
    children) and peak memory of the whole tree (``TreeSampler``), plus the load average before.

    Bounded: the command's process group is killed after ``timeout`` seconds or as soon as the
    tree's RSS passes ``memory_cap_mb``; the result then has ``failed`` (and no exception), so a
    size too large for the machine is reported instead of swapping it or hanging the run.
    A command that exits non-zero gives ``failed`` with its output's last lines.
    """
    load = load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    sampler = TreeSampler(proc.pid, pg_database)
    failed = ""
    output: list[str] = []
    timeline: list[list[Any]] = []
    reader = _drain(proc, output, timeline, started)
    while proc.poll() is None:
        rss_kb = sampler.sample()
        elapsed = time.perf_counter() - started
        if rss_kb / 1024 > memory_cap_mb:
            failed = f"stopped: the build tree passed {memory_cap_mb:,.0f} MB of RSS after {elapsed:.0f} s"
        elif elapsed > timeout:
            failed = f"stopped: still running after {timeout:.0f} s"
        if failed:
            kill_group(proc)
            break
        time.sleep(interval)
    proc.wait()
    reader.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if not failed and proc.returncode != 0:
        failed = f"exit status {proc.returncode}: " + " | ".join(output[-5:])
    result: dict[str, Any] = {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        **sampler.figures(),
        "load_average_before": load,
        "output": "\n".join(output[-20:]),
        "timeline": timeline,
    }
    if failed:
        result["failed"] = failed
    return result


def _drain(proc: subprocess.Popen[str], into: list[str], timeline: list[list[Any]], started: float) -> Any:
    """Read a process's output in a thread (a full pipe would block it); each line also goes to
    ``timeline`` with the seconds since ``started`` and the tree's RSS then (MB): where a build's
    progress messages say it is, and what it holds at that point."""
    import threading

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            into.append(line.rstrip("\n"))
            if len(timeline) < 200:
                rss = sum(status_kb(pid, "VmRSS").get("VmRSS", 0) for pid in process_tree(proc.pid))
                timeline.append([round(time.perf_counter() - started, 1), round(rss / 1024), into[-1][:120]])

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def kill_group(proc: subprocess.Popen[Any], grace: float = 10) -> None:
    """Stop a process started with ``start_new_session`` and everything in its group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, quiet: float = 1.0, limit: float = 180) -> float:
    """Wait until a server's processes stop using CPU (the app warms up, e.g. the fact-check
    index, in the background after start); returns the seconds waited."""
    started = time.monotonic()
    last = cpu_seconds(process_tree(pid))
    while time.monotonic() - started < limit:
        time.sleep(quiet)
        now = cpu_seconds(process_tree(pid))
        if now - last < 0.05 * quiet:
            break
        last = now
    return round(time.monotonic() - started, 1)


@contextlib.contextmanager
def server(
    cmd: list[str],
    env: dict[str, str],
    port: int,
    cpus: str | None,
    *,
    start_timeout: float = 300,
    idle_limit: float = 180,
) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process group, pinned to ``cpus``; stopped (the whole group) on exit.

    Waits until it answers (``/trivial`` for the trivial app, ``/api/v1`` otherwise; at most
    ``start_timeout`` s) and then until its CPU use settles (at most ``idle_limit`` s).
    """
    if cpus:
        cmd = ["taskset", "-c", cpus, *cmd]
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        path = "/trivial" if "trivial" in " ".join(cmd) else "/api/v1"
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                    ) from None
                time.sleep(0.2)
        wait_until_idle(proc.pid, limit=idle_limit)
        yield proc
    finally:
        kill_group(proc, grace=15)  # type: ignore[arg-type]
