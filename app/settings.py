"""Configuration, from environment variables prefixed ``EVIDENCE_KB_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    #: Rendered pages and JSON documents kept in memory per process (invalidated by every build).
    cache_entries: int = 4096

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        # SQLAlchemy would pick psycopg2 for a bare postgresql:// URL; we ship psycopg 3.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

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
