"""Turning the way people write into comparable features (tokens, concepts, words).

Posts are messy: hashtags (``#BackwardWalking``, ``#kneepainrelief``), emoji, misspellings,
``VO₂ max``/``vo2``, slang. ``Analyzer`` normalises and tokenises text (keeping offsets into the
original, so a match can point at the words that made it), segments glued hashtags, corrects
near-misses against the known vocabulary, stems, and finds the curated concepts of
data/concepts.yaml. Every other content word becomes a feature of its own, so claims on topics
no concept covers still match on their words.

Japanese and Chinese put no spaces between words, so their scripts (kanji/hanzi, hiragana,
katakana) are read one character at a time: a term such as 後ろ歩き or 倒着走 is then a sequence of
one-character tokens, found like any multi-word term, with no stemmer (``language=None``).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import snowballstemmer


def _mark_ranges() -> str:
    """A regex character class body of every combining mark (Unicode categories Mn, Mc, Me) up to
    the supplementary planes' end of marks (U+0300-U+1FFFF) and the variation selectors supplement
    (U+E0100-U+E01EF), as ranges."""
    span = (*range(0x300, 0x20000), *range(0xE0100, 0xE01F0))
    codes = [c for c in span if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


# A letter may carry combining marks, which are not word characters to ``re``: the vowel signs and
# viramas of the Indic scripts (a bare [^\W_]+ cut "चलना", walking, at its "ा") and the accents of
# text in decomposed form (NFD, as pasted from some macOS and web sources: "atra\u0301s" was cut
# into "atra" and "s"). ``fold`` drops the accents, so "atrás" in either form is "atras"; the
# offsets stay those of the text as sent.
_MARKS = _mark_ranges()
_LETTERS = rf"[^\W_](?:[^\W_]|[{_MARKS}])*"
_TOKEN = re.compile(rf"#?{_LETTERS}(?:['’]{_LETTERS})*|%", re.UNICODE)
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")  # capitals and a plural s: one word (``camel_parts``)
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[\d₀-₉]+(?:\.\d+)?")
# A term's word "N" (capital, alone) stands for any number written in digits ("lose N kg" matches
# "lose 10 kg"); lower-case "n" and digits ("over 60", "vo 2 max") match as written.
NUMBER_WORD = "N"
_NUMBER = "\x00number"  # the stem a term's "N" gets; no word stems to it
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
# Scripts written without spaces between words, read one character per token: the CJK iteration
# and closing marks (々 〆 〇 〻), hiragana and katakana with the prolonged sound mark (ー), katakana
# extensions, CJK ideographs (extension A, unified, compatibility) and half-width katakana. Hangul
# syllables too: Korean has spaces, but its particles and endings are glued to the word (무릎이,
# 무릎을, 걸으면), so a term is found as its sequence of syllables, as in Japanese.
_CJK = "\u3005-\u3007\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_UNSPACED = _CJK + "\uac00-\ud7a3"
# A character with its voicing mark when decomposed (NFD "タ\u3099" is one piece, "ダ").
_UNSPACED_PIECE = re.compile(f"[{_UNSPACED}][\u3099\u309a]*|[^{_UNSPACED}]+")
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")
CJK_CHARS = _CJK  # Japanese and Chinese only: their clause cuts (sentences.word_count, _CJK_PIECE)
CJK_CHAR = re.compile(f"[{_CJK}]")
UNSPACED_CHAR = _HAS_UNSPACED  # one character of a script written without spaces (language.script_parts)
# The kana voicing marks that NFKD splits off (ダ -> タ + U+3099): kept and recomposed, or ひざ
# (knee) would fold to ひさ and ぶ to ふ.
_KANA_MARKS = frozenset("\u3099\u309a")

# Function words carry no meaning for matching (kept short: content words decide).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "it",
        "its",
        "it's",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "too",
        "very",
        "can",
        "will",
        "just",
        "should",
        "now",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "once",
        "s",
        "t",
        "don",
        "doesn",
        "didn",
        "isn",
        "aren",
        "wasn",
        "weren",
        "won",
        "wouldn",
        "shouldn",
        "couldn",
        "ll",
        "re",
        "ve",
        "d",
        "m",
        "o",
        "y",
        "ma",
        "also",
        "really",
        "actually",
        "literally",
        "just",
        "like",
        "get",
        "gets",
        "got",
        "getting",
        "make",
        "makes",
        "made",
        "one",
        "ones",
        "thing",
        "things",
        "way",
        "lot",
        "lots",
        "much",
        "many",
        "day",
        "days",
        "every",
        "everyday",
        "people",
        "person",
        "guy",
        "guys",
        "anyone",
        "someone",
        "something",
        "anything",
        "nothing",
        "try",
        "trying",
        "tried",
        "know",
        "think",
        "thought",
        "say",
        "says",
        "said",
        "see",
        "saw",
        "look",
        "looks",
        "want",
        "wants",
        "need",
        "needs",
        "go",
        "goes",
        "going",
        "gonna",
        "wanna",
        "let",
        "lets",
        "new",
        "via",
        "per",
        "amp",
        "rt",
        "lol",
        "omg",
        "tbh",
        "imo",
        "ngl",
        "fr",
        "pls",
    ]
)


# The languages whose compounds share a last part written once, after a hyphen ("Knie- oder
# Hüftprobleme", "voor- en achterwaarts"): Snowball's names (``Analyzer.language``).
COMPOUNDING = frozenset({"german", "dutch"})
# A part left open: a hyphen right after the word, then a comma or a space ("Knie- oder", "voor-,
# zij-"); not a hyphenated word ("Knie-OP") nor a dash between spaces ("Knie - oder").
_ELIDED_HYPHEN = re.compile(r"-(?=,?\s)")
ELIDED_WINDOW = 5  # words after the open part in which its completing compound is looked for
# The words that join the parts before the completing compound ("Knie- als auch bei
# Rückenbeschwerden"): de und, oder, bzw., sowie, als auch, wie, noch (weder ... noch), bei, von,
# mit; nl en, of, als, tot, van, met.
_JOINING = frozenset(
    {"und", "oder", "bzw", "sowie", "als", "auch", "wie", "noch", "bei", "von", "mit", "en", "of", "tot",
     "van", "met"}
)  # fmt: skip


# A direction term inside a longer term of a body part, an outcome or a topic is a word of that
# term, not a direction: Spanish "dolor de espalda" (back pain) holds "de espalda", which stems as
# "de espaldas" (backward, "caminar de espaldas") does; Portuguese "dores de costas" holds "de
# costas" the same way. Other activities nested in such terms ("walk" in "walking speed", "step
# forward" in the energy cost) are meant to be read both ways and stay.
DIRECTIONS = frozenset({"backward"})
_HOLDING_KINDS = frozenset({"body", "outcome", "topic"})


@dataclass(frozen=True)
class Token:
    word: str  # normalised spelling (lower case, no accents)
    stem: str
    start: int  # offsets into the original text
    end: int


@dataclass(frozen=True)
class ConceptDef:
    id: str
    kind: str
    terms: tuple[str, ...]
    group: str | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.id.replace("-", " ")


@dataclass
class Features:
    """The features of one text: concept ids and ``w:stem`` words, each with token spans."""

    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)

    def add(self, feature: str, start: int, end: int) -> None:
        self.spans.setdefault(feature, []).append((start, end))

    def __contains__(self, feature: str) -> bool:
        return feature in self.spans

    def names(self) -> set[str]:
        return set(self.spans)

    def within(
        self, start: int, end: int, spans: dict[str, list[tuple[int, int]]] | None = None
    ) -> dict[str, list[tuple[int, int]]]:
        """Of ``spans`` (feature -> token spans of these features; default all of them), those whose
        first token starts in the characters [start, end) of the text: what a clause or a sentence
        of the post names. Features left with none are dropped."""
        out = {}
        for f, found in (self.spans if spans is None else spans).items():
            kept = [(i, j) for i, j in found if start <= self.tokens[i].start < end]
            if kept:
                out[f] = kept
        return out

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """The tokens with a character in ``start``-``end`` of the text, as a span (first, last + 1),
        or None when no token has: a token the range starts or ends inside counts (an English term
        found inside the hashtag "#kneepain" is that hashtag's token). The one reading of a
        character range as tokens, for the features added over a post's own (a hashtag's
        concepts, ``language``; a ratio of counts, ``scoring.ratio_as_effort``)."""
        inside = [k for k, t in enumerate(self.tokens) if t.end > start and t.start < end]
        return (inside[0], inside[-1] + 1) if inside else None


_local = threading.local()


def _stemmer(language: str = "english") -> snowballstemmer.stemmer:
    """One stemmer per thread and language: snowballstemmer keeps state while it stems, so it is
    not thread-safe."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(language)
    if stemmer is None:
        stemmer = stemmers[language] = snowballstemmer.stemmer(language)
    return stemmer


