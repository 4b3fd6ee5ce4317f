"""Splitting a post into sentences and clauses, with offsets into the original text.

A post is matched one unit at a time, so "200 women" in the VO2 max sentence is never checked
against the knee-pain claim in the next one. Units are sentences (split after ``.``, ``!``, ``?``,
``…``, Japanese and Chinese ``。！？``, the Hindi danda ``।``, line breaks and bullet marks) and, inside a sentence, clauses joined by ``;`` or by a
contrast ("but", "however", "whereas"; in the other languages "pero", "aber", "cependant", "однако"...:
``_CONTRASTS_ELSEWHERE``) that usually starts a new assertion. Abbreviations,
decimals ("2.5 mph") and initials do not end a sentence.

A match's span is narrower still (``clause_pieces``): the clauses of its unit that hold the
claim's words, so "Walking backwards cures knee pain and burns 40% more calories" gives the
calorie claim "burns 40% more calories" and the knee-pain claim the rest, and a flag read from one
clause ("cures") does not attach to the other's claim. Clauses are cut at the contrast words
above, at ", which / while", at ", so / yet" before a subject, and at "and" / "or" that open a
new predicate: a pronoun or determiner that starts a subject ("and it burns", "and studies
show"), a modal ("and can ease"), or a verb form with something after it ("and burns 40% more",
"and reduced pain"); a word after "and" that ends a list ("quads and hamstrings.", "glutes,
calves, and quadriceps more intensely") or starts a name ("Science and Research Publications")
stays in its clause. The other languages' "and" (und, y, e, et, и, і) opens a clause before a new
predicate by rules of thumb of their own (``_AND_ELSEWHERE``). Japanese and Chinese clauses (each character counts as a word) are cut at a
Chinese comma (with the 而且 / 还 / 但 that may open the next clause), at 但是 / 不过 / 然而 /
しかし, after けど / ですが / a conjunctive が, and at a Japanese 、 after a predicate's
continuative form ("和らげ、カロリーを2倍消費する"), never at the 、 of a list or after a topic.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from app.factcheck.analyzer import CJK_CHARS as _CJK

ABBREVIATIONS = frozenset(
    "e.g i.e etc vs dr mr mrs ms prof st fig al approx no vol ca cf jr sr min max sec hr km".split()
)
# Where a sentence may end: terminal punctuation (with closing quotes/brackets) then space, or
# a line break, or a bullet/emoji-style separator; in Japanese and Chinese the full-width 。！？,
# or "!" / "?" before a kana or ideograph, with no space after (their writing has none); in Hindi
# the danda (।, ॥).
_END = re.compile(
    r"(?:[.!?…]+[\"'”’)\]]*)(?=\s+|$)|[。！？।॥]+[」』）”’]*|[!?](?=[\u3040-\u30ff\u3400-\u9fff])|\n+|"
    r"\s[•·|]\s|\s[-–—]{1,2}\s(?=[A-Z])"
)
# Japanese and Chinese contrasts: 但是 / 可是 / 然而 / しかし anywhere, a lone 但 / 不过 / でも after a
# comma (not 不但 "not only", not 誰でも "anyone"), and the comma after けど / けれど(も) / ですが
# or a conjunctive が that ends a predicate ("効果的ですが、", "和らげるが、"; not the subject's
# "膝が"): the connective opens (Chinese) or closes (Japanese) its clause.
_CJK_CONTRAST = (
    r"[，,、]?\s*(?:但是|可是|然而|しかし)|[，,、]\s*(?:(?<!不)但|不过|でも)|"
    r"(?:(?<=けど)|(?<=けれど)|(?<=けれども)|(?<=ですが)|(?<=[るたいだすうつむぶぐ]が))[、，,]"
)
# The same contrasts in the languages read through the concepts, where the word is a contrast in
# every language a post may be in: not "mais" (Portuguese "more"), "ma" (Polish "has"), "mas"
# (Spanish "más" typed without its accent), "doch" (German "indeed"), "während" (also "during").
_CONTRASTS_ELSEWHERE = (
    "pero|sin embargo|no obstante|mientras que|cependant|toutefois|tandis que|néanmoins|aber|jedoch|"
    "allerdings|però|tuttavia|mentre|porém|contudo|entretanto|maar|echter|terwijl|однако|но|"
    "zaś|jednak|ale|ancak|fakat|ama|але|проте|nhưng"
)
_CLAUSE = re.compile(
    rf";\s+|,?\s+(?:but|however|whereas|although)\s+|,?\s+(?:{_CONTRASTS_ELSEWHERE})\s+", re.IGNORECASE
)
MIN_CLAUSE_WORDS = 4  # a shorter piece stays with its sentence ("but why?")
# A new subject or a modal after "and" / "or" opens a clause; so does a present or past verb form
# ("burns", "reduced": -s or -ed, not -ss / -us / -is / -ous) followed by its object or complement
# (a rule of thumb in place of a part-of-speech tagger).
_SUBJECT_START = (
    r"(?:it|they|he|she|we|you|i|this|that|these|those|there|studies|research|science|experts|"
    r"doctors|researchers|the|my|your|our|their|his|her|its|some|many|most)\b(?!\s+(?:and|or)\b)"
)
# A negated verb opens a clause as a modal does ("... burns more calories and doesn't help you lose
# weight", "and never helps", "and does not ease"): a negation must stay in its own clause, or it
# denies the claim of the clause before it too.
_NEGATED_VERB = (
    r"(?:(?:does|do|did|is|are|was|were|has|have|had|could|would|should|wo|ca)n['’]?t|cannot|never|"
    r"(?:does|do|did|is|are|was|were|can|could|will|would|should|may|might) not)\b"
)
_MODAL = (
    rf"(?:{_NEGATED_VERB}|(?:also|even|actually|really|still|then|further|may|might|can|could|will|would|should|"
    r"does|do|did|is|are|was|were|has|have|helps?|makes?)\b)"
)
# Not a verb but a list's last noun when what follows is a comparison or a preposition ("quads
# and hamstrings more than walking", "glutes and calves in the study"), or the noun's own verb
# ("hips and legs are engaged").
_VERB_FORM = (
    r"[a-z]+(?<!ss)(?<!us)(?<!is)(?<!ous)(?:s|ed)\b"
    r"(?=\s+(?!(?:more|less) than\b|(?:in|of|at|on|for|with|from|by|during|and|or|as|too|alike|to|"
    r"are|were|is|was|have|has|get|got)\b)[\w%$])"
)
# After "and" / "or", a capital starts a name ("Scientific and Research Publications", "Smith and
# Jones found"), not a new predicate; "I" is the exception.
_LOWER = r"(?=(?-i:[a-z]|I\b))"
# Japanese and Chinese clauses of a match (module doc): a Chinese comma between two clauses, with
# the 而且 / 并且 / 还 / 也 that may open the second ("缓解膝盖疼痛，还能减肥"; the enumeration
# comma 、 of a list is no cut), 而且 / 并且 and 还 before a modal without a comma; a Japanese 、
# after a predicate's continuative form ("和らげ、", "改善し、", "効果的で、", "強くて、"; not after a
# noun or a particle: "膝、腰", "後ろ歩きは、", "研究によると、").
_CJK_PIECE = (
    rf"(?<=[{_CJK}])[，,]\s*(?:而且|并且|还|也|并)?|(?<=[{_CJK}])(?:而且|并且|还(?=能|可以|可|会|有助于))|"
    r"(?<=[しってでげえけせめべれくずちみび])、"
)
# "and" in the concept-read languages, before a new predicate as the English rule has it, by rules of
# thumb of their own (no part-of-speech tagger): in Spanish, Portuguese, Italian, French and German
# a lower-case word that is no article, determiner or preposition ("y quema más calorías", "und
# verbrennt mehr Kalorien"; not "y el equilibrio", "und die Waden": a noun phrase stays in the
# clause, and so in the reach of its negation; German nouns start with a capital); in Russian and
# Ukrainian a verb's present-tense ending ("и сжигает", "і спалює"). 3+ words on each side, and a
# list's last item is no cut (``_LIST_BEFORE``). Not "et al." (a citation), nor "en" (Dutch "and",
# French "in") or "i" (Polish "and", the English "I" typed in lower case).
_DETERMINERS = (
    "el|la|los|las|lo|un|una|unos|unas|su|sus|del|al|de|en|con|para|por|a|o|os|as|um|uma|seu|sua|seus|"
    "suas|do|da|dos|das|no|na|nos|nas|em|com|ao|il|i|gli|le|uno|della|dei|degli|delle|alla|ai|di|in|per|"
    "su|sul|sulla|l|une|des|du|au|aux|dans|sur|pour|par|avec|sa|son|ses|leur|leurs|der|die|das|den|dem|"
    "ein|eine|einen|einem|einer|eines|sein|seine|ihr|ihre|im|an|am|auf|für|mit|von|zu|zur|zum|bei|"
    "mehr|más|mais|più|plus|muy|molto|très|sehr|tanto|também|también|anche|aussi|auch"
)
_AND_ELSEWHERE = (
    rf"(?:und|sowie|y|e|et(?!\s+al\b))\s+(?!(?:{_DETERMINERS})\b)(?=(?-i:[^\W\d_A-ZÀ-Þ]))|"
    # a negated verb: Spanish "y no ayuda" ("no" is a determiner above only as Portuguese "em o",
    # and Portuguese "and" is "e"), Russian and Ukrainian "и не помогает", "і не допомагає"
    r"y\s+(?=no\s+(?-i:[^\W\d_A-ZÀ-Þ]))|(?:и|і|та)\s+(?=не\s+[^\W\d_]+)|"
    r"(?:и|і|та)\s+(?=[^\W\d_]*(?:ет|ит|ют|ят|ется|ится|ує|ає|ює|ить|ять)\b)"
)
# A match's clauses: a unit's cuts (``_CLAUSE``), and "though", ", which / while", ", so / yet" and
# "and" / "or" before a new predicate (module doc).
_PIECE = re.compile(
    rf"{_CLAUSE.pattern}|,?\s+though\s+|,\s+(?:which|while)\s+|"
    rf",\s+(?:so|yet)\s+(?={_SUBJECT_START})|,?\s+(?:and|or)\s+{_LOWER}(?={_SUBJECT_START}|{_MODAL})|"
    rf"(?P<verb>,?\s+(?:and|or)\s+{_LOWER}(?={_VERB_FORM}))|"
    rf"(?P<conjunction>,?\s+(?:{_AND_ELSEWHERE}))|"
    rf"{_CJK_CONTRAST}|{_CJK_PIECE}",
    re.IGNORECASE,
)
# The end of a list before "and" ("the hamstrings, glutes, calves, and quadriceps more intensely"):
# a comma among the last two words; the word in -s after "and" is then the list's last noun.
_LIST_BEFORE = re.compile(r",\s*[\w'’-]+(?:\s+[\w'’-]+)?,?\s*$")
MIN_PIECE_WORDS = 3  # "and burns more calories" is a clause; "and the hamstrings" is not
_CONJUNCTION = re.compile(r"^\W*(?:and|or|but|although|though)\s+", re.IGNORECASE)
# "and that ..." goes on under the same frame ("I doubt that X and that Y"): "that" is no subject here.
_CONTINUATION = re.compile(rf"that\b|(?!{_SUBJECT_START})", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One sentence or clause: ``text[start:end]`` of the post; ``sentence`` numbers the sentence."""

    start: int
    end: int
    text: str
    sentence: int


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the ``.`` at ``text[end - 1]`` closes an abbreviation or an initial, not a sentence."""
    # Only the characters just before the full stop: searching text[:end] made every sentence end
    # scan the post from its start (a 10,000-character post: 3 s of its 6 s of CPU). A run of
    # letters longer than the window is no abbreviation either way.
    # The run must start a word: in "para trás." or "también." the "s" / "n" before the stop ends a
    # word with an accented letter in it, no initial.
    before = re.search(r"(?<!\w)([A-Za-z][A-Za-z.]*)\.$", text[max(0, end - 64) : end])
    if not before:
        return False
    word = before.group(1).lower().rstrip(".")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


# An ellipsis ("…", "...", ". . .") followed by a word in lower case trails off inside the sentence
# ("So, your knee hurts . . . are you strengthening your quads?"); a dot of a spaced ellipsis with
# more dots after it never ends one.
_ELLIPSIS_INSIDE = re.compile(r"\.(?= \.)")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.|\. \.)$")


def _ellipsis_goes_on(text: str, start: int, end: int) -> bool:
    """The sentence end ``text[start:end]`` closes an ellipsis and a lower-case word follows."""
    closes = _ELLIPSIS_END.search(text[max(0, start - 3) : end].rstrip("\"'”’)]"))
    return bool(closes) and bool(re.match(r"\s+[a-z]", text[end:]))


#: A dash that cuts a clause (a negation's scope, a headline's topic): spaced ("walking backwards -
#: it works") or an unspaced en or em dash ("walking—"), but not one between two numbers, which
#: is a range ("5 - 10 minutes", "10 – 15%", "30–40%": one figure, ``figures._SEP``).
def clause_dash(spaced: str = "-–—", unspaced: str = "—–") -> str:
    """The pattern (to embed) of a dash that cuts a clause (above): one of ``spaced`` with space on
    either side, or one of ``unspaced`` alone; none with a number on both sides."""
    dash = rf"\s[{re.escape(spaced)}]+\s" + (rf"|[{unspaced}]" if unspaced else "")
    return rf"(?<![\d%])(?:{dash})|(?:{dash})(?!\s*\d)"


#: A hashtag: '#', then a letter or digit, then word characters and apostrophes ("#kneepain",
#: "#runner'sknee"); it ends at a space or any other punctuation ("#knee-pain" is "#knee"). The one
#: definition for splitting sentences (``sentences``), telling a sentence's script in a mixed post
#: (``language.script_parts``) and reading the tags that close a unit (``scoring._hashtag_spans``).
HASHTAG = re.compile(r"#[^\W_][\w'’]*")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, without surrounding space; empty pieces dropped.
    A piece of nothing but hashtags and emoji after a sentence ("Retro walking fixed my knees!!!
    🔥 #retrowalking #kneepain") belongs to that sentence: its closing tags, not a statement
    (``scoring._hashtag_spans`` reads them as such)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group().startswith(".") and _is_abbreviation(text, m.start() + 1):
            continue
        if _ELLIPSIS_INSIDE.match(text, m.start()) or _ellipsis_goes_on(text, m.start(), m.end()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in "•·|–—"):
            e -= 1
        if not any(ch.isalnum() for ch in text[s:e]):
            continue
        if out and not any(ch.isalnum() for ch in HASHTAG.sub("", text[s:e])):
            out[-1] = (out[-1][0], e)  # only hashtags and emoji: they close the sentence before
        else:
            out.append((s, e))
    return out


def word_count(piece: str) -> int:
    """Words in ``piece``: runs of word characters, and each character of a script written
    without spaces (Japanese, Chinese: "不能减肥" is four)."""
    return len(re.findall(rf"[{_CJK}]|[^\W{_CJK}]+", piece))


def clauses(
    text: str, start: int, end: int, pattern: re.Pattern[str] = _CLAUSE, min_words: int = MIN_CLAUSE_WORDS
) -> list[tuple[int, int]]:
    """Split one sentence at ``;`` and contrast words (``pattern``) when both sides have
    ``min_words`` words or more (and, for a cut before a verb form, no list ends there)."""
    cuts = [start]
    for m in pattern.finditer(text, start, end):
        listed = m.groupdict().get("verb") or m.groupdict().get("conjunction")
        if listed and _LIST_BEFORE.search(text, cuts[-1], m.start()):
            continue
        if (
            word_count(text[cuts[-1] : m.start()]) >= min_words
            and word_count(text[m.end() : end]) >= min_words
        ):
            cuts.append(m.start())
    cuts.append(end)
    out = []
    for s, e in itertools.pairwise(cuts):
        while s < e and (text[s].isspace() or text[s] in ",;，、"):
            s += 1
        if s < e:
            out.append((s, e))
    return out


def clause_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of ``text[start:end]`` (a unit) that a match's span is made of (module doc).
    Each piece but the first starts at its conjunction ("and burns ..."), which says how it joins."""
    return clauses(text, start, end, _PIECE, MIN_PIECE_WORDS)


