"""data/studies.bib + data/claims.yaml + data/concepts.yaml -> validated records.

``load_stream(data_dir, sink)`` reads and validates everything in one pass that streams: the
.bib files are read in pieces (``app.bibstream``), every study goes to ``sink.studies`` in
batches, a small index of each (``StudyFacts``) stays; ``claims.yaml`` is read item by item
(``app.yamlread.iter_items``), each claim is checked and graded against that index
(``app.claim_records``) and goes to ``sink.claims`` in batches. The checks across records (keys
that must exist, cited studies, unread fields) run on the small indexes. Every problem is
reported with file and line; nothing raises on bad data. The build (``app.build``) streams into
the database and refuses to finish when there is any error, so bad data never reaches it.

``load_data`` is the same stream collected into lists (``check`` and the tests);
``check_bibliography`` checks .bib files on their own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from app import bibstream
from app.bibfields import unread_field_problems_from, unread_fields
from app.bibtex import failed_entry_key
from app.claim_records import (
    IMPLICIT_OUTCOME,
    NO_ROB_DESIGNS,
    ClaimRecord,
    OutcomeRecord,
    cited_problems,
    claim_outcomes,
    claim_record,
    graded_study,
    topic_problems,
    validation_problems,
)
from app.claims_schema import ConceptIn
from app.problems import Problem, ProblemsMixin
from app.study_records import APPRAISAL_FIELDS, StudyFacts, StudyRecord, link_problems, study_record
from app.yamlread import (
    LineList,
    collect_batch_garbage,
    gc_paused,
    iter_items,
    line_for,
    parse_item,
    read_yaml,
    splits_into_items,
)

CLAIMS_FILE = "claims.yaml"
CONCEPTS_FILE = "concepts.yaml"
BIB_GLOB = "*.bib"
#: Records handed to the sink at once.
BATCH = 1000

__all__ = [
    "IMPLICIT_OUTCOME", "NO_ROB_DESIGNS", "ClaimRecord", "LoadedData", "OutcomeRecord", "StudyFacts",
    "StudyRecord", "check_bibliography", "check_data", "claim_outcomes", "data_files", "data_hash", "gc_paused",
    "graded_study", "load_data", "load_stream", "study_record",
]  # fmt: skip


class RecordSink(Protocol):
    """Where ``load_stream`` sends the records, batch by batch, in file order."""

    def studies(self, batch: list[StudyRecord]) -> None: ...

    def claims(self, batch: list[ClaimRecord]) -> None: ...

    def reset_claims(self) -> None:
        """Forget the claims sent so far: claims.yaml is read again, whole (see ``_claims``)."""


@dataclass
class LoadedData(ProblemsMixin):
    studies: list[StudyRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    concepts: list[ConceptIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _ListSink:
    def __init__(self, out: LoadedData):
        self.out = out

    def studies(self, batch: list[StudyRecord]) -> None:
        self.out.studies.extend(batch)

    def claims(self, batch: list[ClaimRecord]) -> None:
        self.out.claims.extend(batch)

    def reset_claims(self) -> None:
        self.out.claims.clear()


class _DiscardSink:
    """Keeps no record (``check_data``: the problems and counts are in the ``StreamResult``)."""

    def studies(self, batch: list[StudyRecord]) -> None:
        pass

    def claims(self, batch: list[ClaimRecord]) -> None:
        pass

    def reset_claims(self) -> None:
        pass


@dataclass
class StreamResult(ProblemsMixin):
    """What ``load_stream`` returns besides the records it sent: the problems (sorted), the
    concepts and the small indexes the checks across records used."""

    problems: list[Problem] = field(default_factory=list)
    concepts: list[ConceptIn] = field(default_factory=list)
    studies: dict[str, StudyFacts] = field(default_factory=dict)
    claim_count: int = 0  # claims without errors (those sent on)
    claims_read: int = 0  # every claim in the file, those with errors too (what `check` read)
    has_crossref: bool = False
    cross_warnings: int = 0  # warnings of the checks across records (unread fields, cited studies)
    claims_whole: bool = False  # claims.yaml was parsed whole (not item by item)
    #: The topics of the database's build (``check``): a new topic spelt like one of them is
    #: reported (``topic_problems``).
    known_topics: frozenset[str] = frozenset()


def data_files(data_dir: Path) -> list[Path]:
    """The files a build reads, in a stable order (macros files sort first by convention)."""
    bibs = sorted(
        data_dir.glob(BIB_GLOB), key=lambda p: (not p.name.startswith(("macros", "strings")), p.name)
    )
    return [*bibs, data_dir / CLAIMS_FILE, data_dir / CONCEPTS_FILE]


def data_hash(data_dir: Path, extra: str = "") -> str:
    """Hash of every data file (and the schema version): an unchanged hash means a no-op build."""
    digest = hashlib.sha256(extra.encode())
    for path in data_files(data_dir):
        digest.update(path.name.encode() + b"\0")
        if path.exists():
            with open(path, "rb") as handle:
                while chunk := handle.read(8 << 20):
                    digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def item_digest(raw: bytes) -> str:
    """The digest of one record's raw text (a YAML item, a BibTeX block), for incremental builds."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@gc_paused()