@functools.lru_cache(
    maxsize=1 << 16
)  # the same words recur across texts (an index: 430,000 tokens, 20,000 words)
def fold(word: str) -> str:
    """Lower case, accents dropped (NFKD: "é" -> "e", full-width "Ｘ" -> "x"), subscripts as digits;
    kana keep their voicing marks (``_KANA_MARKS``)."""
    word = unicodedata.normalize("NFKD", word.translate(_SUBSCRIPTS).lower())
    word = "".join(ch for ch in word if not unicodedata.combining(ch) or ch in _KANA_MARKS)
    if not _KANA_MARKS.isdisjoint(word):
        word = unicodedata.normalize("NFC", word)
    return word.replace("’", "'")


def is_vocabulary_word(word: str) -> bool:
    """Whether a folded word can be a vocabulary word: letters only, or with a digit ("vo2")."""
    return word.isalpha() or any(c.isdigit() for c in word)


def vocabulary_words(text: str) -> set[str]:
    """The words a claim text adds to the vocabulary: its folded words, except a glued hashtag
    ("#backwardwalking"), which is not a word of its own: kept out, it is split into its words
    like the same hashtag in a post."""
    return {
        w
        for w in (fold(raw) for raw, start, end in raw_tokens(text) if not _whole_hashtag(text, start, end))
        if is_vocabulary_word(w)
    }


