"""Study records: the appraisal fields of ``studies.bib`` validated into ``StudyRecord``.

Every problem is appended to ``problems`` with the file and line of the field; nothing raises.
Structured risk of bias (``robtool``, ``robdomains``, ``robjudgedby``, ``robrating``,
``robreason``), review inclusion (``includes``), duplicate publications (``duplicateof``) and a
review's own search date (``searchdate``) are documented in data/README.md; the checks that need
the whole bibliography (keys that must exist) are in ``link_problems``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from app import grading, vocab
from app.bibfields import read_entry
from app.bibtex import BibEntry, Person, latex_to_text, split_names
from app.problems import Problem, closest, did_you_mean
from app.vocab import Design, GradeLevel, ReviewOf, RobTool

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^\d{1,9}$")
PMCID = re.compile(r"^PMC\d+$")
URL = re.compile(r"^https?://\S+$")
YEAR = re.compile(r"^\d{4}$")
SEARCH_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
KEY_SPLIT = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class RiskOfBias:
    """A study's risk of bias: the tool, each domain's judgement, the overall judgement.

    ``tool`` is a key of ``grading.ROB_TOOLS`` (or None when only the overall is recorded);
    ``domains`` maps a domain of that tool to the tool's own judgement; ``overall`` is on the
    common scale ``grading.RISK_OF_BIAS``; ``judged_by`` is the key of the review whose rating it
    is, with ``rating`` its own words ("PEDro 6/10").
    """

    overall: str | None
    tool: str | None = None
    domains: dict[str, str] = field(default_factory=dict)
    judged_by: str | None = None
    rating: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    rob: RiskOfBias | None = None  # structured judgement (robtool, robdomains, ...)
    includes: list[str] = field(default_factory=list)  # reviews: included studies in the bibliography
    duplicate_of: str | None = None  # a probable duplicate publication of this key
    search_date: str | None = None  # reviews: date of their own last search (YYYY[-MM[-DD]])
    arms: int | None = None  # number of groups; 1 = single-arm (no between-group comparison)
    #: the groups and their sizes, in the order written: ``[{"label": "trained", "n": 13}, ...]``
    groups: list[dict[str, Any]] = field(default_factory=list)
    #: What incremental builds keep of the entry: its own problems and its unread fields
    #: (``bibfields.unread_fields``); filled in by the loader.
    problems: list[Problem] = field(default_factory=list, compare=False, repr=False)
    unread: list[tuple[str, int, str]] = field(default_factory=list, compare=False, repr=False)

    @property
    def single_arm(self) -> bool:
        return self.arms == 1 or self.design == "case-series"


class StudyFacts(NamedTuple):
    """What claims and the checks across records need of a study: kept for every study while a
    build streams the records to the database (a few hundred bytes each, not the record), and
    stored as a JSON list for incremental builds (``app.incremental``)."""

    key: str
    design: str | None
    sample_size: int | None
    enrolled: int | None
    rob_overall: str | None  # None when there is no risk-of-bias judgement
    retracted: bool
    review_of: str | None
    evidence_level: str | None
    includes: tuple[str, ...]
    duplicate_of: str | None
    judged_by: str | None
    single_arm: bool
    samplesize_not_reported: bool  # samplesize = {not-reported}
    source_path: str
    source_line: int
    groups: tuple[str, ...] = ()  # the labels of its ``groups``

    @classmethod
    def of(cls, s: StudyRecord) -> StudyFacts:
        return cls(
            s.key, s.design, s.sample_size, s.enrolled, s.rob.overall if s.rob else None, s.retracted,
            s.review_of, s.evidence_level, tuple(s.includes), s.duplicate_of,
            s.rob.judged_by if s.rob else None, s.single_arm,
            s.fields.get("samplesize", "").strip().lower() == "not-reported", s.source_path, s.source_line,
            tuple(g["label"] for g in s.groups),
        )  # fmt: skip

    @classmethod
    def from_mapping(cls, fields: dict[str, Any]) -> StudyFacts:
        """The facts from a JSON object of field name -> value (as ``_asdict`` gives them); JSON
        lists become the tuples the fields hold."""
        values: dict[str, Any] = {name: tuple(v) if isinstance(v, list) else v for name, v in fields.items()}
        return cls(**values)


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


def _vocab_field(
    entry: BibEntry,
    name: str,
    allowed: Iterable[str],
    problems: list[Problem],
    abbreviations: dict[str, str] | None = None,
) -> str | None:
    """The field's value if ``allowed``; else None and an error naming the allowed values and the
    one most likely meant: an abbreviation's (``abbreviations``, 'rct') or the closest spelling
    ('randomised-controlled-trial' -> 'randomized-controlled-trial')."""
    raw = entry.fields.get(name, "").strip()
    if not raw:
        return None
    value = raw.lower()
    allowed = list(allowed)
    if value not in allowed:
        spelt = re.sub(r"[\s_]+", "-", value)  # 'randomised controlled trial'
        meant = (abbreviations or {}).get(spelt)
        hint = f" (did you mean '{meant}'?)" if meant else did_you_mean(spelt, allowed)
        problems.append(
            Problem(
                entry.path,
                entry.line_of(name),
                f"{entry.key}: {name} '{raw}' is not one of: {', '.join(allowed)}{hint}",
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
    "retracted", "robtool", "robdomains", "robjudgedby", "robrating", "robreason", "includes",
    "duplicateof", "searchdate", "arms", "groups",
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _misspelt_appraisal_field(name: str) -> str | None:
    """'samplesise' -> 'samplesize': a field that is almost, but not, an appraisal field."""
    if name in APPRAISAL_FIELDS:
        return None
    return closest(name, APPRAISAL_FIELDS)


def unknown_entry_type(key: str, entry_type: str) -> str:
    """The error for study ``key`` of a type not in ``vocab.ENTRY_TYPES`` ('artcle'): BibTeX
    would warn and skip it, and the exports would have to guess (RIS 'GEN')."""
    meant = closest(entry_type, vocab.ENTRY_TYPES)
    hint = f" (did you mean '@{meant}'?)" if meant else ""
    known = ", ".join(f"@{t}" for t in sorted(vocab.ENTRY_TYPES))
    return f"{key}: unknown entry type '@{entry_type}'{hint}; the known types are {known}"


def untitled_warning(key: str, title: str) -> str | None:
    """The warning for study ``key`` when its ``title`` (decoded) is blank, else None: APA and
    RIS would export "Author. (n.d.)." and nothing more. One wording for ``evidence-kb check``
    (at the .bib entry) and the citation exports (``citations.export_warnings``)."""
    if title.strip():
        return None
    return (
        f"{key}: no title: its citation (APA, Vancouver, RIS, ...) would name only the author and "
        "date; add the title, or cite a source that can be found"
    )


#: Entry types whose sources are often undated (web pages, posts): APA's "(n.d.)" is right for
#: them, as biblatex's data model does not require their date either.
UNDATED_TYPES = frozenset({"misc", "online", "electronic", "www", "unpublished"})


def undated_warning(key: str, entry_type: str) -> str:
    """The warning for a published work (``@article``, ``@book``, ...) without a year."""
    return (
        f"{key}: no year: its citation (APA, Vancouver, RIS, ...) would print it undated ('(n.d.)'); "
        f"add year (or date) to the @{entry_type}, or pubstate = {{inpress}} for a work not yet published"
    )


def study_record(entry: BibEntry, position: int, problems: list[Problem]) -> StudyRecord:  # noqa: C901 (one check per appraisal field)
    f = entry.fields
    where = entry.path

    def bad(name: str, message: str) -> None:
        problems.append(Problem(where, entry.line_of(name), f"{entry.key}: {message}"))

    if entry.entry_type not in vocab.ENTRY_TYPES:
        problems.append(Problem(where, entry.line, unknown_entry_type(entry.key, entry.entry_type)))
    for name in f:
        meant = _misspelt_appraisal_field(name)
        if meant and meant not in f:  # a typo would silently drop the appraisal
            bad(name, f"unknown field '{name}' (did you mean '{meant}'?)")

    reading = read_entry(f, entry.entry_type)
    for name, message, severity in reading.problems:
        problems.append(Problem(where, entry.line_of(name), f"{entry.key}: {message}", severity))
    doi = reading.doi or None
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
    pmid = reading.pmid or None
    if pmid and not PMID.match(pmid):
        bad("pmid", f"malformed PMID '{pmid}' (digits only)")
    pmcid = reading.pmcid or None
    if pmcid and not PMCID.match(pmcid):
        bad("pmcid", f"malformed PMCID '{pmcid}' (expected PMC followed by digits)")
    url = reading.url or None
    if url and not URL.match(url):
        bad("url", f"malformed URL '{url}'")
    if untitled := untitled_warning(entry.key, reading.title):
        problems.append(Problem(where, entry.line, untitled, "warning"))
    year_raw = f.get("year", "").strip()
    year = reading.issued.year if reading.issued else None
    if year_raw and not YEAR.match(year_raw) and not reading.status:
        bad("year", f"year must be four digits, not '{year_raw}'")
    if year is None and not year_raw and not reading.status and entry.entry_type not in UNDATED_TYPES:
        line = entry.line_of("year") if "year" in f else entry.line  # year = {}
        problems.append(Problem(where, line, undated_warning(entry.key, entry.entry_type), "warning"))
    if year is not None and year > dt.date.today().year:
        problems.append(
            Problem(where, entry.line_of("year"), f"{entry.key}: year {year} is in the future", "warning")
        )
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
        title=reading.title,
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
        design=_vocab_field(entry, "design", Design, problems, vocab.DESIGN_ABBREVIATIONS),
        sample_size=_int_field(entry, "samplesize", problems, allow_nr=True),
        enrolled=_int_field(entry, "enrolled", problems),
        studies_included=_int_field(entry, "studies", problems),
        review_of=_vocab_field(entry, "reviewof", ReviewOf, problems),
        evidence_level=_vocab_field(entry, "evidencelevel", GradeLevel, problems),
        population=_text_field(entry, "population"),
        intervention=_text_field(entry, "intervention"),
        comparator=_text_field(entry, "comparator"),
        duration=_text_field(entry, "duration"),
        outcomes=_list_field(entry, "outcomes"),
        limitations=_list_field(entry, "limitations"),
        risk_of_bias=_vocab_field(entry, "riskofbias", vocab.RiskOfBias, []),
        funding=_text_field(entry, "funding"),
        retracted=retracted_raw in ("yes", "true"),
        note=_text_field(entry, "note"),
        fields=dict(f),
        source_path=entry.path,
        source_line=entry.line,
        position=position,
        rob=_risk_of_bias(entry, problems),
        includes=_keys_field(entry, "includes"),
        duplicate_of=(f.get("duplicateof") or "").strip() or None,
        search_date=_search_date(entry, problems),
        arms=_int_field(entry, "arms", problems),
        groups=_groups_field(entry, problems),
    )


def _groups_field(entry: BibEntry, problems: list[Problem]) -> list[dict[str, Any]]:
    """``groups = {trained: 13; controls: 13}`` -> ``[{"label": "trained", "n": 13}, ...]``: each
    group's participants, so that pages say who the sample size counts ("26 participants (13
    trained, 13 controls)"). Checked: ``label: whole number`` parts, as many as ``arms``, adding up
    to ``samplesize``."""
    raw = latex_to_text(entry.fields.get("groups")).strip()
    if not raw:
        return []

    def bad(message: str) -> list[dict[str, Any]]:
        problems.append(Problem(entry.path, entry.line_of("groups"), f"{entry.key}: groups: {message}"))
        return []

    groups: list[dict[str, Any]] = []
    total = 0
    for part in (p.strip() for p in raw.split(";")):
        label, sep, size = (x.strip() for x in part.rpartition(":"))
        if not part:
            continue
        if not sep or not label or not size.isdigit() or int(size) < 1:
            return bad(f"'{part}' is not 'label: number of participants' (groups are separated by ';')")
        groups.append({"label": label, "n": int(size)})
        total += int(size)
    arms = entry.fields.get("arms", "").strip()
    if arms.isdigit() and int(arms) != len(groups):
        return bad(f"{len(groups)} groups, but arms = {arms}")
    sample = entry.fields.get("samplesize", "").strip()
    if sample.isdigit() and int(sample) != total:
        return bad(f"the groups add up to {total}, but samplesize = {sample}")
    return groups


def _keys_field(entry: BibEntry, name: str) -> list[str]:
    return [k for k in KEY_SPLIT.split(entry.fields.get(name, "")) if k]


def _search_date(entry: BibEntry, problems: list[Problem]) -> str | None:
    raw = entry.fields.get("searchdate", "").strip()
    if raw and not SEARCH_DATE.match(raw):
        problems.append(Problem(entry.path, entry.line_of("searchdate"),
                                f"{entry.key}: searchdate '{raw}' is not YYYY, YYYY-MM or YYYY-MM-DD"))  # fmt: skip
        return None
    return raw or None


def _rob_domains(entry: BibEntry, tool: str | None, problems: list[Problem]) -> dict[str, str]:
    """``robdomains = {randomisation: low; measurement: some-concerns}`` -> a dict, checked
    against the tool's domains and judgements."""
    raw = latex_to_text(entry.fields.get("robdomains")).strip()
    if not raw:
        return {}

    def bad(message: str) -> None:
        problems.append(
            Problem(entry.path, entry.line_of("robdomains"), f"{entry.key}: robdomains: {message}")
        )

    if tool not in grading.ROB_DOMAINS:
        bad("needs robtool = rob2 or robins-i (the tool the domains belong to)")
        return {}
    domains: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(";")):
        name, sep, judgement = (x.strip().lower() for x in part.partition(":"))
        if not part:
            continue
        if not sep or not judgement:
            bad(f"'{part}' is not 'domain: judgement'")
        elif name not in grading.ROB_DOMAINS[tool]:
            bad(f"'{name}' is not a {tool} domain ({', '.join(grading.ROB_DOMAINS[tool])})")
        elif judgement not in grading.ROB_JUDGEMENTS[tool]:
            bad(f"'{judgement}' is not a {tool} judgement ({', '.join(grading.ROB_JUDGEMENTS[tool])})")
        elif name in domains:
            bad(f"domain '{name}' is given twice")
        else:
            domains[name] = judgement
    return domains


