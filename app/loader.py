"""data/studies.bib + data/claims.yaml + data/concepts.yaml -> validated records.

``load_data`` reads and validates everything and returns every problem found, each with file and
line; it never raises on bad data. The build (``db.build_database``) refuses to run when there is
any error, so bad data never reaches the database. The pieces: ``app.yamlread`` (YAML with line
numbers), ``app.claims_schema`` (the claims.yaml schema), ``app.study_records`` (the appraisal
fields of studies.bib); this module joins them and grades each claim's outcomes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from app import certainty, grading
from app.bibfields import unread_field_problems
from app.bibtex import parse_bib_files
from app.claims_schema import PATTERN_NAMES, ClaimIn, ConceptIn, EvidenceIn, OutcomeIn
from app.problems import Problem, Severity, did_you_mean
from app.study_records import APPRAISAL_FIELDS, StudyRecord, link_problems, study_record
from app.yamlread import gc_paused, line_for, read_yaml, start_reading_yaml

CLAIMS_FILE = "claims.yaml"
CONCEPTS_FILE = "concepts.yaml"
BIB_GLOB = "*.bib"
#: The id of the one outcome of a claim written without ``outcomes`` (the older format).
IMPLICIT_OUTCOME = "main"
#: Designs whose risk of bias is not assessed (no participants, no outcome data of their own).
NO_ROB_DESIGNS = frozenset({"expert-opinion", "web-page"})

__all__ = [
    "ClaimRecord", "LoadedData", "OutcomeRecord", "StudyRecord", "check_bibliography", "data_files",
    "data_hash", "gc_paused", "load_data", "study_record",
]  # fmt: skip


# --- records ------------------------------------------------------------------------------------


@dataclass
class OutcomeRecord:
    """One outcome of a claim with its computed certainty and one-line answer."""

    outcome: OutcomeIn
    grade: grading.Grade
    answer: str
    links: list[int] = field(default_factory=list)  # positions in the claim's evidence list


@dataclass
class ClaimRecord:
    claim: ClaimIn
    grade: grading.Grade  # the main outcome's
    calibrated: str
    line: int
    position: int = 0
    outcomes: list[OutcomeRecord] = field(default_factory=list)


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
    claims_yaml = start_reading_yaml(data_dir / CLAIMS_FILE)  # meanwhile, the bibliography
    bibliography = parse_bib_files(bibs)
    out.problems.extend(bibliography.problems)
    out.studies = [study_record(e, i, out.problems) for i, e in enumerate(bibliography.entries)]
    out.problems.extend(unread_field_problems(bibliography.entries, APPRAISAL_FIELDS))
    del bibliography
    by_key = {s.key: s for s in out.studies}
    out.problems.extend(link_problems(by_key))
    out.concepts = _load_concepts(data_dir / CONCEPTS_FILE, out.problems)
    out.claims = _load_claims(data_dir / CLAIMS_FILE, by_key, out.concepts, out.problems, claims_yaml())
    out.problems.sort(key=Problem.sort_key)
    return out


@gc_paused()
def check_bibliography(paths: list[Path]) -> LoadedData:
    """Check .bib files on their own (no claims): parse, resolve and validate appraisal fields."""
    out = LoadedData()
    bibliography = parse_bib_files(paths)
    out.problems.extend(bibliography.problems)
    out.studies = [study_record(e, i, out.problems) for i, e in enumerate(bibliography.entries)]
    out.problems.extend(unread_field_problems(bibliography.entries, APPRAISAL_FIELDS))
    out.problems.extend(link_problems({s.key: s for s in out.studies}))
    out.problems.sort(key=Problem.sort_key)
    return out


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
    return did_you_mean(str(loc[-1]), model.model_fields, cutoff=0.75) or " (a typo?)"


def _validation_problems(path: Path, document: Any, base_loc: tuple[Any, ...], exc: ValidationError,
                         label: str, model: type[BaseModel]) -> list[Problem]:  # fmt: skip
    problems = []
    for err in exc.errors():
        loc = base_loc + tuple(err["loc"])
        where = ".".join(str(p) for p in err["loc"]) or "(item)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _unknown_field_hint(model, tuple(err["loc"]))
        elif err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "string_pattern_mismatch":
            expected = PATTERN_NAMES.get(err.get("ctx", {}).get("pattern", ""), "the expected form")
            message = f"'{err.get('input')}' is not {expected}"
        elif err["type"].startswith("date_"):
            message = f"'{err.get('input')}' is not a valid date (YYYY-MM-DD): {message}"
        elif err["type"] in ("literal_error", "enum"):
            message = (
                f"'{err.get('input')}' is not allowed: {message.replace('Input should be ', 'expected ')}"
            )
        problems.append(Problem(str(path), line_for(document, loc), f"{label}: {where}: {message}"))
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
        line = line_for(document, (i,))
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
    """What grading needs from one evidence link and its study (``grading.GradedStudy``)."""
    estimate = link.estimate
    return grading.GradedStudy(
        key=study.key,
        design=study.design,
        stance=link.stance,
        sample_size=study.sample_size,
        enrolled=study.enrolled,
        directness=link.directness,
        indirect_because=tuple(link.indirect_because),
        inconsistent=link.inconsistent,
        risk_of_bias=study.rob.overall if study.rob else None,
        retracted=study.retracted,
        review_of=study.review_of,
        evidence_level=study.evidence_level,
        includes=tuple(study.includes),
        duplicate_of=study.duplicate_of,
        effect=grading.Effect.from_estimate(estimate) if estimate else None,
        dose_response=link.dose_response,
    )


def claim_outcomes(claim: ClaimIn) -> list[OutcomeIn]:
    """The claim's outcomes; a claim written without ``outcomes`` has one implicit main outcome."""
    if claim.outcomes:
        return list(claim.outcomes)
    name = claim.evidence[0].outcome if claim.evidence else (claim.predicate or claim.statement)
    return [
        OutcomeIn(
            id=IMPLICIT_OUTCOME, name=name, population=claim.population,
            intervention=claim.subject or claim.statement, main=True,
            predicate=claim.predicate, predicate_s=claim.predicate_s,
        )
    ]  # fmt: skip