def whole_hashtags(text: str) -> set[str]:
    """The folded words of ``text`` that are whole hashtags (``_whole_hashtag``)."""
    if "#" not in text:
        return set()
    return {fold(raw) for raw, start, end in raw_tokens(text) if _whole_hashtag(text, start, end)}


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """Words with their offsets; hashtags and camelCase split (``#BackwardWalking``); Japanese and
    Chinese one character at a time (``_UNSPACED``: "倒着走" -> 倒, 着, 走)."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(), m.start()
        if word.startswith("#"):
            word, start = word[1:], start + 1
        pieces = _UNSPACED_PIECE.finditer(word) if _HAS_UNSPACED.search(word) else None
        for piece, offset in ((p.group(), p.start()) for p in pieces) if pieces else ((word, 0),):
            out.extend(camel_parts(piece, start + offset))
    return out


def camel_parts(word: str, start: int) -> list[tuple[str, int, int]]:
    """``word`` (at ``start``) split at its capitals when it has any after the first letter; a
    plural acronym ("METs", "PTs", "ACLs", "RCTs") is one word, not "ME" + "Ts"."""
    if _PLURAL_ACRONYM.fullmatch(word):
        return [(word, start, start + len(word))]
    parts = list(_CAMEL.finditer(word)) if word[1:] != word[1:].lower() else []
    if len(parts) > 1:
        return [(p.group(), start + p.start(), start + p.end()) for p in parts]
    return [(word, start, start + len(word))]


class Analyzer:
    """Tokeniser + spelling repair + concept finder, built from the concept list and the vocabulary
    of the claims (so corrections only ever go towards words the knowledge base uses)."""

    def __init__(
        self,
        concepts: Iterable[ConceptDef],
        vocabulary: Iterable[str] = (),
        lexicon: Iterable[str] = (),
        language: str | None = "english",
        correct_spelling: bool = True,
    ):
        """``vocabulary``: texts whose words corrections may go to (the claims'); ``lexicon``: known
        words of the language that are never corrected ("dancer" is not a misspelt "danger");
        ``language``: the Snowball stemmer's language (terms and texts are stemmed alike), None for
        none: words are matched as written (Japanese and Chinese, read one character at a time);
        ``correct_spelling``: whether a word one edit from a vocabulary word is read as that word
        (``correct``). Off where no ``lexicon`` says which words are the language's own: the
        concept-read languages, whose only vocabulary is their concept terms, so everyday words were
        "corrected" into terms (es otras -> atrás "backward", fr ayant -> avant "forward", it forma
        -> forza "strength", pt dança -> anca "hip", de schon -> schont), while the inflections a
        correction caught are mostly folded by the stemmer anyway."""
        self.concepts = {c.id: c for c in concepts}
        self.lexicon = frozenset(lexicon)
        self.language = language
        self.correct_spelling = correct_spelling
        self._stem_cache: dict[str, str] = {}
        stem = self.stem
        self._word_cache: dict[str, tuple[tuple[str, str, int, int], ...]] = {}
        words: set[str] = set()
        # term stems -> concept ids; indexed by the first stem for a left-to-right scan
        self._terms: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._words: set[str] = set()  # the stems of every word of a term (``_completed``)
        for concept in self.concepts.values():
            for term in concept.terms:
                parts = [w if w == NUMBER_WORD else fold(w) for w, _, _ in raw_tokens(term.replace("-", " "))]
                if not parts:
                    continue
                words.update(p for p in parts if p != NUMBER_WORD)
                stems = tuple(_NUMBER if p == NUMBER_WORD else stem(p) for p in parts)
                self._terms.setdefault(stems[0], []).append((stems, concept.id))
                self._words.update(stems)
        for entries in self._terms.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest first
        self._conjunctions = self.language == "arabic"  # from here on posts' words, not terms (``stem``)
        self.vocabulary = {w for w in words if is_vocabulary_word(w)}
        for text in vocabulary:
            self.vocabulary |= vocabulary_words(text)
        self._deletes: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 5 and word.isalpha():
                for variant in _deletions(word):
                    self._deletes.setdefault(variant, set()).add(word)

    # -- words ----------------------------------------------------------------------------------

    _conjunctions = False

    def stem(self, word: str) -> str:
        """The Snowball stem of ``word``. Arabic writes "and" (و) joined to the word it links, and
        the Arabic stemmer leaves it on ("والرباعية", "and the quadriceps"): a post's word that
        begins with و and is no term's word as it stands is read without it when that makes a
        term's word (the terms stem as written, so a joined term such as "والتوازن" still matches
        itself)."""
        if self.language is None:
            return word
        cached = self._stem_cache.get(word)
        if cached is None:
            stemmer = _stemmer(self.language)
            cached = stemmer.stemWord(word)
            if self._conjunctions and cached not in self._words and word.startswith("و") and len(word) > 3:
                bare = stemmer.stemWord(word[1:])
                cached = bare if bare in self._words else cached
            if len(self._stem_cache) < 200_000:
                self._stem_cache[word] = cached
        return cached

    def correct(self, word: str) -> str:
        """A known word one edit away (insert, delete, substitute, swap), for words we don't know
        (the word itself when ``correct_spelling`` is off)."""
        if (
            not self.correct_spelling
            or word in self.vocabulary
            or word in self.lexicon
            or len(word) < 5
            or not word.isalpha()
        ):
            return word
        candidates: set[str] = set()
        for variant in (word, *_deletions(word)):
            candidates.update(self._deletes.get(variant, ()))
            if variant in self.vocabulary:
                candidates.add(variant)
        candidates = {c for c in candidates if _edit_distance_at_most_one(word, c)}
        if len(candidates) == 1:
            return candidates.pop()
        return word

    def segment(self, word: str, hashtag: bool = False) -> list[str] | None:
        """Split a glued word ('kneepainrelief') into known words, if it splits completely: into
        the knowledge base's words, and for a hashtag ('#backwardwalkingforknees') also into the
        language's (``lexicon``), since hashtags glue whole phrases."""
        n = len(word)
        if n < 7 or word in self.vocabulary or word in self.lexicon or not word.isalpha():
            return None
        known = (
            (lambda w: w in self.vocabulary or w in self.lexicon) if hashtag else self.vocabulary.__contains__
        )
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(max(0, end - 16), end):
                prefix = best[start]
                piece = word[start:end]
                if prefix is not None and len(piece) >= 2 and known(piece):
                    candidate = [*prefix, piece]
                    current = best[end]
                    if current is None or len(candidate) < len(current):
                        best[end] = candidate
        found = best[n]
        return found if found and len(found) > 1 else None

    def tokens(self, text: str) -> list[Token]:
        out: list[Token] = []
        raws = raw_tokens(text)
        for raw, start, end in raws:
            for word, stem, offset, length in self._analyse_word(raw, _whole_hashtag(text, start, end)):
                out.append(Token(word, stem, start + offset, start + offset + length))
        if self.language in COMPOUNDING and "-" in text:
            out = [self._completed(text, raws, t) for t in out]
        return out

    def _completed(self, text: str, raws: list[tuple[str, int, int]], token: Token) -> Token:
        """``token`` completed when it is the first part of a compound whose shared last part is
        left to the next compound (German and Dutch write the hyphen, "Ergänzungsstrich":
        "Knie- oder Hüftproblemen" is "Knieproblemen oder Hüftproblemen", "Kräftigungs- und
        Beweglichkeitstraining", "voor- en achterwaarts"): its word becomes the part plus the
        completing compound's tail when that makes a term's word ("knieproblemen"), else it is
        left as written ("Knie-" is still the knee). The completing compound is the first word
        after it, within ``ELIDED_WINDOW`` words, that is neither a conjunction nor another part
        with a hyphen ("voor-, zij- en achterwaarts")."""
        if not _ELIDED_HYPHEN.match(text, token.end):
            return token
        after = [r for r in raws if r[1] >= token.end][:ELIDED_WINDOW]
        whole = next(
            (fold(w) for w, s, e in after if not _ELIDED_HYPHEN.match(text, e) and fold(w) not in _JOINING),
            None,
        )
        if whole is None:
            return token
        for cut in range(2, len(whole) - 3):  # the longest tail (4+ letters) that makes a term's word
            word = token.word + whole[cut:]
            stem = self.stem(word)
            if stem in self._words:
                return Token(word, stem, token.start, token.end)
        return token

    def _analyse_word(self, raw: str, hashtag: bool = False) -> tuple[tuple[str, str, int, int], ...]:
        """(word, stem, offset, length) for one raw word: folded, split if glued, corrected.
        ``hashtag``: the word is a whole hashtag (glued phrases are split more freely, ``segment``).

        Cached: the same words recur across posts and across a knowledge base's phrasings.
        """
        key = "#" + raw if hashtag else raw
        found = self._word_cache.get(key)
        if found is not None:
            return found
        word = fold(raw)
        pieces = self.segment(word, hashtag) if word and word not in self.vocabulary else None
        if not word:
            found = ()
        elif pieces:
            parts, pos = [], 0
            for piece in pieces:
                parts.append((piece, self.stem(piece), pos, len(piece)))
                pos += len(piece)
            found = tuple(parts)
        else:
            word = self.correct(word)
            found = ((word, self.stem(word), 0, len(raw)),)
        if len(self._word_cache) < 500_000:
            self._word_cache[key] = found
        return found

    # -- features -------------------------------------------------------------------------------

    def features(self, text: str) -> Features:  # noqa: C901 (to split with the fact-check module, issue 14)
        tokens = self.tokens(text)
        feats = Features(tokens=tokens)
        stems = [t.stem for t in tokens]
        # the same with every number in digits as a term's "N" (NUMBER_WORD)
        keys = [_NUMBER if t.word.isdigit() else t.stem for t in tokens]
        covered = [False] * len(tokens)
        ignored = [False] * len(tokens)
        found: list[tuple[str, int, int]] = []
        every = list(range(len(tokens)))
        kept = [k for k in every if not self._inserted(text, tokens, k)]
        for seq in (every, kept) if len(kept) < len(every) else (every,):
            seq_stems, seq_keys = [stems[k] for k in seq], [keys[k] for k in seq]
            for i, first in enumerate(seq_stems):
                entries = self._terms.get(first, ())
                if seq_keys[i] == _NUMBER:
                    entries = [*entries, *self._terms.get(_NUMBER, ())]
                for term, concept_id in entries:
                    j = i + len(term)
                    if tuple(seq_stems[i:j]) == term or (
                        _NUMBER in term
                        and j <= len(seq_stems)
                        and all(
                            t in (s, k) for t, s, k in zip(term, seq_stems[i:j], seq_keys[i:j], strict=True)
                        )
                    ):
                        span = (concept_id, seq[i], seq[j - 1] + 1)
                        if span not in found:
                            found.append(span)
        # Phrases such as "counting backwards" switch off the concepts inside them.
        for k in self._undoing(tokens, found):
            ignored[k] = True
        for concept_id, i, j in found:
            if self.concepts[concept_id].kind == "ignore":
                for k in range(i, j):
                    ignored[k] = True
        holders = [(i, j) for c, i, j in found if self.concepts[c].kind in _HOLDING_KINDS]
        for concept_id, i, j in found:
            if self.concepts[concept_id].kind == "ignore" or any(ignored[i:j]):
                continue
            if concept_id in DIRECTIONS and any(a <= i and j <= b and b - a > j - i for a, b in holders):
                continue
            feats.add(concept_id, i, j)
            for k in range(i, j):
                covered[k] = True
        for i, token in enumerate(tokens):
            if (
                covered[i]
                or ignored[i]
                or token.word in STOPWORDS
                or len(token.word) < 3
                or token.word.isdigit()
            ):
                continue
            feats.add("w:" + token.stem, i, i + 1)
        return feats

    def _inserted(self, text: str, tokens: list[Token], k: int) -> bool:
        """Token ``k`` is a word a question or an emphasis puts inside a phrase, which a term is
        matched across: in French the subject pronoun that inversion joins to the verb with a
        hyphen ("aide-t-il vos genoux ?", "soulage-t-elle les genoux", "a-t-on") and the adverb of
        emphasis after the verb ("aide vraiment vos genoux"; Italian "fa davvero bene alle
        ginocchia": ``_EMPHASIS``), so that the question and the
        emphatic statement make the term "aide vos genoux" as the plain statement does."""
        token = tokens[k]
        if token.word in _EMPHASIS.get(self.language or "", ()):
            return True
        return (
            self.language == "french"
            and token.word in _FR_INVERTED
            and token.start > 0
            and text[token.start - 1] == "-"
        )

    def _undoing(self, tokens: list[Token], found: list[tuple[str, int, int]]) -> list[int]:
        """The tokens of "reverse" that undo a condition rather than name a direction: "reverse",
        "reverses", "reversing", "reversed" with a condition after it (``_UNDONE``: "Reversing knee
        pain", "reverse the damage", "reverses type 2 diabetes") within ``UNDONE_WORDS`` words and
        no activity between or just before ("reverse walking for knee pain", "reverse treadmill
        walking eases knee pain", "walk reverse to ease the pain" keep their direction). A term of
        more than one word ("in reverse", "walking in reverse eases knee pain") is never this sense."""
        spans = [(i, j) for concept_id, i, j in found if self.kind(concept_id) == "activity"]
        activity = {k for i, j in spans for k in range(i, j)}
        longer = {k for i, j in spans if j > i + 1 for k in range(i, j)}  # "in reverse", "reverse walking"
        out = []
        for i, token in enumerate(tokens):
            if not token.word.startswith("revers") or i not in activity or i in longer:
                continue
            if token.word == "reverse" and i - 1 in activity:  # "walk reverse", not "walking reverses"
                continue
            for k in range(i + 1, min(len(tokens), i + 1 + UNDONE_WORDS)):
                if k in activity:
                    break
                if tokens[k].word in _UNDONE:
                    out.append(i)
                    break
        return out

    def kind(self, feature: str) -> str:
        concept = self.concepts.get(feature)
        return concept.kind if concept else "word"