def load_data(data_dir: Path, *, bib_files: list[Path] | None = None) -> LoadedData:
    """Every record at once (``load_stream`` collected into lists)."""
    out = LoadedData()
    result = load_stream(Path(data_dir), _ListSink(out), bib_files=bib_files)
    out.problems, out.concepts = result.problems, result.concepts
    return out


def check_data(data_dir: Path, known_topics: frozenset[str] = frozenset()) -> StreamResult:
    """Read and check everything as a build does, keeping no record: memory as a streaming
    build's (``evidence-kb check``; holding every record took 5.6 GB at 100,000 claims).
    ``known_topics``: the topics of the current build, to which a new topic is compared."""
    return load_stream(Path(data_dir), _DiscardSink(), known_topics=known_topics)


@gc_paused()
def load_stream(
    data_dir: Path,
    sink: RecordSink,
    *,
    bib_files: list[Path] | None = None,
    known_topics: frozenset[str] = frozenset(),
) -> StreamResult:
    """Read, check and grade everything, sending the records to ``sink`` (module docstring)."""
    out = StreamResult(known_topics=known_topics)
    if not data_dir.is_dir():
        out.problems.append(Problem(str(data_dir), None, f"data folder not found ({data_dir.resolve()})"))
        return out
    bibs = bib_files if bib_files is not None else [p for p in data_files(data_dir) if p.suffix == ".bib"]
    if not bibs:
        out.problems.append(Problem(str(data_dir), None, "no .bib file found (expected studies.bib)"))
    out.has_crossref = _stream_studies(bibs, sink.studies, out)
    out.concepts = _load_concepts(data_dir / CONCEPTS_FILE, out.problems)
    population = {c.id for c in out.concepts if c.kind == "population"}
    _claims(data_dir / CLAIMS_FILE, out, population, sink)
    out.problems = sorted(without_follow_ons(out.problems), key=Problem.sort_key)
    return out


_UNKNOWN_KEY = re.compile(r"unknown study key '([^']+)'")
_DID_YOU_MEAN = re.compile(r" \(did you mean '[^']+'\?\)")
_DUPLICATE_KEY = re.compile(r"^duplicate key '([^']+)'")
_MISSING_FIELD = re.compile(r"^(\S+): cited by a claim but has no (\w+)")


def without_follow_ons(problems: list[Problem]) -> list[Problem]:
    """``problems`` without the errors that only repeat one already reported, in the same order.

    - "unknown study key 'k'" where the entry 'k' failed to parse: dropped, and the parse error
      says how many references to it wait on it;
    - "k: cited by a claim but has no design" where 'k' already has an error about its design
      (a misspelt value): dropped, likewise for every field;
    - "unknown study key 'k'" while an entry's key is a duplicate (a copied entry whose key was
      not changed, or a key renamed to one in use): the unknown key is most likely that entry's,
      so the message points to the duplicate instead of guessing a similar key.
    """
    duplicates = [
        (p, m[1]) for p in problems if p.severity == "error" and (m := _DUPLICATE_KEY.match(p.message))
    ]
    doubled = "; ".join(f"{p.path}:{p.line} ('{key}')" for p, key in duplicates)
    failed = {key: p for p in problems if p.severity == "error" and (key := failed_entry_key(p))}
    field_errors = {p.message for p in problems if p.severity == "error"}
    waiting: dict[str, int] = {}
    kept: list[Problem] = []
    for p in problems:
        unknown = _UNKNOWN_KEY.search(p.message)
        if p.severity == "error" and unknown and unknown[1] in failed:
            waiting[unknown[1]] = waiting.get(unknown[1], 0) + 1
            continue
        if p.severity == "error" and unknown and duplicates:
            hint = f" (an entry's key is a duplicate at {doubled}: if that entry is '{unknown[1]}', give it that key)"
            p = replace(p, message=_DID_YOU_MEAN.sub("", p.message) + hint)
        missing = _MISSING_FIELD.match(p.message)
        if missing and any(
            m.startswith(f"{missing[1]}: {missing[2]} ") or m.startswith(f"{missing[1]}: {missing[2]}:")
            for m in field_errors
        ):
            continue
        kept.append(p)
    for key, count in waiting.items():
        note = f" ({count} reference(s) to '{key}' in the data wait on this entry)"
        kept[kept.index(failed[key])] = replace(failed[key], message=failed[key].message + note)
    return kept


