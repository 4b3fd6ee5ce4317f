"""Which language a post is written in, and how the matcher reads it.

Detection: py3langid (a naive Bayes model over byte n-grams, shipped inside the package; about
0.1-0.3 ms per post after a one-off 1-2 s load), restricted to ``CANDIDATES``: a restricted set
is more reliable on short texts than all 97 languages. Short English posts full of hashtags and
abbreviations are the hard case: a post in which the English analyser finds curated concepts is
taken as English when the model is unsure (confidence under ``MIN_CONFIDENCE``).

How a language is read (``handling``):

- ``"text"``: English, read in full (concepts, every content word, the embedding model);
- ``"concepts"``: a language in which data/concepts.yaml gives the concepts' terms
  (``translations``: Spanish, French, German, Portuguese, Italian, Dutch, Russian, Indonesian,
  Hindi, Japanese, Chinese, Korean, Polish, Turkish, Vietnamese, Ukrainian, Romanian, Arabic). The post is stemmed
  with that language's Snowball stemmer and only the curated concepts count (its other words cannot
  match English claims). Its hashtags are read in English as well (posts in every language tag in
  English: "#kneepain", "#walkingbackwards"). Ukrainian has no Snowball stemmer of its own in the installed package: the
  Russian one strips the endings the two languages share (колінах, коліна -> колін). Vietnamese
  needs none (its words do not inflect): its words are matched as written, and as folding drops the
  tone marks (đầu "head" and đau "pain" both fold to "đau"), its terms are phrases of two syllables
  or more ("đau đầu gối", knee pain), never one syllable alone. Japanese and Chinese have
  neither spaces nor a Snowball stemmer: their scripts are read one character at a time and a
  term (後ろ歩き, 倒着走, 膝盖疼痛) is found as that sequence of characters, unstemmed
  (``app.vocab.STEMMERS``: None; ``analyzer.raw_tokens``); simplified and traditional Chinese
  each have their own terms. Korean is read one syllable at a time the same way: its words are
  spaced, but particles and endings are glued to them (무릎이, 걸으면). The embedding feature still reads the post's own text: no
  multilingual embedding model installs from the registries without a download at run time, and
  an English gloss of the concepts found (tried on the development passages) scored no better and
  returned more false matches. The response says so (a warning), because a claim made in words
  the vocabulary lacks is missed;
  German and Dutch compounds that write their shared last part once ("Knie- oder Hüftprobleme")
  are read whole (``analyzer.Analyzer._completed``). Romanian (from 2026-12-01) with its Snowball
  stemmer; its letters with a cedilla (ş, ţ) and with a comma (ș, ț) fold alike. Arabic (from
  2026-12-01) with its Snowball stemmer, which leaves the conjunction و ("and") on the word: a
  post's word joined to it is read without it when that makes a term's word ("والرباعية", "and
  the quadriceps"; ``analyzer.Analyzer.stem``), and the joined forms listed as terms still match
  (والتوازن);
- None: any other language (Greek, Swedish, Tamil...); the response has no match and a
  warning, never a silent empty list.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.vocab import STEMMERS

if TYPE_CHECKING:
    from app.factcheck.analyzer import Analyzer, Features
    from app.factcheck.index import Index

HANDLED = frozenset({"en"})
#: Below this confidence a post is "und" (BCP 47 / ISO 639-2: undetermined) rather than a guess:
#: "x" came back as Arabic (0.03), "lol" as Hungarian (0.10), "12345" as Turkish (0.04), three emoji
#: as Chinese (0.13); every non-English passage of the labelled set scores 0.98 or more (a count of
#: letters would not do: seven Chinese characters make a whole question).
MIN_RECOGNISED = 0.3
UNDETERMINED = "und"
# Candidate languages: those of the posts people paste, plus their neighbours (so a post in one
# of them is not forced onto another). Slovak, Slovenian and Croatian posts were read as Czech
# (0.93-1.0) and Marathi as Hindi while they were not candidates, and Telugu as undetermined: each
# is one, with the neighbours a post in it would otherwise be forced onto or taken for (Serbian,
# Bulgarian, Macedonian; Estonian, Latvian, Lithuanian). None of them is read, so a post in one gets
# the warning that names its language instead of another's.
CANDIDATES = (
    "en", "es", "fr", "de", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs", "hu", "ro", "el", "tr",
    "ru", "uk", "ar", "fa", "he", "hi", "bn", "ur", "ta", "zh", "ja", "ko", "th", "vi", "id", "ms",
    "sk", "sl", "hr", "sr", "bg", "mk", "et", "lv", "lt", "te", "mr",
)  # fmt: skip
NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "tr": "Turkish",
    "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ar": "Arabic", "hi": "Hindi", "id": "Indonesian",
    "fi": "Finnish", "cs": "Czech", "hu": "Hungarian", "ro": "Romanian", "el": "Greek", "uk": "Ukrainian",
    "fa": "Persian", "he": "Hebrew", "bn": "Bengali", "ur": "Urdu", "ta": "Tamil", "ko": "Korean", "th": "Thai",
    "vi": "Vietnamese", "ms": "Malay", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian", "sr": "Serbian",
    "bg": "Bulgarian", "mk": "Macedonian", "et": "Estonian", "lv": "Latvian", "lt": "Lithuanian", "te": "Telugu",
    "mr": "Marathi", UNDETERMINED: "undetermined",
}  # fmt: skip
MIN_CONFIDENCE = 0.9  # below this a non-English guess on a short post is not trusted

_lock = threading.Lock()
_identifier: Any = None


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from app.factcheck import langmodel

            _identifier = langmodel.load(CANDIDATES)  # py3langid's, memory-mapped and shared
    return _identifier


def detect(
    text: str, english_concepts: int = 0, own_concepts: Callable[[str], int] | None = None
) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0-1) of ``text``. ``english_concepts``: how many curated
    concepts the English analyser found; any settles a non-English guess made with less than
    ``MIN_CONFIDENCE`` as English (the model alone is right on every English passage of the
    development set; a rule that also overrode confident guesses took Spanish and French passages
    that mention "retro" or "treadmill" for English), unless the guessed language's own terms
    find at least as many (``own_concepts(code)``, 0 for a language not read through concepts):
    an Indonesian passage quoting "retro walking" (0.79 Indonesian) is Indonesian.

    The model reads the text composed (NFC): its byte n-grams are those of precomposed letters, and
    decomposed accents (NFD "atra\u0301s", as some macOS and web sources paste) read as another
    language or none. Only the language comes from this copy; offsets stay the caller's."""
    code, confidence = _model().classify(unicodedata.normalize("NFC", text))
    unsure = code != "en" and confidence < MIN_CONFIDENCE and english_concepts >= 1
    if unsure and (own_concepts is None or own_concepts(code) < english_concepts):
        return "en", float(confidence)
    if code != "en" and confidence < MIN_RECOGNISED:
        return UNDETERMINED, float(confidence)
    return str(code), float(confidence)