# French inversion: the pronoun joined to the verb with a hyphen ("aide-t-il", "peut-elle",
# "a-t-on"; the "t" that links them too), and emphasis adverbs placed after the verb (French and
# Italian)
# (``Analyzer._inserted``)
_FR_INVERTED = frozenset({"t", "il", "elle", "on", "ils", "elles"})
_EMPHASIS = {
    "french": frozenset({"vraiment", "reellement"}),
    # Italian: "fa davvero bene alle ginocchia" ("L'aria fresca di montagna fa davvero bene")
    "italian": frozenset({"davvero"}),
}
UNDONE_WORDS = 4  # "reversing [chronic knee] pain", "reverse [the signs of] aging"
# What "reverse" undoes (``Analyzer._undoing``): a condition, a harm, a course of things.
_UNDONE = frozenset(
    "pain pains ache aches aching damage disease diseases condition conditions diabetes prediabetes "
    "arthritis osteoarthritis symptom symptoms injury injuries aging ageing decline degeneration "
    "inflammation stiffness obesity hypertension osteoporosis insulin fatty liver effects trend trends "
    "process course clock signs wrinkles loss atrophy weakness deficit deficits sarcopenia".split()
)


def _whole_hashtag(text: str, start: int, end: int) -> bool:
    """The word at ``text[start:end]`` (from ``raw_tokens``) is a whole hashtag, not split at
    capitals: "#kneepain", not the "Knee" of "#KneePain"."""
    return start > 0 and text[start - 1] == "#" and (end == len(text) or not text[end].isalnum())


def repair_depends_on(word: str, changed: Iterable[str]) -> bool:
    """Whether repairing ``word`` (``Analyzer._analyse_word``: splitting it into known pieces,
    correcting it to a known word one edit away) can come out otherwise once the vocabulary gains
    or loses the words ``changed``: one of them is the word, a piece of it, or one edit away."""
    return any((len(c) >= 2 and c in word) or _edit_distance_at_most_one(word, c) for c in changed)


def repairable(word: str, lexicon: frozenset[str]) -> bool:
    """Whether an analyzer may repair ``word`` (folded) when it is not in its vocabulary: letters
    only, at least 5 of them, not a word of the language (``_analyse_word``)."""
    return len(word) >= 5 and word.isalpha() and word not in lexicon


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