def continues_without_subject(piece: str) -> bool:
    """True when a clause goes on from the one before without a subject of its own ("and burns
    more calories"): what frames the sentence ("I doubt that", "According to TikTok,") frames it
    too. "and it burns ..." has its own subject."""
    conjunction = _CONJUNCTION.match(piece)
    return conjunction is not None and _CONTINUATION.match(piece, conjunction.end()) is not None


def opens_predicate(piece: str) -> bool:
    """True when ``piece``, a part of a sentence from its conjunction on, opens a clause of its own
    (``clause_pieces`` would cut before it: "and burns more calories", "and it improves memory"),
    False for a noun joined to the one before it ("and memory"), which the words before it govern."""
    return _PIECE.match(" " + piece) is not None


# What frames a sentence: a short matrix clause closed by a complementizer ("I doubt that", "There's
# no evidence that", "Is it true that", "Studies show that") or a short leading phrase closed by a
# comma ("According to TikTok,"). Longer leads are the clause's own words, not a frame.
_FRAME = re.compile(r"^\W*(?:[\w'’-]+[\s,]+){0,7}?(?:that|whether|if)\b|^[^,.;:!?]{1,80},", re.IGNORECASE)


def frame(before: str) -> str:
    """The frame of a sentence (``_FRAME``) from its text before a clause, or ""."""
    m = _FRAME.match(before)
    return m.group().strip() if m else ""


def split(
    text: str, spans: list[tuple[int, int]] | None = None, numbers: list[int] | None = None
) -> list[Unit]:
    """The matching units of a post, in order (``spans``: its ``sentences`` when the caller has
    them already; ``numbers``: their numbers in the whole post, when they are some of its sentences)."""
    units = []
    spans = sentences(text) if spans is None else spans
    for n, (s, e) in zip(numbers or range(len(spans)), spans, strict=True):
        for cs, ce in clauses(text, s, e):
            units.append(Unit(cs, ce, text[cs:ce], n))
    return units
