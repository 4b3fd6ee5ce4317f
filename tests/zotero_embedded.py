"""Zotero's reading of ``citation_author`` tags, ported from its translators repository.

``Embedded Metadata.js`` (zotero/translators, ``addHighwireMetadata``): each tag is split at
semicolons; a tag that is one name is split at its commas into several people when the first two
comma parts both contain a space (U+0020). Each part is then read by ``ZU.cleanAuthor``
(zotero/utilities): leading/trailing spaces, periods, commas, slashes, brackets and colons are
stripped, the first run of whitespace (no-break spaces included) becomes one space, and a name
with a comma is "Last, First" (only the first two comma parts are kept), otherwise the last word
is the family name.
"""

from __future__ import annotations

import re


def embedded_metadata_people(content: str) -> list[tuple[str, str]]:
    """The (lastName, firstName) pairs Zotero creates from one ``citation_author`` tag."""
    authors = re.split(r"\s*;\s*", content)
    if len(authors) == 1:
        by_comma = re.split(r"\s*,\s*", authors[0])
        if len(by_comma) > 1 and " " in by_comma[0] and " " in by_comma[1]:
            authors = by_comma
    people = []
    for raw in authors:
        author = raw.strip()  # JavaScript's trim() removes no-break spaces as well
        if not author or not re.search(r"[^\s,\-.;]", author):
            continue
        people.append(clean_author(author, use_comma="," in author))
    return people


def clean_author(author: str, use_comma: bool) -> tuple[str, str]:
    author = re.sub(r"^[\s\u00a0.,/\[\]:]+", "", author)
    author = re.sub(r"[\s\u00a0.,/\[\]:]+$", "", author)
    author = re.sub(r"[\s\u00a0]+", " ", author, count=1)
    if use_comma:
        author = re.sub(r"\.([^ ])", r". \1", author, count=1)
        parts = re.split(r", ?", author)
        return parts[0], parts[1] if len(parts) > 1 else ""
    space = author.rfind(" ")
    return author[space + 1 :], author[:space] if space >= 0 else ""
