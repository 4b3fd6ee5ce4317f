"""Every controlled vocabulary of the project, each defined once.

A vocabulary is a ``StrEnum``: its members are plain strings (``Verdict.SUPPORTED ==
"supported"``), so they go into JSON, SQL, templates and dictionary look-ups unchanged, while
pydantic models, FastAPI parameters and argparse ``choices`` take the enum itself and so list
exactly these values in error messages and in the OpenAPI document. The loader's input models,
the grading rules, the API, the pages, the charts, the citations and the README tables (checked
by ``tests/test_docs.py``) all read from here: add a value in one place.

Labels (the words readers see) sit next to each vocabulary as a ``dict`` keyed by member;
``tests/test_vocab.py`` checks that every member has one. The meaning of each value for the
evidence grade (where a design starts, a verdict's rating) stays in ``app.grading``.
"""

from __future__ import annotations

from enum import StrEnum


class GradeLevel(StrEnum):
    """Certainty of the evidence (GRADE), weakest first: ``list(GradeLevel).index`` is the rank."""

    VERY_LOW = "very-low"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 (very low) to 3 (high)."""
        return list(GradeLevel).index(self)


LEVEL_LABELS: dict[str, str] = {
    GradeLevel.HIGH: "High",
    GradeLevel.MODERATE: "Moderate",
    GradeLevel.LOW: "Low",
    GradeLevel.VERY_LOW: "Very low",
}


class Certainty(StrEnum):
    """What a summary of findings says about one outcome, best first: a GRADE level, or no
    level at all (``no-direct-evidence``: only studies of other people, outcomes or comparisons;
    ``no-evidence``: nothing bears on it). A claim's headline grade is its main outcome's."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very-low"
    NO_DIRECT_EVIDENCE = "no-direct-evidence"
    NO_EVIDENCE = "no-evidence"


CERTAINTY_LABELS: dict[str, str] = {
    **LEVEL_LABELS,
    Certainty.NO_DIRECT_EVIDENCE: "No direct evidence",
    Certainty.NO_EVIDENCE: "No evidence",
}


class Verdict(StrEnum):
    """The curators' judgement of a claim, best first (the ClaimReview rating follows this order)."""

    SUPPORTED = "supported"
    PARTLY_SUPPORTED = "partly-supported"
    UNPROVEN = "unproven"
    MISLEADING = "misleading"
    CONTRADICTED = "contradicted"


VERDICT_LABELS: dict[str, str] = {
    Verdict.SUPPORTED: "Supported",
    Verdict.PARTLY_SUPPORTED: "Partly supported",
    Verdict.UNPROVEN: "Unproven",
    Verdict.MISLEADING: "Misleading",
    Verdict.CONTRADICTED: "Contradicted",
}


#: One line per verdict (the legend on the pages and the methodology page read these).
VERDICT_MEANINGS: dict[str, str] = {
    Verdict.SUPPORTED: "The evidence shows what the claim says, for the population it names.",
    Verdict.PARTLY_SUPPORTED: "Part of the claim holds, or it holds only for a narrower population, "
    "outcome or setting.",
    Verdict.UNPROVEN: "Not shown either way: no study has tested it, or we found no evidence.",
    Verdict.MISLEADING: "Built on real research, but says something the research did not show.",
    Verdict.CONTRADICTED: "The evidence points the other way.",
}


class UnprovenReason(StrEnum):
    """Why a claim is unproven (``unproven_because`` in claims.yaml)."""

    UNTESTED = "untested"
    NO_EVIDENCE_FOUND = "no-evidence-found"


UNPROVEN_LABELS: dict[str, str] = {
    UnprovenReason.UNTESTED: "Untested: no study has tested the claim as stated",
    UnprovenReason.NO_EVIDENCE_FOUND: "No evidence found: our search found no study that bears on it",
}


class ClaimKind(StrEnum):
    """What kind of statement a claim is: it decides how the evidence is read (``kind``)."""

    EFFECT = "effect"
    ADVICE = "advice"
    FACTUAL = "factual"


CLAIM_KIND_LABELS: dict[str, str] = {
    ClaimKind.EFFECT: "Effect claim (X changes Y)",
    ClaimKind.ADVICE: "Advice (a prescription: how much, how fast, how often)",
    ClaimKind.FACTUAL: "Factual or physiological statement",
}


