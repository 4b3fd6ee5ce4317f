"""Citation data formats: BibTeX, RIS and CSL-JSON, written from ``Study`` rows.

BibTeX keeps the curated LaTeX (macros resolved, ``crossref`` fields inlined) and leaves the
appraisal fields out unless asked; RIS and CSL-JSON carry decoded Unicode text, structured names,
bare DOIs and PMIDs. ``csl_item`` is also what the formatted references are made from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bibtexparser
import rispy
from bibtexparser import model as bib_model

from app.bibtex import OTHERS, latex_to_text, split_names
from app.models import Study

#: The appraisal fields of data/README.md: ours, not bibliographic; BibTeX export leaves them
#: out unless asked.
APPRAISAL_FIELDS = frozenset({
    "design", "samplesize", "enrolled", "studies", "reviewof", "evidencelevel", "population",
    "intervention", "comparator", "duration", "outcomes", "limitations", "riskofbias", "funding",
    "retracted",
})  # fmt: skip


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
OTHERS_DICT = OTHERS.as_dict()  # {"literal": "others"}


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
