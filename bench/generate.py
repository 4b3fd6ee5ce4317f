"""Write a synthetic, reproducible knowledge base of any size for the benchmarks.

    .venv/bin/python bench/generate.py --claims 10000 --out bench/out/kb-10000

writes ``studies.bib``, ``claims.yaml`` and ``concepts.yaml`` in the formats of data/README.md
(five studies per claim on average, some shared between claims) and is loaded by the same code
as the real data:

    EVIDENCE_KB_DATA_DIR=bench/out/kb-10000 .venv/bin/evidence-kb check

The records are **synthetic**: no study here exists. DOIs use Crossref's test prefix 10.5555,
links point to example.com, every entry carries a note saying it is synthetic. The text is made
from vocabularies of interventions, outcomes and populations (with the synonyms, slang and
hashtags people use) so that search, facets and the fact-check do the work they do on real
data: many claims share words, designs and sample sizes vary, stances disagree, grades differ.
The same seed and size always give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

ROOT = Path(__file__).resolve().parent.parent
# run as a script from anywhere: reuse the app's grading rules (bench/ off the path: its limits.py
# would hide the 'limits' package the app imports)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import certainty, grading  # noqa: E402

DOI_PREFIX = "10.5555"  # Crossref's prefix for test and example DOIs: never a real paper
STUDIES_PER_CLAIM = 5
SHARE_PROBABILITY = 0.15  # chance that an evidence link reuses a study of the same intervention
LATEST_DATE = dt.date(2025, 6, 30)  # fixed, so that the output does not depend on today's date


# --- vocabularies -------------------------------------------------------------------------------
# (phrase, other ways people say it). The first synonym of each is also used in phrasings.

INTERVENTIONS: list[tuple[str, list[str]]] = [
    ("backward walking", ["retro walking", "reverse walking", "walking backwards", "moonwalking"]),
    ("nordic walking", ["pole walking", "walking with poles"]),
    ("tai chi", ["taiji", "tai chi chuan"]),
    ("yoga", ["hatha yoga", "yoga classes"]),
    ("pilates", ["mat pilates", "reformer pilates"]),
    ("aquatic exercise", ["water aerobics", "hydrotherapy", "pool exercise"]),
    ("high-intensity interval training", ["HIIT", "interval training", "sprint intervals"]),
    ("resistance training", ["strength training", "weight lifting", "lifting weights"]),
    ("cycling", ["bike riding", "spinning", "indoor cycling"]),
    ("running", ["jogging", "road running"]),
    ("swimming", ["lap swimming", "swim training"]),
    ("dance classes", ["dancing", "zumba", "ballroom dancing"]),
    ("static stretching", ["stretching", "flexibility training"]),
    ("whole-body vibration", ["vibration plates", "vibration training"]),
    ("foam rolling", ["self-myofascial release", "foam roller"]),
    ("mindfulness meditation", ["mindfulness", "meditation", "MBSR"]),
    ("cognitive behavioural therapy", ["CBT", "talk therapy"]),
    ("acupuncture", ["dry needling", "needling"]),
    ("massage therapy", ["massage", "sports massage"]),
    ("cold water immersion", ["cold plunge", "ice bath", "cold plunges"]),
    ("sauna bathing", ["sauna", "saunas", "infrared sauna"]),
    ("intermittent fasting", ["time-restricted eating", "16:8 fasting", "fasting"]),
    ("mediterranean diet", ["med diet", "olive oil diet"]),
    ("ketogenic diet", ["keto", "low-carb diet", "keto diet"]),
    ("vitamin D supplementation", ["vitamin D", "vitamin D3", "sunshine vitamin"]),
    ("omega-3 supplementation", ["fish oil", "omega-3", "omega 3 capsules"]),
    ("creatine supplementation", ["creatine", "creatine monohydrate"]),
    ("probiotic supplements", ["probiotics", "gut bacteria supplements"]),
    ("magnesium supplementation", ["magnesium", "magnesium glycinate"]),
    ("green tea extract", ["green tea", "EGCG"]),
    ("curcumin supplements", ["turmeric", "curcumin"]),
    ("collagen peptides", ["collagen", "collagen supplements"]),
    ("melatonin", ["melatonin gummies", "sleep hormone"]),
    ("caffeine", ["coffee", "espresso"]),
    ("knee bracing", ["knee sleeve", "knee brace", "knee sleeves"]),
    ("kinesiology taping", ["KT tape", "kinesio tape", "taping"]),
    ("orthotic insoles", ["shoe inserts", "orthotics", "arch supports"]),
    ("barefoot running", ["minimalist shoes", "barefoot shoes"]),
    ("standing desks", ["sit-stand desks", "standing at work"]),
    ("blue-light-blocking glasses", ["blue light glasses", "amber glasses"]),
    ("red light therapy", ["photobiomodulation", "red light panels"]),
    ("TENS", ["transcutaneous electrical nerve stimulation", "TENS machine"]),
    ("music therapy", ["music listening", "music sessions"]),
    ("forest bathing", ["shinrin-yoku", "nature walks"]),
    ("breathing exercises", ["breathwork", "box breathing", "slow breathing"]),
    ("weighted blankets", ["weighted blanket", "gravity blanket"]),
    ("stair climbing", ["stair walking", "taking the stairs"]),
    ("balance training", ["proprioceptive training", "wobble board training"]),
    ("walking football", ["walking soccer"]),
    ("therapeutic gardening", ["gardening", "horticultural therapy"]),
]

# (phrase, verb in base form, other ways people say it)
OUTCOMES: list[tuple[str, str, list[str]]] = [
    ("knee pain", "reduce", ["sore knees", "knee ache", "achy knees"]),
    ("low back pain", "reduce", ["back pain", "lower back ache"]),
    ("neck pain", "reduce", ["stiff neck", "neck ache"]),
    ("balance", "improve", ["stability", "steadiness"]),
    ("fall risk", "reduce", ["falls", "falling"]),
    ("walking speed", "improve", ["gait speed", "walking pace"]),
    ("quadriceps strength", "improve", ["quads", "quad strength", "thigh strength"]),
    ("grip strength", "improve", ["hand strength", "grip"]),
    ("VO2 max", "raise", ["aerobic capacity", "cardio fitness", "vo2"]),
    ("resting heart rate", "lower", ["heart rate", "resting pulse"]),
    ("blood pressure", "lower", ["BP", "hypertension"]),
    ("HbA1c", "lower", ["blood sugar", "glucose control"]),
    ("LDL cholesterol", "lower", ["cholesterol", "bad cholesterol"]),
    ("body weight", "reduce", ["weight", "kilos", "pounds"]),
    ("waist circumference", "reduce", ["belly fat", "waistline"]),
    ("sleep quality", "improve", ["sleep", "deep sleep"]),
    ("depressive symptoms", "reduce", ["depression", "low mood"]),
    ("anxiety", "reduce", ["stress", "worry", "anxious feelings"]),
    ("fatigue", "reduce", ["tiredness", "exhaustion"]),
    ("cognitive function", "improve", ["memory", "brain function", "focus"]),
    ("muscle soreness", "reduce", ["DOMS", "sore muscles"]),
    ("joint stiffness", "reduce", ["stiff joints", "morning stiffness"]),
    ("range of motion", "improve", ["flexibility", "mobility"]),
    ("bone mineral density", "improve", ["bone density", "bone strength"]),
    ("inflammation markers", "lower", ["inflammation", "CRP"]),
    ("migraine frequency", "reduce", ["migraines", "headaches"]),
    ("quality of life", "improve", ["wellbeing", "well-being"]),
    ("exercise endurance", "improve", ["stamina", "endurance"]),
    ("recovery time", "shorten", ["recovery", "bounce-back time"]),
    ("insulin sensitivity", "improve", ["insulin resistance", "metabolic health"]),
    ("hot flushes", "reduce", ["hot flashes", "night sweats"]),
    ("asthma symptoms", "reduce", ["wheezing", "breathlessness"]),
    ("constipation", "relieve", ["bowel movements", "bloating"]),
    ("skin elasticity", "improve", ["wrinkles", "skin ageing"]),
    ("eye strain", "reduce", ["tired eyes", "screen fatigue"]),
    ("running economy", "improve", ["running efficiency", "pace"]),
    ("sprint performance", "improve", ["sprint speed", "speed"]),
    ("mood", "improve", ["happiness", "good mood"]),
    ("pain medication use", "reduce", ["painkillers", "pain pills"]),
    ("functional disability", "reduce", ["disability", "daily function"]),
]

# (population as written in a claim, concept id, group (patients or healthy), other ways people say it)
POPULATIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "adults with knee osteoarthritis",
        "knee-osteoarthritis",
        "patients",
        ["knee arthritis", "arthritic knees"],
    ),
    ("people with patellofemoral pain", "patellofemoral-pain", "patients", ["runner's knee", "kneecap pain"]),
    ("adults with chronic low back pain", "chronic-low-back-pain", "patients", ["chronic back pain"]),
    ("adults with type 2 diabetes", "type-2-diabetes", "patients", ["diabetics", "T2D"]),
    ("adults with hypertension", "hypertension", "patients", ["high blood pressure"]),
    ("adults with obesity", "obesity", "patients", ["obese adults", "overweight people"]),
    ("people with Parkinson's disease", "parkinsons-disease", "patients", ["Parkinson's", "parkinsons"]),
    ("people with multiple sclerosis", "multiple-sclerosis", "patients", ["MS patients"]),
    ("stroke survivors", "stroke", "patients", ["people after a stroke"]),
    ("adults with heart failure", "heart-failure", "patients", ["heart failure patients"]),
    ("adults with COPD", "copd", "patients", ["COPD", "emphysema"]),
    ("adults with asthma", "asthma", "patients", ["asthmatics"]),
    ("adults with depression", "depression", "patients", ["depressed adults"]),
    ("adults with insomnia", "insomnia", "patients", ["insomniacs", "bad sleepers"]),
    ("women with fibromyalgia", "fibromyalgia", "patients", ["fibro"]),
    ("adults with rheumatoid arthritis", "rheumatoid-arthritis", "patients", ["RA"]),
    ("postmenopausal women with osteoporosis", "osteoporosis", "patients", ["brittle bones"]),
    ("adults with migraine", "migraine", "patients", ["migraineurs"]),
    ("breast cancer survivors", "breast-cancer-survivors", "patients", ["cancer survivors"]),
    ("older adults with dementia", "dementia", "patients", ["Alzheimer's"]),
    ("pregnant women", "pregnancy", "healthy", ["expecting mothers", "pregnancy"]),
    ("menopausal women", "menopause", "healthy", ["menopause", "perimenopause"]),
    ("healthy older adults", "older-adults", "healthy", ["seniors", "elderly people", "over 65s"]),
    ("healthy adults", "healthy-adults", "healthy", ["healthy people", "everyone"]),
    ("children", "children", "healthy", ["kids", "schoolchildren"]),
    ("adolescents", "adolescents", "healthy", ["teenagers", "teens"]),
    ("recreational runners", "runners", "healthy", ["runners", "joggers"]),
    ("office workers", "office-workers", "healthy", ["desk workers", "people who sit all day"]),
    ("elite athletes", "athletes", "healthy", ["athletes", "pro athletes"]),
    ("young women", "young-women", "healthy", ["women in their twenties"]),
]

# Optional time frames: with them, the number of distinct claims exceeds 100,000.
QUALIFIERS = ["", "six weeks of", "twelve weeks of", "a year of"]

DESIGN_WEIGHTS = {
    "randomized-controlled-trial": 30, "systematic-review": 8, "meta-analysis": 5,
    "controlled-trial": 8, "crossover-trial": 7, "cohort": 12, "case-control": 4,
    "cross-sectional": 10, "case-series": 5, "laboratory": 6, "expert-opinion": 2,
    "guideline": 2, "web-page": 1,
}  # fmt: skip
# Median participants per design (log-normal around it).
DESIGN_SAMPLE = {
    "randomized-controlled-trial": 80, "controlled-trial": 50, "crossover-trial": 20,
    "cohort": 2000, "case-control": 400, "cross-sectional": 600, "case-series": 15,
    "laboratory": 18, "systematic-review": 1500, "meta-analysis": 2500,
}  # fmt: skip
STANCE_WEIGHTS = {"supports": 55, "no-effect": 20, "mixed": 12, "contradicts": 13}
TITLE_TEMPLATES = {
    "randomized-controlled-trial": "Effect of {i} on {o} in {p}: a randomized controlled trial",
    "controlled-trial": "{I} and {o} in {p}: a controlled trial",
    "crossover-trial": "Acute effects of {i} on {o} in {p}: a randomised crossover study",
    "cohort": "{I} and long-term {o} among {p}: a prospective cohort study",
    "case-control": "{I} and {o} in {p}: a case-control study",
    "cross-sectional": "Association between {i} and {o} in {p}: a cross-sectional survey",
    "case-series": "{I} for {o} in {p}: a case series",
    "laboratory": "{I} and {o}: a laboratory study in {p}",
    "systematic-review": "{I} for {o} in {p}: a systematic review",
    "meta-analysis": "{I} and {o} in {p}: a systematic review and meta-analysis",
    "expert-opinion": "Should {p} try {i} for {o}? A clinical commentary",
    "guideline": "Clinical practice guideline on {i} for {o} in {p}",
    "web-page": "{I}: what to know about {o}",
}
FAMILY_NAMES = [
    ("Smith", "Smith"), ("García", "Garc{\\'i}a"), ("Müller", "M{\\\"u}ller"), ("Nguyen", "Nguyen"),
    ("Okafor", "Okafor"), ("Sörensen", "S{\\\"o}rensen"), ("Kowalski", "Kowalski"), ("Tanaka", "Tanaka"),
    ("O'Brien", "O'Brien"), ("Rossi", "Rossi"), ("Dubois", "Dubois"), ("Andersson", "Andersson"),
    ("Patel", "Patel"), ("Kim", "Kim"), ("Silva", "Silva"), ("Cohen", "Cohen"), ("Ivanova", "Ivanova"),
    ("Haddad", "Haddad"), ("Mensah", "Mensah"), ("Novák", "Nov{\\'a}k"), ("Chen", "Chen"),
    ("Wang", "Wang"), ("Hughes", "Hughes"), ("Martin", "Martin"), ("Yilmaz", "Yilmaz"),
    ("Fernández", "Fern{\\'a}ndez"), ("Schmidt", "Schmidt"), ("Alghadir", "Alghadir"),
    ("Lefèvre", "Lef{\\`e}vre"), ("Byrne", "Byrne"), ("Costa", "Costa"), ("Hansen", "Hansen"),
]  # fmt: skip
PARTICLE_NAMES = [("van", "Deursen"), ("de", "Vries"), ("van der", "Berg"), ("da", "Silva"), ("von", "Holst")]
GIVEN_NAMES = [
    "Anna", "James", "Maria", "Wei", "Fatima", "Lars", "Chioma", "Hiroshi", "Sofia", "David",
    "Aisha", "Pierre", "Olga", "Rahul", "Emma", "Mateus", "Yuki", "Kwame", "Ingrid", "Tomás",
    "R. W. M.", "J.", "K. L.", "Paulien E.",
]  # fmt: skip
JOURNALS = [
    "Journal of Synthetic Clinical Research",
    "Synthetic Rehabilitation Reports",
    "Archives of Generated Physical Medicine",
    "Benchmark Journal of Sports Science",
    "Placeholder Review of Nutrition",
    "Imaginary Journal of Sleep and Mood",
    "Test Journal of Musculoskeletal Care",
    "Fictional Annals of Preventive Medicine",
]
LIMITATIONS = [
    "small sample", "short follow-up", "no blinding of participants", "high drop-out rate",
    "self-reported outcomes", "single centre", "no control group", "industry funding",
    "participants not representative of the wider population", "outcome assessors not blinded",
    "baseline differences between groups", "adherence not measured",
]  # fmt: skip
FUNDING = ["None declared", "Public research council grant", "University internal funding",
           "Funded by the manufacturer of the product tested", "Charitable foundation grant"]  # fmt: skip
HASHTAG_TAILS = ["hack", "works", "relief", "tips", "science", "journey", "life"]
SLANG = [
    "{s} fixed my {o} in like two weeks",
    "{s} is the {o} cure nobody talks about",
    "been doing {s} and my {o} is SO much better",
    "does {s} actually help with {o}?",
    "{s} for {o} is legit",
    "pro tip: {s} sorts out {o}",
    "my physio swears by {s} for {o}",
]


# --- small helpers ------------------------------------------------------------------------------


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def third_person(verb: str) -> str:
    return grading.third_person(verb)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """PyYAML's safe dumper (libyaml's when available) writing long texts as folded blocks, as
    curators write summaries and findings."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 96 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[object]) -> yaml.SequenceNode:
    short = all(isinstance(v, str | int | float) for v in value) and len(str(value)) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def _no_aliases(_dumper: object, _data: object) -> bool:
    return True  # a date written twice stays two plain dates, not an anchor and an alias


