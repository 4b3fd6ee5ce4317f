"""Open data: the whole knowledge base as downloadable files, written once per build.

The files (``write_dump``, also ``evidence-kb dump DIR``):

- the data files as curated (``studies.bib``, ``claims.yaml``, ``concepts.yaml``), when the
  data folder still holds what the build loaded (same hash);
- ``evidence-kb.json``: every claim and study exactly as ``/api/v1/claims/{id}`` and
  ``/api/v1/studies/{key}`` return them, with the licence and the build date;
- ``claims.csv``, ``studies.csv``, ``evidence.csv`` (one row per claim-study link) and
  ``outcomes.csv`` (one row per reported figure, when any link has figures);
- ``evidence-kb.sqlite``: the built database (a copy on SQLite; built from the same data files
  on PostgreSQL).

``downloads`` keeps them in ``<downloads_dir>/<generation>/`` with a ``manifest.json`` (name,
media type, size, SHA-256, licence, build date): the first request after a build writes them
into a temporary folder and renames it into place, so every process of a host serves the same
files and a build is dumped once. The site serves them under ``/downloads/`` with an ETag.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.build import SCHEMA_VERSION, build_database
from app.db import read_build_info
from app.documents import with_absolute_urls
from app.loader import data_files, data_hash
from app.settings import Settings
from app.store import Store

JSON_DUMP = "evidence-kb.json"
SQLITE_DUMP = "evidence-kb.sqlite"
MANIFEST = "manifest.json"

#: name -> (media type, what it is). The order is the order of the listing.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    JSON_DUMP: ("application/json", "Every claim and study as the API returns them (JSON)"),
    "claims.csv": ("text/csv", "Claims: statement, verdict, evidence grade, population, topics (CSV)"),
    "studies.csv": ("text/csv", "Studies: reference, design, sample size, population (CSV)"),
    "evidence.csv": ("text/csv", "Evidence links: which study bears on which claim, stance, finding (CSV)"),
    "outcomes.csv": (
        "text/csv",
        "Reported figures: outcome, measure, value and unit per evidence link (CSV)",
    ),
    SQLITE_DUMP: ("application/vnd.sqlite3", "The built database (SQLite 3)"),
    "studies.bib": ("application/x-bibtex", "The curated bibliography, as reviewed (BibTeX)"),
    "claims.yaml": ("application/yaml", "The curated claims, as reviewed (YAML)"),
    "concepts.yaml": ("application/yaml", "The search and fact-check vocabulary, as reviewed (YAML)"),
}


@dataclass(frozen=True)
class DownloadFile:
    name: str
    media_type: str
    title: str
    size: int
    sha256: str

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


@dataclass(frozen=True)
class Downloads:
    """The files of one build: where they are and what they are."""

    directory: Path
    built_at: str
    generation: str
    licence: str
    licence_url: str
    files: list[DownloadFile]
    #: Files that could not be produced for this build, with the reason (shown on the listing).
    missing: dict[str, str]

    def get(self, name: str) -> DownloadFile | None:
        return next((f for f in self.files if f.name == name), None)

    def as_json(self, base: str = "") -> dict[str, Any]:
        """The listing ``/api/v1/downloads`` returns (URLs relative unless ``base`` is given)."""
        return {
            "built_at": self.built_at,
            "licence": {"name": self.licence, "url": self.licence_url},
            "files": [
                asdict(f) | {"url": f"{base}/downloads/{f.name}", "licence": self.licence,
                             "built_at": self.built_at}
                for f in self.files
            ],
            "missing": [{"name": n, "reason": r} for n, r in self.missing.items()],
        }  # fmt: skip


# --- the documents ------------------------------------------------------------------------------


def claim_docs(store: Store) -> Iterator[dict[str, Any]]:
    """Every claim document, in curated order (the same dicts the API serves)."""
    for claim_id in store.claim_rows():
        doc = store.claim(claim_id)
        if doc is not None:
            yield doc


def study_docs(store: Store) -> Iterator[dict[str, Any]]:
    """Every study document, in bibliography order."""
    for study in store.studies_raw():
        doc = store.study(study.key)
        if doc is not None:
            yield doc


def _joined(values: Iterable[Any] | None) -> str:
    return "; ".join(str(v) for v in values or [])


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


CLAIM_COLUMNS = [
    "id", "statement", "verdict", "verdict_label", "grade", "grade_label", "calibrated", "summary",
    "population", "topics", "study_count", "participants", "reviewed", "url",
]  # fmt: skip
STUDY_COLUMNS = [
    "key", "title", "authors", "year", "journal", "doi", "pmid", "pmcid", "url", "design",
    "sample_size", "enrolled", "studies_included", "population", "risk_of_bias", "retracted",
]  # fmt: skip
EVIDENCE_COLUMNS = [
    "claim_id", "study_key", "stance", "outcome", "directness", "indirect_because", "finding", "caveats"
]  # fmt: skip
OUTCOME_COLUMNS = ["claim_id", "study_key", "outcome", "measure", "value", "unit", "comparison"]


def csv_files(claims: list[dict[str, Any]], studies: list[dict[str, Any]], base: str) -> dict[str, bytes]:
    """The CSV files (UTF-8, CRLF, a header row); ``outcomes.csv`` only when there are figures."""
    files = {
        "claims.csv": _csv(CLAIM_COLUMNS, (
            [c["id"], c["statement"], c["verdict"], c["verdict_label"], c["grade"]["level"],
             c["grade"]["label"], c["calibrated"], c["summary"], c["population"], _joined(c["topics"]),
             c["study_count"], c["participants"], c["reviewed"], base + c["url"]]
            for c in claims
        )),
        "studies.csv": _csv(STUDY_COLUMNS, (
            [s["key"], s["title"], _joined(s["authors"]) + ("; et al." if s["authors_et_al"] else ""),
             s["year"], s["journal"], s["doi"], s["pmid"], s["pmcid"], s["url"], s["design"],
             s["sample_size"], s["enrolled"], s["studies_included"], s["population"],
             s.get("risk_of_bias"), "yes" if s["retracted"] else "no"]
            for s in studies
        )),
        "evidence.csv": _csv(EVIDENCE_COLUMNS, (
            [c["id"], e["study"]["key"], e["stance"], e["outcome"], e["directness"],
             _joined(e["indirect_because"]), e["finding"], _joined(e["caveats"])]
            for c in claims for e in c["evidence"]
        )),
    }  # fmt: skip
    figures = [
        [c["id"], e["study"]["key"], e["outcome"], f.get("measure"),
         _joined(f["value"]) if isinstance(f.get("value"), list) else f.get("value"),
         f.get("unit"), f.get("comparison")]
        for c in claims for e in c["evidence"] for f in e.get("figures") or []
    ]  # fmt: skip
    if figures:
        files["outcomes.csv"] = _csv(OUTCOME_COLUMNS, figures)
    return files


# --- writing ------------------------------------------------------------------------------------


def write_dump(store: Store, settings: Settings, directory: Path) -> Downloads:
    """Write every download file of the current build into ``directory`` (created if needed).

    Returns the listing (also written as ``manifest.json``). Raises ``LookupError`` when the
    database has no build.
    """
    info = read_build_info(store.db.engine)
    if info is None:
        raise LookupError("the database has no build yet: run 'evidence-kb build'")
    directory.mkdir(parents=True, exist_ok=True)
    base = settings.base_url.rstrip("/")
    built_at = info.built_at.isoformat()
    licence = {"name": settings.data_licence, "url": settings.data_licence_url}
    claims = list(claim_docs(store))
    studies = list(study_docs(store))
    # evidence-kb.json: the documents exactly as the API serves them (absolute claim URLs)
    payload_claims = [with_absolute_urls(c, base) for c in claims]
    payload_studies = [with_absolute_urls(s, base) for s in studies]
    payload = {"name": settings.publisher_name, "url": base + "/", "licence": licence,
               "built_at": built_at, "claims": payload_claims, "studies": payload_studies}  # fmt: skip
    contents = {JSON_DUMP: json.dumps(payload, ensure_ascii=False, indent=1, default=str).encode()}
    contents |= csv_files(claims, studies, base)
    for name, body in contents.items():
        (directory / name).write_bytes(body)
    missing: dict[str, str] = {}
    current = data_hash(settings.data_dir, str(SCHEMA_VERSION))
    same_data = current == info.data_hash
    if same_data:
        for path in data_files(settings.data_dir):
            if path.exists():
                shutil.copyfile(path, directory / path.name)
    else:
        reason = (
            "the data folder has changed since this build; the next build publishes it"
            if settings.data_dir.is_dir()
            else f"no data folder here ({settings.data_dir.resolve()})"
        )
        for name in ("studies.bib", "claims.yaml", "concepts.yaml"):
            missing[name] = reason
    try:
        copy_database(settings, directory / SQLITE_DUMP, rebuild=not settings.is_sqlite and same_data)
    except LookupError as exc:
        missing[SQLITE_DUMP] = str(exc)
    files = [_describe(directory / name) for name in _ordered(directory)]
    downloads = Downloads(directory, built_at, info.generation, settings.data_licence,
                          settings.data_licence_url, files, missing)  # fmt: skip
    (directory / MANIFEST).write_text(json.dumps(downloads.as_json(), indent=1))
    return downloads


def _ordered(directory: Path) -> list[str]:
    present = {p.name for p in directory.iterdir()} - {MANIFEST}
    known = [n for n in DESCRIPTIONS if n in present]
    return known + sorted(present - set(known))


def _describe(path: Path) -> DownloadFile:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    media_type, title = DESCRIPTIONS.get(path.name, ("application/octet-stream", path.name))
    if path.suffix == ".bib" and path.name not in DESCRIPTIONS:
        media_type, title = "application/x-bibtex", f"Curated BibTeX file {path.name}"
    return DownloadFile(path.name, media_type, title, path.stat().st_size, digest.hexdigest())


def copy_database(settings: Settings, target: Path, *, rebuild: bool) -> None:
    """The built database as one SQLite file: SQLite's online backup of the live file, or (on
    PostgreSQL, ``rebuild``) a SQLite build of the same data files. ``LookupError`` otherwise."""
    target.unlink(missing_ok=True)
    if settings.is_sqlite and settings.sqlite_path is not None:
        source = sqlite3.connect(f"file:{settings.sqlite_path}?mode=ro", uri=True)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    if not rebuild:
        raise LookupError("the data folder has changed since this build; the next build publishes it")
    copy = settings.model_copy(update={"database_url": f"sqlite:///{target}"})
    build_database(copy, force=True, prepare_factcheck=False)


# --- once per build -----------------------------------------------------------------------------

_write_lock = threading.Lock()


def downloads_root(settings: Settings) -> Path:
    if settings.downloads_dir:
        return Path(settings.downloads_dir)
    return Path(tempfile.gettempdir()) / "evidence-kb-downloads"


def downloads(store: Store, settings: Settings) -> Downloads:
    """The current build's files, written on first use (one writer per host, then read back)."""

    def load() -> Downloads:
        generation = store.generation()
        if generation is None:
            raise LookupError("the database has no build yet: run 'evidence-kb build'")
        final = downloads_root(settings) / generation
        with _write_lock:
            if not (final / MANIFEST).exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                work = Path(tempfile.mkdtemp(prefix=f".{generation}-", dir=final.parent))
                try:
                    write_dump(store, settings, work)
                    work.rename(final)  # atomic; another process may have won the race
                except OSError:
                    if not (final / MANIFEST).exists():
                        raise
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        return read_manifest(final, generation)

    return store.pinned("downloads", load)


def read_manifest(directory: Path, generation: str) -> Downloads:
    doc = json.loads((directory / MANIFEST).read_text())
    files = [
        DownloadFile(f["name"], f["media_type"], f["title"], f["size"], f["sha256"]) for f in doc["files"]
    ]
    missing = {m["name"]: m["reason"] for m in doc["missing"]}
    licence = doc["licence"]
    return Downloads(directory, doc["built_at"], generation, licence["name"], licence["url"], files, missing)
