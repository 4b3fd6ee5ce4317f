"""data/studies.bib + data/claims.yaml + data/concepts.yaml -> validated records.

``load_data`` reads and validates everything and returns every problem found, each with file and
line; it never raises on bad data. The build (``db.build_database``) refuses to run when there is
any error, so bad data never reaches the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import gc
import hashlib
import multiprocessing
import os
import re
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from app import grading
from app.bibtex import BibEntry, Person, latex_to_text, parse_bib_files, split_names
from app.problems import Problem

CLAIMS_FILE = "claims.yaml"
CONCEPTS_FILE = "concepts.yaml"
BIB_GLOB = "*.bib"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^\d{1,9}$")
PMCID = re.compile(r"^PMC\d+$")
URL = re.compile(r"^https?://\S+$")
YEAR = re.compile(r"^\d{4}$")

Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern)]
#: How a value that does not match a pattern is described to curators.
PATTERN_NAMES = {
    SLUG.pattern: "a valid slug (lower-case letters, digits and hyphens)",
    URL.pattern: "a valid URL (http:// or https://, no spaces)",
}
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# --- YAML with line numbers ---------------------------------------------------------------------


class _LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers the line of each item (1-based), scalars included."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records key lines and duplicate keys, and leaves dates as strings.

    Dates stay strings so that pydantic validates them with a message and a line: PyYAML's own
    timestamp constructor raises a bare ``ValueError`` (a traceback) on ``2026-13-01``.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str, int]] = []  # (line, key, line of the first)


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    result = _LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            # Keep the first value and go on, so every other problem in the file is reported too.
            loader.duplicates.append((line, str(key), result.key_lines[key]))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    result = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's C parser (when PyYAML has it): 3x faster on a large file.

    libyaml words its errors differently, so ``read_yaml`` re-reads a file it rejects with
    ``_LineLoader`` to report the documented message.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str, int]] = []


_FastLineLoader.yaml_implicit_resolvers = _LineLoader.yaml_implicit_resolvers
for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (also usable as a decorator).

    Loading and building create millions of small objects that all stay alive: the collector
    would scan them again and again for nothing (40% of a 10,000-claim check).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _line_for(document: Any, loc: Iterable[Any]) -> int | None:
    """The line of the deepest mapping key or list item on a pydantic error location."""
    line = getattr(document, "line", None)
    node = document
    for part in loc:
        if isinstance(node, _LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, _LineList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, "file not found"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, f"not valid UTF-8 ({exc.reason})"))
        return None
    try:
        try:
            document, duplicates = _parse_yaml(text, _FastLineLoader)
        except yaml.YAMLError:  # a broken file: the pure-Python parser's message and line
            document, duplicates = _parse_yaml(text, _LineLoader)
    except yaml.MarkedYAMLError as exc:
        problems.append(_yaml_error(path, exc))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), None, f"YAML error: {exc}"))
        return None
    for line, key, first in duplicates:
        problems.append(
            Problem(str(path), line, f"duplicate key '{key}' (first at line {first}; the first is kept)")
        )
    return document


#: A claims.yaml this large is parsed in a second process while this one reads the bibliography
#: (2 cores: loading 10,000 claims and 50,000 studies takes 13 s instead of 24 s).
PARALLEL_YAML_BYTES = 2_000_000


@gc_paused()
def _read_yaml_job(path: Path) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    return read_yaml(path, problems), problems


def _start_reading_yaml(path: Path) -> Callable[[], tuple[Any, list[Problem]]]:
    """Start parsing ``path``: in another process when the file is large and a core is free.

    Returns the function that waits for (document, problems). The process is started with
    "spawn" (a clean interpreter: safe in a process with threads, such as a test run).
    """
    try:
        large = path.stat().st_size >= PARALLEL_YAML_BYTES
    except OSError:
        large = False
    # "spawn" re-imports the main script in the new process: not possible for `python - < script`.
    main_file = getattr(sys.modules["__main__"], "__file__", None)
    if large and (os.cpu_count() or 1) > 1 and (main_file is None or os.path.exists(main_file)):
        try:
            executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            future = executor.submit(_read_yaml_job, path)
            executor.shutdown(wait=False)  # the process ends when its one job is done
        except OSError:  # processes not allowed here: parse in this one
            return lambda: _read_yaml_job(path)

        def result() -> tuple[Any, list[Problem]]:
            try:
                return future.result()
            except BrokenProcessPool:  # the process died (killed, out of memory): parse here
                return _read_yaml_job(path)

        return result
    return lambda: _read_yaml_job(path)


def _parse_yaml(text: str, loader_class: type[yaml.SafeLoader]) -> tuple[Any, list[tuple[int, str, int]]]:
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.duplicates  # type: ignore[attr-defined]
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    """A syntax error at the line where it was found, naming where the broken construct began.

    When the parser only notices at the end of the file (an unclosed quote or bracket), the
    line where the construct began is the useful one.
    """
    what = exc.problem or str(exc)
    problem_line = exc.problem_mark.line + 1 if exc.problem_mark else None
    context_line = exc.context_mark.line + 1 if exc.context_mark else None
    line = problem_line or context_line
    if exc.context and context_line:
        if "end of stream" in what or "<stream end>" in what:
            line = context_line
        if context_line != line:
            what += f" ({exc.context} that starts at line {context_line})"
        else:
            what += f" ({exc.context})"
    return Problem(str(path), line, f"YAML syntax error: {what}")


# --- claims.yaml schema -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FigureIn(_Strict):
    measure: Text
    value: float | tuple[float, float]
    unit: Text
    comparison: str | None = None


class MisreadingIn(_Strict):
    claimed: Text
    actual: Text
    phrasings: list[Text] = []
    source: str | None = None


class EvidenceIn(_Strict):
    study: Text
    stance: Literal["supports", "contradicts", "mixed", "no-effect"]
    finding: Text
    outcome: Text
    directness: Literal["direct", "indirect"]
    indirect_because: list[
        Literal["population", "outcome", "intervention", "predicted-vs-measured", "acute-vs-training"]
    ] = []
    inconsistent: bool = False
    caveats: list[Text] = []
    figures: list[FigureIn] = []
    misreading: MisreadingIn | None = None

    @field_validator("indirect_because")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a reason twice")
        return value


class AppearanceIn(_Strict):
    url: Annotated[str, StringConstraints(pattern=URL.pattern)]
    title: Text
    date: dt.date | None = None
    kind: Literal["article", "social-post", "video", "podcast", "press-release", "other"] = "article"


class HistoryIn(_Strict):
    date: dt.date
    change: Text


class ClaimIn(_Strict):
    id: Slug
    statement: Text
    subject: Text | None = None
    predicate: Text | None = None
    predicate_s: Text | None = None  # third-person form, for compound predicates
    summary: Text
    population: Text
    topics: list[Slug]
    verdict: Literal["supported", "partly-supported", "unsupported", "misleading", "contradicted"]
    caveats: list[Text]
    phrasings: list[Text] = []
    tested_in: list[Slug] = []
    appearances: list[AppearanceIn] = []
    reviewed: dt.date
    history: list[HistoryIn]
    evidence: list[EvidenceIn]


class ConceptIn(_Strict):
    id: Slug
    kind: Literal[
        "activity", "body", "outcome", "topic", "population", "generaliser", "certainty", "ignore"
    ] = "topic"
    group: Literal["patients", "healthy", "demographic"] | None = None  # populations only
    label: str | None = None
    terms: list[Text]


# --- records ------------------------------------------------------------------------------------


@dataclass
class StudyRecord:
    key: str
    entry_type: str
    title: str
    authors: list[Person]
    year: int | None
    container: str | None
    volume: str | None
    number: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    url: str | None
    design: str | None
    sample_size: int | None
    enrolled: int | None
    studies_included: int | None
    review_of: str | None
    evidence_level: str | None
    population: str | None
    intervention: str | None
    comparator: str | None
    duration: str | None
    outcomes: list[str]
    limitations: list[str]
    risk_of_bias: str | None
    funding: str | None
    retracted: bool
    note: str | None
    fields: dict[str, str]
    source_path: str
    source_line: int
    position: int = 0


@dataclass
class ClaimRecord:
    claim: ClaimIn
    grade: grading.Grade
    calibrated: str
    line: int
    position: int = 0


@dataclass
class LoadedData:
    studies: list[StudyRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    concepts: list[ConceptIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


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
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@gc_paused()
def load_data(data_dir: Path, *, bib_files: list[Path] | None = None) -> LoadedData:
    data_dir = Path(data_dir)
    out = LoadedData()
    if not data_dir.is_dir():
        out.problems.append(Problem(str(data_dir), None, "data folder not found"))
        return out
    bibs = bib_files if bib_files is not None else [p for p in data_files(data_dir) if p.suffix == ".bib"]
    if not bibs:
        out.problems.append(Problem(str(data_dir), None, "no .bib file found (expected studies.bib)"))
    claims_yaml = _start_reading_yaml(data_dir / CLAIMS_FILE)  # meanwhile, the bibliography
    bibliography = parse_bib_files(bibs)
    out.problems.extend(bibliography.problems)
    out.studies = [study_record(e, i, out.problems) for i, e in enumerate(bibliography.entries)]
    del bibliography
    out.concepts = _load_concepts(data_dir / CONCEPTS_FILE, out.problems)
    out.claims = _load_claims(
        data_dir / CLAIMS_FILE, {s.key: s for s in out.studies}, out.concepts, out.problems, claims_yaml()
    )
    out.problems.sort(key=Problem.sort_key)
    return out


@gc_paused()
def check_bibliography(paths: list[Path]) -> LoadedData:
    """Check .bib files on their own (no claims): parse, resolve and validate appraisal fields."""
    out = LoadedData()
    bibliography = parse_bib_files(paths)
    out.problems.extend(bibliography.problems)
    out.studies = [study_record(e, i, out.problems) for i, e in enumerate(bibliography.entries)]
    out.problems.sort(key=Problem.sort_key)
    return out


# --- studies ------------------------------------------------------------------------------------


def _int_field(entry: BibEntry, name: str, problems: list[Problem], *, allow_nr: bool = False) -> int | None:
    raw = entry.fields.get(name, "").strip()
    if not raw or (allow_nr and raw.lower() == "not-reported"):
        return None
    if raw.isdigit():
        return int(raw)
    hint = " (or 'not-reported')" if allow_nr else ""
    problems.append(
        Problem(
            entry.path, entry.line_of(name), f"{entry.key}: {name} must be a whole number{hint}, not '{raw}'"
        )
    )
    return None


def _vocab_field(entry: BibEntry, name: str, allowed: Iterable[str], problems: list[Problem]) -> str | None:
    raw = entry.fields.get(name, "").strip()
    if not raw:
        return None
    value = raw.lower()
    allowed = list(allowed)
    if value not in allowed:
        problems.append(
            Problem(
                entry.path,
                entry.line_of(name),
                f"{entry.key}: {name} '{raw}' is not one of: {', '.join(allowed)}",
            )
        )
        return None
    return value


def _list_field(entry: BibEntry, name: str) -> list[str]:
    raw = latex_to_text(entry.fields.get(name))
    return [part.strip() for part in raw.split(";") if part.strip()]


def _text_field(entry: BibEntry, name: str) -> str | None:
    return latex_to_text(entry.fields.get(name)) or None


#: The appraisal fields of studies.bib (data/README.md). Other non-standard fields are allowed.
APPRAISAL_FIELDS = (
    "design", "samplesize", "enrolled", "studies", "reviewof", "evidencelevel", "population",
    "intervention", "comparator", "duration", "outcomes", "limitations", "riskofbias", "funding",
    "retracted",
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _misspelt_appraisal_field(name: str) -> str | None:
    """'samplesise' -> 'samplesize': a field that is almost, but not, an appraisal field."""
    if name in APPRAISAL_FIELDS:
        return None
    close = difflib.get_close_matches(name, APPRAISAL_FIELDS, n=1, cutoff=0.8)
    return close[0] if close else None


def study_record(entry: BibEntry, position: int, problems: list[Problem]) -> StudyRecord:
    f = entry.fields
    where = entry.path

    def bad(name: str, message: str) -> None:
        problems.append(Problem(where, entry.line_of(name), f"{entry.key}: {message}"))

    for name in f:
        meant = _misspelt_appraisal_field(name)
        if meant and meant not in f:  # a typo would silently drop the appraisal
            bad(name, f"unknown field '{name}' (did you mean '{meant}'?)")

    doi = f.get("doi", "").strip() or None
    if doi:
        for prefix in (
            "https://doi.org/",
            "http://doi.org/",
            "http://dx.doi.org/",
            "https://dx.doi.org/",
            "doi:",
        ):
            if doi.lower().startswith(prefix):
                bad("doi", f"write the DOI bare ('{doi[len(prefix) :]}'), without '{prefix}'")
                doi = doi[len(prefix) :]
        if not DOI.match(doi):
            bad("doi", f"malformed DOI '{doi}' (expected 10.NNNN/...)")
    pmid = f.get("pmid", "").strip() or None
    if pmid and not PMID.match(pmid):
        bad("pmid", f"malformed PMID '{pmid}' (digits only)")
    pmcid = f.get("pmcid", "").strip() or None
    if pmcid and not PMCID.match(pmcid):
        bad("pmcid", f"malformed PMCID '{pmcid}' (expected PMC followed by digits)")
    url = f.get("url", "").strip() or None
    if url and not URL.match(url):
        bad("url", f"malformed URL '{url}'")
    year_raw = f.get("year", "").strip()
    year = int(year_raw) if YEAR.match(year_raw) else None
    if year_raw and year is None:
        bad("year", f"year must be four digits, not '{year_raw}'")
    retracted_raw = f.get("retracted", "").strip().lower()
    if retracted_raw and retracted_raw not in ("yes", "no", "true", "false"):
        bad("retracted", f"retracted must be 'yes' or 'no', not '{retracted_raw}'")
    container = next(
        (
            latex_to_text(f[n])
            for n in (
                "journal",
                "journaltitle",
                "booktitle",
                "school",
                "institution",
                "publisher",
                "howpublished",
            )
            if f.get(n)
        ),
        None,
    )
    return StudyRecord(
        key=entry.key,
        entry_type=entry.entry_type,
        title=latex_to_text(f.get("title")),
        authors=split_names(f.get("author")) or split_names(f.get("editor")),
        year=year,
        container=container,
        volume=_text_field(entry, "volume"),
        number=_text_field(entry, "number"),
        pages=latex_to_text(f.get("pages", "").replace("--", "–").replace("-", "–")) or None,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        url=url,
        design=_vocab_field(entry, "design", grading.DESIGNS, problems),
        sample_size=_int_field(entry, "samplesize", problems, allow_nr=True),
        enrolled=_int_field(entry, "enrolled", problems),
        studies_included=_int_field(entry, "studies", problems),
        review_of=_vocab_field(entry, "reviewof", ["trials", "observational", "mixed"], problems),
        evidence_level=_vocab_field(entry, "evidencelevel", grading.LEVELS, problems),
        population=_text_field(entry, "population"),
        intervention=_text_field(entry, "intervention"),
        comparator=_text_field(entry, "comparator"),
        duration=_text_field(entry, "duration"),
        outcomes=_list_field(entry, "outcomes"),
        limitations=_list_field(entry, "limitations"),
        risk_of_bias=_vocab_field(entry, "riskofbias", grading.RISK_OF_BIAS, problems),
        funding=_text_field(entry, "funding"),
        retracted=retracted_raw in ("yes", "true"),
        note=_text_field(entry, "note"),
        fields=dict(f),
        source_path=entry.path,
        source_line=entry.line,
        position=position,
    )


# --- concepts and claims ------------------------------------------------------------------------


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``list[EvidenceIn]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _unknown_field_hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """' (did you mean 'summary'?)' for a misspelt field, looked up in the model that holds it."""
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field_info = model.model_fields.get(str(part))
        nested = _model_in(field_info.annotation) if field_info else None
        if nested is None:
            return " (a typo?)"
        model = nested
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else " (a typo?)"


def _validation_problems(path: Path, document: Any, base_loc: tuple[Any, ...], exc: ValidationError,
                         label: str, model: type[BaseModel]) -> list[Problem]:  # fmt: skip
    problems = []
    for err in exc.errors():
        loc = base_loc + tuple(err["loc"])
        where = ".".join(str(p) for p in err["loc"]) or "(item)"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _unknown_field_hint(model, tuple(err["loc"]))
        elif err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "string_pattern_mismatch":
            expected = PATTERN_NAMES.get(err.get("ctx", {}).get("pattern", ""), "the expected form")
            message = f"'{err.get('input')}' is not {expected}"
        elif err["type"].startswith("date_"):
            message = f"'{err.get('input')}' is not a valid date (YYYY-MM-DD): {message}"
        elif err["type"] == "literal_error":
            message = (
                f"'{err.get('input')}' is not allowed: {message.replace('Input should be ', 'expected ')}"
            )
        problems.append(Problem(str(path), _line_for(document, loc), f"{label}: {where}: {message}"))
    return problems


def _load_concepts(path: Path, problems: list[Problem]) -> list[ConceptIn]:
    if not path.exists():
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
            problems.extend(_validation_problems(path, document, (i,), exc, label, ConceptIn))
            continue
        line = _line_for(document, (i,))
        if concept.id in seen:
            problems.append(
                Problem(
                    str(path), line, f"duplicate concept id '{concept.id}' (first at line {seen[concept.id]})"
                )
            )
            continue
        seen[concept.id] = line or 0
        concepts.append(concept)
    return concepts


def graded_study(link: EvidenceIn, study: StudyRecord) -> grading.GradedStudy:
    return grading.GradedStudy(
        key=study.key,
        design=study.design,
        stance=link.stance,
        sample_size=study.sample_size,
        enrolled=study.enrolled,
        directness=link.directness,
        indirect_because=tuple(link.indirect_because),
        inconsistent=link.inconsistent,
        risk_of_bias=study.risk_of_bias,
        retracted=study.retracted,
        review_of=study.review_of,
        evidence_level=study.evidence_level,
    )


def _load_claims(
    path: Path,
    studies: dict[str, StudyRecord],
    concepts: list[ConceptIn],
    problems: list[Problem],
    parsed: tuple[Any, list[Problem]],
) -> list[ClaimRecord]:
    document, yaml_problems = parsed  # (document, problems) from _read_yaml_job
    problems.extend(yaml_problems)
    if document is None:
        return []
    if not isinstance(document, list):
        problems.append(Problem(str(path), 1, "expected a list of claims"))
        return []
    population_concepts = {c.id for c in concepts if c.kind == "population"}
    records: list[ClaimRecord] = []
    seen: dict[str, int] = {}
    cited: set[str] = set()
    for i, item in enumerate(document):
        label = f"claim {item.get('id', i + 1) if isinstance(item, dict) else i + 1}"
        line = _line_for(document, (i,))
        if not isinstance(item, dict):
            problems.append(Problem(str(path), line, f"claim {i + 1}: expected a mapping of fields"))
            continue
        try:
            claim = ClaimIn.model_validate(item)
        except ValidationError as exc:
            problems.extend(_validation_problems(path, document, (i,), exc, label, ClaimIn))
            continue
        if claim.id in seen:
            problems.append(
                Problem(str(path), line, f"duplicate claim id '{claim.id}' (first at line {seen[claim.id]})")
            )
            continue
        seen[claim.id] = line or 0
        ok = True
        links: list[grading.GradedStudy] = []
        link_keys: set[str] = set()
        for j, link in enumerate(claim.evidence):
            link_line = _line_for(document, (i, "evidence", j, "study"))
            study = studies.get(link.study)
            if study is None:
                hint = _close_key(link.study, studies)
                problems.append(
                    Problem(str(path), link_line, f"{label}: unknown study key '{link.study}'{hint}")
                )
                ok = False
                continue
            if link.study in link_keys:
                problems.append(
                    Problem(str(path), link_line, f"{label}: study '{link.study}' is linked twice")
                )
            link_keys.add(link.study)
            if link.directness == "indirect" and not link.indirect_because:
                problems.append(
                    Problem(
                        str(path),
                        _line_for(document, (i, "evidence", j, "directness")),
                        f"{label}: evidence {link.study}: indirect evidence needs indirect_because (population, outcome, ...)",
                    )
                )
            if link.directness == "direct" and link.indirect_because:
                problems.append(
                    Problem(
                        str(path),
                        _line_for(document, (i, "evidence", j, "indirect_because")),
                        f"{label}: evidence {link.study}: indirect_because given but directness is 'direct'",
                    )
                )
            cited.add(study.key)
            links.append(graded_study(link, study))
        for k, population in enumerate(claim.tested_in):
            if population_concepts and population not in population_concepts:
                problems.append(
                    Problem(
                        str(path),
                        _line_for(document, (i, "tested_in", k)),
                        f"{label}: tested_in '{population}' is not a population concept in {CONCEPTS_FILE}",
                        "warning",
                    )
                )
        if claim.reviewed > dt.date.today():
            problems.append(
                Problem(
                    str(path),
                    _line_for(document, (i, "reviewed")),
                    f"{label}: reviewed date {claim.reviewed} is in the future",
                )
            )
        if not ok:
            continue
        grade = grading.grade_evidence(links)
        disagreement = grading.verdict_disagreement(claim.verdict, grade)
        if disagreement:
            problems.append(
                Problem(str(path), _line_for(document, (i, "verdict")), f"{label}: {disagreement}", "warning")
            )
        calibrated = ""
        if claim.subject and claim.predicate:
            calibrated = grading.calibrated_sentence(
                claim.subject, claim.predicate, grade.level, grade.direction, claim.verdict, claim.predicate_s
            )
        records.append(ClaimRecord(claim, grade, calibrated, line or 0, position=len(records)))

    for key in sorted(cited):
        study = studies[key]
        if not study.design:
            problems.append(
                Problem(study.source_path, study.source_line, f"{key}: cited by a claim but has no design")
            )
        elif (
            study.design not in grading.NO_SAMPLE_DESIGNS
            and study.sample_size is None
            and study.enrolled is None
            and study.fields.get("samplesize", "").strip().lower() != "not-reported"
        ):
            problems.append(
                Problem(
                    study.source_path,
                    study.source_line,
                    f"{key}: cited by a claim but has no samplesize (write 'not-reported' if it could not be verified)",
                )
            )
    return records


def _close_key(key: str, studies: dict[str, StudyRecord]) -> str:
    close = difflib.get_close_matches(key, list(studies), n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""
