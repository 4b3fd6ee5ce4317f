"""Style-guide rules for web pages, reports and theses that the official CSL styles miss.

``adjust_item(item, study, style)`` edits the CSL item given to citeproc-py; ``adjust_text(text,
study, style)`` edits the rendered reference (before markup characters are unprotected, so it
sees plain text and the style's own tags). Both are called by ``citations_styles``.

APA 7 (Publication Manual, 7th ed.):
- 9.24 and 10.16: a web page's site name is given unless it is the same as the author; a report's
  or book's publisher is omitted when it is the author (9.29).
- 9.16 and 10.16: "Retrieved Month Day, Year, from URL" only where the data has a retrieval date
  (``urldate``); no "Retrieved" without one.
- 10.6, example 64: an unpublished thesis is "[Doctoral dissertation, Institution]".
- 10.4, example 50: a report number without a description is "(Report No. X)".

Citing Medicine, 2nd ed. (the NLM style, ``vancouver``):
- ch. 22 and 25: a web page is "Title [Internet]. Place: Publisher; date [cited date]. Available
  from: URL"; the site name is its publisher; "[cited ...]" only with an access date.
- ch. 6: a thesis is "[dissertation]" or "[master's thesis]", on the Internet "[dissertation on
  the Internet]".
"""

from __future__ import annotations

import re
from typing import Any

from app.bibfields import read_entry
from app.models import Study

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_NLM_THESIS = {"phdthesis": "dissertation", "mastersthesis": "master's thesis", "thesis": "dissertation"}


def _literal_authors(item: dict[str, Any]) -> set[str]:
    return {name["literal"].casefold() for name in item.get("author", []) if "literal" in name}


def adjust_item(item: dict[str, Any], study: Study, style: str) -> None:
    """Edit the CSL item in place for ``style`` ("apa" or "vancouver")."""
    kind = item.get("type")
    if style == "apa":
        authors = _literal_authors(item)
        if kind == "webpage":
            item.pop("publisher", None)  # the site name is the container-title
            if item.get("container-title", "").casefold() in authors:
                del item["container-title"]
        elif item.get("publisher", "").casefold() in authors:
            del item["publisher"]
        if kind == "report" and item.get("number") and not item.get("genre"):
            item["genre"] = "Report"
    elif style == "vancouver":
        if kind == "webpage":
            site = item.pop("container-title", None)
            if site and not item.get("publisher"):
                item["publisher"] = site
        if kind == "thesis" and study.entry_type in _NLM_THESIS and "type" not in study.fields:
            item["genre"] = _NLM_THESIS[study.entry_type]


def adjust_text(text: str, study: Study, style: str) -> str:
    """Edit a rendered reference for ``style``."""
    if style == "apa":
        reading = read_entry(study.fields, study.entry_type)
        date = reading.accessed
        at = text.rfind(study.url) if study.url else -1
        if date is not None and at >= 0:
            month = f"{_MONTHS[date.month - 1]} " if date.month else ""
            day = f"{date.day}, " if date.day and date.month else ""
            text = f"{text[:at]}Retrieved {month}{day}{date.year}, from {text[at:]}"
        number = reading.number
        if study.entry_type in ("techreport", "report") and number and f"No. {number}" not in text:
            text = text.replace(f" {number})", f" No. {number})", 1)  # the style labels digits only
        if study.entry_type in _NLM_THESIS and "url" not in study.fields:
            text = re.sub(r"\[([^\]]+)\]\. ([^.]+)\.", r"[\1, \2].", text, count=1)
    elif style == "vancouver":
        text = re.sub(r"\[([^\]]+)\] \[Internet\]", r"[\1 on the Internet]", text, count=1)
    return text
