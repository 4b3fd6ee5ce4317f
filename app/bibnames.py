"""LaTeX in BibTeX values, and BibTeX name lists as structured names (CSL's name parts).

``latex_to_text`` decodes LaTeX to Unicode (only values that contain LaTeX: the decoder is slow);
``split_names`` turns ``A and B and others`` into ``Person`` values, splitting before decoding
(decoding first would break braced corporate names); ``Person`` renders a name for the API
(``sort_name``), Vancouver-like short forms (``short``) and ``citation_author`` tags that Zotero
reads as one person (``highwire_name``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

_LATEX_MARKERS = re.compile(r"[\\{}~$]|--|``|''")
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")


@lru_cache(maxsize=1)
def _latex_decoder():  # type: ignore[no-untyped-def]
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_text(value: str | None) -> str:
    """Decode LaTeX (accents, braces, ``--``, ``\\&``) to plain Unicode text.

    Values without LaTeX are returned unchanged: the decoder is slow and most fields are plain.
    Values whose only LaTeX is in the table of common constructs (``_common_latex``) are decoded
    from the table, to the same text; the rest by pylatexenc.
    """
    if not value:
        return ""
    if not _LATEX_MARKERS.search(value):
        return " ".join(value.split())
    # A bare % is the text's own percent sign ("{50% less}", as Google Scholar and many
    # hand-written files have it), not a LaTeX comment that would drop the rest of the line.
    value = _BARE_PERCENT.sub(r"\1\\%", value)
    text = _common_latex(value)
    if text is None:
        text = pylatexenc_text(value)
    return " ".join(text.split())


def pylatexenc_text(value: str) -> str:
    """``value`` decoded by pylatexenc (the reference for the table below), before white space
    is collapsed."""
    try:
        return str(_latex_decoder().latex_to_text(value))
    except Exception:  # pylatexenc on malformed input: fall back to stripping braces
        return value.replace("{", "").replace("}", "")


# The common LaTeX of bibliographies, decoded as pylatexenc decodes it (tests/test_latex_table.py
# compares the two on the corpus, generated data and random mixtures): an accent on one ASCII
# letter (\"o, \"{o}, {\"o}, {\"{o}}; letter-named accents such as \v{s} with braces only), an
# escaped special character (\&), en and em dashes. The letter and its combining mark are
# composed (NFC), as pylatexenc does.
_SYMBOL_ACCENTS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307", '"': "\u0308",
}  # fmt: skip
_LETTER_ACCENTS = {
    "u": "\u0306", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323", "c": "\u0327", "k": "\u0328",
    "b": "\u0331",
}  # fmt: skip
_ACCENTS = {**_SYMBOL_ACCENTS, **_LETTER_ACCENTS}
_SYM = "[`'^~=.\"]"
_LET = "[urHvdckb]"
_COMMON_LATEX = re.compile(
    rf"\{{\\({_SYM})([A-Za-z])\}}"  # {\"o}
    rf"|\{{\\({_SYM}|{_LET})\{{([A-Za-z])\}}\}}"  # {\"{o}}, {\v{s}}
    rf"|\\({_SYM}|{_LET})\{{([A-Za-z])\}}"  # \"{o}, \v{s}
    rf"|\\({_SYM})([A-Za-z])"  # \"o
    r"|\\([&%_$#])"  # \&
    r"|(---?)"  # dashes
)
_DASHES = {"--": "\u2013", "---": "\u2014"}
# What must not be left once the table's constructs are taken out: any other LaTeX, and the
# characters that pylatexenc joins across a group ({}) or turns into quotes.
_LEFT_OVER = re.compile(r"[\\$%~^&#_`]|''|[-'][{}]|[{}][-']")


def _common_latex(value: str) -> str | None:
    """``value`` decoded with the table above, or None when it holds anything else."""
    if _LEFT_OVER.search(_COMMON_LATEX.sub("\0", value)):
        return None
    return _COMMON_LATEX.sub(_decode_construct, value).replace("{", "").replace("}", "")


def _decode_construct(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g is not None]
    if len(groups) == 2:
        return unicodedata.normalize("NFC", groups[1] + _ACCENTS[groups[0]])
    return _DASHES.get(groups[0], groups[0])


@dataclass(frozen=True)
class Person:
    """A structured name, decoded to Unicode (CSL's name parts)."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van", "van der", "de": CSL's non-dropping-particle
    suffix: str = ""
    literal: str = ""  # a corporate author or an unsplittable name

    def sort_name(self) -> str:
        """'van Deursen, Robert W. M.', 'King, Martin Luther, Jr.', 'World Health Organization'."""
        if self.literal:
            return self.literal
        family = f"{self.particle} {self.family}".strip()
        return ", ".join(part for part in (family, self.given, self.suffix) if part)

    def highwire_name(self) -> str:
        """The name for a ``citation_author`` tag, read back as this one person by Zotero's
        Embedded Metadata translator and Google Scholar: 'Family, Given' with the suffix after
        the family name ('King Jr., Martin Luther', Zotero has no suffix field and keeps only
        the first two comma parts); a corporate name ends with a comma, so that it is one
        family name rather than 'Organization, World Health'. The translator splits a tag at its comma into two people
        when both halves contain a space ('van Deursen, Robert W. M.'): the family half's
        spaces are no-break spaces, which its split test does not see and its cleanAuthor
        turns back into a space.
        """
        if self.literal:  # 'World Health Organization,': read as one (family) name, not split
            return f"{self.literal}," if " " in self.literal else self.literal
        suffix = self.suffix.rstrip(".")  # 'Jr.,' would become 'Jr. ,' in Zotero's cleanAuthor
        family = " ".join(part for part in (self.particle, self.family, suffix) if part)
        if not self.given:
            return family
        if " " in family and " " in self.given:
            family = family.replace(" ", "\u00a0")
        return f"{family}, {self.given}"

    def short(self) -> str:
        """'van Deursen RWM'-style family name with initials."""
        if self.literal:
            return self.literal
        family = f"{self.particle} {self.family}".strip()
        initials = "".join(p[0] for p in re.split(r"[\s.\-]+", self.given) if p)
        return f"{family} {initials}".strip()

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Person:
        return cls(**{k: data.get(k, "") for k in ("family", "given", "particle", "suffix", "literal")})


OTHERS = Person(literal="others")


# An accent command outside braces (\'Ulfar, Sim\~{o}es): braced first, as BibTeX wants special
# characters, so that bibtexparser's splitter neither drops it (it lost "\'" before a name) nor
# takes the "~" of "\~{o}" for a tie between two words ("Sim oes").
_ACCENT = re.compile(r"(?<![{\\])\\[`'^\"~=.uvHcdbrkt]\s*(?:\{[^{}]*\}|[A-Za-z])")


def split_names(value: str | None) -> list[Person]:
    """Split a BibTeX name list (``A and B and others``) into decoded, structured names.

    Names are split before decoding (decoding first would break braced corporate names).
    """
    if not value or not value.strip():
        return []
    return [_person(raw.strip()) for raw in split_multiple_persons_names(_ACCENT.sub(r"{\g<0>}", value))]


@lru_cache(maxsize=32_768)  # the same people write many studies; a Person is immutable
def _person(raw: str) -> Person:
    """One name of a name list, decoded and structured."""
    if raw.lower() == "others":
        return OTHERS
    if raw.startswith("{") and raw.endswith("}") and _balanced_outer(raw):
        return Person(literal=latex_to_text(raw[1:-1]))
    try:
        parts = parse_single_name_into_parts(raw, strict=False)
    except Exception:
        return Person(literal=latex_to_text(raw))
    return Person(
        family=latex_to_text(" ".join(parts.last)),
        given=latex_to_text(" ".join(parts.first)),
        particle=latex_to_text(" ".join(parts.von)),
        suffix=latex_to_text(" ".join(parts.jr)),
    )


def _balanced_outer(raw: str) -> bool:
    depth = 0
    for i, ch in enumerate(raw):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(raw) - 1:
            return False
    return True


def names_to_text(people: Iterable[Person]) -> str:
    return ", ".join("et al." if p == OTHERS else p.sort_name() for p in people)