class NoteKind(StrEnum):
    """Notes on a claim that are not verdicts ("source not found" says nothing about the claim)."""

    SOURCE_NOT_FOUND = "source-not-found"
    CORRECTION = "correction"
    OTHER = "other"


NOTE_LABELS: dict[str, str] = {
    NoteKind.SOURCE_NOT_FOUND: "Source not found",
    NoteKind.CORRECTION: "Correction",
    NoteKind.OTHER: "Note",
}


class Measure(StrEnum):
    """The measure of an effect estimate (``estimate.measure``)."""

    MD = "md"
    SMD = "smd"
    HEDGES_G = "hedges-g"
    RR = "rr"
    OR = "or"
    HR = "hr"
    RD = "rd"
    PERCENT_CHANGE = "percent-change"
    AUC = "auc"


MEASURE_LABELS: dict[str, str] = {
    Measure.MD: "Mean difference",
    Measure.SMD: "Standardised mean difference",
    Measure.HEDGES_G: "Hedges' g",
    Measure.RR: "Risk ratio",
    Measure.OR: "Odds ratio",
    Measure.HR: "Hazard ratio",
    Measure.RD: "Risk difference",
    Measure.PERCENT_CHANGE: "Percent change",
    Measure.AUC: "Area under the ROC curve",
}
MEASURE_SHORT: dict[str, str] = {
    Measure.MD: "MD",
    Measure.SMD: "SMD",
    Measure.HEDGES_G: "g",
    Measure.RR: "RR",
    Measure.OR: "OR",
    Measure.HR: "HR",
    Measure.RD: "RD",
    Measure.PERCENT_CHANGE: "% change",
    Measure.AUC: "AUC",
}


class Comparison(StrEnum):
    """What an effect estimate compares (``estimate.comparison``)."""

    BETWEEN_GROUP = "between-group"
    WITHIN_SUBJECT = "within-subject"
    WITHIN_GROUP = "within-group"


COMPARISON_LABELS: dict[str, str] = {
    Comparison.BETWEEN_GROUP: "difference between groups",
    Comparison.WITHIN_SUBJECT: "difference between conditions in the same people (crossover)",
    Comparison.WITHIN_GROUP: "change within one group, not a comparison with control",
}


class Design(StrEnum):
    """A study's design (BibTeX field ``design``), strongest first: ties in grading go to the first."""

    SYSTEMATIC_REVIEW = "systematic-review"
    META_ANALYSIS = "meta-analysis"
    RANDOMIZED_CONTROLLED_TRIAL = "randomized-controlled-trial"
    RANDOMIZED_CROSSOVER_TRIAL = "randomized-crossover-trial"
    CONTROLLED_TRIAL = "controlled-trial"
    CROSSOVER_TRIAL = "crossover-trial"
    COHORT = "cohort"
    CASE_CONTROL = "case-control"
    CROSS_SECTIONAL = "cross-sectional"
    CASE_SERIES = "case-series"
    LABORATORY = "laboratory"
    EXPERT_OPINION = "expert-opinion"
    GUIDELINE = "guideline"
    WEB_PAGE = "web-page"


#: The abbreviations of study designs in common use (the Cochrane Handbook's glossary and
#: PubMed's publication types write RCT, SR and MA), for ``evidence-kb check``'s "did you mean":
#: 'design = {rct}' -> 'randomized-controlled-trial'. Spelling variants (British 'randomised')
#: need no entry: the closest value finds them.
DESIGN_ABBREVIATIONS: dict[str, str] = {
    "rct": Design.RANDOMIZED_CONTROLLED_TRIAL,
    "sr": Design.SYSTEMATIC_REVIEW,
    "ma": Design.META_ANALYSIS,
}

