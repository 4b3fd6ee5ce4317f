"""What evidence-kb reads of a BibTeX/biblatex entry: one reading shared by every output.

``read_entry(fields, entry_type) -> Reading`` turns an entry's fields (macros resolved, LaTeX
kept: ``BibEntry.fields`` or ``Study.fields``) into decoded values with the BibTeX and biblatex
spellings merged: ``journal``/``journaltitle``, ``address``/``location``, ``year``+``month``+``day``
or ``date``, ``eprint`` with ``eprinttype`` (or ``archiveprefix``) as a PMID, PMCID, DOI or
link, ``eid`` or an electronic page (``e0120513``) as the article number, ``pubstate`` as the
publication status, ``urldate``/``eventdate``/``origdate`` as the access, event and original
dates. The study columns (``study_records``), CSL-JSON, RIS and the formatted references all
read it, so a field is mapped once for every format.

``READ_FIELDS`` lists the fields read here (or elsewhere: ``crossref``); ``check`` warns about any
other field that is not an appraisal field (``unread_fields``). Problems in the values (a date
that is not a biblatex date, ``year`` and ``date`` that disagree) come back in
``Reading.problems`` as (field, message, severity).

Sources: the biblatex manual, sections 2.2 (entry fields), 2.3.8 (date specifications, an
ISO 8601-2 / EDTF subset) and 3.14.7 (eprint types); biber's BibTeX-to-biblatex field aliases.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from app.bibtex import BibEntry, latex_to_text
from app.problems import Problem, Severity, closest

MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Fields read into at least one output besides BibTeX (which writes every field back).
READ_FIELDS = frozenset("""
    author editor translator title subtitle titleaddon shorttitle journal journaltitle
    shortjournal journalabbrev booktitle booksubtitle maintitle series eventtitle venue year month
    day date urldate eventdate origdate volume number issue pages eid pagetotal chapter publisher
    organization institution school address location edition type version doi pmid pmcid url
    eprint eprinttype eprintclass archiveprefix primaryclass isbn issn note addendum howpublished
    pubstate language langid abstract keywords crossref