_Dumper.ignore_aliases = _no_aliases  # type: ignore[method-assign,assignment]


def dump_yaml(documents: list[dict[str, object]], header: str) -> str:
    """YAML for a list of records: block style, short lists of scalars (topics, terms) in flow
    style, keys in the order given."""
    return yaml_header(header) + dump_yaml_items(documents)


def yaml_header(header: str) -> str:
    """A comment block and a blank line: what a YAML file of records starts with."""
    return "".join(f"# {line}\n" for line in header.splitlines()) + "\n"


def dump_yaml_items(documents: list[dict[str, object]]) -> str:
    """The items of a top-level YAML list (``- key: ...`` blocks). Items written one call at a
    time join into the same text as the whole list in one call (no aliases, no document end).

    Records of plain ASCII text go through ``FastYaml`` (the same bytes as PyYAML with libyaml,
    several times faster; ``tests/test_generate.py`` compares them); anything else through PyYAML.
    """
    out = []
    for document in documents:
        try:
            out.append(FastYaml().items([document]))
        except _Unusual:
            out.append(_pyyaml_items([document]))
    return "".join(out)


def _pyyaml_items(documents: list[dict[str, object]]) -> str:
    return yaml.dump(
        documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96, default_flow_style=False
    )


class _Unusual(Exception):
    """A value FastYaml does not write (left to PyYAML)."""