@dataclass
class _ClaimContext:
    """What the per-claim checks share: where the claim is, and where to report."""

    path: Path
    document: Any
    index: int
    label: str
    problems: list[Problem]

    def report(self, loc: tuple[Any, ...], message: str, severity: Severity = "error") -> None:
        line = line_for(self.document, (self.index, *loc))
        self.problems.append(Problem(str(self.path), line, f"{self.label}: {message}", severity))


def _check_link(
    ctx: _ClaimContext, j: int, link: EvidenceIn, study: StudyRecord, outcome_ids: set[str]
) -> None:
    """Checks of one evidence link against its study and the claim's outcomes."""
    where = ("evidence", j)
    if link.directness == "indirect" and not link.indirect_because:
        ctx.report((*where, "directness"),
                   f"evidence {link.study}: indirect evidence needs indirect_because (population, outcome, ...)")  # fmt: skip
    if link.directness == "direct" and link.indirect_because:
        ctx.report((*where, "indirect_because"),
                   f"evidence {link.study}: indirect_because given but directness is 'direct'")  # fmt: skip
    if outcome_ids and link.outcome not in outcome_ids:
        ctx.report((*where, "outcome"), f"evidence {link.study}: outcome '{link.outcome}' is not an outcome id "
                   f"of this claim ({', '.join(sorted(outcome_ids))})" + did_you_mean(link.outcome, outcome_ids, cutoff=0.6))  # fmt: skip
    if link.estimate and link.estimate.comparison == "between-group" and study.single_arm:
        ctx.report((*where, "estimate", "comparison"),
                   f"evidence {link.study}: a between-group estimate from a single-arm study "
                   "(use comparison: within-group)")  # fmt: skip


def _claim_links(
    ctx: _ClaimContext, claim: ClaimIn, studies: dict[str, StudyRecord]
) -> list[grading.GradedStudy] | None:
    """Check every evidence link; the graded links in order, or None when a study key is unknown."""
    outcome_ids = {o.id for o in claim.outcomes}
    links: list[grading.GradedStudy] = []
    seen: set[tuple[str, str]] = set()
    ok = True
    for j, link in enumerate(claim.evidence):
        study = studies.get(link.study)
        if study is None:
            ctx.report(
                ("evidence", j, "study"), f"unknown study key '{link.study}'{_close_key(link.study, studies)}"
            )
            ok = False
            continue
        if (link.study, link.outcome) in seen:
            ctx.report(("evidence", j, "study"), f"study '{link.study}' is linked twice for the same outcome")
        seen.add((link.study, link.outcome))
        _check_link(ctx, j, link, study, outcome_ids)
        links.append(graded_study(link, study))
    return links if ok else None