""".split())  # fmt: skip

#: biblatex ``pubstate`` keys and how they print (biblatex's English localisation).
PUBSTATES = {
    "inpress": "in press", "submitted": "submitted", "forthcoming": "forthcoming",
    "inpreparation": "in preparation", "prepublished": "pre-published",
}  # fmt: skip

# eprinttype -> link template (biblatex 3.14.7 and its common extensions).
_EPRINT_LINKS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "hdl": "https://hdl.handle.net/{}",
    "handle": "https://hdl.handle.net/{}",
    "jstor": "https://www.jstor.org/stable/{}",
    "googlebooks": "https://books.google.com/books?id={}",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmc": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
}
# An electronic article number in ``pages`` or an article's ``number``: 'e' and digits (PLOS
# e0120513, PeerJ e147), a letter and 4+ digits (BMJ m1234) or 5+ digits (Elsevier's 102343).
# Page numbers and issues are shorter; supplement pages (S12) are pages.
ELOCATOR = re.compile(r"^(?:e\d+|[A-Za-z]{1,2}\d{4,}|\d{5,})$")

_DATE_PART = re.compile(
    r"^(?P<year>-?\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
    r"(?P<qual>[?~%])?$"
)


@dataclass(frozen=True)
class EntryDate:
    """A date as far as it is known; ``end`` for a range (None when open or not a range)."""

    year: int
    month: int | None = None  # 1-12 (biblatex seasons 21-24 are kept as no month)
    day: int | None = None
    circa: bool = False  # '~' or '%' (approximate) in the biblatex date
    uncertain: bool = False  # '?' or '%'
    end: EntryDate | None = None
    open_end: bool = False  # '2016/' or '2016/..'

    def parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day if self.month else None) if p is not None]

    def csl(self) -> dict[str, object]:
        """CSL-JSON date: ``{"date-parts": [[y, m, d]], "circa": true}``; ranges have two parts."""
        ranges = [self.parts()] + ([self.end.parts()] if self.end else [])
        out: dict[str, object] = {"date-parts": ranges}
        if self.circa or self.uncertain:
            out["circa"] = True
        return out

    def ris(self) -> str:
        """RIS ``YYYY/MM/DD/`` with empty parts where unknown."""
        month = f"{self.month:02d}" if self.month else ""
        day = f"{self.day:02d}" if self.day and self.month else ""
        return f"{self.year:04d}/{month}/{day}/"


def parse_date(value: str) -> EntryDate | None:
    """A biblatex date (``2016``, ``2016-12``, ``2016-12-21``, ``2016-12-21T10:00:00``, with ``~``
    ``?`` ``%``, ranges ``A/B``, open ranges ``A/`` and ``A/..``); None when it is not one."""
    text = value.strip()
    start_text, slash, end_text = text.partition("/")
    start = _date_part(start_text)
    if start is None:
        return None
    if not slash:
        return start
    if end_text in ("", ".."):
        return EntryDate(start.year, start.month, start.day, start.circa, start.uncertain, None, True)
    end = _date_part(end_text)
    if end is None:
        return None
    return EntryDate(start.year, start.month, start.day, start.circa, start.uncertain, end)


def _date_part(text: str) -> EntryDate | None:
    match = _DATE_PART.match(text)
    if match is None:
        return None
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not (1 <= month <= 12 or 21 <= month <= 24):
        return None
    if day is not None and not (month and month <= 12 and 1 <= day <= 31):
        return None
    qual = match["qual"] or ""
    return EntryDate(
        int(match["year"]),
        month if month and month <= 12 else None,
        day,
        circa=qual in "~%" and bool(qual),
        uncertain=qual in "?%" and bool(qual),
    )


def parse_month(value: str) -> int | None:
    """1-12 from '3', '03', 'mar', 'March' or 'Mar.' (None otherwise)."""
    text = latex_to_text(value).strip().lower().rstrip(".")
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return MONTH_NAMES.index(text[:3]) + 1 if text[:3] in MONTH_NAMES and text.isalpha() else None


@dataclass
class Reading:
    """An entry's bibliographic content, decoded (see the module docstring)."""

    title: str = ""
    issued: EntryDate | None = None
    accessed: EntryDate | None = None
    event_date: EntryDate | None = None
    original_date: EntryDate | None = None
    status: str = ""  # "in press", ...
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""
    eprint: tuple[str, str] | None = None  # (type, id) for types not read into another field
    article_number: str = ""
    pages: str = ""  # a page range with an en dash, or a single page; not an article number
    issue: str = ""
    number: str = ""  # a report's or patent's number
    collection_number: str = ""  # a book's or proceedings' number in its series
    text: dict[str, str] = field(default_factory=dict)  # other decoded fields, BibTeX names
    problems: list[tuple[str, str, Severity]] = field(default_factory=list)  # (field, message, severity)


# biblatex name -> the BibTeX name the rest of the code reads (biber's aliases, reversed).
_ALIASES = {"journaltitle": "journal", "location": "address", "langid": "language",
            "archiveprefix": "eprinttype", "primaryclass": "eprintclass"}  # fmt: skip
_TEXT_FIELDS = (
    "journal shortjournal journalabbrev booktitle maintitle series eventtitle venue publisher "
    "organization institution school address edition type version isbn issn note addendum "
    "howpublished language abstract keywords chapter pagetotal shorttitle eprintclass"
).split()


def read_entry(fields: dict[str, str], entry_type: str) -> Reading:
    """Read an entry's fields (lower-case names, LaTeX kept) once for every output."""
    merged = {_ALIASES.get(name, name): value for name, value in fields.items() if name not in _ALIASES}
    for name, value in fields.items():  # the biblatex spelling fills in what BibTeX's lacks
        if name in _ALIASES:
            merged.setdefault(_ALIASES[name], value)
    out = Reading()
    out.text = {n: latex_to_text(merged[n]) for n in _TEXT_FIELDS if merged.get(n, "").strip()}
    out.title = _title(merged)
    _read_dates(merged, out)
    _read_identifiers(merged, out)
    _read_locators(merged, entry_type, out)
    return out


