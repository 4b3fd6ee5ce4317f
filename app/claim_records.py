"""One claim of claims.yaml -> a validated, graded ``ClaimRecord`` (or its problems).

``claim_record`` checks one item against the study facts (``StudyFacts``, the small index the
build keeps of every study) and the population concepts, grades each outcome and reports every
problem with its line; ``cited_problems`` is the check across claims (cited studies need a design
and a sample size, graded ones a risk-of-bias judgement). The loader (``app.loader``) runs them
per item as the YAML streams in; incremental builds (``app.incremental``) run them on changed
claims only.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from app import certainty, grading
from app.claims_schema import PATTERN_NAMES, ClaimIn, EvidenceIn, OutcomeIn
from app.problems import Problem, Severity, closest, did_you_mean, did_you_mean_key
from app.study_records import StudyFacts
from app.yamlread import as_written, line_for

CONCEPTS_FILE = "concepts.yaml"
#: The id of the one outcome of a claim written without ``outcomes`` (the older format).
IMPLICIT_OUTCOME = "main"
#: Designs whose risk of bias is not assessed (no participants, no outcome data of their own).
NO_ROB_DESIGNS = frozenset({"expert-opinion", "web-page"})

Studies = Mapping[str, StudyFacts]


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
    #: This claim's own problems (warnings: a claim with an error is no record), and a digest of
    #: its raw YAML item ("" when the file was parsed whole): what incremental builds keep.
    problems: list[Problem] = field(default_factory=list, compare=False, repr=False)
    digest: str = field(default="", compare=False, repr=False)
    item_line: int = field(default=0, compare=False, repr=False)  # the line of its item's '-'
    #: The line of each of ``claim.topics`` (for ``topic_problems``).
    topic_lines: list[int] = field(default_factory=list, compare=False, repr=False)

    def topic_uses(self) -> list[tuple[str, str, int]]:
        """(claim id, topic, line) per topic of the claim."""
        lines = self.topic_lines or [self.line] * len(self.claim.topics)
        return [(self.claim.id, topic, line) for topic, line in zip(self.claim.topics, lines, strict=False)]

    def cited(self) -> list[str]:
        return list(dict.fromkeys(link.study for link in self.claim.evidence))

    def carrying(self) -> list[str]:
        """Keys of the studies a graded outcome rests on (they need a risk-of-bias judgement)."""
        return sorted({k for o in self.outcomes if o.grade.level in grading.LEVELS for k in o.grade.carrying})


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


def validation_problems(path: Path, document: Any, base_loc: tuple[Any, ...], exc: ValidationError,
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
            message = f"'{err.get('input')}' is not a valid date: {_date_problem(err.get('input'))}"
        elif err["type"] in ("literal_error", "enum"):
            value = err.get("input")
            # a value inside another ('proven' in 'unproven') is a different word, not a typo
            # ('support' at the start of 'supports' is the same word cut short: a typo)
            allowed = [
                a
                for a in _QUOTED.findall(message)
                if not isinstance(value, str) or value not in a or a.startswith(value)
            ]
            hint = did_you_mean(value, allowed, cutoff=0.75) if isinstance(value, str) else ""
            message = f"{_as_written(document, loc, value)} is not allowed{hint}: " + message.replace(
                "Input should be ", "expected "
            )
        problems.append(Problem(str(path), line_for(document, loc), f"{label}: {where}: {message}"))
    return problems


_QUOTED = re.compile(r"'([^']*)'")
_DATE_FORM = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


def _date_problem(value: Any) -> str:
    """What is wrong with a date as a curator would say it ('there is no month 13'), not the
    validator's 'month value is outside expected range of 1-12'."""
    import calendar

    found = _DATE_FORM.fullmatch(str(value).strip())
    if not found:
        return "write it as YYYY-MM-DD, e.g. 2026-11-30"
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month} (months are 01 to 12; the form is YYYY-MM-DD)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{_MONTHS[month - 1]} {year} has no day {day} (it has {days} days; the form is YYYY-MM-DD)"
    return "write it as YYYY-MM-DD, e.g. 2026-11-30"


def _as_written(document: Any, loc: tuple[Any, ...], value: Any) -> str:
    """A rejected value quoted as the curator wrote it (``verdict: true`` is 'true', not Python's
    'True'), with why YAML did not read a word there."""
    written = as_written(document, loc, value)
    if isinstance(value, bool):
        return f"'{written}' (YAML reads it as a yes/no value, not as a word)"
    if value is None:
        return f"'{written}' (YAML reads it as nothing)" if written else "an empty value"
    return f"'{written}'"