def _grade_outcomes(claim: ClaimIn, links: list[grading.GradedStudy]) -> list[OutcomeRecord]:
    outcomes = claim_outcomes(claim)
    records = []
    for outcome in outcomes:
        if outcome.id == IMPLICIT_OUTCOME and not claim.outcomes:
            positions = list(range(len(claim.evidence)))
        else:
            positions = [j for j, link in enumerate(claim.evidence) if link.outcome == outcome.id]
        grade = certainty.grade_outcome([links[j] for j in positions], kind=claim.kind)
        main = outcome.main or len(outcomes) == 1
        answer = grading.outcome_answer(
            grading.Question(outcome.population, outcome.intervention, outcome.comparator,
                             outcome.predicate or outcome.name, outcome.predicate_s, outcome.timeframe),
            grade, claim.verdict if main else None, claim.kind,
        )  # fmt: skip
        records.append(OutcomeRecord(outcome, grade, answer, positions))
    return records


def _claim_warnings(
    ctx: _ClaimContext,
    claim: ClaimIn,
    main: OutcomeRecord,
    population_concepts: set[str],
    links: list[grading.GradedStudy],
) -> None:
    _claim_warnings_without_grade(ctx, claim, population_concepts)
    for disagreement in (
        grading.verdict_disagreement(claim.verdict, main.grade),
        grading.untested_disagreement(claim.verdict, claim.unproven_because, links),
    ):
        if disagreement:
            ctx.report(("verdict",), disagreement, "warning")


def _load_claims(
    path: Path,
    studies: dict[str, StudyRecord],
    concepts: list[ConceptIn],
    problems: list[Problem],
    parsed: tuple[Any, list[Problem]],
) -> list[ClaimRecord]:
    document, yaml_problems = parsed  # (document, problems) from yamlread
    problems.extend(yaml_problems)
    if document is None:
        return []
    if not isinstance(document, list):
        problems.append(Problem(str(path), 1, "expected a list of claims"))
        return []
    population_concepts = {c.id for c in concepts if c.kind == "population"}
    records: list[ClaimRecord] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(document):
        label = f"claim {item.get('id', i + 1) if isinstance(item, dict) else i + 1}"
        line = line_for(document, (i,))
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
        ctx = _ClaimContext(path, document, i, label, problems)
        links = _claim_links(ctx, claim, studies)
        if links is None:
            _claim_warnings_without_grade(ctx, claim, population_concepts)
            continue
        outcomes = _grade_outcomes(claim, links)
        main = next(o for o in outcomes if o.outcome.main or len(outcomes) == 1)
        _claim_warnings(ctx, claim, main, population_concepts, links)
        records.append(ClaimRecord(claim, main.grade, main.answer, line or 0, len(records), outcomes))
    problems.extend(_cited_problems(records, studies))
    return records


def _claim_warnings_without_grade(ctx: _ClaimContext, claim: ClaimIn, population_concepts: set[str]) -> None:
    """The checks of ``_claim_warnings`` that need no grade (a claim with an unknown study key)."""
    for k, population in enumerate(claim.tested_in):
        if population_concepts and population not in population_concepts:
            ctx.report(("tested_in", k), f"tested_in '{population}' is not a population concept in {CONCEPTS_FILE}",
                       "warning")  # fmt: skip
    if claim.reviewed > dt.date.today():
        ctx.report(("reviewed",), f"reviewed date {claim.reviewed} is in the future")


def _cited_problems(records: list[ClaimRecord], studies: dict[str, StudyRecord]) -> list[Problem]:
    """Cited studies need a design and a sample size; graded ones a risk-of-bias judgement."""
    problems: list[Problem] = []
    cited = sorted({link.study for r in records for link in r.claim.evidence})
    graded = {
        key
        for r in records
        for o in r.outcomes
        if o.grade.level in grading.LEVELS
        for key in o.grade.carrying
    }
    for key in cited:
        study = studies[key]
        where = (study.source_path, study.source_line)
        if not study.design:
            problems.append(Problem(*where, f"{key}: cited by a claim but has no design"))
        elif (
            study.design not in grading.NO_SAMPLE_DESIGNS
            and study.sample_size is None
            and study.enrolled is None
            and study.fields.get("samplesize", "").strip().lower() != "not-reported"
        ):
            problems.append(Problem(*where, f"{key}: cited by a claim but has no samplesize "
                                            "(write 'not-reported' if it could not be verified)"))  # fmt: skip
        if key in graded and study.rob is None and study.design not in NO_ROB_DESIGNS:
            problems.append(Problem(*where, f"{key}: carries a graded outcome but has no risk-of-bias judgement "
                                            "(riskofbias, with robtool and robdomains or robjudgedby)", "warning"))  # fmt: skip
    return problems


def _close_key(key: str, studies: dict[str, StudyRecord]) -> str:
    return did_you_mean(key, studies)