DESIGN_LABELS: dict[str, str] = {
    Design.SYSTEMATIC_REVIEW: "Systematic review",
    Design.META_ANALYSIS: "Meta-analysis",
    Design.RANDOMIZED_CONTROLLED_TRIAL: "Randomised controlled trial",
    Design.RANDOMIZED_CROSSOVER_TRIAL: "Randomised crossover trial",
    Design.CONTROLLED_TRIAL: "Controlled trial (not randomised)",
    Design.CROSSOVER_TRIAL: "Crossover trial (not randomised)",
    Design.COHORT: "Cohort study",
    Design.CASE_CONTROL: "Case-control study",
    Design.CROSS_SECTIONAL: "Cross-sectional study",
    Design.CASE_SERIES: "Case series",
    Design.LABORATORY: "Laboratory study",
    Design.EXPERT_OPINION: "Expert opinion",
    Design.GUIDELINE: "Guideline",
    Design.WEB_PAGE: "Web page",
}


class ReviewOf(StrEnum):
    """What a systematic review or meta-analysis pooled (BibTeX field ``reviewof``)."""

    TRIALS = "trials"
    OBSERVATIONAL = "observational"
    MIXED = "mixed"


class Stance(StrEnum):
    """What a study says about a claim (an evidence link's ``stance``)."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MIXED = "mixed"
    NO_EFFECT = "no-effect"


#: Worded as what the study found on what it measured, not as a judgement of the claim as stated
#: (a misleading claim's studies can find the effect they measured: the verdict says why that does
#: not carry the claim).
STANCE_LABELS: dict[str, str] = {
    Stance.SUPPORTS: "Found the effect",
    Stance.MIXED: "Mixed results",
    Stance.NO_EFFECT: "Found no effect",
    Stance.CONTRADICTS: "Found the opposite",
}

#: The same for an indirect link (``Directness.INDIRECT``): the study measured something near the
#: outcome (one bout for a training effect, an intensity for an energy cost), so "found the effect
#: on VO2 max after training" would say more than it did; the reasons follow it on the page.
INDIRECT_STANCE_LABELS: dict[str, str] = {
    Stance.SUPPORTS: "Indirect: found a related effect",
    Stance.MIXED: "Indirect: mixed results on a related measure",
    Stance.NO_EFFECT: "Indirect: found no related effect",
    Stance.CONTRADICTS: "Indirect: found a related effect the other way",
}


class Directness(StrEnum):
    """Whether a study answers the claim's question as asked (an evidence link's ``directness``)."""

    DIRECT = "direct"
    INDIRECT = "indirect"


class IndirectKind(StrEnum):
    """Why an indirect study differs from the claim (``indirect_because``); grading order."""

    POPULATION = "population"
    OUTCOME = "outcome"
    INTERVENTION = "intervention"
    PREDICTED_VS_MEASURED = "predicted-vs-measured"
    ACUTE_VS_TRAINING = "acute-vs-training"


#: The full reason, as the grade's explanation says it.
INDIRECT_EXPLANATIONS: dict[str, str] = {
    IndirectKind.POPULATION: "the people studied differ from those the claim is about",
    IndirectKind.OUTCOME: "the outcome measured differs from the one the claim is about",
    IndirectKind.INTERVENTION: "the intervention differs from the one in the claim",
    IndirectKind.PREDICTED_VS_MEASURED: "an outcome predicted or estimated, not measured",
    IndirectKind.ACUTE_VS_TRAINING: "a single-session (acute) measurement, not a training effect",
}
#: A few words for table cells (the full sentence is in the grade's reasons).
INDIRECT_SHORT: dict[str, str] = {
    IndirectKind.POPULATION: "different population",
    IndirectKind.OUTCOME: "different outcome",
    IndirectKind.INTERVENTION: "different intervention",
    IndirectKind.PREDICTED_VS_MEASURED: "predicted, not measured",
    IndirectKind.ACUTE_VS_TRAINING: "single session, not training",
}


class RiskOfBias(StrEnum):
    """A study's overall risk-of-bias judgement (BibTeX field ``riskofbias``; RoB 2 wording plus
    unclear). The per-domain judgements of each tool: ``grading.ROB_JUDGEMENTS``."""

    LOW = "low"
    SOME_CONCERNS = "some-concerns"
    HIGH = "high"
    UNCLEAR = "unclear"


RISK_OF_BIAS_LABELS: dict[str, str] = {
    RiskOfBias.LOW: "Low",
    RiskOfBias.SOME_CONCERNS: "Some concerns",
    RiskOfBias.HIGH: "High",
    RiskOfBias.UNCLEAR: "Unclear",
}


class RobTool(StrEnum):
    """The tool a risk of bias was judged with (BibTeX field ``robtool``)."""

    ROB2 = "rob2"
    ROBINS_I = "robins-i"
    REVIEW = "review"


ROB_TOOL_LABELS: dict[str, str] = {
    RobTool.ROB2: "RoB 2 (randomised trials)",
    RobTool.ROBINS_I: "ROBINS-I (non-randomised studies of interventions)",
    RobTool.REVIEW: "As judged by a named review",
}


class FlagCode(StrEnum):
    """Where a fact-checked post outruns the evidence (a match's ``flags[].code``)."""

    FIGURE_MISMATCH = "figure-mismatch"
    POPULATION_MISMATCH = "population-mismatch"
    ACTIVITY_MISMATCH = "activity-mismatch"
    OVERCLAIM = "overclaim"
    MISDESCRIBED_STUDY = "misdescribed-study"
    DENIES_SUPPORTED = "denies-supported"
    ASSERTS_REJECTED = "asserts-rejected"


class PostStance(StrEnum):
    """What a fact-checked post does with a claim it mentions (a match's ``stance``)."""

    ASSERTS = "asserts"
    DENIES = "denies"
    ASKS = "asks"
    REPORTS = "reports"
    #: a post of hashtags only ("#backwardwalking #kneepain") names the claim as its topic and
    #: states nothing (``check.hashtags_only``); what would otherwise be read as ``asserts``
    MENTIONS = "mentions"


POST_STANCE_LABELS: dict[str, str] = {
    PostStance.ASSERTS: "asserts this",
    PostStance.DENIES: "denies this",
    PostStance.ASKS: "asks about this",
    PostStance.REPORTS: "reports others saying this",
    PostStance.MENTIONS: "names this as its topic, stating nothing",
}

FLAG_DESCRIPTIONS: dict[str, str] = {
    FlagCode.FIGURE_MISMATCH: "the post states a figure the evidence does not support",
    FlagCode.POPULATION_MISMATCH: "the post applies a finding to a population the studies did not test",
    FlagCode.ACTIVITY_MISMATCH: "the post says walking where the claim is about running, or the other way round",
    FlagCode.OVERCLAIM: "certainty words beyond the evidence grade",
    FlagCode.MISDESCRIBED_STUDY: "the post repeats a recorded misreading of a study",
    FlagCode.DENIES_SUPPORTED: "the post denies a claim the evidence supports",
    FlagCode.ASSERTS_REJECTED: "the post passes on as true a claim rated misleading or contradicted",
}


class ExportFormat(StrEnum):
    """Citation export formats (``/api/v1/citations?format=``, ``evidence-kb export --format``).

    Media types, labels and file extensions: ``app.citations.FORMATS``.
    """

    BIBTEX = "bibtex"
    RIS = "ris"
    CSL_JSON = "csl-json"
    APA = "apa"
    APA_HTML = "apa-html"
    VANCOUVER = "vancouver"
    VANCOUVER_HTML = "vancouver-html"


class SortOrder(StrEnum):
    """Orders of the claim search (``sort=``)."""

    RELEVANCE = "relevance"
    REVIEWED = "reviewed"
    GRADE = "grade"
    STATEMENT = "statement"
    APPEARANCES = "appearances"


SORT_LABELS: dict[str, str] = {
    SortOrder.RELEVANCE: "Best match",
    SortOrder.REVIEWED: "Recently reviewed",
    SortOrder.GRADE: "Strongest evidence",
    SortOrder.STATEMENT: "A–Z",
    SortOrder.APPEARANCES: "Most repeated",
}


class AppearanceKind(StrEnum):
    """Where a claim was seen (``appearances[].kind`` in claims.yaml)."""

    ARTICLE = "article"
    SOCIAL_POST = "social-post"
    VIDEO = "video"
    PODCAST = "podcast"
    PRESS_RELEASE = "press-release"
    OTHER = "other"


class TermLanguage(StrEnum):
    """A language a concept's ``translations`` may be written in: one the fact-check can stem
    (Snowball) or read one character at a time (Japanese, Chinese; Korean one syllable at a time),
    so posts in it are matched through the concept vocabulary."""

    ES = "es"
    FR = "fr"
    DE = "de"
    PT = "pt"
    IT = "it"
    NL = "nl"
    RU = "ru"
    ID = "id"
    HI = "hi"
    JA = "ja"
    ZH = "zh"
    KO = "ko"
    PL = "pl"
    TR = "tr"
    VI = "vi"
    UK = "uk"
    RO = "ro"
    AR = "ar"


#: Snowball stemmer of each ``TermLanguage``; None: no stemmer, terms match as written (Japanese
#: and Chinese have no spaces and little inflection; the analyser reads them one character at a time;
#: Korean one syllable at a time, so a term is found whatever particle or ending follows it;
#: Vietnamese words do not inflect). Ukrainian: the Russian stemmer (the installed snowballstemmer
#: has no Ukrainian one; the endings it strips are mostly shared).
STEMMERS: dict[str, str | None] = {
    "en": "english", "es": "spanish", "fr": "french", "de": "german", "pt": "portuguese", "it": "italian",
    "nl": "dutch", "ru": "russian", "id": "indonesian", "hi": "hindi", "ja": None, "zh": None, "ko": None,
    "pl": "polish", "tr": "turkish", "vi": None, "uk": "russian", "ro": "romanian",
    "ar": "arabic",
}  # fmt: skip

#: The ``TermLanguage``s written without spaces between words (Japanese, Chinese) or with
#: particles and endings joined to them (Korean): search finds their terms inside a query's words.
#: Not Vietnamese, which has no stemmer either but spaces its syllables: its terms are matched
#: word by word, as Spanish ones are (a Vietnamese term held a-z letters, so search dropped it).
UNSPACED_LANGUAGES = frozenset({"ja", "zh", "ko"})


#: The BibTeX and biblatex entry types studies.bib may use (``@article``, ...), each with its
#: CSL-JSON and RIS type for the exports (``app.citations_data``); None: @misc, a web page or a
#: generic document by its fields. Any other type is an error in ``evidence-kb check``
#: (``study_records.study_record``): the exports could only guess it.
ENTRY_TYPES: dict[str, tuple[str, str] | None] = {
    "article": ("article-journal", "JOUR"),
    "book": ("book", "BOOK"),
    "booklet": ("pamphlet", "PAMP"),
    "inbook": ("chapter", "CHAP"),
    "incollection": ("chapter", "CHAP"),
    "inproceedings": ("paper-conference", "CPAPER"),
    "conference": ("paper-conference", "CPAPER"),
    "proceedings": ("book", "CONF"),
    "manual": ("book", "BOOK"),
    "mastersthesis": ("thesis", "THES"),
    "phdthesis": ("thesis", "THES"),
    "thesis": ("thesis", "THES"),
    "techreport": ("report", "RPRT"),
    "report": ("report", "RPRT"),
    "unpublished": ("manuscript", "UNPB"),
    "online": ("webpage", "ELEC"),
    "electronic": ("webpage", "ELEC"),
    "www": ("webpage", "ELEC"),
    "dataset": ("dataset", "DATA"),
    "software": ("software", "COMP"),
    "patent": ("patent", "PAT"),
    "misc": None,
}


class ConceptKind(StrEnum):
    """What a concept of concepts.yaml names (``kind``)."""

    ACTIVITY = "activity"
    BODY = "body"
    OUTCOME = "outcome"
    TOPIC = "topic"
    POPULATION = "population"
    GENERALISER = "generaliser"
    CERTAINTY = "certainty"
    IGNORE = "ignore"


class PopulationGroup(StrEnum):
    """The group of a population concept (``group``): who a study tested."""

    PATIENTS = "patients"
    HEALTHY = "healthy"
    DEMOGRAPHIC = "demographic"


class GradeDirection(StrEnum):
    """What the studies that carry a grade say, taken together."""

    SUPPORTS = "supports"
    AGAINST = "against"
    MIXED = "mixed"


class IntervalKind(StrEnum):
    """The kind of an effect estimate's interval (``estimate.interval``): CI or CrI."""

    CONFIDENCE = "confidence"
    CREDIBLE = "credible"


class BetterDirection(StrEnum):
    """Which way is better on an outcome's scale (``estimate.better``)."""

    LOWER = "lower"
    HIGHER = "higher"