def _risk_of_bias(entry: BibEntry, problems: list[Problem]) -> RiskOfBias | None:
    overall = _vocab_field(entry, "riskofbias", vocab.RiskOfBias, problems)
    tool = _vocab_field(entry, "robtool", RobTool, problems)
    domains = _rob_domains(entry, tool, problems)
    judged_by = (entry.fields.get("robjudgedby") or "").strip() or None
    rating, reason = _text_field(entry, "robrating"), _text_field(entry, "robreason")
    if overall is None and (tool or domains or judged_by):
        problems.append(Problem(entry.path, entry.line_of("robtool" if tool else "robjudgedby"),
                                f"{entry.key}: a risk-of-bias assessment needs its overall judgement (riskofbias)"))  # fmt: skip
    if tool == "review" and not judged_by:
        problems.append(Problem(entry.path, entry.line_of("robtool"),
                                f"{entry.key}: robtool 'review' needs robjudgedby (the key of the review)"))  # fmt: skip
    implied = grading.rob_overall_from_domains(tool or "", domains)
    order = grading.RISK_OF_BIAS
    if overall and implied and overall != "unclear" and order.index(overall) < order.index(implied):
        problems.append(Problem(entry.path, entry.line_of("riskofbias"),
                                f"{entry.key}: riskofbias '{overall}' is lower than its worst domain ('{implied}')",
                                "warning"))  # fmt: skip
    if overall is None:
        return None
    return RiskOfBias(overall, tool, domains, judged_by, rating, reason)


def link_problems(studies: dict[str, StudyFacts]) -> list[Problem]:
    """Keys that studies.bib fields name (includes, duplicateof, robjudgedby) must exist."""
    problems: list[Problem] = []
    for study in studies.values():
        if not (study.includes or study.duplicate_of or study.judged_by):
            continue
        named = [("includes", k) for k in study.includes]
        named += [("duplicateof", study.duplicate_of)] if study.duplicate_of else []
        named += [("robjudgedby", study.judged_by)] if study.judged_by else []
        for name, key in named:
            if key == study.key:
                message = f"{name} names the study itself"
            elif key not in studies:
                others = (k for k in studies if k != study.key)  # never the study as its own duplicate
                message = f"{name}: unknown study key '{key}'" + did_you_mean(key, others)
            elif name == "includes" and studies[study.key].design not in grading.REVIEW_DESIGNS:
                message = "includes is for reviews (design systematic-review or meta-analysis)"
            else:
                continue
            line = study.source_line
            problems.append(Problem(study.source_path, line, f"{study.key}: {message}"))
    return problems