_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_IMPLICIT_FIRST = set().union(*(set(k or "") for k in yaml.resolver.Resolver.yaml_implicit_resolvers))
_PRINTABLE_ASCII = re.compile(r"[ -~]*")
WIDTH = 96
_PLAIN_KEYS: set[str] = set()  # mapping keys seen to be plain lower-case words


class FastYaml:
    """YAML text for the generator's records, byte for byte what ``yaml.dump`` with ``_Dumper``
    (libyaml's emitter, width 96, long texts folded, short lists of scalars in flow style) writes.

    It follows libyaml's emitter (``emitter.c``) for what these records hold: mappings, lists,
    strings of printable ASCII, ints, floats and dates; scalar styles chosen as its
    ``yaml_emitter_analyze_scalar`` and ``select_scalar_style`` do, lines broken at a space once
    past the width as its writers do. Anything else raises ``_Unusual``.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.flow = False

    def items(self, documents: list[dict[str, object]]) -> str:
        for document in documents:
            self._write_indent(0)
            self._indicator("-", True, False, True)
            self._mapping(document, 2)
        self.parts.append("\n")
        return "".join(self.parts)

    # -- writing ------------------------------------------------------------------------------

    def _put(self, text: str) -> None:
        self.parts.append(text)
        self.column += len(text)

    def _write_indent(self, indent: int) -> None:
        column = self.column
        if not self.indention or column > indent or (column == indent and not self.whitespace):
            self.parts.append("\n" + " " * indent)
            self.column = indent
        elif column < indent:
            self.parts.append(" " * (indent - column))
            self.column = indent
        self.whitespace = True
        self.indention = True

    def _indicator(self, text: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_whitespace and not self.whitespace:
            self._put(" ")
        self._put(text)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    # -- nodes --------------------------------------------------------------------------------

    def _node(self, value: object, indent: int, in_mapping: bool) -> None:
        """A value at block indent ``indent`` (the indent of the collection holding it)."""
        if isinstance(value, dict):
            if not value:
                raise _Unusual
            self._mapping(value, indent + 2)
        elif isinstance(value, list):
            short = all(isinstance(v, str | int | float) for v in value) and len(str(value)) <= 80
            if short:
                self._flow_sequence(value, indent + 2)
            else:
                self._block_sequence(value, indent if in_mapping else indent + 2)
        else:
            self._scalar(value, indent + 2)

    def _mapping(self, mapping: dict[str, object], indent: int) -> None:
        for key, value in mapping.items():
            self._write_indent(indent)
            if key not in _PLAIN_KEYS:
                if not (isinstance(key, str) and re.fullmatch(r"[a-z_]+", key)):
                    raise _Unusual
                _PLAIN_KEYS.add(key)
            self.parts.append(key + ":")  # a plain key and the ':' indicator
            self.column += len(key) + 1
            self.whitespace = self.indention = False
            self._node(value, indent, True)

    def _block_sequence(self, items: list[object], indent: int) -> None:
        if not items:
            raise _Unusual
        for item in items:
            self._write_indent(indent)
            self._indicator("-", True, False, True)
            self._node(item, indent, False)

    def _flow_sequence(self, items: list[object], indent: int) -> None:
        self._indicator("[", True, True, False)
        self.flow = True
        for n, item in enumerate(items):
            if n:
                self._indicator(",", False, False, False)
            if self.column > WIDTH:
                self._write_indent(indent)
            self._scalar(item, indent)
        self.flow = False
        self._indicator("]", False, False, False)

    def _scalar(self, value: object, indent: int) -> None:
        if isinstance(value, bool) or value is None:
            raise _Unusual
        if isinstance(value, int):
            self._plain(str(value), indent)
        elif isinstance(value, float):
            text = repr(value).lower()
            if value != value or value in (float("inf"), float("-inf")):
                raise _Unusual
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
            self._plain(text, indent)
        elif isinstance(value, dt.date):
            self._plain(value.isoformat(), indent)
        elif isinstance(value, str):
            self._string(value, indent)
        else:
            raise _Unusual

    def _string(self, value: str, indent: int) -> None:
        if not value or not _PRINTABLE_ASCII.fullmatch(value) or "  " in value or value.strip(" ") != value:
            raise _Unusual  # spaces at the ends or doubled, or other characters: left to PyYAML
        if len(value) > 96:
            if self.flow:
                raise _Unusual
            self._folded(value, indent)
            return
        flow_plain, block_plain = _analyse(value)
        plain = flow_plain if self.flow else block_plain
        if plain and value and value[0] in _IMPLICIT_FIRST:
            plain = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
        if plain:
            self._plain(value, indent)
        else:
            self._single_quoted(value, indent)

    def _words(self, text: str, indent: int) -> None:
        """Text without line breaks, leading, trailing or double spaces, broken at a space once
        past the width (libyaml's plain, single-quoted and folded writers agree on this)."""
        column = self.column
        if column + len(text) <= WIDTH + 1:  # no space can be past the width
            self.parts.append(text)
            self.column = column + len(text)
            return
        words = text.split(" ")
        out = [words[0]]
        column += len(words[0])
        line_break = "\n" + " " * indent
        for word in words[1:]:
            if column > WIDTH:
                out.append(line_break)
                column = indent
            else:
                out.append(" ")
                column += 1
            out.append(word)
            column += len(word)
        self.parts.append("".join(out))
        self.column = column

    def _plain(self, text: str, indent: int) -> None:
        if not self.whitespace:
            self._put(" ")
        self._words(text, indent)
        self.whitespace = False
        self.indention = False

    def _single_quoted(self, text: str, indent: int) -> None:
        self._indicator("'", True, False, False)
        self._words(text.replace("'", "''"), indent)
        self._indicator("'", False, False, False)

    def _folded(self, text: str, indent: int) -> None:
        self._indicator(">", True, False, False)
        self._put("-")  # chomping: the text has no final line break
        self.parts.append("\n")
        self.column = 0
        self.indention = self.whitespace = True
        self._write_indent(indent)
        self.indention = False
        self._words(text, indent)
        self.whitespace = False


_FLOW_INDICATORS = re.compile(r"[,?\[\]{}:]")


def _analyse(value: str) -> tuple[bool, bool]:
    """(plain allowed in flow context, plain allowed in block context) for a non-empty string of
    printable ASCII without leading or trailing spaces, as libyaml's yaml_emitter_analyze_scalar."""
    first, rest = value[0], value[1:]
    flow_ind = block_ind = value.startswith(("--- ", "... ")) or value in ("---", "...")
    if first in "#,[]{}&*!|>'\"%@`":
        flow_ind = block_ind = True
    elif first in "?:":
        flow_ind = True
        block_ind = block_ind or rest[:1] in ("", " ")
    elif first == "-" and rest[:1] in ("", " "):
        flow_ind = block_ind = True
    if _FLOW_INDICATORS.search(rest):
        flow_ind = True
    if ": " in rest or rest.endswith(":") or " #" in value:
        block_ind = True
    return not flow_ind, not block_ind


def bib_value(value: str) -> str:
    return "{" + value + "}"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


# --- the model ----------------------------------------------------------------------------------


@dataclass
class Topic:
    """One claim's subject matter: intervention x outcome x population (x time frame)."""

    intervention: int
    outcome: int
    population: int
    qualifier: int

    @property
    def i(self) -> tuple[str, list[str]]:
        return INTERVENTIONS[self.intervention]

    @property
    def o(self) -> tuple[str, str, list[str]]:
        return OUTCOMES[self.outcome]

    @property
    def p(self) -> tuple[str, str, str, list[str]]:
        return POPULATIONS[self.population]


@dataclass
class SynthStudy:
    key: str
    design: str
    sample_size: int | None  # None: not reported (or a design without participants)
    population: int
    intervention: int
    outcome: int
    risk_of_bias: str
    retracted: bool
    review_of: str | None = None
    evidence_level: str | None = None


TOPIC_SPACE = len(INTERVENTIONS) * len(OUTCOMES) * len(POPULATIONS) * len(QUALIFIERS)


def topic_from_index(index: int) -> Topic:
    index, qualifier = divmod(index, len(QUALIFIERS))
    index, population = divmod(index, len(POPULATIONS))
    intervention, outcome = divmod(index, len(OUTCOMES))
    return Topic(intervention, outcome, population, qualifier)


def claim_topics(claims: int, seed: int = 1) -> list[Topic]:
    """The topics of the claims a generator with this size and seed writes, in file order."""
    return [topic_from_index(i) for i in random.Random(seed).sample(range(TOPIC_SPACE), claims)]


def subject_of(topic: Topic) -> str:
    return f"{QUALIFIERS[topic.qualifier]} {topic.i[0]}".strip()


def claim_id(topic: Topic) -> str:
    return slug(f"{subject_of(topic)} {topic.o[1]}s {topic.o[0]} {topic.p[1]}")


POST_TEMPLATES = [
    "{s} {v} my {o}!! #{h}",
    "ok so {s} totally fixed my {o}, {p} you need this",
    "PSA for {p}: {s} is proven to {base} {o} 💯",
    "{s} boosted my {o} by {n}% in 2 weeks, science says so",
    "Has anyone tried {s} for {o}? my physio says it helps {p}",
    "new study: {s} {v} {o} in {p}",
]
UNRELATED_POSTS = [
    "just walked my dog backwards around the block lol",
    "new phone who dis",
    "the sunset tonight was unreal 🌅",
    "counting backwards from ten to fall asleep, works every time",
    "my cat knocked my coffee off the desk again",
    "reverse parking is a life skill nobody teaches you",
    "anyone know a good pizza place near the station?",
    "finished my tax return, time for a nap",
]


def posts(topics: list[Topic], count: int, seed: int = 2) -> list[tuple[str, str | None]]:
    """Social-media-style posts about the given claims (with the id they are about), and 1 in 8
    about nothing in the knowledge base (None): the fact-check benchmark's input."""
    rng = random.Random(seed)
    out: list[tuple[str, str | None]] = []
    for n in range(count):
        if n % 8 == 7:
            out.append((rng.choice(UNRELATED_POSTS), None))
            continue
        topic = rng.choice(topics)
        said = rng.choice([topic.i[0], *topic.i[1]])
        text = rng.choice(POST_TEMPLATES).format(
            s=said, v=third_person(topic.o[1]), base=topic.o[1], o=rng.choice([topic.o[0], *topic.o[2]]),
            p=rng.choice([topic.p[0], *topic.p[3]]), n=rng.randint(10, 300),
            h="".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", said)),
        )  # fmt: skip
        out.append((text, claim_id(topic)))
    return out


class Generator:
    def __init__(self, claims: int, seed: int = 1, studies_per_claim: int = STUDIES_PER_CLAIM):
        if not 1 <= claims <= TOPIC_SPACE:
            raise ValueError(f"claims must be between 1 and {TOPIC_SPACE}")
        self.n_claims = claims
        self.seed = seed
        self.n_studies = claims * studies_per_claim
        self.rng = random.Random(seed)
        self.studies: list[SynthStudy] = []
        self.by_intervention: dict[int, list[int]] = {}
        self._bib: TextIO | None = None  # studies.bib while write() runs: entries go there at once

    # -- studies --------------------------------------------------------------------------------

    def _authors(self) -> tuple[str, str]:
        """(BibTeX author field, family name of the first author for the key)."""
        rng = self.rng
        people, first_family = [], ""
        for n in range(rng.choice([1, 2, 3, 3, 4, 5, 6, 8])):
            if rng.random() < 0.08:
                particle, family = rng.choice(PARTICLE_NAMES)
                name, plain = f"{particle} {family}, {rng.choice(GIVEN_NAMES)}", family
            else:
                plain, latex = rng.choice(FAMILY_NAMES)
                # Most files carry UTF-8; older exports carry LaTeX accents: the loader takes both.
                family = latex if rng.random() < 0.3 else plain
                name = f"{family}, {rng.choice(GIVEN_NAMES)}"
            people.append(name)
            if n == 0:
                first_family = plain
        if rng.random() < 0.05:
            people.append("others")
        if rng.random() < 0.01:
            people = ["{Synthetic Evidence Collaboration}"]
            first_family = "collaboration"
        return " and ".join(people), first_family

    def _sample_size(self, design: str) -> int | None:
        median = DESIGN_SAMPLE.get(design)
        if median is None or self.rng.random() < 0.03:
            return None
        return max(4, int(self.rng.lognormvariate(0, 0.8) * median))

    def new_study(self, topic: Topic, cited: bool) -> int:
        rng = self.rng
        index = len(self.studies)
        design = rng.choices(list(DESIGN_WEIGHTS), weights=list(DESIGN_WEIGHTS.values()))[0]
        intervention, outcome_phrase, population = topic.i[0], topic.o[0], topic.p[0]
        if rng.random() < 0.3:  # studies often name the intervention the way the field does
            intervention = rng.choice(topic.i[1])
        title = TITLE_TEMPLATES[design].format(
            i=intervention, I=cap(intervention), o=outcome_phrase, p=population
        )
        if rng.random() < 0.05:
            title = title.replace(" and ", " \\& ", 1)  # LaTeX in a title
        authors, family = self._authors()
        year = rng.randint(1985, 2025)
        key = f"{slug(family).replace('-', '')}{year}{slug(intervention).split('-')[0]}{index:x}"
        sample = self._sample_size(design)
        study = SynthStudy(
            key, design, sample, topic.population, topic.intervention, topic.outcome,
            rng.choice(["low", "low", "some-concerns", "high", "unclear"]), rng.random() < 0.003,
        )  # fmt: skip
        entry_type = {"web-page": "misc", "guideline": "techreport"}.get(design, "article")
        if design == "laboratory" and rng.random() < 0.2:
            entry_type = "mastersthesis"
        fields: list[tuple[str, str]] = (
            [("author", authors)] if design != "web-page" or rng.random() < 0.5 else []
        )
        fields += [("title", title), ("year", str(year))]
        if entry_type == "article":
            journal = rng.randrange(len(JOURNALS))
            fields.append(("journal", f"@j{journal}"))
            fields += [("volume", str(rng.randint(1, 80))), ("number", str(rng.randint(1, 12)))]
            first = rng.randint(1, 2000)
            fields.append(("pages", f"{first}--{first + rng.randint(4, 15)}"))
            fields.append(("doi", f"{DOI_PREFIX}/synth.{year}.{index:07d}"))
        elif entry_type == "techreport":
            fields.append(("institution", "Synthetic Guideline Group"))
        elif entry_type == "mastersthesis":
            fields.append(("school", "University of Placeholders"))
        else:
            fields.append(("url", f"https://example.com/synthetic/{slug(intervention)}-{index}"))
        fields.append(("note", "Synthetic record for benchmarks (bench/generate.py); not a real study"))
        if cited or rng.random() < 0.5:  # a large bibliography may hold unappraised entries
            fields += self._appraisal(study, topic, intervention)
        self.studies.append(study)
        lines = [f"\n@{entry_type}{{{key},"]
        for name, value in fields:
            rendered = value[1:] if value.startswith("@") else bib_value(value)  # @jN: a macro
            lines.append(f"  {name:<12} = {rendered},")
        lines.append("}\n")
        if self._bib is not None:
            self._bib.write("\n".join(lines))
        self.by_intervention.setdefault(topic.intervention, []).append(index)
        return index

    def _appraisal(self, study: SynthStudy, topic: Topic, intervention: str) -> list[tuple[str, str]]:
        rng = self.rng
        design = study.design
        out = [("design", design)]
        if design in grading.REVIEW_DESIGNS:
            study.review_of = rng.choice(["trials", "trials", "observational", "mixed"])
            out.append(("studies", str(rng.randint(3, 45))))
            out.append(("reviewof", study.review_of))
        if design == "guideline":
            study.evidence_level = rng.choice(grading.LEVELS)
            out.append(("evidencelevel", study.evidence_level))
        if study.sample_size is not None:
            out.append(("samplesize", str(study.sample_size)))
            if rng.random() < 0.2:
                out.append(("enrolled", str(int(study.sample_size * rng.uniform(1.05, 1.4)) + 1)))
        elif design not in grading.NO_SAMPLE_DESIGNS:
            out.append(("samplesize", "not-reported"))
        weeks = rng.choice([4, 6, 8, 10, 12, 16, 24, 52])
        out += [
            ("population", cap(topic.p[0])),
            ("intervention", f"{cap(intervention)}, {rng.randint(2, 5)} sessions a week"),
            ("comparator", rng.choice(["Usual care", "Wait-list control", "Placebo", "Forward walking", "No intervention", "Health education"])),
            ("duration", f"{weeks} weeks"),
            ("outcomes", "; ".join(dict.fromkeys([topic.o[0], rng.choice(OUTCOMES)[0], "adverse events"]))),
            ("limitations", "; ".join(rng.sample(LIMITATIONS, rng.randint(1, 3)))),
            ("riskofbias", study.risk_of_bias),
            ("funding", rng.choice(FUNDING)),
        ]  # fmt: skip
        if study.retracted:
            out.append(("retracted", "yes"))
        return out

    # -- claims ---------------------------------------------------------------------------------

    def claim(self, topic: Topic) -> dict[str, object]:  # noqa: C901 (one template per claim: a flat sequence of optional parts)
        rng = self.rng
        intervention, synonyms = topic.i
        outcome, verb, outcome_words = topic.o
        population, population_id, group, _ = topic.p
        subject = subject_of(topic)
        predicate = f"{verb} {outcome} in {population}"
        this_id = claim_id(topic)
        statement = f"{cap(subject)} {third_person(verb)} {outcome} in {population}."

        links: list[tuple[int, str]] = []
        for _ in range(max(1, min(12, 1 + self._poisson(STUDIES_PER_CLAIM - 1)))):
            pool = self.by_intervention.get(topic.intervention, [])
            if pool and rng.random() < SHARE_PROBABILITY:
                index = rng.choice(pool)
            else:
                index = self.new_study(topic, cited=True)
            if index in (i for i, _ in links):
                continue
            links.append((index, rng.choices(list(STANCE_WEIGHTS), weights=list(STANCE_WEIGHTS.values()))[0]))

        evidence: list[dict[str, object]] = []
        graded: list[grading.GradedStudy] = []
        figures_text: list[str] = []
        for index, stance in links:
            study = self.studies[index]
            direct = (
                study.population == topic.population and study.outcome == topic.outcome and rng.random() < 0.8
            )
            because: list[str] = []
            if not direct:
                because = rng.sample(
                    ["population", "outcome", "intervention", "predicted-vs-measured", "acute-vs-training"],
                    rng.choice([1, 1, 2]),
                )
            finding, figures = self._finding(study, topic, stance)
            figures_text.append(finding)
            graded.append(grading.GradedStudy(
                key=study.key, design=study.design, stance=stance, sample_size=study.sample_size,
                directness="direct" if direct else "indirect", indirect_because=tuple(because),
                risk_of_bias=study.risk_of_bias, retracted=study.retracted,
                review_of=study.review_of, evidence_level=study.evidence_level,
            ))  # fmt: skip
            link: dict[str, object] = {
                "study": study.key,
                "stance": stance,
                "outcome": outcome,
                "directness": "direct" if direct else "indirect",
            }
            if because:
                link["indirect_because"] = because
            link["finding"] = finding
            if rng.random() < 0.4:
                link["caveats"] = [cap(rng.choice(LIMITATIONS)) + "."]
            if figures:
                link["figures"] = figures
            if stance == "supports" and rng.random() < 0.02:
                link["misreading"] = {
                    "claimed": f"{cap(intervention)} cures {outcome}",
                    "actual": f"A modest change in {outcome} in {study.sample_size or 'an unreported number of'} participants, not a cure",
                    "phrasings": [f"{synonyms[0]} cures {outcome_words[0]}"],
                }  # fmt: skip
            evidence.append(link)
        grade = certainty.grade_outcome(graded)
        verdict = self._verdict(grade)

        designs = sorted({self.studies[i].design for i, _ in links})
        total = sum(self.studies[i].sample_size or 0 for i, _ in links)
        summary = (
            f"{len(links)} {'study' if len(links) == 1 else 'studies'} "
            f"({', '.join(grading.DESIGN_LABELS[d].lower() for d in designs)}) with about {total} participants "
            f"looked at {intervention} and {outcome}. {figures_text[0]} "
            + rng.choice([
                f"Most were small and short, and few were done in {population}.",
                "Results differed between studies, partly because the programmes differed.",
                f"The evidence is about {outcome} as measured in trials, not about everyday symptoms.",
                "Longer follow-up is missing.",
            ])
        )  # fmt: skip
        caveats = [
            rng.choice([
                f"The largest study analysed {max(self.studies[i].sample_size or 0 for i, _ in links)} participants.",
                f"Few studies were done in {population}.",
                "Follow-up rarely went beyond three months.",
            ]),
            rng.choice([
                "Participants knew which group they were in.",
                f"{cap(outcome)} was often self-reported.",
                f"The {intervention} programmes differed in dose and supervision.",
            ]),
        ]  # fmt: skip
        if rng.random() < 0.5:
            caveats.append(f"Not tested against other treatments for {outcome}.")
        phrasings = self._phrasings(topic)
        tested_in = [population_id]
        if group == "patients" and rng.random() < 0.2:
            tested_in.append("older-adults")
        reviewed = random_date(rng, dt.date(2019, 1, 1), LATEST_DATE)
        added = random_date(rng, dt.date(2015, 1, 1), reviewed)
        history = [(reviewed, f"Evidence reviewed; verdict {verdict}.")]
        if added < reviewed:
            history.append((added, "Claim added."))
        record: dict[str, object] = {
            "id": this_id,
            "statement": statement,
            "subject": subject,
            "predicate": predicate,
            "summary": summary,
            "population": cap(population),
            "topics": [slug(intervention), slug(outcome), population_id],
            "verdict": verdict,
        }
        if verdict == "unproven":
            because = rng.choice(["untested", "no-evidence-found"])
            if grading.untested_disagreement(verdict, because, graded):
                because = "no-evidence-found"  # a direct trial supports it: 'untested' would be a warning
            record["unproven_because"] = because
        record |= {"caveats": caveats, "phrasings": phrasings, "tested_in": tested_in}
        appearances = rng.choice([0, 0, 1, 1, 1, 2, 3])
        if appearances:
            record["appearances"] = [
                {
                    "url": f"https://example.com/{this_id}/{a}",
                    "title": f"{cap(synonyms[0])} and {outcome_words[0]}: what the science says",
                    "date": random_date(rng, dt.date(2015, 1, 1), LATEST_DATE),
                    "kind": rng.choice(["article", "social-post", "video", "podcast", "press-release"]),
                }
                for a in range(appearances)
            ]
        record["reviewed"] = reviewed
        record["history"] = [{"date": d, "change": c} for d, c in history]
        record["evidence"] = evidence
        return record

    def _poisson(self, mean: float) -> int:
        # Knuth's method: fine for small means, and reproducible with random.Random.
        limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _verdict(self, grade: grading.Grade) -> str:
        """A verdict a curator could give for this grade (never one the loader warns about)."""
        rng = self.rng
        if grade.direction == "against":
            return rng.choice(["contradicted", "unproven"])
        if grade.direction == "mixed":
            return rng.choice(["partly-supported", "unproven", "misleading"])
        if grade.level in ("no-direct-evidence", "no-evidence"):
            return rng.choice(["partly-supported", "misleading"])
        if grade.level in ("high", "moderate"):
            return rng.choice(["supported", "supported", "partly-supported"])
        if grade.level == "low":
            return rng.choice(["supported", "partly-supported", "partly-supported", "misleading"])
        return rng.choice(["partly-supported", "unproven", "misleading"])

    def _finding(self, study: SynthStudy, topic: Topic, stance: str) -> tuple[str, list[dict[str, object]]]:
        rng = self.rng
        outcome, verb = topic.o[0], topic.o[1]
        better = "fell" if verb in ("reduce", "lower", "relieve", "shorten") else "rose"
        worse = "rose" if better == "fell" else "fell"
        weeks = rng.choice([4, 6, 8, 12, 16, 24])
        if stance == "supports":
            change = round(rng.uniform(2, 35), 1)
            text = f"{cap(outcome)} {better} by {change}% vs {round(change * rng.uniform(0.1, 0.6), 1)}% in the control group after {weeks} weeks (p = {rng.choice(['0.001', '0.01', '0.02', '0.04'])})."
        elif stance == "no-effect":
            change = round(rng.uniform(-2, 3), 1)
            text = f"No difference in {outcome} between groups after {weeks} weeks ({change}% difference, p = {round(rng.uniform(0.2, 0.9), 2)})."
        elif stance == "mixed":
            change = round(rng.uniform(1, 12), 1)
            text = (
                f"{cap(outcome)} {better} by {change}% at {weeks} weeks but the effect had gone at follow-up."
            )
        else:
            change = round(-rng.uniform(1, 15), 1)
            text = f"{cap(outcome)} {worse} by {abs(change)}% compared with the control group after {weeks} weeks."
        if study.sample_size:
            text += f" {study.sample_size} participants were analysed."
        figures: list[dict[str, object]] = []
        if stance != "no-effect" or rng.random() < 0.5:
            figures.append(
                {
                    "measure": f"change in {outcome}",
                    "value": change,
                    "unit": "percent",
                    "comparison": f"control group after {weeks} weeks",
                }
            )
        if study.sample_size and rng.random() < 0.5:
            figures.append(
                {"measure": "participants analysed", "value": study.sample_size, "unit": "participants"}
            )
        return text, figures

    def _phrasings(self, topic: Topic) -> list[str]:
        rng = self.rng
        intervention, synonyms = topic.i
        outcome, verb, outcome_words = topic.o
        population_words = topic.p[3]
        said = [rng.choice(synonyms), intervention]
        out = [
            f"{said[0]} {third_person(verb)} {rng.choice(outcome_words)}",
            rng.choice(SLANG).format(s=rng.choice(synonyms), o=rng.choice(outcome_words)),
            f"#{''.join(w.capitalize() for w in re.findall(r'[A-Za-z0-9]+', said[0]))}{rng.choice(HASHTAG_TAILS)} for {rng.choice(outcome_words)}",
            f"{said[1]} is good for {rng.choice(outcome_words)} if you have {rng.choice(population_words)}",
        ]
        if rng.random() < 0.5:
            out.append(
                f"{rng.choice(population_words)} should try {rng.choice(synonyms)} to {verb} their {outcome}"
            )
        return list(dict.fromkeys(out))

    # -- files ----------------------------------------------------------------------------------

    def concepts(self, data_dir: Path | None) -> list[dict[str, object]]:
        """Concepts for every vocabulary item, plus the non-topic ones of the real concept list."""
        records: list[dict[str, object]] = []
        seen: set[str] = set()

        def concept(cid: str, kind: str, label: str, terms: list[str], group: str | None = None) -> None:
            if cid in seen:
                return
            seen.add(cid)
            record: dict[str, object] = {"id": cid, "kind": kind, "label": label}
            if group:
                record["group"] = group
            record["terms"] = terms
            records.append(record)

        for name, synonyms in INTERVENTIONS:
            concept(slug(name), "activity", name, [name, *synonyms])
        for name, _, synonyms in OUTCOMES:
            concept(slug(name), "outcome", name, [name, *synonyms])
        for label, cid, group, synonyms in POPULATIONS:
            concept(cid, "population", label, [label, *synonyms], group)
        # Certainty words, generalisers and the like drive the fact-check's flags: reuse the curated
        # ones so that the benchmark exercises them too.
        real = (data_dir / "concepts.yaml") if data_dir else None
        if real and real.exists():
            for item in yaml.safe_load(real.read_text(encoding="utf-8")) or []:
                if isinstance(item, dict) and item.get("kind") in ("certainty", "generaliser", "ignore"):
                    concept(
                        item["id"], item["kind"], item.get("label") or item["id"], list(item.get("terms", []))
                    )
        return records

    def write(self, out_dir: Path, *, concepts_from: Path | None = ROOT / "data") -> dict[str, int]:
        """Write the three files, streaming: each study's entry and each claim's record go to
        their file as soon as they are made, so memory holds only the few facts per study that
        later claims reuse (not the text), whatever the size."""
        out_dir.mkdir(parents=True, exist_ok=True)
        claims_header = (
            f"Synthetic knowledge base: {self.n_claims} claims for benchmarks (bench/generate.py).\n"
            "No study here exists; do not cite."
        )
        links = 0
        with (
            (out_dir / "studies.bib").open("w", encoding="utf-8", newline="\n") as bib,
            (out_dir / "claims.yaml").open("w", encoding="utf-8", newline="\n") as claims_file,
        ):
            self._bib = bib
            bib.write(
                "\n".join([
                    "% Synthetic bibliography for benchmarks (bench/generate.py). No entry here is a real",
                    f"% study: DOIs use the test prefix {DOI_PREFIX}, links point to example.com.",
                    "",
                    *(f'@string{{j{i} = "{name}"}}' for i, name in enumerate(JOURNALS)),
                    "",
                ])
            )  # fmt: skip
            claims_file.write(yaml_header(claims_header))
            for topic in claim_topics(self.n_claims, self.seed):
                claim = self.claim(topic)
                links += len(claim["evidence"])  # type: ignore[arg-type]
                claims_file.write(dump_yaml_items([claim]))
            cited = len(self.studies)
            while len(self.studies) < self.n_studies:  # the rest of the bibliography: not cited
                self.new_study(topic_from_index(self.rng.randrange(TOPIC_SPACE)), cited=False)
            self._bib = None
        concepts_header = "Synthetic concepts for benchmarks (bench/generate.py)."
        (out_dir / "concepts.yaml").write_text(
            dump_yaml(self.concepts(concepts_from), concepts_header), encoding="utf-8"
        )
        return {
            "claims": self.n_claims,
            "studies": len(self.studies),
            "cited_studies": cited,
            "evidence_links": links,
        }


def generate(
    out_dir: Path, claims: int, *, seed: int = 1, concepts_from: Path | None = ROOT / "data"
) -> dict[str, int]:
    """Write a knowledge base of ``claims`` claims (and 5 studies per claim) to ``out_dir``."""
    return Generator(claims, seed).write(Path(out_dir), concepts_from=concepts_from)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1000, help="number of claims (studies: 5 per claim)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created if missing)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.out, args.claims, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    print(
        f"wrote {counts['claims']} claims, {counts['studies']} studies ({counts['cited_studies']} cited), "
        f"{counts['evidence_links']} evidence links to {args.out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