def graded_study(link: EvidenceIn, study: StudyFacts) -> grading.GradedStudy:
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
        risk_of_bias=study.rob_overall,
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
    """What the per-claim checks share: where the claim is (item ``index`` of ``document``: the
    whole file's list, or a one-item list read alone), and where to report."""

    path: Path
    document: Any
    index: int
    label: str
    problems: list[Problem]

    def report(self, loc: tuple[Any, ...], message: str, severity: Severity = "error") -> None:
        line = line_for(self.document, (self.index, *loc))
        self.problems.append(Problem(str(self.path), line, f"{self.label}: {message}", severity))


def _check_link(
    ctx: _ClaimContext, j: int, link: EvidenceIn, study: StudyFacts, outcome_ids: set[str]
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
    if link.estimate and link.estimate.group and link.estimate.group not in study.groups:
        known = ", ".join(study.groups) or "none: add groups = {label: n; ...} to its entry"
        ctx.report((*where, "estimate", "group"),
                   f"evidence {link.study}: estimate group '{link.estimate.group}' is not one of the "
                   f"study's groups ({known})")  # fmt: skip
    if link.estimate and link.estimate.comparison == "between-group" and study.single_arm:
        ctx.report((*where, "estimate", "comparison"),
                   f"evidence {link.study}: a between-group estimate from a single-arm study "
                   "(use comparison: within-group)")  # fmt: skip


def _claim_links(ctx: _ClaimContext, claim: ClaimIn, studies: Studies) -> list[grading.GradedStudy] | None:
    """Check every evidence link; the graded links in order, or None when a study key is unknown."""
    outcome_ids = {o.id for o in claim.outcomes}
    links: list[grading.GradedStudy] = []
    seen: set[tuple[str, str]] = set()
    ok = True
    for j, link in enumerate(claim.evidence):
        study = studies.get(link.study)
        if study is None:
            _unknown_study(ctx, j, link.study, studies)
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
    for disagreement, severity in (
        (
            grading.verdict_disagreement(claim.verdict, main.grade),
            grading.verdict_severity(claim.verdict, main.grade),
        ),
        (grading.untested_disagreement(claim.verdict, claim.unproven_because, links), "warning"),
    ):
        if disagreement:
            ctx.report(("verdict",), disagreement, severity)


def _claim_warnings_without_grade(ctx: _ClaimContext, claim: ClaimIn, population_concepts: set[str]) -> None:
    """The checks of ``_claim_warnings`` that need no grade (a claim with an unknown study key)."""
    for k, population in enumerate(claim.tested_in):
        if population_concepts and population not in population_concepts:
            # an error, not a warning: a misspelt population silently turns the claim's
            # population-mismatch flag off (found by a new user's trial)
            near = difflib.get_close_matches(population, sorted(population_concepts), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            ctx.report(("tested_in", k), f"tested_in '{population}' is not a population concept in "
                       f"{CONCEPTS_FILE}{hint}")  # fmt: skip
    if claim.reviewed > dt.date.today():
        ctx.report(("reviewed",), f"reviewed date {claim.reviewed} is in the future")


def claim_record(
    path: Path,
    document: Any,
    index: int,
    number: int,
    studies: Studies,
    population_concepts: set[str],
    seen: dict[str, int],
    problems: list[Problem],
) -> ClaimRecord | None:
    """Item ``index`` of ``document`` (item ``number``, 0-based, of the file) -> its record, or
    None when it has an error. Every problem goes to ``problems``; ``seen`` (claim id -> line,
    updated) finds duplicate ids. The record's ``position`` is left for the caller to set."""
    item = document[index]
    label = f"claim {item.get('id', number + 1) if isinstance(item, dict) else number + 1}"
    line = line_for(document, (index,))
    if not isinstance(item, dict):
        problems.append(Problem(str(path), line, f"claim {number + 1}: expected a mapping of fields"))
        return None
    own: list[Problem] = []
    ctx = _ClaimContext(path, document, index, label, own)
    try:
        claim = ClaimIn.model_validate(item)
    except ValidationError as exc:
        problems.extend(validation_problems(path, document, (index,), exc, label, ClaimIn))
        # the checks that need only the raw item still run, or their errors would show only
        # once the schema errors are fixed (a trial user's report): not on a field already wrong
        rejected = {tuple(err["loc"]) for err in exc.errors()}
        raw_id = item.get("id")
        if isinstance(raw_id, str) and not any(loc[:1] == ("id",) for loc in rejected):
            _duplicate_id(path, line, raw_id, seen, problems)
        _raw_study_references(ctx, item, studies, rejected)
        problems.extend(own)
        return None
    if _duplicate_id(path, line, claim.id, seen, problems):
        _raw_study_references(ctx, item, studies, set())
        problems.extend(own)
        return None
    links = _claim_links(ctx, claim, studies)
    if links is None:
        _claim_warnings_without_grade(ctx, claim, population_concepts)
        problems.extend(own)
        return None
    outcomes = _grade_outcomes(claim, links)
    main = next(o for o in outcomes if o.outcome.main or len(outcomes) == 1)
    _claim_warnings(ctx, claim, main, population_concepts, links)
    problems.extend(own)
    record = ClaimRecord(claim, main.grade, main.answer, line or 0, 0, outcomes, own)
    record.topic_lines = [
        line_for(document, (index, "topics", j)) or line or 0 for j in range(len(claim.topics))
    ]
    return record


def topic_problems(
    path: str, uses: Iterable[tuple[str, str, int]], known: Collection[str] = frozenset()
) -> list[Problem]:
    """A warning for a topic that one claim alone uses and that is spelt almost like another
    claim's topic or, with ``known`` (``check``: the topics of the database's build), like a
    topic of the current build that no claim has any more ('biomechanic' for 'biomechanics'):
    the build would make a topic of its own for the typo, and the claim would be missing from
    its real topic's list. ``uses``: (claim id, topic, line) per topic of every claim."""
    claims: dict[str, list[tuple[str, int]]] = {}
    for claim_id, topic, line in uses:
        claims.setdefault(topic, []).append((claim_id, line))
    problems: list[Problem] = []
    for topic, users in claims.items():
        if len(users) != 1 or topic in known:
            continue
        meant = closest(topic, [t for t in claims if t != topic])
        if meant is not None:
            used = f"used by {len(claims[meant])} claim(s)"
        elif (meant := closest(topic, [t for t in known if t not in claims])) is not None:
            used = "a topic of the current build that no claim has any more"
        else:
            continue
        claim_id, line = users[0]
        problems.append(Problem(path, line, f"claim {claim_id}: topics: '{topic}' is used by no other claim "
                                f"(did you mean '{meant}', {used}?); otherwise the build makes it a topic "
                                "of its own", severity="warning"))  # fmt: skip
    return sorted(problems, key=Problem.sort_key)


def cited_problems(cited: set[str], graded: set[str], studies: Studies) -> list[Problem]:
    """Cited studies need a design and a sample size; graded ones a risk-of-bias judgement.

    ``cited``: keys cited by the valid claims; ``graded``: keys a graded outcome rests on."""
    problems: list[Problem] = []
    for key in sorted(cited):
        study = studies[key]
        where = (study.source_path, study.source_line)
        if not study.design:
            problems.append(Problem(*where, f"{key}: cited by a claim but has no design"))
        elif (
            study.design not in grading.NO_SAMPLE_DESIGNS
            and study.sample_size is None
            and study.enrolled is None
            and not study.samplesize_not_reported
        ):
            problems.append(Problem(*where, f"{key}: cited by a claim but has no samplesize "
                                            "(write 'not-reported' if it could not be verified)"))  # fmt: skip
        if key in graded and study.rob_overall is None and study.design not in NO_ROB_DESIGNS:
            problems.append(Problem(*where, f"{key}: carries a graded outcome but has no risk-of-bias judgement "
                                            "(riskofbias, with robtool and robdomains or robjudgedby)", "warning"))  # fmt: skip
    return problems


def _duplicate_id(path: Path, line: int | None, claim_id: str, seen: dict[str, int],
                  problems: list[Problem]) -> bool:  # fmt: skip
    """True (and the error reported) when ``claim_id`` is in ``seen`` (id -> line of its first
    claim); else it is added to ``seen``. A claim with schema errors counts too: its id is taken."""
    if claim_id in seen:
        message = f"duplicate claim id '{claim_id}' (first at line {seen[claim_id]})"
        problems.append(Problem(str(path), line, message, cause=True))
        return True
    seen[claim_id] = line or 0
    return False


def _unknown_study(ctx: _ClaimContext, j: int, key: str, studies: Studies) -> None:
    """The error of evidence link ``j`` citing ``key``, which no study has."""
    ctx.report(("evidence", j, "study"), f"unknown study key '{key}'{did_you_mean_key(key, studies)}")


def _raw_study_references(
    ctx: _ClaimContext, item: dict[str, Any], studies: Studies, rejected: set[tuple[Any, ...]]
) -> None:
    """Unknown study keys of a claim that is no record (schema errors, a duplicate id), read from
    its raw YAML ``item``; ``rejected``: the places (``("evidence", 0, "study")``) whose schema
    errors are reported already, so a key that is not text is not reported twice."""
    evidence = item.get("evidence")
    if not isinstance(evidence, list):
        return
    for j, link in enumerate(evidence):
        key = link.get("study") if isinstance(link, dict) else None
        if isinstance(key, str) and ("evidence", j, "study") not in rejected and key not in studies:
            _unknown_study(ctx, j, key, studies)