def handling(index: Index, code: str) -> str | None:
    """How the matcher reads a post in language ``code``: "text", "concepts" or None (module doc)."""
    if code in HANDLED:
        return "text"
    if code in index.translations and code in STEMMERS:
        return "concepts"
    return None


_analyzers: dict[tuple[int, str], tuple[Index, Analyzer]] = {}


def analyzer(index: Index, code: str) -> Analyzer:
    """The analyser of the concepts' ``code`` terms with that language's stemmer (built once per
    index and language)."""
    from app.factcheck.analyzer import Analyzer

    with _lock:
        held = _analyzers.get((id(index), code))
        if held is None or held[0] is not index:
            for key in [k for k, (i, _) in _analyzers.items() if k[0] == id(index) and i is not index]:
                del _analyzers[key]
            # no spelling correction: the terms are the only words known in the language (Analyzer)
            held = (
                index,
                Analyzer(index.translations[code], language=STEMMERS[code], correct_spelling=False),
            )
            _analyzers[(id(index), code)] = held
    return held[1]


def concept_count(index: Index, text: str, code: str) -> int:
    """How many curated concepts the terms of language ``code`` find in ``text`` (0 when the
    language is not read through concepts): the guess's side of ``detect``'s English override."""
    if handling(index, code) != "concepts":
        return 0
    return sum(1 for f in analyzer(index, code).features(text).spans if not f.startswith("w:"))


def features(index: Index, text: str, code: str) -> Features:
    """The curated concepts of a post in language ``code`` (with token spans); its other words
    are left out: they cannot match the English claims. Its hashtags are read in English too
    (``_english_hashtags``)."""
    feats = analyzer(index, code).features(text)
    spans = {f: s for f, s in feats.spans.items() if not f.startswith("w:")}
    for feature, found in _english_hashtags(index, text, feats).items():
        spans[feature] = sorted({*spans.get(feature, ()), *found})
    feats.spans = spans
    return feats


def _english_hashtags(index: Index, text: str, feats: Features) -> dict[str, list[tuple[int, int]]]:
    """The concepts the English analyser finds in the hashtags of a post read in another language,
    as spans of ``feats``' tokens (the token the hashtag is in): posts in every language tag in
    English ("Caminar hacia atrás me quitó el dolor #kneepain #walkingbackwards"), and the
    language's own terms cannot split "#kneepain". A hashtag in the post's language finds nothing
    in English and changes nothing."""
    from app.factcheck.sentences import HASHTAG

    out: dict[str, list[tuple[int, int]]] = {}
    for tag in HASHTAG.finditer(text):
        english = index.analyzer.features(tag.group())
        for feature, spans in english.spans.items():
            if feature.startswith("w:"):
                continue
            for i, j in spans:
                where = feats.token_range(
                    tag.start() + english.tokens[i].start, tag.start() + english.tokens[j - 1].end
                )
                if where is not None:
                    out.setdefault(feature, []).append(where)
    return out


