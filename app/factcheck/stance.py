"""The stance a post takes toward what one of its sentences says: asserts, denies, asks or reports.

Rules over the words of the matched unit (a sentence or clause), checked in this order:

- ``asks``: the unit ends with a question mark, or opens like a question ("does", "can", "is it
  true", "will"...), and is not a rhetorical "who knew?" tag after an assertion; or it states a
  study's aim ("this study aimed to compare", "Objective: to investigate whether").
- ``denies``: a negation cue governs the claim: "not", "n't", "never", "no evidence", "myth",
  "doesn't", "won't", "isn't", "false", "debunked", "fails to"; "not only" and "no wonder" are not
  negations, and a cue inside a quoted word ("no-weights") does not count.
- ``reports``: the post attributes the claim to someone else without taking it on: "according
  to", "claims that", "they say", "supposedly", "is said to", "TikTok says", "the trend".
- otherwise ``asserts``.

Only ``asserts`` carries overclaim and population flags; ``denies`` of a supported claim is itself
flagged (``denies-supported``).
"""

from __future__ import annotations

import re

from app.vocab import PostStance

Stance = PostStance
STANCES: tuple[str, ...] = tuple(PostStance)

_QUESTION_OPENERS = re.compile(
    r"^\W*(?:(?:so|but|and|ok|okay|wait|hmm|serious(?:ly)? question|real question|question)[,:!]?\s+)?"
    r"(?:does|do|did|can|could|is|are|was|were|will|would|should|has|have|may|might|"
    r"is it true|how (?:does|do|can|much|many)|why (?:does|do|is|would)|what if|anyone (?:tried|know)|"
    r"has anyone|have you)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|"
    r"shouldn't|wouldn't|couldn't|hasn't|haven't|nor|neither|"
    r"no (?:\w+ ){0,2}(?:evidence|proof|studies|study|research|data|benefit|effect|difference|link)|"
    r"little to do with|bad advice|misleading|overrated|overhyped|"
    r"myths?|debunk(?:ed|s|ing)?|false|untrue|not true|fails? to|failed to|unproven|"
    r"(?:doesn|don|didn|isn|aren|won|can)[’']t)\b",
    re.IGNORECASE,
)
_NOT_NEGATION = re.compile(
    r"\b(?:not only|not just|no wonder|no doubt|no joke|no weights|no equipment|no gym|no pain,? no gain|"
    r"never (?:been |felt |looked )?(?:better|easier|stronger)|not (?:hurting|sore|painful)|can't believe|cannot believe|couldn't believe|"
    r"don't (?:sleep on|skip|forget|underestimate)|no matter)\b",
    re.IGNORECASE,
)
# A study's aim asks a question rather than answering it ("This study aimed to compare ...").
_STUDY_AIM = re.compile(
    r"\b(?:aim(?:ed|s)? (?:was |is )?to|objectives?:|purpose of (?:this|the) (?:study|trial|review)|"
    r"we (?:investigated|examined|assessed|compared) whether|to (?:investigate|assess|determine|evaluate|examine) (?:the |whether ))",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:according to|claims? (?:that|it|to)|claimed|they say|people say|some say|experts? say|"
    r"is said to|are said to|supposedly|allegedly|reportedly|apparently|rumou?red|"
    r"(?:tiktok|instagram|the internet|influencers?|the trend|viral (?:video|post|trend)|fans|users)"
    r" (?:says?|claims?|swears?|insists?|promises?)|promises? (?:that|to)|touted|hyped)\b",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    return text.replace("’", "'").strip()


def is_question(text: str) -> bool:
    """True when the unit asks rather than states."""
    t = _clean(text)
    if t.endswith("?") and not re.search(r"(?:who knew|right|huh|eh)\?+\W*$", t, re.IGNORECASE):
        return True
    return bool(_QUESTION_OPENERS.match(t)) and "?" in t


def negation_cues(text: str) -> list[tuple[int, int]]:
    """(start, end) of each negation cue in ``text`` that really negates (not "not only")."""
    t = text.replace("’", "'")
    blocked = [(m.start(), m.end()) for m in _NOT_NEGATION.finditer(t)]
    return [
        (m.start(), m.end()) for m in _NEGATION.finditer(t) if not any(s <= m.start() < e for s, e in blocked)
    ]


def stance(text: str) -> Stance:
    """The stance of one unit (a sentence or a clause) toward what it says; see the module doc."""
    if is_question(text) or _STUDY_AIM.search(text):
        return PostStance.ASKS
    if negation_cues(text):
        return PostStance.DENIES
    if _REPORTED.search(_clean(text)):
        return PostStance.REPORTS
    return PostStance.ASSERTS
