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
- ``export_warnings(studies) -> list[Problem]``: what an export of them should warn about (a
  study without a title), worded and placed (.bib file and line) as ``evidence-kb check`` does.
- ``select_studies(store, scope) -> list[Study]``: the studies of a ``Scope`` (studies, the
  studies behind claims, behind a search, or the whole knowledge base); raises ``UnknownKeys``.

The work is split by concern: ``citations_scope`` (which studies), ``citations_data`` (BibTeX,
RIS, CSL-JSON), ``citations_styles`` (APA and Vancouver through the official CSL styles, with
the style edits at ``_STYLE_PATCHES`` and ``_fix_output``) and ``citations_citeproc`` (the
corrections to citeproc-py, pinned to the releases they are written for). This module is the
public face: formats, one ``export`` entry point and the ``export`` command.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.citations_citeproc import collation_key
from app.citations_data import (
    APPRAISAL_FIELDS,
    CURATION_FIELDS,
    csl_item,
    ris_record,
    to_bibtex,
    to_csl_json,
    to_ris,
)
from app.citations_scope import NO_STUDY_REASON, Scope, UnknownKeys, search_scope_query, select_studies
from app.citations_styles import STYLES, formatted_references
from app.models import Study
from app.problems import Problem
from app.study_records import UNDATED_TYPES, undated_warning, untitled_warning
from app.vocab import ExportFormat

__all__ = [
    "APPRAISAL_FIELDS", "CURATION_FIELDS", "FORMATS", "NO_STUDY_REASON", "STYLES", "Format", "Scope", "UnknownKeys", "collation_key",
    "csl_item", "export", "export_warnings", "formatted_references", "reference_list", "ris_record",
    "search_scope_query", "select_studies", "to_bibtex", "to_csl_json", "to_ris",
]  # fmt: skip


@dataclass(frozen=True)
class Format:
    name: str
    label: str  # for a "Cite" menu
    media_type: str
    extension: str
    style: str | None = None  # formatted references: "apa" or "vancouver"
    html: bool = False


_F = ExportFormat
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(_F.BIBTEX, "BibTeX (LaTeX, Overleaf)", "application/x-bibtex", "bib"),
        Format(_F.RIS, "RIS (EndNote, Mendeley)", "application/x-research-info-systems", "ris"),
        Format(_F.CSL_JSON, "CSL-JSON (Zotero, Pandoc, Quarto)", "application/vnd.citationstyles.csl+json", "json"),
        Format(_F.APA, "APA 7th edition", "text/plain", "txt", style="apa"),
        Format(_F.APA_HTML, "APA 7th edition (HTML)", "text/html", "html", style="apa", html=True),
        Format(_F.VANCOUVER, "Vancouver (NLM)", "text/plain", "txt", style="vancouver"),
        Format(_F.VANCOUVER_HTML, "Vancouver (NLM, HTML)", "text/html", "html", style="vancouver", html=True),
    )
}  # fmt: skip
"""One ``Format`` per ``ExportFormat`` (a test checks that none is missing)."""

# --- one entry point -----------------------------------------------------------------------------


def export(
    studies: Sequence[Study],
    fmt: str,
    *,
    appraisal: bool = False,
    year_letters: Mapping[str, str] | None = None,
) -> str:
    """A whole file in format ``fmt`` (a key of ``FORMATS``); ``year_letters``: APA's 2019a, 2019b
    (``formatted_references``)."""
    spec = FORMATS[fmt]
    if spec.name == "bibtex":
        return to_bibtex(studies, appraisal=appraisal)
    if spec.name == "ris":
        return to_ris(studies)
    if spec.name == "csl-json":
        return to_csl_json(studies)
    assert spec.style is not None
    refs = formatted_references(studies, spec.style, html=spec.html, year_letters=year_letters)
    return reference_list(refs, spec.style, html=spec.html)


def export_warnings(studies: Sequence[Study]) -> list[Problem]:
    """The warnings of ``evidence-kb check`` that an export of ``studies`` carries into its file,
    at each entry's .bib file and line: the studies without a title (their reference names only
    the author and date) and the published works without a year (cited "(n.d.)")."""
    out: list[Problem] = []
    for study in studies:
        where = (study.source_path, study.source_line or None)
        if warning := untitled_warning(study.key, study.title):
            out.append(Problem(*where, warning, "warning"))
        fields = study.fields or {}
        if (
            study.year is None
            and study.entry_type not in UNDATED_TYPES
            and not any(fields.get(name) for name in ("year", "date", "pubstate"))
        ):
            out.append(Problem(*where, undated_warning(study.key, study.entry_type), "warning"))
    return out


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