def _title(fields: dict[str, str]) -> str:
    """Title with biblatex's ``subtitle`` ("Title: Subtitle") and ``titleaddon`` ("Title. Addon")."""
    title = latex_to_text(fields.get("title"))
    subtitle = latex_to_text(fields.get("subtitle"))
    if subtitle:
        title = f"{title}{'' if title.endswith(('?', '!', ':')) else ':'} {subtitle}" if title else subtitle
    addon = latex_to_text(fields.get("titleaddon"))
    if addon:
        title = f"{title}{'' if title.endswith(('.', '?', '!')) else '.'} {addon}" if title else addon
    return title


def _read_dates(fields: dict[str, str], out: Reading) -> None:
    for name in ("date", "urldate", "eventdate", "origdate"):
        raw = fields.get(name, "").replace("{", "").replace("}", "").strip()  # '~' is EDTF, not LaTeX
        if not raw:
            continue
        parsed = parse_date(raw)
        if parsed is None:
            out.problems.append((name, f"{name} '{raw}' is not a biblatex date (YYYY, YYYY-MM, "
                                 "YYYY-MM-DD, or a range such as 2016-12-21/2017-01-05)", "error"))  # fmt: skip
            continue
        attribute = {"date": "issued", "urldate": "accessed", "eventdate": "event_date",
                     "origdate": "original_date"}[name]  # fmt: skip
        setattr(out, attribute, parsed)
    year_text = latex_to_text(fields.get("year")).strip()
    status = latex_to_text(fields.get("pubstate")).strip()
    out.status = PUBSTATES.get(status.lower().replace(" ", ""), status)
    if year_text.lower().replace(" ", "") in PUBSTATES and not out.status:  # year = {in press}
        out.status = PUBSTATES[year_text.lower().replace(" ", "")]
    month = parse_month(fields["month"]) if fields.get("month") else None
    day_text = latex_to_text(fields.get("day")).strip()
    day = int(day_text) if month and day_text.isdigit() and 1 <= int(day_text) <= 31 else None
    if re.fullmatch(r"\d{4}", year_text):
        from_year = EntryDate(int(year_text), month, day)
        date = out.issued
        if date is not None and date.year != from_year.year:
            out.problems.append(("year", f"year {year_text} and date {fields['date'].strip()} disagree "
                                 "(biblatex uses the date)", "warning"))  # fmt: skip
        if date is None:
            out.issued = from_year


def _read_identifiers(fields: dict[str, str], out: Reading) -> None:
    out.doi = fields.get("doi", "").strip()
    out.pmid = fields.get("pmid", "").strip()
    out.pmcid = fields.get("pmcid", "").strip()
    out.url = fields.get("url", "").strip()
    eprint = latex_to_text(fields.get("eprint")).strip()
    kind = latex_to_text(fields.get("eprinttype")).strip().lower()
    if not eprint:
        return
    if kind == "doi":
        out.doi = out.doi or eprint
    elif kind == "pubmed":
        out.pmid = out.pmid or eprint
    elif kind in ("pmc", "pmcid"):
        out.pmcid = out.pmcid or (eprint if eprint.upper().startswith("PMC") else f"PMC{eprint}")
    elif kind in _EPRINT_LINKS:
        out.eprint = (kind, eprint)
        out.url = out.url or _EPRINT_LINKS[kind].format(eprint)
    else:
        what = f"eprinttype '{kind}'" if kind else "an eprint without eprinttype"
        out.eprint = (kind, eprint)
        out.problems.append(("eprint", f"{what} is not linked (known: arxiv, doi, pubmed, pmc, hdl, "
                             "jstor, googlebooks); it is kept in BibTeX and as a note", "warning"))  # fmt: skip