def warning(code: str, how: str | None = None) -> str | None:
    """The message shown for a post not read in full, or None (``how``: ``handling``'s answer)."""
    if how == "text" or (how is None and code in HANDLED):
        return None
    if code == UNDETERMINED:
        return (
            "The language of this post could not be recognised (too little text, or no language fits), "
            "so it was not read: finding no claim does not mean the post is accurate."
        )
    name = NAMES.get(code, code)
    if how == "concepts":
        return (
            f"This post looks like {name}. {name} is matched through the concept vocabulary only "
            "(terms for the activity, body parts and outcomes), not read in full, so a claim made in "
            "other words is missed: finding no claim does not mean the post is accurate."
        )
    return (
        f"This post looks like {name}. The fact-check does not read {name}, so finding no claim "
        "here does not mean the post is accurate."
    )


# A sentence in a spaced script counts as one of its own in a mixed post from this many words
# (hashtags aside): "Backward walking burns twice the calories!" does, "#kneepain" does not.
MIXED_MIN_WORDS = 3
_LETTERS = re.compile(r"[^\W\d_]+")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


@functools.lru_cache(maxsize=4096)  # a pure function of one character, asked for every letter
def _script(ch: str) -> str:
    """The script of letter ``ch``: "cjk" (kana and ideographs, read as one), "hangul", or the
    first word of its Unicode name ("LATIN", "CYRILLIC", "ARABIC", "DEVANAGARI"...)."""
    from app.factcheck.analyzer import CJK_CHAR

    if CJK_CHAR.match(ch):
        return "cjk"
    if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
        return "hangul"
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def _sentence_script(piece: str) -> str | None:
    """The script a sentence is written in: Japanese ("kana": kana among its ideographs) or Chinese
    ("han") when it has 2+ such characters and no more words in another script; else the spaced
    script with the most words, from ``MIXED_MIN_WORDS`` (hashtags aside); else None (emoji,
    figures, a name or two)."""
    from app.factcheck.sentences import HASHTAG

    cjk = 0
    words: dict[str, int] = {}
    for run in _LETTERS.findall(HASHTAG.sub(" ", piece)):
        for script, chars in itertools.groupby(run, _script):
            if script == "cjk":
                cjk += len(list(chars))
            else:
                words[script] = words.get(script, 0) + 1
    spaced = max(words, key=lambda k: words[k], default=None)
    most = words.get(spaced, 0) if spaced else 0
    if cjk >= 2 and cjk >= most:
        return "kana" if _KANA.search(piece) else "han"
    return spaced if most >= MIXED_MIN_WORDS else None


def script_parts(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, list[tuple[int, int]]]] | None:
    """A post whose sentences (``spans``: ``sentences.sentences`` of ``text``, split once by the
    caller) are written in two scripts or more ("Backward walking burns twice the calories! 後ろ歩き
    は膝の痛みに効く", English and Russian, Korean and English), as one text per script, each of the
    same length as ``text`` with the other scripts' sentences blanked out (so offsets stay offsets
    into ``text``) and its own sentences, to be detected and read each in its own language; None
    when the post is in one script (the usual case), or its other script is only hashtags, names or
    a word or two. A sentence with no script of its own (emoji, figures) goes with the one before
    it. Japanese and Chinese share the ideographs: sentences of ideographs alone in a post with
    Japanese sentences are a part of their own only when the model reads them as Chinese."""
    if _one_spaced_script(text):  # the usual post: no sentence can be of another script
        return None
    kinds: list[str | None] = []
    for start, end in spans:
        kind = _sentence_script(text[start:end])
        kinds.append(kind or (kinds[-1] if kinds else None))
    if kinds and kinds[0] is None:  # leading sentences with no script go with the first that has one
        first = next((k for k in kinds if k), None)
        kinds = [k or first for k in kinds]
    order = list(dict.fromkeys(k for k in kinds if k))
    if "kana" in order and "han" in order:
        han = blanked(text, [span for span, k in zip(spans, kinds, strict=True) if k == "han"])
        code, confidence = detect(han)
        if code != "zh" or confidence < MIN_CONFIDENCE:
            kinds = ["kana" if k == "han" else k for k in kinds]
            order.remove("han")
    if len(order) < 2:
        return None
    parts = []
    for wanted in order:
        own = [span for span, k in zip(spans, kinds, strict=True) if k == wanted]
        parts.append((blanked(text, own), own))
    return parts


def _one_spaced_script(text: str) -> bool:
    """True when every letter of ``text`` is of one script written with spaces (or it has none):
    each sentence is then of that script or of none, so ``script_parts`` finds no second part. Not
    for Japanese and Chinese, whose sentences share the ideographs and may be two languages."""
    if text.isascii():
        return True
    scripts = {_script(ch) for ch in set("".join(_LETTERS.findall(text)))}
    return len(scripts) <= 1 and "cjk" not in scripts


def blanked(text: str, keep: list[tuple[int, int]]) -> str:
    """``text`` with everything but the ``keep`` spans blanked out (spaces, the same length)."""
    chars = [" "] * len(text)
    for start, end in keep:
        chars[start:end] = text[start:end]
    return "".join(chars)
