"""Full-text search over claims: SQLite FTS5 or a PostgreSQL tsvector, the same results on both.

One tokeniser (``tokens``) makes the index and the queries: Unicode folded (accents, VO₂, curly
apostrophes, minus signs), numbers as single canonical tokens (``5.2``, ``5.20`` and ``5.2%`` match
as the number 5.2 with or without "percent"; signs and ranges as numbers), possessives and
contractions reduced (``TikTok's`` finds what ``TikTok`` finds), words stemmed with Snowball
English, "back" the adverb told from the body part by its neighbours (``_back_as_adverb``). The index holds those tokens (``index_text``), which both backends store as they are
(SQLite ``unicode61``, PostgreSQL ``simple``): no backend tokeniser, stemmer or stop list decides
what matches, so both match the same claims.

A query matches a claim when every query word (stop words dropped unless the query is nothing
else) or one of its curated synonyms from data/concepts.yaml ("retro" finds "backward") occurs
in it: the concept's first terms in the curated order, the same whichever of them was typed
("VO2max", "vo2 max", "vo 2 max", "V̇O₂" alike; a phrase of the vocabulary whose words are no
terms on their own counts as one word), and for a term of several concepts only what they share
("moonwalk", backward and walking, does not find every claim about walking); numbers and phrases match as adjacent tokens. A term of a concept's ``translations``
stands for the concept's English terms ("rodilla", "Knie", "genou" find what "knee" finds;
"dolor de rodilla" and "đau đầu gối" what "knee pain" finds): its words as concepts.yaml lists
them ("rodillas", "genoux"; Vietnamese words do not inflect), Japanese, Chinese and Korean terms
(``vocab.UNSPACED_LANGUAGES``) found inside the query's words ("膝の痛み" is knee and pain, "무릎이" the knee with its particle). Ranking is one rule on both backends
(``COLUMN_WEIGHTS``): 8 when the whole query matches inside the statement, plus 4 inside the
phrasings or who the claim is about (its population and ``tested_in``: ``who_texts``), 2 inside
the summary, 1 inside the caveats, and 16 more when the query's own words stand together in
that order in one of its texts (``EXACT_WEIGHT``: "steps back" finds "take a few steps back"
first); ties keep the order of claims.yaml.
Two operators (``parse_query``): ``OR`` (any case, or ``|``) between
alternatives and ``-word`` (or ``NOT word``) to leave out the claims holding a word; a population's terms expand
where no searched kind names the word (``FALLBACK_KINDS``). A query that finds nothing gets a
"did you mean" from the claims' own words (``suggest``), never applied silently.
User text is never passed raw to the query syntax (every term is quoted or bound). Snippets are
cut here from the claim's statement and summary, marking the matched words (a synonym of several words only
where they stand together: "elderly" marks "older adults", never a lone "adults") with sentinels that
``highlight_html`` turns into ``<mark>`` after escaping, so the data can never inject markup.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

import snowballstemmer
from markupsafe import Markup

from app.vocab import UNSPACED_LANGUAGES

MARK_START, MARK_END = "\x02", "\x03"
MAX_TERMS = 12
MAX_QUERY_CHARS = 500


def normalise(value: str) -> str:
    """Lower case, accents folded, compatibility forms unified (VO₂ -> vo2, ’ -> ', − -> -)."""
    value = unicodedata.normalize("NFKC", value).lower()
    if value.isascii():  # most text: nothing more to fold
        return value
    value = value.translate(_UNIFY)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_UNIFY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-"})

# PostgreSQL's English stop words. The index keeps every word (so phrases keep their positions
# on both backends); queries drop these ("the knee" = "knee"; a query of only these words is no
# query and lists every claim).
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves""".split()
)

# A number (sign only at the start of a word, thousands separators, a decimal part) not glued to
# letters, a percent sign or "per cent", or a word with apostrophes inside.
_TOKEN = re.compile(
    r"(?P<num>(?:(?<![\w.])[-+](?=\d))?\d+(?:,\d{3})*(?:\.\d+)?)(?![^\W\d_])(?P<pct>\s*(?:%|per\s*cent\b))?"
    r"|(?P<word>[^\W_]+(?:'[^\W_]+)*)"
)
_CONTRACTIONS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "am"}  # can't, won't, shan't, ain't


@dataclass(frozen=True)
class Token:
    """One searchable token of a text: ``surface`` (normalised word or number), ``term`` (what
    the index holds: the Snowball English stem, or a number's canonical form) and where it was."""

    surface: str
    term: str
    start: int
    end: int


def tokens(text: str, *, stemmed: bool = True) -> list[Token]:
    """The searchable tokens of a text, in order, the same for the index and for queries.

    - Numbers are single tokens, compared as numbers: ``5.2`` and ``5.20`` are ``5p2``,
      ``2.0`` is ``2``, ``1,500`` is ``1500``; a sign adds ``neg5p2`` before ``5p2`` (so "-5.2"
      finds only the negative, "5.2" both); ``5.2%``, ``5.2 percent`` and ``5.2 per cent`` add
      ``percent``; a range ``1.5-2.0`` is its two numbers.
    - Apostrophes: a possessive is its word (``TikTok's``, ``experts'`` -> tiktok, expert);
      ``n't`` is "not" (``can't``, ``cannot`` -> can not); ``'re 've 'll 'd 'm`` are dropped; an
      apostrophe inside a name joins it (``O'Brien`` -> obrien).
    - Words are stemmed (Snowball English: knees -> knee, walking -> walk); not with
      ``stemmed`` false (the term is the surface).
    """
    text = normalise(text)
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if match["num"]:
            raw = match["num"]
            magnitude = _number(raw.lstrip("+-"))
            if raw.startswith("-"):
                found.append(Token(raw, "neg" + magnitude, start, end))
            found.append(Token(raw, magnitude, start, end))
            if match["pct"]:
                found.append(Token("percent", "percent", start, end))
            continue
        for surface in _words(match["word"]):
            term = stem(surface) if stemmed and not surface.isdigit() else surface
            found.append(Token(surface, term, start, end))
    if stemmed:
        found = _back_as_adverb(found)
    return found


#: "back" is the body part after these words ("my back", "lower back", "a sore back")...
_BACK_BEFORE = frozenset(
    """my your his her their our its the a lower low upper mid middle bad sore stiff aching achy
    injured hurt painful whole""".split()
)
#: ... or before these ("back pain", "back muscles", "back site", "back and knee pain", "back hurts").
_BACK_AFTER = frozenset(
    """pain pains ache aches aching achy problem problems injury injuries muscle muscles site sites
    spasm spasms surgery issue issues health strength extensor extensors stiffness trouble
    troubles condition conditions complaint complaints disorder disorders hurts hurt hurting
    ached""".split()
)
#: Body parts named with it ("knee and back", "back or neck").
_BODY_PARTS = frozenset(
    "knee knees neck hip hips leg legs shoulder shoulders joint joints ankle ankles spine foot feet".split()
)
_BACK_WORD = re.compile(r"\bbacks?\b")
#: The index term of "back" the adverb, which no word typed as "back" alone matches.
BACK_ADVERB = "backadv"


def _back_as_adverb(found: list[Token]) -> list[Token]:
    """ "back" is the body part ("low back pain", "my back", "knee or back", and "back" typed on
    its own: what a reader searching it means) or an adverb ("get your extension back", "take a
    few steps back", "scale your training back", "walk back to the car", "back and forth"): the
    adverb's term is ``BACK_ADVERB``, so "back" finds back pain, not every "get it back", and
    "walking back" or "steps back" still find their words (the query is read by the same rule).
    The adverb is a "back" with words around it none of which makes it the body part."""
    if not any(t.surface in ("back", "backs") for t in found):
        return found
    out = list(found)
    for i, token in enumerate(found):
        if token.surface not in ("back", "backs"):
            continue
        before = found[i - 1].surface if i else None
        after = found[i + 1].surface if i + 1 < len(found) else None
        if before is None and after is None:
            continue  # "back" on its own: the body part
        two_before = found[i - 2].surface if i > 1 else None
        two_after = found[i + 2].surface if i + 2 < len(found) else None
        body = (
            before in _BACK_BEFORE
            or before in _BODY_PARTS
            or after in _BACK_AFTER
            or (before in ("and", "or") and two_before in _BODY_PARTS)
            or (after in ("and", "or") and (two_after in _BODY_PARTS or two_after in _BACK_AFTER))
        )
        if not body:
            out[i] = Token(token.surface, BACK_ADVERB, token.start, token.end)
    return out


def _number(digits: str) -> str:
    whole, _, fraction = digits.replace(",", "").partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}p{fraction}" if fraction else whole


def _words(word: str) -> list[str]:
    if word == "cannot":
        return ["can", "not"]
    if "'" not in word:
        return [word]
    base, _, tail = word.rpartition("'")
    if tail == "t" and base.endswith("n"):  # can't, don't, isn't, won't
        stem_ = base[:-1]
        return [_CONTRACTIONS.get(stem_, stem_), "not"] if stem_ else ["not"]
    if tail in ("s", "re", "ve", "ll", "d", "m"):
        return [base.replace("'", "")]
    return [word.replace("'", "")]


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    if not _LATIN_LETTER.search(word):  # Snowball English changes only words with a-z in them
        return word
    with _stem_lock:
        return str(_STEMMER.stemWord(word))


_LATIN_LETTER = re.compile("[a-z]")


_STEMMER = snowballstemmer.stemmer("english")
_stem_lock = threading.Lock()  # snowballstemmer keeps state while it stems


def index_text(text: str) -> str:
    """What the search index holds for a text: its tokens' terms, space-separated (both backends
    index them without further stemming or stop words: SQLite ``unicode61``, PostgreSQL ``simple``).

    The same terms as ``tokens`` (a test checks it), without building a Token per word: the build
    runs this over every claim's texts.
    """
    normalised = normalise(text)
    if _BACK_WORD.search(normalised):  # "back" the adverb or the body part: read in context
        return " ".join(t.term for t in tokens(text))
    out: list[str] = []
    for match in _TOKEN.finditer(normalised):
        raw = match["num"]
        if raw:
            magnitude = _number(raw.lstrip("+-"))
            if raw.startswith("-"):
                out.append("neg" + magnitude)
            out.append(magnitude)
            if match["pct"]:
                out.append("percent")
        else:
            out.extend(_word_terms(match["word"]))
    return " ".join(out)


_term_cache: dict[str, tuple[str, ...]] = {}


def _word_terms(word: str) -> tuple[str, ...]:
    cached = _term_cache.get(word)
    if cached is None:
        cached = tuple(w if w.isdigit() else stem(w) for w in _words(word))
        if len(_term_cache) < 200_000:
            _term_cache[word] = cached
    return cached


def query_terms(q: str) -> list[str]:
    """The searchable words of a query: normalised surfaces, stopwords dropped, at most ``MAX_TERMS``."""
    return [t.surface for t in _query_tokens(q)]


def _query_tokens(q: str) -> list[Token]:
    """The query's tokens without stop words; a query of stop words only keeps them ("can't")."""
    found = tokens(q[:MAX_QUERY_CHARS])
    return ([t for t in found if t.surface not in STOPWORDS] or found)[:MAX_TERMS]


#: The concept kinds search expands: what a claim is about (not certainty words).
SEARCHED_KINDS = frozenset({"topic", "activity", "outcome", "body", "intervention"})
#: Kinds whose terms search expands only where no searched kind names the term: a population
#: ("elderly", "seniors", "over 65" find "older adults") never narrows what a word of a claim's
#: subject matches ("osteoarthritis" keeps its condition's synonyms).
FALLBACK_KINDS = frozenset({"population"})
#: English options a translated term stands for: its concept's first terms, in the curated order.
MAX_OPTIONS = 8
_WORD = re.compile(r"[^\W_]+")
#: A translation: the term as written and the English terms (index form) it stands for.
Translation = tuple[str, tuple[str, ...]]


def _unspaced(text: str) -> str:
    """Japanese, Chinese and Korean as compared: NFKC, lower case, nothing folded (a Hangul
    syllable stays whole and a kana keeps its voicing mark, which ``normalise`` would split off)."""
    return unicodedata.normalize("NFKC", text).lower()


def _surfaces(text: str) -> tuple[str, ...]:
    """The words of ``text`` as ``tokens`` gives their ``surface``, without stemming them."""
    return tuple(t.surface for t in tokens(text, stemmed=False))


@dataclass(frozen=True)
class SynonymIndex:
    """What a query word may also match, from the concept list, all in index form (``index_text``).

    ``groups``: an English term (a word, or a phrase of which some word is no term on its own:
    "vo2 max", "vo 2 max") -> the terms/phrases it stands for (``_options``). ``translated``: the
    words of a term of a concept's ``translations`` as written (``normalise``d, unstemmed:
    concepts.yaml lists the forms, "rodilla", "rodillas") -> its ``Translation``s;
    ``unspaced``: the same for Japanese, Chinese and Korean terms (``_unspaced``), found inside
    the query's words (``unspaced_starts``: first character -> terms, longest first).
    ``english``: every word of the English terms, which tells a translation written in English
    words (the hashtags "retrowalking", "backward walking"; "treadmill", "training") from the
    others: it is left to the English reading, which it would narrow ("walking backward" must
    still hold both words) or widen.
    """

    groups: dict[str, tuple[str, ...]]
    translated: dict[tuple[str, ...], tuple[Translation, ...]] = field(default_factory=dict)
    unspaced: dict[str, tuple[Translation, ...]] = field(default_factory=dict)
    unspaced_starts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    english: frozenset[str] = frozenset()

    @classmethod
    def from_concepts(
        cls, concepts: Iterable[tuple[str, list[str], Mapping[str, list[str]]]]
    ) -> SynonymIndex:
        """From ``(kind, terms, translations)`` per concept (``models.Concept``). Translations are
        only filed here (no stemming: a few milliseconds); ``options`` reads one when a query
        holds it."""
        named: dict[str, list[tuple[str, ...]]] = {}  # a term -> the term lists of its concepts
        translated: dict[tuple[str, ...], list[Translation]] = {}
        unspaced: dict[str, list[Translation]] = {}
        english: set[str] = set()
        fallback: dict[str, list[tuple[str, ...]]] = {}
        for kind, terms, translations in concepts:
            if kind in FALLBACK_KINDS:
                _file_terms(terms, fallback)
                continue
            if kind not in SEARCHED_KINDS:
                continue
            unique = _file_terms(terms, named)
            english.update(w for p in unique for w in p.split())
            for code, foreign in translations.items():
                for term in foreign:
                    if code not in UNSPACED_LANGUAGES:
                        translated.setdefault(_surfaces(term), []).append((term, unique))
                    elif not re.search(
                        "[a-z]", key := _unspaced(term).strip()
                    ):  # never "retro" in "retrospective"
                        unspaced.setdefault(key, []).append((term, unique))
        for phrase, lists in fallback.items():
            named.setdefault(phrase, lists)
        starts: dict[str, list[str]] = {}
        for key in unspaced:
            starts.setdefault(key[0], []).append(key)
        words = {term for term in named if " " not in term}
        return cls(
            {
                term: _options(term, lists)
                for term, lists in named.items()
                if " " not in term or not set(term.split()) <= words
            },
            {k: _shared(v) for k, v in translated.items() if k},
            {k: _shared(v) for k, v in unspaced.items() if k},
            {c: tuple(sorted(keys, key=len, reverse=True)) for c, keys in starts.items()},
            frozenset(english),
        )

    def expand(self, term: str) -> tuple[str, ...]:
        return self.groups.get(term, (term,))

    def options(self, found: Iterable[Translation]) -> tuple[str, ...]:
        """What translations found in a query match: each term in index form and the English
        terms it stands for; () when every one is written in English words."""
        out: list[str] = []
        for term, stands_for in found:
            literal = index_text(term)
            if literal and not set(literal.split()) <= self.english:
                out += [literal, *stands_for]
        return tuple(dict.fromkeys(out))


def _file_terms(terms: list[str], named: dict[str, list[tuple[str, ...]]]) -> tuple[str, ...]:
    """A concept's terms in index form, once each, filed under each of them in ``named``."""
    unique = tuple(dict.fromkeys(p for p in (index_text(t.lstrip("#")) for t in terms) if p))
    for phrase in unique:
        named.setdefault(phrase, []).append(unique)
    return unique


def _options(term: str, lists: list[tuple[str, ...]]) -> tuple[str, ...]:
    """What a query's ``term`` matches: itself, then the terms of its concept in the curated
    order, at most ``MAX_OPTIONS`` (the same options whichever of a concept's first terms was
    typed: "VO2max", "vo2 max" and "VO₂" find the same claims). A term of several concepts
    matches only the terms it shares them with: "moonwalk", a term of both ``backward`` and
    ``walking``, means neither on its own, and the union found every claim with "walk" or
    "backward" in it; "help" (``pain-relief`` and ``improvement``) keeps what both call help."""
    shared = [t for t in lists[0] if all(t in other for other in lists[1:])]
    return tuple(dict.fromkeys([term, *shared]))[:MAX_OPTIONS]


def _shared(found: list[Translation]) -> tuple[Translation, ...]:
    """A translation listed under several concepts stands for what they share, as an English
    term does (``_options``): "calorías", in ``energy-cost`` and ``calorie-burn`` like
    "calories", stands for the calorie terms both list, not for every term of either (the union
    took energy-cost's heart rate and oxygen terms, and "calorías" found twice the claims
    "calories" finds). ``found``: (term as written, its concept's terms) per concept listing it;
    gives (term, at most ``MAX_OPTIONS`` English terms) per distinct term."""
    lists: dict[str, list[tuple[str, ...]]] = {}
    for term, terms in found:
        lists.setdefault(term, []).append(terms)
    out: list[Translation] = []
    for term, concepts in lists.items():
        shared = [t for t in concepts[0] if all(t in other for other in concepts[1:])]
        # Concepts with no term in common keep each its own (a word of two unrelated senses).
        out += [(term, tuple(t)[:MAX_OPTIONS]) for t in ([shared] if shared else concepts)]
    return tuple(out)


EMPTY_SYNONYMS = SynonymIndex({})


def query_groups(q: str, synonyms: SynonymIndex = EMPTY_SYNONYMS) -> list[tuple[str, ...]]:
    """What a claim must hold to match ``q``: one group per query word or translated phrase,
    each a tuple of options in index form (a word, or a phrase whose words must be adjacent), of
    which one must occur; at most ``MAX_TERMS`` groups, the query cut at ``MAX_QUERY_CHARS``.

    First the Japanese, Chinese and Korean terms inside the query's words (leftmost, longest
    first; a word holding one is used up, particles and endings with it), then the other
    translations (the longest at each word; its words are used up), then every other word with
    its English synonyms, stop words dropped unless nothing else is left."""
    text = q[:MAX_QUERY_CHARS]
    found: list[tuple[str, ...]] = []
    if synonyms.unspaced_starts:
        text, found = _take_unspaced(_unspaced(text), synonyms)
    words = tokens(text)
    plain: list[Token] = []
    i = 0
    while i < len(words):
        size, options = _translated_at(words, i, synonyms)
        if not size:
            size, options = _phrase_at(words, i, synonyms)
        if size:
            found.append(options)
            i += size
        else:
            plain.append(words[i])
            i += 1
    kept = [t for t in plain if t.surface not in STOPWORDS] or ([] if found else plain)
    found += [synonyms.expand(t.term) for t in kept]
    return found[:MAX_TERMS]


def _take_unspaced(text: str, synonyms: SynonymIndex) -> tuple[str, list[tuple[str, ...]]]:
    """The groups of the unspaced-script terms in ``text`` (``_unspaced`` form), and the text
    without the words that hold them."""
    found: list[tuple[str, ...]] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        key = next((k for k in synonyms.unspaced_starts.get(text[i], ()) if text.startswith(k, i)), None)
        options = synonyms.options(synonyms.unspaced[key]) if key else ()
        if not (key and options):
            i += 1
            continue
        found.append(options)
        spans.append((i, i + len(key)))
        i += len(key)
    used = [m.span() for m in _WORD.finditer(text) if any(s < m.end() and m.start() < e for s, e in spans)]
    for start, end in reversed(used):
        text = text[:start] + " " * (end - start) + text[end:]
    return text, found


def _translated_at(words: list[Token], i: int, synonyms: SynonymIndex) -> tuple[int, tuple[str, ...]]:
    """The longest translation starting at ``words[i]``: (its length in words, its options);
    (0, ()) when none does."""
    if not synonyms.translated:
        return 0, ()
    surfaces = tuple(t.surface for t in words[i : i + _LONGEST_PHRASE])
    for size in range(len(surfaces), 0, -1):
        found = synonyms.translated.get(surfaces[:size])
        if found and (options := synonyms.options(found)):
            return size, options
    return 0, ()


def _phrase_at(words: list[Token], i: int, synonyms: SynonymIndex) -> tuple[int, tuple[str, ...]]:
    """The longest English phrase of the vocabulary starting at ``words[i]`` that its words do
    not make on their own ("vo2 max": "max" is no term; not "knee pain", knee and pain are):
    (its length in words, its options); (0, ()) when none does."""
    terms = [t.term for t in words[i : i + _LONGEST_PHRASE]]
    for size in range(len(terms), 1, -1):
        options = synonyms.groups.get(" ".join(terms[:size]))
        if options:
            return size, options
    return 0, ()


#: The most words a translated term is looked up with (the longest in concepts.yaml has 6).
_LONGEST_PHRASE = 8

#: The ranking rule (one, both backends): a claim scores 8 when the whole query matches inside
#: its statement, 4 inside its phrasings or who it is about (``who_texts``), 2 inside its
#: summary, 1 inside its caveats (added up), and ``EXACT_WEIGHT`` more for the query as typed found
#: as a phrase; higher first, then the curated order of claims.yaml.
COLUMN_WEIGHTS = (("statement", "a", 8), ("phrasings", "b", 4), ("summary", "c", 2), ("caveats", "d", 1))


def who_texts(phrasings: list[str], population: str, tested_in: list[str]) -> list[str]:
    """What the index's phrasings column holds: the claim's phrasings, then who it is about, its
    ``population`` and the population concepts it was tested in (``tested_in``: ids such as
    ``older-adults``, read as their words). So "elderly" ranks a claim tested in older adults
    above one whose summary or caveats only mention them ("says nothing about older adults"):
    a population is no statement, and PostgreSQL has four weights for the four columns."""
    return [*phrasings, population, *(p.replace("-", " ") for p in tested_in)]


@dataclass
class SearchQuery:
    """A compiled query: SQL producing (key, rank) rows (lower rank first), its parameters, and
    the terms a snippet marks.

    The key is the claim id, or with ``by_position`` the claim's position (SQLite: the FTS rowid,
    which is read without loading each matching row's text).
    """

    sql: str
    params: dict[str, object]
    marks: frozenset[str]
    by_position: bool = False


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


#: Between two parts of a query, either may match: "knee OR back", "knee or back", "knee | back".
_OR = re.compile(r"\s+(?:or|\|)\s+", re.IGNORECASE)
#: A word that a match must not hold: a minus before a letter at the start of a word ("knee
#: -pain"); "-0.87" stays a negative number, "post-op" and "x-ray" one word.
_EXCLUDED = re.compile(r"(?:(?<=\s)|^)[-\u2212](?=[^\W\d_])(\S+)")
#: The same written as a word, in capitals as in Google's and Lucene's syntax ("knee NOT pain",
#: "NOT pain"): a lower-case "not" is a word of the query ("does not work").
_NOT = re.compile(r"(?:(?<=\s)|^)NOT\s+(?=[^\W\d_])(\S+)")
#: The most alternatives a query's ORs give.
MAX_ALTERNATIVES = 8


@dataclass(frozen=True)
class ParsedQuery:
    """A query read with its operators: ``alternatives`` (OR: a claim matches one of them), each
    the groups of ``query_groups`` (AND); ``excluded`` the groups of the words written with a
    minus (a claim holding any of them, or a synonym, is left out)."""

    alternatives: list[list[tuple[str, ...]]]
    excluded: list[tuple[str, ...]]


def parse_query(q: str, synonyms: SynonymIndex = EMPTY_SYNONYMS) -> ParsedQuery:
    """``q`` read with the two operators of common search boxes: ``OR`` (any case, or ``|``)
    between alternatives, and ``-word`` (or ``NOT word``, in capitals) to leave out the claims
    holding that word (or one of its synonyms). Everything else is ``query_groups``: every word must match."""
    text = q[:MAX_QUERY_CHARS]
    excluded: list[tuple[str, ...]] = []
    for operator in (_NOT, _EXCLUDED):
        for match in operator.finditer(text):
            excluded += query_groups(match[1], synonyms)
        text = operator.sub(" ", text)
    alternatives = [groups for part in _OR.split(text) if (groups := query_groups(part, synonyms))]
    return ParsedQuery(alternatives[:MAX_ALTERNATIVES], excluded[:MAX_TERMS])


def compile_query(q: str, dialect: str, synonyms: SynonymIndex = EMPTY_SYNONYMS) -> SearchQuery | None:
    """Every query token must match (a synonym or a phrase of the concept list counts), in one
    of the query's alternatives (``OR``), and no excluded word (``-word``: ``parse_query``); a
    number or phrase matches as adjacent terms (the index is pre-tokenised: no text search
    configuration). A query of excluded words only matches every claim without them."""
    parsed = parse_query(q, synonyms)
    if not parsed.alternatives and not parsed.excluded:
        return None
    # what a snippet marks: each option as a whole, a phrase only where all its words stand
    # together ("older adults" marks no lone "adults", "knee pain" no lone "pain")
    marks = frozenset(option for groups in parsed.alternatives for group in groups for option in group)
    exact = exact_phrase(q)
    if dialect == "sqlite":
        return _sqlite_query(parsed, marks, exact)
    # PostgreSQL: the column rule as weight-restricted copies of the query ('pain':A matches
    # "pain" only in the statement), tested on the row the index found; much cheaper than
    # ts_filter, which builds a filtered tsvector per column and row (8 -> 1.5 ms for a word in
    # 1,600 of 10,000 claims). Each query text is parsed by to_tsquery with the configuration
    # that made the index, so a term is split and normalised as the index's words were; once
    # per search: the subquery is fenced (OFFSET 0) so that a prepared statement's generic plan
    # does not inline to_tsquery into every row (3x the cost of the search).
    params: dict[str, object] = {}
    where: list[str] = []
    score = "0"
    if parsed.alternatives:
        params["q"] = _tsquery_any(parsed.alternatives, "")
        params.update(
            {letter: _tsquery_any(parsed.alternatives, letter.upper()) for _, letter, _ in COLUMN_WEIGHTS}
        )
        where.append("document @@ query_q")
        score = " + ".join(
            f"{weight} * (document @@ query_{letter})::int" for _, letter, weight in COLUMN_WEIGHTS
        )
        if exact:
            params["e"] = " <-> ".join(_lexeme(word, "") for word in exact.split())
            score += f" + {EXACT_WEIGHT} * (document @@ query_e)::int"
    if parsed.excluded:
        params["x"] = " | ".join(f"({_tsquery([group], '')})" for group in parsed.excluded)
        where.append("NOT (document @@ query_x)")
    queries = ", ".join(f"to_tsquery('simple', :{name}) AS query_{name}" for name in params)
    sql = (
        f"SELECT claim_id, -({score}) AS rank "
        f"FROM (SELECT {queries} OFFSET 0) queries, claim_search WHERE {' AND '.join(where)}"
    )
    return SearchQuery(sql, params, marks)


def _fts_groups(groups: list[tuple[str, ...]], joiner: str) -> str:
    return joiner.join(
        "(" + " OR ".join(_fts_phrase(o) for o in group) + ")" if len(group) > 1 else _fts_phrase(group[0])
        for group in groups
    )


def _sqlite_query(parsed: ParsedQuery, marks: frozenset[str], exact: str | None = None) -> SearchQuery:
    excluded = _fts_groups(parsed.excluded, " OR ") if parsed.excluded else ""
    if not parsed.alternatives:  # only excluded words: every claim without them, curated order
        sql = (
            "SELECT rowid, 0 AS rank FROM claim_search "
            "WHERE rowid NOT IN (SELECT rowid FROM claim_search WHERE claim_search MATCH :exclude)"
        )
        return SearchQuery(sql, {"exclude": excluded}, marks, by_position=True)
    wanted = " OR ".join(f"({_fts_groups(groups, ' AND ')})" for groups in parsed.alternatives)
    match = f"({wanted}) NOT ({excluded})" if excluded else wanted
    score = " + ".join(
        f"{weight} * (rowid IN (SELECT rowid FROM claim_search WHERE claim_search MATCH :{letter}))"
        for _, letter, weight in COLUMN_WEIGHTS
    )
    params: dict[str, object] = {"match": match}
    params.update({letter: f"{column} : ({wanted})" for column, letter, _ in COLUMN_WEIGHTS})
    if exact:
        params["exact"] = _fts_phrase(exact)
        score += (
            f" + {EXACT_WEIGHT} * (rowid IN (SELECT rowid FROM claim_search WHERE claim_search MATCH :exact))"
        )
    sql = f"SELECT rowid, -({score}) AS rank FROM claim_search WHERE claim_search MATCH :match"
    return SearchQuery(sql, params, marks, by_position=True)


def _tsquery_any(alternatives: list[list[tuple[str, ...]]], weight: str) -> str:
    """A tsquery text for any one of the alternatives (``|``), each ``_tsquery``."""
    if len(alternatives) == 1:
        return _tsquery(alternatives[0], weight)
    return " | ".join(f"({_tsquery(groups, weight)})" for groups in alternatives)


def _tsquery(groups: list[tuple[str, ...]], weight: str) -> str:
    """A tsquery text: every group must match (AND), one of its options (OR), an option's words
    adjacent (``<->``); each lexeme quoted and, with ``weight``, restricted to that weight."""
    return " & ".join(
        "("
        + " | ".join("(" + " <-> ".join(_lexeme(w, weight) for w in option.split()) + ")" for option in group)
        + ")"
        for group in groups
    )


def _lexeme(word: str, weight: str) -> str:
    """A tsquery lexeme, quoted and, with ``weight``, restricted to that weight."""
    suffix = f":{weight}" if weight else ""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + suffix


#: What a claim adds to its rank when the query's own words, as typed (stop words, "back" the
#: adverb and all), stand together in that order in one of its texts: "steps back" ranks the
#: claim people put as "take a few steps back" above those matching "steps" and "back" apart.
EXACT_WEIGHT = 16


def exact_phrase(q: str) -> str | None:
    """The query as one phrase of index terms (``EXACT_WEIGHT`` ranks it), for a query of two
    words or more without operators; None otherwise."""
    text = q[:MAX_QUERY_CHARS]
    if _OR.search(text) or _EXCLUDED.search(text) or _NOT.search(text):
        return None
    terms = index_text(text).split()
    return " ".join(terms) if 1 < len(terms) <= MAX_TERMS else None


@dataclass(frozen=True)
class Snippet:
    """What a search found in one claim, with the match sentinels: ``text`` from its statement
    and summary, ``phrasing`` the one of its phrasings (what people say) that matches most query
    terms (None: none matches any)."""

    text: str
    phrasing: str | None


def claim_snippet(statement: str, summary: str, phrasings: list[str], marks: frozenset[str]) -> Snippet:
    """The marked snippet of one claim (statement, then summary) and its best-matching phrasing;
    made here, not by the database, so both backends agree."""
    return Snippet(snippet(f"{statement} … {summary}", marks), best_phrasing(phrasings, marks))


def best_phrasing(phrasings: list[str], marks: frozenset[str]) -> str | None:
    """The phrasing with the most distinct query terms in it (the first of equals), marked."""
    best, best_count = None, 0
    for phrasing in phrasings:
        count = len(_matched(phrasing, marks)[1])
        if count > best_count:
            best, best_count = phrasing, count
    return snippet(best, marks, words=40) if best is not None else None


def snippet(text_: str, marks: frozenset[str], words: int = 30) -> str:
    """About ``words`` words of ``text_`` from a little before its first match; each word (as
    split at spaces) inside a match is put between the sentinels. ``marks`` are index terms and
    phrases of them (a synonym of several words: "older adults"), a phrase matching only where
    its terms stand together, as the search matched it."""
    pieces = text_.split()
    hits = _matched(text_, marks)[0]
    first = max(0, hits[0] - 8) if hits else 0
    chosen = range(first, min(len(pieces), first + words))
    marked = [f"{MARK_START}{pieces[i]}{MARK_END}" if i in hits else pieces[i] for i in chosen]
    return ("…" if first else "") + " ".join(marked) + ("…" if chosen.stop < len(pieces) else "")


def _matched(text_: str, marks: frozenset[str]) -> tuple[list[int], frozenset[str]]:
    """Which space-split words of ``text_`` are inside an occurrence of a mark (in order), and
    which marks occur."""
    terms = _piece_terms(text_)
    by_first = _by_first_term(marks)
    hits: set[int] = set()
    found: set[str] = set()
    for k, (term, _) in enumerate(terms):
        for mark, want in by_first.get(term, ()):
            end = k + len(want)
            if end <= len(terms) and all(terms[k + j][0] == want[j] for j in range(1, len(want))):
                hits.update(terms[j][1] for j in range(k, end))
                found.add(mark)
    return sorted(hits), frozenset(found)


@functools.lru_cache(maxsize=1024)
def _by_first_term(marks: frozenset[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """The marks by their first term: (the mark, its terms)."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for mark in marks:
        want = mark.split()
        if want:
            out.setdefault(want[0], []).append((mark, want))
    return out


@functools.lru_cache(maxsize=65_536)
def _piece_terms(text_: str) -> tuple[tuple[str, int], ...]:
    """The index terms of ``text_`` in order, each with the number of the space-split word it is
    in; read as one text, so "back" is told the adverb or the body part by its neighbours."""
    pieces = [normalise(piece) for piece in text_.split()]
    joined = " ".join(pieces)
    starts: list[int] = []
    at = 0
    for piece in pieces:
        starts.append(at)
        at += len(piece) + 1
    if normalise(joined) != joined:  # normalising changed the text again: word by word
        return tuple((term, i) for i, piece in enumerate(pieces) for term in index_text(piece).split())
    return tuple((t.term, bisect.bisect_right(starts, t.start) - 1) for t in tokens(joined))


def highlight_html(snippet: str) -> Markup:
    """Escape a snippet, then turn the match sentinels into ``<mark>`` elements."""
    escaped = escape(snippet.replace(MARK_END + " " + MARK_START, " "), quote=False)
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def plain_snippet(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


# --- "did you mean": a query corrected from the index's own words ----------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The words of the searched texts (statements, phrasings, summaries, caveats) as typed
    (``normalise``d, unstemmed) with how often each occurs, and the index terms they make."""

    counts: dict[str, int]
    terms: frozenset[str]

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        counts: dict[str, int] = {}
        for text_ in texts:
            for token in tokens(text_, stemmed=False):
                if token.surface.isalpha():
                    counts[token.surface] = counts.get(token.surface, 0) + 1
        return cls(counts, frozenset(stem(w) for w in counts))


def allowed_edits(word: str) -> int:
    """How many edits a correction of ``word`` may make, as Elasticsearch's ``fuzziness: AUTO``
    allows: none for 1-2 letters, one for 3-5, two for longer words."""
    return 0 if len(word) < 3 else 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbouring
    letters, "pian" for "pain", is one edit), or ``limit + 1`` once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def correct_word(word: str, vocabulary: Vocabulary) -> str | None:
    """The word of the vocabulary ``word`` was most likely meant to be: fewest edits
    (``allowed_edits``), then the same first letter (typos are rarely there: "kne" is "knee",
    not "one"), then the most frequent; None when none is close enough."""
    limit = allowed_edits(word)
    best: tuple[int, bool, int, str] | None = None
    for candidate, count in vocabulary.counts.items():
        distance = edit_distance(word, candidate, limit)
        if distance > limit:
            continue
        key = (distance, candidate[0] != word[0], -count, candidate)
        if best is None or key < best:
            best = key
    return best[3] if best else None


def suggest(q: str, vocabulary: Vocabulary, synonyms: SynonymIndex = EMPTY_SYNONYMS) -> str | None:
    """``q`` with each word that neither the index nor the concept list knows replaced by the
    closest word of the index (``correct_word``), operators kept ("kne pian" -> "knee pain",
    "osteoarthritus" -> "osteoarthritis"); None when no word changes. The query is given in
    its compared form (lower case, accents folded)."""
    text = normalise(q[:MAX_QUERY_CHARS])
    known = vocabulary.terms | synonyms.groups.keys()
    changes: list[tuple[int, int, str]] = []
    for token in tokens(text):
        surface = token.surface
        if (
            not surface.isalpha()
            or surface in STOPWORDS
            or token.term in known
            or (surface,) in synonyms.translated
        ):
            continue
        corrected = correct_word(surface, vocabulary)
        if corrected and corrected != surface:
            changes.append((token.start, token.end, corrected))
    if not changes:
        return None
    for start, end, corrected in reversed(changes):
        text = text[:start] + corrected + text[end:]
    return " ".join(text.split())