_MEANT_KEY = re.compile(r"unknown study key '([^']+)' \(did you mean '([^']+)'\?\)")


def misspelt_entry_keys(
    problems: list[Problem], cited: set[str], studies: dict[str, StudyFacts]
) -> list[Problem]:
    """``problems`` where an unknown study key's nearest key is a study no claim cites: the typo
    is then more likely in the .bib entry's key ('@article{terblanche2005efect,' for the
    'terblanche2005effect' three claims cite), so the claims' errors point at that entry instead
    of suggesting the typo, and the entry gets an error of its own saying which key it likely is.
    Only where two or more references agree on the typed key: a single one is as likely the typo.

    ``cited``: every key a claim item names, the items with errors too (a claim that cites a
    deleted entry has an error, yet the other studies it cites are cited). When the nearest key
    is cited, the references agree on a key no entry has: its entry is missing (deleted, or its
    key changed), and the nearest key is named as another study, not as a likely misspelling."""
    refs: dict[tuple[str, str], int] = {}
    for p in problems:
        m = _MEANT_KEY.search(p.message)
        if p.severity == "error" and m and m[2] in studies:
            refs[m[1], m[2]] = refs.get((m[1], m[2]), 0) + 1
    # One reference to the typed key is as likely a typo in that claim: the usual hint stays.
    refs = {pair: n for pair, n in refs.items() if n > 1}
    if not refs:
        return problems
    kept: list[Problem] = []
    for p in problems:
        m = _MEANT_KEY.search(p.message)
        if p.severity == "error" and m and (m[1], m[2]) in refs:
            entry = studies[m[2]]
            where = f"{Path(entry.source_path).name}:{entry.source_line}"
            if m[2] in cited:
                hint = (f" (no entry has that key, though {refs[m[1], m[2]]} references in the claims cite it: "
                        f"was its entry deleted or its key changed? The nearest key, '{m[2]}' at {where}, "
                        "is another study the claims cite)")  # fmt: skip
            else:
                hint = (f" (no study has that key; is the entry '{m[2]}' at {where}, which no claim cites, "
                        "a misspelling of it?)")  # fmt: skip
            p = replace(p, message=p.message.replace(m[0], f"unknown study key '{m[1]}'{hint}"))
        kept.append(p)
    for (typed, near), count in sorted(refs.items()):
        if near in cited:
            continue
        entry = studies[near]
        kept.append(Problem(entry.source_path, entry.source_line,
                            f"study '{near}' is cited by no claim; did you mean '{typed}' "
                            f"(cited {count} time(s) in the claims)?"))  # fmt: skip
    return kept


@gc_paused()
def check_bibliography(paths: list[Path]) -> LoadedData:
    """Check .bib files on their own (no claims): parse, resolve and validate appraisal fields."""
    out = LoadedData()
    result = StreamResult()
    _stream_studies(paths, out.studies.extend, result)
    out.problems = sorted(without_follow_ons(result.problems), key=Problem.sort_key)
    return out


def _stream_studies(paths: list[Path], send: Any, out: StreamResult) -> bool:
    """Studies in batches to ``send``; their facts into ``out.studies``; True when an entry has
    a crossref."""
    unread: list[tuple[int, str, str, list[tuple[str, int, str]]]] = []
    state = bibstream.BibState()
    for batch in bibstream.iter_entries(paths, out.problems, state=state):
        records = []
        for position, entry in batch:
            own: list[Problem] = []
            record = study_record(entry, position, own)
            record.problems = [*entry.problems, *own]
            record.unread = unread_fields(entry, APPRAISAL_FIELDS)
            out.problems.extend(own)
            out.studies[record.key] = StudyFacts.of(record)
            if record.unread:
                unread.append((position, entry.path, entry.key, record.unread))
            records.append(record)
        if records:
            send(records)
        collect_batch_garbage()
    unread.sort(key=lambda row: row[0])
    _cross(out, unread_field_problems_from(row[1:] for row in unread))
    _cross(out, link_problems(out.studies))
    return state.has_crossref


def _cross(out: StreamResult, problems: list[Problem]) -> None:
    out.problems.extend(problems)
    out.cross_warnings += sum(1 for p in problems if p.severity == "warning")