def _read_locators(fields: dict[str, str], entry_type: str, out: Reading) -> None:
    pages = latex_to_text(fields.get("pages", "").replace("--", "–").replace("-", "–")).strip()
    number = latex_to_text(fields.get("number")).strip()
    issue = latex_to_text(fields.get("issue")).strip()
    eid = latex_to_text(fields.get("eid")).strip()
    if eid:
        out.article_number = eid
    elif ELOCATOR.match(pages):
        out.article_number, pages = pages, ""
    elif entry_type == "article" and ELOCATOR.match(number) and not pages:
        out.article_number, number = number, ""  # biblatex users' article number in `number`
    out.pages = pages
    if entry_type in ("techreport", "report", "patent", "standard"):
        out.number, out.issue = number, issue
    elif entry_type not in ("article", "periodical") and "series" in fields:
        out.collection_number, out.issue = number, issue
    else:  # an issue; biblatex's `issue` is a named one ("Spring"), `number` the usual one
        out.issue = ", ".join(part for part in (number, issue) if part)


def doi_url(doi: str | None) -> str:
    """``https://doi.org/`` + the DOI percent-encoded where it is not URL-safe ("" without one).

    Old (SICI) DOIs contain ``<``, ``>``, ``;`` and ``#`` (10.1002/(SICI)1097-4636(199812)43:4<408::
    AID-JBM7>3.0.CO;2-8); the DOI Handbook (3.8, "Encoding rules for URL presentation") asks for
    them encoded in a link. ``/``, ``(``, ``)`` and ``:`` are kept as they are.
    """
    return f"https://doi.org/{quote(doi.strip(), safe='/():')}" if doi and doi.strip() else ""


#: An entry's unread fields: (field name, its line, " (did you mean 'x'?)" or "").
Unread = list[tuple[str, int, str]]


def unread_fields(entry: BibEntry, appraisal: Iterable[str]) -> Unread:
    """The fields of one entry that evidence-kb does not read (neither in ``READ_FIELDS`` nor an
    appraisal field, nor a misspelt appraisal field: study_records reports those)."""
    appraisal = sorted(appraisal)
    known = READ_FIELDS | set(appraisal)
    out: Unread = []
    for name in entry.fields:
        if name in known or entry.inherited(name) or _near(name, appraisal):
            continue
        close = _closest_known(name, tuple(appraisal))
        hint = f" (did you mean '{close}'?)" if close and close not in entry.fields else ""
        out.append((name, entry.line_of(name), hint))
    return out


def unread_field_problems_from(entries: Iterable[tuple[str, str, Unread]]) -> list[Problem]:
    """A warning per file and unread field, at the field's first line, naming the entries that
    have it (a corpus has hundreds); ``entries`` are (path, key, ``unread_fields``) in order."""
    found: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
    for path, key, unread in entries:
        for name, line, hint in unread:
            found.setdefault((path, name), []).append((key, line, hint))
    problems = []
    for (path, name), having in found.items():
        first_key, first_line, hint = having[0]
        more = len(having) - 1
        others = f" and {more} other {'entry' if more == 1 else 'entries'}" if more else ""
        lines = ", ".join(str(line) for _, line, _ in having[1:6]) + (", ..." if more > 5 else "")
        where = f" ({'line' if more == 1 else 'lines'} {lines})" if more else ""
        message = (f"{first_key}{others}{where}: field '{name}' is not read by evidence-kb{hint}; "
                   "it is kept only in BibTeX exports")  # fmt: skip
        problems.append(Problem(path, first_line, message, "warning"))
    return problems


def unread_field_problems(entries: Iterable[BibEntry], appraisal: Iterable[str]) -> list[Problem]:
    """``unread_field_problems_from`` over whole entries."""
    appraisal = list(appraisal)
    return unread_field_problems_from((e.path, e.key, unread_fields(e, appraisal)) for e in entries)


@functools.lru_cache(maxsize=4096)
def _closest_known(name: str, appraisal: tuple[str, ...]) -> str | None:
    return closest(name, READ_FIELDS | set(appraisal))


@functools.lru_cache(maxsize=4096)
def _near_cached(name: str, candidates: tuple[str, ...]) -> bool:
    return closest(name, candidates) is not None


def _near(name: str, candidates: list[str]) -> bool:
    return _near_cached(name, tuple(candidates))
