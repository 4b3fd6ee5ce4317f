"""Configuration, from environment variables prefixed ``EVIDENCE_KB_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_KB_", env_file=".env", extra="ignore")

    #: SQLAlchemy URL. ``sqlite:///path`` (default: a file in the working directory, created on
    #: first start) or ``postgresql://user@host/db`` (``postgresql+psycopg://`` works too).
    database_url: str = "sqlite:///evidence-kb.db"
    #: Folder holding studies.bib, claims.yaml and concepts.yaml.
    data_dir: Path = Path("data")
    #: Public base URL used in links that leave the site (ClaimReview ``url``, citations).
    base_url: str = "http://127.0.0.1:8000"
    #: Publisher named as ClaimReview ``author``.
    publisher_name: str = "evidence-kb"
    #: Pool size per process for PostgreSQL (each uvicorn worker is one process).
    pool_size: int = 5

    # -- budgets and protection (README "Limits"; app/guard.py, app/workpool.py, app/ratelimit.py)
    #: Host names the site answers to (a JSON list in the environment). Empty: the host of
    #: ``base_url`` plus localhost, 127.0.0.1, [::1] and testserver (Starlette's test client).
    allowed_hosts: list[str] = []
    #: Largest request body, in bytes; larger gets 413 before anything is parsed.
    max_body_bytes: int = 1_048_576
    #: Longest query string, in bytes, and most parameters in it (a citation request may name 500
    #: studies and claims); more gets 414 before anything is parsed.
    max_query_bytes: int = 32_768
    max_query_params: int = 1_000
    #: Largest response body, in bytes (files from ``/downloads/`` and ``/static/`` excepted).
    #: Routes that can grow with the knowledge base (citation exports, fact-check batches) estimate
    #: their size before the work and answer 422 ``response-too-large``; ``app.guard`` enforces it
    #: on every other response.
    max_response_bytes: int = 32 * 1024 * 1024
    #: Total characters of all posts in one fact-check batch (about 1 s of CPU at 10,000 claims,
    #: so that the largest batch finishes well inside ``expensive_deadline``).
    batch_max_chars: int = 20_000
    #: Expensive work (fact-check, formatted references, whole-knowledge-base exports) runs in this
    #: many processes per worker process (started at the first such request; app/workpool.py) ...
    expensive_workers: int = 1
    #: ... with at most this many requests waiting; more get 503 with Retry-After.
    expensive_queue: int = 4
    #: Seconds an expensive request may wait plus run; then it stops with 503.
    expensive_deadline: float = 10.0
    #: "process": expensive work runs in child processes of each worker, at a lower priority, so it
    #: never holds the worker's GIL; "thread": in threads of the worker (as before; for hosts
    #: that cannot start processes).
    expensive_isolation: Literal["process", "thread"] = "process"
    #: Niceness added to those child processes (``os.nice``; 0: same priority as the worker):
    #: page and search threads get the cores first.
    expensive_nice: int = 10
    #: Load the fact-check (index, models) in the processes that run it at start-up, and keep
    #: /readyz at 503 until then (``WorkPool.warm_up``); off: each process loads it at its first
    #: fact-check (the test suite, which starts hundreds of apps that never fact-check).
    factcheck_warm_up: bool = True
    #: Seconds a thread may keep Python's GIL while another waits for it (``sys.setswitchinterval``;
    #: Python's default is 0.005). The worker's own threads (pages, and expensive work with
    #: ``expensive_isolation = "thread"``): a shorter interval hands the event loop the GIL
    #: sooner (docs/deploy.md, figures).
    gil_switch_interval: float = 0.001
    #: Bytes of rendered pages, JSON documents and citation files kept in memory per process
    #: (least recently used dropped first; everything dropped at every build).
    cache_bytes: int = 64 * 1024 * 1024
    #: Requests per client address, every one whatever its answer (static files are not counted),
    #: in ``limits`` syntax: "600/minute", "20/second". Empty: no limit.
    rate_limit: str = "600/minute"
    #: ... expensive work started for it (app/ratelimit.py): fact-checks (API, form, shareable
    #: link) and citation files rendered; a request refused for bad input costs none of it.
    rate_limit_expensive: str = "30/minute"
    #: API keys that get budgets of their own (a JSON list in the environment); reading needs none.
    api_keys: list[str] = []
    rate_limit_api_key: str = "6000/minute"
    rate_limit_api_key_expensive: str = "300/minute"
    #: Where counters live: "memory://" (one host) or "redis://host:6379/0" (several hosts share).
    rate_limit_storage: str = "memory://"
    #: Per worker process: requests in progress before new ones get 503 (Retry-After) at once.
    max_concurrency: int = 200
    #: After this many requests, once idle for 2 s, what the burst opened is released: the
    #: pool's idle database connections, freed memory (glibc ``malloc_trim``) and, 9 s later,
    #: idle worker threads (``app.guard.MemoryTrim``); 0 turns it off.
    memory_trim_after: int = 500
    #: Seconds a client may take to send a request's head, then its body; idle keep-alive seconds.
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    keep_alive_timeout: int = 5
    #: PostgreSQL: seconds to connect, to wait for a pooled connection, and per statement.
    pg_connect_timeout: int = 3
    pg_pool_timeout: float = 3.0
    pg_statement_timeout: float = 5.0
    #: Origins allowed to call the API from a browser (CORS), comma-separated; ``*`` (the
    #: default) allows any origin. Only reads (GET, HEAD) and the fact-check POST, which stores
    #: nothing, are allowed cross-origin; no credentials are ever sent.
    cors_origins: str = "*"
    #: How readers report an error (about page, footer): an e-mail address or a URL.
    contact: str = ""
    #: Who funds the site, in one sentence for the about page ("" prints that none is declared).
    funding: str = ""
    #: The licence of the published data (downloads, feeds, about page) and its URL.
    data_licence: str = "CC BY 4.0"
    data_licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    #: Where the download files of each build are written once ("": a folder in the
    #: system's temporary directory); every process of a host shares it.
    downloads_dir: str = ""
    #: Where the fact-check index files are written once per build and shared by the workers of
    #: a host ("": beside the SQLite database; for PostgreSQL a folder in the system's temporary
    #: directory). See app/factcheck/indexfile.py.
    factcheck_index_dir: str = ""

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        # Only the two databases the project ships drivers for: another scheme (mysql://) failed
        # deep in SQLAlchemy with ModuleNotFoundError: No module named 'MySQLdb'.
        # A URL that is none ("foo"), a scheme in capitals (SQLITE:///) or a driver we do not ship
        # (postgresql+asyncpg://) failed the same way: one line each, here, before SQLAlchemy.
        give = "give sqlite:///path/to/file.db or postgresql://user:password@host/database"
        if "://" not in value:
            raise ValueError(f"not a database URL; {give}")
        head, rest = value.split("://", 1)
        head = head.strip().lower()
        scheme, _, driver = head.partition("+")
        if scheme not in ("sqlite", "postgresql", "postgres"):
            article = "an" if scheme[:1] in tuple("aeiou") else "a"
            raise ValueError(f"{article} {scheme or '(empty)'}:// database is not supported; {give}")
        shipped = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg"), "postgres": ("", "psycopg")}
        if driver not in shipped[scheme]:
            raise ValueError(
                f"the database driver {driver!r} is not supported ({scheme}+{driver}://); {give}"
                + (" (psycopg 3 is the driver used)" if scheme != "sqlite" else "")
            )
        value = f"{head}://{rest}"
        # SQLAlchemy would pick psycopg2 for a bare postgresql:// URL; we ship psycopg 3.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, symbolic links resolved (for reading); None for in-memory or PostgreSQL."""
        path = self.sqlite_configured_path
        return path.resolve() if path else None

    @property
    def sqlite_configured_path(self) -> Path | None:
        """The SQLite file as configured, links not followed (a build checks it: ``app.dbfile``)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        return Path(path) if path and path != ":memory:" else None


@lru_cache
def get_settings() -> Settings:
    return Settings()