class _NotAlone(Exception):
    """An item of claims.yaml does not parse on its own: the file is parsed whole instead."""


def _claims(path: Path, out: StreamResult, population: set[str], sink: RecordSink) -> None:
    """Claims item by item when the file allows it, else (or when an item does not parse alone:
    a syntax error, an alias to another item) from the whole document, as before."""
    if splits_into_items(path):
        problems: list[Problem] = []
        try:
            _claims_from(_items_alone(path, problems), path, out, population, sink, problems)
        except _NotAlone:
            sink.reset_claims()
        else:
            out.problems.extend(problems)
            return
    out.claims_whole = True
    document = read_yaml(path, out.problems)
    if document is None:
        return
    if not isinstance(document, list):
        out.problems.append(Problem(str(path), 1, "expected a list of claims"))
        return
    whole = ((document, i, "", 0) for i in range(len(document)))
    _claims_from(whole, path, out, population, sink, out.problems)


def _items_alone(path: Path, problems: list[Problem]) -> Iterator[tuple[LineList, int, str, int]]:
    for item in iter_items(path):
        parsed = parse_item(item, path)
        if parsed is None:
            raise _NotAlone
        document, duplicates = parsed
        problems.extend(duplicates)
        yield document, 0, item_digest(item.text), item.line


def _claims_from(
    sources: Iterator[tuple[Any, int, str, int]],
    path: Path,
    out: StreamResult,
    population: set[str],
    sink: RecordSink,
    problems: list[Problem],
) -> None:
    seen: dict[str, int] = {}
    batch: list[ClaimRecord] = []
    cited: set[str] = set()
    named: set[str] = set()  # cited by any item, those with errors too
    graded: set[str] = set()
    topics: list[tuple[str, str, int]] = []
    position = 0
    for number, (document, index, digest, item_line) in enumerate(sources):
        out.claims_read = number + 1
        named.update(_named_studies(document[index]))
        record = claim_record(path, document, index, number, out.studies, population, seen, problems)
        if record is None:
            continue
        record.position, record.digest, record.item_line = position, digest, item_line
        position += 1
        cited.update(record.cited())
        graded.update(record.carrying())
        topics += record.topic_uses()
        batch.append(record)
        if len(batch) >= BATCH:
            sink.claims(batch)
            batch = []
            collect_batch_garbage()
    if batch:
        sink.claims(batch)
    out.claim_count = position
    cross = cited_problems(cited, graded, out.studies) + topic_problems(str(path), topics, out.known_topics)
    problems.extend(cross)
    problems[:] = misspelt_entry_keys(problems, cited | named, out.studies)
    out.cross_warnings += sum(1 for p in cross if p.severity == "warning")


def _named_studies(item: Any) -> set[str]:
    """The study keys a claim item's evidence names, read from the raw item (valid or not)."""
    links = item.get("evidence") if isinstance(item, dict) else None
    if not isinstance(links, list):
        return set()
    return {link["study"] for link in links if isinstance(link, dict) and isinstance(link.get("study"), str)}


# --- concepts -----------------------------------------------------------------------------------


def _load_concepts(path: Path, problems: list[Problem]) -> list[ConceptIn]:
    """The concepts of ``path`` (concepts.yaml), appending to ``problems`` what is wrong.

    The file is required: without it search and fact-check lose their vocabulary silently (and a
    build would delete every concept), so a missing file is an error naming it, like a missing
    claims.yaml. An empty list (``[]``) is the way to say "no concepts" on purpose.
    """
    if not path.is_file():
        problems.append(
            Problem(str(path), None, "file not found (write '[]' in it for a data set without concepts)")
        )
        return []
    document = read_yaml(path, problems)
    if document is None:
        return []
    if not isinstance(document, list):
        problems.append(Problem(str(path), 1, "expected a list of concepts"))
        return []
    concepts: list[ConceptIn] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(document):
        label = f"concept {item.get('id', i + 1) if isinstance(item, dict) else i + 1}"
        try:
            concept = ConceptIn.model_validate(item)
        except ValidationError as exc:
            problems.extend(validation_problems(path, document, (i,), exc, label, ConceptIn))
            continue
        line = line_for(document, (i,))
        if concept.id in seen:
            problems.append(
                Problem(
                    str(path),
                    line,
                    f"duplicate concept id '{concept.id}' (first at line {seen[concept.id]})",
                    cause=True,
                )
            )
            continue
        seen[concept.id] = line or 0
        concepts.append(concept)
    return concepts
