"""Typed figures: what a number in a post measures, and the claim's figures of the same quantity.

Every figure gets a *quantity* (one of ``QUANTITIES``) and a value in that quantity's unit:

================  =========================================================  ===============
quantity          post examples                                              unit
================  =========================================================  ===============
percent-change    "40% more calories", "50% better", "double", "twice",        percent change
                  "halved", "cut in half" (-50), "6 times more",
                  "2-fold", "a third less", "100 steps backward = 1,000      (+100 = double)
                  forward", "el doble", "deux fois plus", "doppelt so viel",
                  "um das 1,7-fache", "в два раза больше", "un 40 por ciento
                  más", "40% d'énergie en plus", "un minuto hacia atrás ...
                  las mismas calorías que tres" (+200), "100 Schritte
                  rückwärts ... so effektiv wie 1.000 vorwärts" (+900),
                  "2倍の運動量", "两倍的热量", "倍増" (Japanese, Chinese),
                  "多消耗400%", "400%多く", "400% lebih banyak", "2 kali
                  lipat", "400% ज़्यादा", "दोगुना", "2×", "3× more", "1/3
                  more", "200% of the calories" (+100), "dwa razy więcej",
                  "dwukrotnie", "iki kat", "%40", "gấp đôi", "вдвічі",
                  "#Burn2xCalories" (a hashtag's words: ``_in_hashtags``)
training-change   "increase mileage by no more than 10% per week", "weekly   percent change
                  distance by 24%" (a change of training volume)
percent-of-max    "60% of your VO2 max"                                      percent
incline           "12 percent incline", "a 5% grade", "una pendiente del 10%" percent grade
sample-size       "200 women", "27 people", "1.500 participants"             participants
speed             "2.5 mph", "4 km/h", "1 m/s", "107.2 m/min", "a 20-minute  mph
                  mile" (a pace: 3 mph), "6 min/km"
duration-session  "5-10 minutes", "15-20 minuti", "50 минут"                 minutes
duration-program  "6 weeks", "21 days", "seis semanas", "quatre semaines"    days
body-weights      "4.5 times body weight"                                    body weights
energy-amount     "burns 500 calories", "300 kcal", "200 Kalorien" (no       kcal
                  study in the record gives one: always unverified)
oxygen-uptake     "5.2 ml/kg/min" (no study in the record gives one either)  ml/kg/min
================  =========================================================  ===============

Numbers may be words (``NUMBER_WORDS``, ``FOREIGN_NUMBER_WORDS``: es, fr, de, pt, it, nl, ru, id,
pl, tr, uk), a range ("30-40%", "17 percent to 20 percent", "30 bis 40 Prozent", "2-3 times more") or a count with thousands
grouped by a dot or a space ("1.000 Schritte", "1 000 pas": counts are whole). A figure carries its
*direction* when the words next to it say one ("40% more", "lowered VO2 max by 5.2%": ``Figure.direction``;
a hedge is none: "more than 10%") and its *hedge* ("nearly 30%", "casi", "fast": ``about``, +-``APPROX``; "more than double", "más del doble":
``at-least``; "no more than 10%": ``at-most``; "up to 2-fold" states 2-fold): the figure as stated
is what agrees with the evidence; the values its hedge admits (``reach``) decide only whether it is
contradicted ("more than 10%" against 17-20% is not) or merely not confirmed.

A post's figure is compared only with the claim's figures of the same quantity whose measure
shares an outcome with the words around the number; one with no counterpart is *unverified*
(reported, not flagged). A change of training volume is a condition a study compared, not a
result (``CONDITIONS``): it meets the claim's exposure figures ("weekly distance increase, 20-60%")
only to be listed as unverified, never as a mismatch, and never meets an outcome's change. Sources of the claim figures: ``evidence[].figures`` in data/claims.yaml
and the studies' sample sizes.

The claim's figures have one more quantity, ``intensity-difference``: a difference on a
percent-of-maximum scale ("17-20% higher percent of VO2max and of maximum heart rate", Hooper
2004), which the abstract does not say is percentage points or a relative rise (review-2026-11,
section 2). It is not a change in calories, so a post's "40% more calories" is not held to it as
if it were; but it bounds a relative change of effort under either reading: as a relative rise it
is +d%, as points it is d / F where F, the forward effort, is at least ``EFFORT_FLOOR`` percent of
maximum (resting heart rate is about a third of maximum: a general physiological fact, not a
study's result). A post's change of energy or effort ("double", "6 times", "100 steps = 1,000")
outside [d, 100 d / ``EFFORT_FLOOR``] contradicts it; "40% more" does not.

A post that gives a study's body-fat figure as a change in body weight ("lost 2.4% of their body
weight" against a 2.4% fall in percentage body fat) states a figure of another measure: when its
value matches, it is flagged (``misattributed``); when it does not, it is unverified.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.factcheck.analyzer import camel_parts
from app.factcheck.sentences import HASHTAG

QUANTITIES = (
    "percent-change",
    "training-change",
    "intensity-difference",
    "percent-of-max",
    "incline",
    "sample-size",
    "speed",
    "duration-session",
    "duration-program",
    "body-weights",
    "energy-amount",
    "oxygen-uptake",
)
CONDITIONS = frozenset({"training-change"})  # what a study compared, not its result: never a mismatch
#: Quantities with a direction (a rise or a fall): compared by size, whatever the sign.
SIGNED_QUANTITIES = frozenset({"percent-change", "training-change"})
TOLERANCE = 0.05  # relative; plus an absolute slack of 0.15 for rounding ("3.4" vs "3.45")
EFFORT_FLOOR = 30.0  # percent of maximum below which walking forward cannot be (module doc)

_NUM = r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?"
# A count ("1.000 Schritte", "1 000 pas", "1,000 steps"): counts are whole, so a separator before
# three digits groups thousands in every language.
_COUNT_NUM = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?!\d)|\d+"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100, "one hundred": 100,
    "thousand": 1000, "a thousand": 1000, "one thousand": 1000, "dozen": 12, "a dozen": 12,
}  # fmt: skip
# Numbers in the other languages read through concepts (es, fr, de, pt, it, nl, ru, id): multipliers
# ("tres veces más"), durations ("seis semanas") and counts ("un minuto ... que tres").
FOREIGN_NUMBER_WORDS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
    "diez": 10, "cien": 100, "mil": 1000,  # es
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "cent": 100, "mille": 1000,  # fr
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "hundert": 100, "tausend": 1000,  # de
    "duas": 2, "dois": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8, "dez": 10, "cem": 100,  # pt
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "dieci": 10,
    "cento": 100,  # it ("mille" as fr)
    "twee": 2, "drie": 3, "vijf": 5, "zes": 6, "zeven": 7, "tien": 10,  # nl ("vier", "acht" as de)
    "honderd": 100, "duizend": 1000,  # nl
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "десять": 10, "сто": 100,
    "тысяча": 1000, "тысячу": 1000,  # ru
    "dua": 2, "tiga": 3, "empat": 4, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "seratus": 100, "seribu": 1000,  # id ("hampir dua kali lipat"; "lima" is a city too)
    "dwa": 2, "dwie": 2, "trzy": 3,  # pl ("dwa razy więcej", "trzy razy tyle")
    "iki": 2, "üç": 3,  # tr ("iki kat", "üç kat": twice, three times; uk два, три as ru)
    "doi": 2, "două": 2, "doua": 2, "trei": 3, "patru": 4, "cinci": 5, "șase": 6, "şase": 6,
    "zece": 10,  # ro ("de două ori mai multe calorii": descopera.ro; "de 6 ori mai multe": eva.ro)
}  # fmt: skip
# "one" as the article of a count: only before a unit in a ratio ("Un minuto ... que tres").
ONE_WORDS = (
    "a", "an", "un", "una", "uno", "une", "ein", "eine", "einen", "um", "uma", "een", "один", "одна", "одну",
)  # fmt: skip
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
# "twenty-five" is 25, not a range of 20 to 5 (``_number``)
_WORDNUM = rf"(?:{_TENS})[- ](?:{_UNITS})\b|" + "|".join(
    sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True)
)
_FOREIGN = "|".join(sorted(map(re.escape, FOREIGN_NUMBER_WORDS), key=len, reverse=True))
_ONE = "|".join(sorted(ONE_WORDS, key=len, reverse=True))
_SEP = r"\s*(?:-|–|—|－|to|bis|à|a|y|e|et|und|and|tot|до)\s*"  # a range: "30-40", "30 to 40", "30 bis 40"
_VALUE = (
    rf"(?<![\w.,/])(?P<num>{_NUM}|{_WORDNUM}|{_FOREIGN})(?:{_SEP}(?P<num2>{_NUM}|{_WORDNUM}|{_FOREIGN}))?"
)
_PERCENT = (
    r"(?:%|％|(?:per ?cent|pct|por ?ciento|pour ?cent|prozent|per ?cento|por ?cento|procent|persen)(?![a-z])|"
    r"процент\w*|proc\.|відсот\w*|phần trăm)"  # pl "o 40 proc. wyższy", uk "на 40 відсотків", vi "40 phần
    # trăm", id "20 persen" (detik.com, kompas.com: "20-60 persen oksigen lebih banyak")
)
# The unit may follow each end of a range: "17 percent to 20 percent", "15% – 45%".
# Japanese and Chinese write a number right after a word ("多消耗400%"): a letter of those scripts
# before it does not make it part of a word.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PERCENT_VALUE = rf"(?:(?<=[{_CJK_CHARS}])|(?<![\w.,]))(?<![^\W\d_]-)(?P<num>{_NUM}|{_WORDNUM})(?:\s*{_PERCENT})?(?:{_SEP}(?P<num2>{_NUM}|{_WORDNUM}))?\s*{_PERCENT}"
_PARTICIPANTS = (
    r"people|participants|subjects|volunteers|persons|adults|women|men|patients|runners|students|"
    r"athletes|individuals|joggers|girls|boys|seniors|older adults|children|kids"
)
_CHANGE_UP = (
    r"more|higher|greater|extra|increase[sd]?|boost(?:s|ed)?|rais(?:es|ed)|improve[sd]?|better|up|faster|bigger|harder|tougher|"
    r"m[aá]s|plus|mehr|h[öo]her|mais|pi[uù]|meer|hoger|a mais|de m[aá]s|en plus|de plus|in pi[uù]|"
    r"aument\w*|augment\w*|erh[öo]h\w*|steiger\w*|gestiegen|verhoog\w*|toegenomen|"
    r"больше|более|выше|сильнее|увелич\w*|повыш\w*|"
    r"lebih(?: banyak| tinggi| besar)?|meningkat\w*|naik|ज़्यादा|ज्यादा|अधिक|बढ़\w*|"
    r"więcej|wyższ\w*|większ\w*|daha fazla|fazla|artır\w*|nhiều hơn|cao hơn|hơn|більше|"  # pl tr vi uk
    r"mai mult\w*"  # ro "30% mai multă energie" (descopera.ro)
)
_CHANGE_DOWN = (
    r"less|lower(?:s|ed)?|fewer|reduc(?:es|ed|tion)|decrease[sd]?|drops?|cuts?|down|smaller|los[et]|losing|shed|"
    r"menos|moins|weniger|meno|minder|perd\w*|verlor\w*|verlier\w*|"
    r"reduc\w*|r[ée]du\w*|reduz\w*|riduc\w*|ridott\w*|disminu\w*|diminu\w*|verringer\w*|gesenkt|"
    r"verminder\w*|меньше|менее|ниже|сниж\w*|уменьш\w*|"
    r"lebih (?:sedikit|rendah|kecil)|kurang(?! lebih)|berkurang|menurun\w*|turun|कम|"
    r"mniej|daha az|менше|"  # pl tr uk
    r"piard\w*|pierd\w*"  # ro "să piardă 2,5% din greutatea corpului" (descopera.ro)
)
# Words that qualify a figure: how far the post's figure reaches (``Figure.hedge``).
_HEDGES = {  # in this order: "no more than" is at-most before "more than" is at-least
    "about": r"nearly|almost|about|approximately|approx\.?|around|roughly|some|close to|circa|ca\.|"
             r"casi|cerca de|alrededor de|aproximadamente|unos|unas|près de|presque|environ|"
             r"fast|beinahe|etwa|ungefähr|rund|quasi|quase|bijna|ongeveer|zo'n|почти|около|примерно|"
             r"приблизительно|kurang lebih|sekitar|hampir|kira-kira|लगभग|करीब",
    "at-most": r"less than|fewer than|under|below|at most|no more than|not more than|menos de|moins de|"
               r"weniger als|höchstens|meno di|al massimo|no m[aá]s de|minder dan|hoogstens|менее|"
               r"не более|не больше|kurang dari|tidak lebih dari",
    "at-least": r"more than|over|at least|upwards of|in excess of|m[aá]s de[l]?|plus de|plus du|au moins|"
                r"mehr als|mindestens|über|più di|più del|oltre|almeno|mais de|mais do|pelo menos|"
                r"meer dan|ruim|minstens|более|больше|свыше|не менее|как минимум|lebih dari|setidaknya",
}  # fmt: skip
_HEDGE_BEFORE = {
    kind: re.compile(
        rf"(?:^|[^\w])(?:{words})\s*(?:(?:the|el|la|le|lo|il|o|a|das|het|an?)\s+)?$", re.IGNORECASE
    )
    for kind, words in _HEDGES.items()
}
_ANY_HEDGE = "|".join(_HEDGES.values())
# Japanese and Chinese hedges, written next to the number without spaces: 約2倍 / 大约两倍 (about),
# 2倍以上 (at least), 2倍程 / 2倍ほど / 2倍近く / 两倍左右 (about).
_CJK_HEDGE_BEFORE = re.compile(r"(?:約|约|大約|大约|ほぼ|およそ|近)$")
_CJK_HEDGE_AFTER = re.compile(r"\s*(?:(?P<at_least>以上|多(?![くいけ]))|程|ほど|近く|左右|前後|前后)")
# Percent figures: a change named after the figure or before it, and a fall ("15% less"):
# compiled once (each holds about 100 alternatives).
_CHANGE_AFTER = re.compile(rf"\s*(?:[\w’'-]+\s+){{0,2}}(?:{_CHANGE_UP}|{_CHANGE_DOWN})(?![\w])")
# "lost an average of 2.5%", "burns on average 20% more": an average is the figure itself
_AVERAGE = r"an? (?:average|mean) of|on average"
_CHANGE_BEFORE = re.compile(
    rf"(?:^|[^\w])(?:{_CHANGE_UP}|{_CHANGE_DOWN}|by|um|на)\s*(?:(?:of|by|de|del|di|um|en|em|met|на)\s+)?"
    rf"(?:(?:up to|{_AVERAGE}|{_ANY_HEDGE}|el|un|una|le|das|il|o|um)\s+)*$"
)
# Japanese and Chinese: the change written next to the figure ("400%多く", "多消耗400%", "减少20%")
_CJK_UP = r"多|増|增|アップ|高|上升|提高|提升"
_CJK_DOWN = r"少|減|减|低|下降|降"
_CJK_CHANGE_AFTER = re.compile(rf"\s*(?:も|の)?(?:(?P<down>{_CJK_DOWN})|{_CJK_UP})")
_CJK_CHANGE_BEFORE = re.compile(rf"(?:(?P<down>{_CJK_DOWN})|{_CJK_UP})了?[{_CJK_CHARS}]{{0,2}}$")
_DOWN = rf"(?<![\w])(?:{_CHANGE_DOWN})(?![\w])"
_DOWN_AFTER = re.compile(_DOWN, re.I)
_DOWN_BEFORE = re.compile(_DOWN + r"\W*(?:\w+\W+)?$", re.I)
_WAY = rf"(?<![\w])(?:(?P<down>{_CHANGE_DOWN})|{_CHANGE_UP})(?![\w])"
_WAY_AFTER = re.compile(rf"\s*(?:[\w’'-]+\s+){{0,2}}?{_WAY}", re.I)
_WAY_BEFORE = re.compile(
    _WAY + r"(?!\s+than)\W+(?:[\w-]+\W+){0,3}?(?:by\s+)?(?:(?:" + _ANY_HEDGE + r")\s+)?$", re.I
)
# "lowered VO2 max by 5.2%": the verb of a fall, its measure, then "by"
_DOWN_BY = re.compile(_DOWN + r"\W+(?:[\w-]+\W+){0,3}?by\s+(?:(?:" + _ANY_HEDGE + r")\s+)?$", re.I)
# A change of training volume ("increase mileage by no more than 10% per week", "weekly distance
# by 24%"): the conditions a study compared, not a result (``CONDITIONS``).
_TRAINING = re.compile(
    r"mileage|distance|volume|kilomet\w*|\bkm\b|\bmiles\b|per week|weekly|"
    r"kilometraje|distancia|volumen|por semana|kilom[ée]trage|par semaine|umfang|distanz|"
    r"strecke|pro woche|chilometr\w*|distanza|quilometragem|dist[âa]ncia|"
    r"afstand|объ[её]м\w*|дистанц\w*|в неделю",
    re.IGNORECASE,
)
# A load is training volume ("training load", "Trainingsbelastung") unless it is a force on a joint:
# "Kniebelastung um 40% reduziert", "reduces knee load by 40%", "la carga sobre la rodilla" are a
# change of a force, a result (the joint-force claim's outcome), not a training condition.
_LOAD = re.compile(r"load|carga|charge|belastung|carico|belasting|нагрузк\w*", re.IGNORECASE)
_JOINT = re.compile(
    r"knee|kneecap|joint|patell\w*|\bhips?\b|ankle|knie|gelenk|hüft|rodilla|articula\w*|cadera|genou|hanche|"
    r"ginocchi\w*|joelh\w*|колен\w*|сустав\w*",
    re.IGNORECASE,
)


def _training(words: str) -> bool:
    """``words`` (around a percent, or a claim figure's measure) speak of training volume
    (``_TRAINING``), or of a load that is not a force on a joint (``_LOAD``, ``_JOINT``)."""
    return bool(_TRAINING.search(words) or (_LOAD.search(words) and not _JOINT.search(words)))


APPROX = 0.10  # "about 30%": 27-33%
_BACK = (
    r"backwards?|in reverse|reverse|retro|hacia atr[aá]s|de espaldas|para atr[aá]s|marcha atr[aá]s|"
    r"(?:à|a) reculons|en arri[eè]re|r[uü]ckw[aä]rts|(?:all['’]|a marcia )?indietro|a ritroso|de costas|para tr[aá]s|"
    r"achteruit|задом(?: наперед| наперёд| вперед| вперёд)?|спиной вперед|назад|"
    r"tyłem|do tyłu|wstecz|geri geri|geriye|lùi|ngược|về phía sau"  # pl tr vi (uk as ru)
)
_FORWARD = (
    r"forwards?|normal(?:ly)?|regular|ordinary|hacia (?:delante|adelante)|adelante|delante|en avant|"
    r"vorw[aä]rts|in avanti|avanti|para (?:a )?frente|vooruit|вперед|вперёд|"
    r"do przodu|ileri|về phía trước|bình thường|thông thường"  # pl tr vi (uk as ru)
)
_COUNT_UNIT = (
    r"steps?|minutes?|mins?|hours?|miles?|km|pasos?|minutos?|horas?|pas|heures?|schritte?n?|"
    r"minuten|minute|stunden?|passi|minuti|ore|passos?|stappen|uur|шаг\w*|минут\w*|час\w*|"
    r"laps?|vueltas?|tours?|runden?|giri|giro|voltas?|rondes?|круг\w*"  # laps of a track
)
# "one single lap": a word that stresses the one count before its unit ("una sola vuelta")
_SINGLE = r"single|sol[ao]|seule?|einzige[nr]?|singol[ao]|s[óo]|[úu]nic[ao]|enkele|единственн\w*"
_EQUIVALENT = (
    r"=|≠|equals?|equal to|(?:is|are|be)(?:n['’]t|\s+not)?\s+(?:worth|like|the same as|equal to|equivalent to)|count as|"
    r"more work than|than|(?:can |could |will )?replace|as (?:good|effective|beneficial|much) as|"
    r"as (?:many|much) \w+ as|"
    r"(?:is |are )?worth more than|"
    # "is like" / "is worth" in the Romance languages: "è come fare sei giri", "valen más que mil",
    # "valem por mil", "vaut plus que"
    r"(?:è|sono|es|son|est|sont|é|são) (?:come|como|comme)|val(?:e|en|em|gono) (?:m[aá]s|mais|pi[uù]) (?:que|do que|di)|"
    r"val(?:e|em) (?:por|o mesmo que)|vaut plus que|valent plus que|"
    r"(?:so|ebenso|genauso)(?:\s+\w+){0,2}\s+wie|entspricht|entsprechen|ersetz\w*|"
    r"l[ao]s? mism[ao]s?(?:\s+\w+)?\s+que|lo mismo que|tanto como|equivalen?(?: a)?|valen? (?:por|lo que)|reemplaza\w*|"
    r"autant(?:\s+d[e'’]\s*\w+)?\s+que|équiva\w*(?: à)?|remplace\w*|vaut|valent|"
    r"(?:l[ae]|gli) stess[aoie](?:\s+\w+)?\s+(?:di|che)|quanto|equivalgono a|sostituisc\w*|"
    r"[ao]s? mesm[ao]s?(?:\s+\w+)?\s+que|o mesmo que|substitu\w*|"
    r"staat gelijk aan|evenveel(?:\s+\w+)?\s+als|zoveel(?:\s+\w+)?\s+als|vervang\w*|"
    r"равн\w*|как|столько же(?:\s+\w+)?,? сколько|замен\w*"
)
_FRACTIONS = {
    "a third": 1 / 3, "one third": 1 / 3, "a quarter": 0.25, "a fifth": 0.2, "half": 0.5,
    "un tercio": 1 / 3, "un cuarto": 0.25, "un tiers": 1 / 3, "un quart": 0.25, "ein drittel": 1 / 3,
    "ein viertel": 0.25, "un terzo": 1 / 3, "un quarto": 0.25, "um terço": 1 / 3, "um quarto": 0.25,
    "een derde": 1 / 3, "een kwart": 0.25, "на треть": 1 / 3, "на четверть": 0.25,
}  # "a third more", "un tiers de calories en plus", "ein Drittel weniger"  # fmt: skip
_FRACTION_WORDS = "|".join(sorted(map(re.escape, _FRACTIONS), key=len, reverse=True))
_FRACTION_DOWN = (
    r"less|fewer|lower|menos|de moins|en moins|weniger|in meno|di meno|a menos|minder|меньше|ниже"
)
_FRACTION_UP = r"more|higher|m[aá]s|de plus|en plus|mehr|in pi[uù]|di pi[uù]|a mais|mais|meer|больше|выше"
_COUNT = rf"{_COUNT_NUM}|{_WORDNUM}|{_FOREIGN}"
# What a multiplier may be of without "more" or "the" ("2x calories", "#Burn2xCalories"): an amount
# of energy or effort, never a count of sessions ("3 times a week")
_AMOUNT = r"calories|calorie|kcal|energy|effort|the burn|fat burn|fat burning|oxygen"
# Japanese and Chinese numerals up to ten, as written before 倍 ("times"): 二倍, 两倍, 三倍.
_CJK_NUMBERS = {"一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                "九": 9, "十": 10}  # fmt: skip
_CJK_DIGITS = "".join(_CJK_NUMBERS)
# Counts in a Japanese or Chinese ratio: digits or numerals up to the thousands ("一百", "千", "二十")
_CJK_COUNT = rf"\d+|[{_CJK_DIGITS}]*[十百千][{_CJK_DIGITS}]?|[{_CJK_DIGITS}]"
_CJK_UNIT = r"分钟|分鐘|分|歩|步|步伐|周|圈|時間|小时|小時"
# Walking backward in Japanese and Chinese: what a ratio's first count must be said of
_CJK_BACK = r"後ろ歩き|後ろ向き|後向き|後退|バック|倒走|倒着走|倒著走|倒行|倒退|后退|退步走|退着走"
# The forward count's unit and direction end a ratio, and its quote: "= 1,000 steps forward", "= 1000
# forward", "que tres andando hacia delante" (a quote that stopped at "1,000" cut the phrase).
_RATIO_END = (
    rf"\s+(?:(?:{_COUNT_UNIT})\b(?:\s+(?:{_FORWARD})\b)?|(?:{_FORWARD})\b(?:\s+(?:{_COUNT_UNIT})\b)?|"
    rf"\w+(?:ing|ndo|nd|nt)\s+(?:{_FORWARD})\b)"
)
# Words between a count and its people that make the count something else: a unit, a change, a
# comparison ("3 times more people", "2 weeks of older adults"), or a clause ("10 of the
# participants", "5 and 6 year old children")
_NOT_A_CONDITION = (
    rf"times|x|fold|percent|per|more|less|fewer|than|as|of|and|or|to|in|on|at|by|with|from|the|a|an|"
    rf"that|who|which|were|was|are|is|had|have|found|showed|study|studies|trials?|"
    rf"{_COUNT_UNIT}|days?|weeks?|months?|years?|km|mph|calories|kcal|{_WORDNUM}"
)
# What may follow a "5x" that closes its clause: its end, or a word that opens a tail of its own
# ("like some say", "though", "as TikTok claims"); not a noun it counts ("3x a week", "5x reps")
_BARE_END = (
    r"(?=\s*(?:[.,;:!?)\]…]|$)|\s+(?:[–—-]\s|(?:like|as|though|tho|either|lol|haha|too|anyway|"
    r"according|some|people|they|claims?|says?|said)\b))"
)
# Before a bare "5x" in its sentence, the quantity it multiplies: a comparison or an amount
_BARE_OF = re.compile(
    rf"\b(?:more|less|fewer|higher|harder|faster|greater|better|burns?|burned|burning|{_AMOUNT})\b",
    re.IGNORECASE,
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "100 steps backward = 1,000 forward", "a step backwards is equal to 6 steps forward",
    # "un minuto caminando hacia atrás quema las mismas calorías que tres andando hacia delante",
    # "100 Schritte rückwärts sollen so effektiv sein wie 1.000 vorwärts"
    ("ratio", re.compile(
        # a count of a unit (steps, minutes...) going backward: "100 backward steps", "100 steps of
        # backward walking", "un minuto caminando hacia atrás" (not "10 years back")
        rf"(?<![\w.,])(?P<num>{_COUNT}|{_ONE})\s+(?:(?:{_SINGLE})\s+)?(?:(?:{_BACK})\s+(?:{_COUNT_UNIT})\b|"
        rf"(?:{_COUNT_UNIT})\b[^.=\d]{{0,25}}?(?:{_BACK}))"
        rf"[^.=\d]{{0,40}}?(?:{_EQUIVALENT})\D{{0,25}}?(?<![\w])(?P<num2>{_COUNT})"
        rf"{_RATIO_END}",
        re.IGNORECASE)),
    # the direction before the count: "walking backwards for 100 steps is equal to walking forwards
    # for 1,000 steps", "walking backward one lap burns as many calories as four laps forward", and
    # after a colon or a dash, as headings and captions write it: "Walking backwards: 100 steps =
    # 1000 forwards"
    ("ratio", re.compile(
        rf"(?<![\w])(?:{_BACK})(?:\s*[:：–—-]\s*|\s+)(?:(?:for|durante|pendant|f[üu]r|per|по)\s+)?"
        rf"(?P<num>{_COUNT}|{_ONE})\s+"
        rf"(?:(?:{_SINGLE})\s+)?(?:{_COUNT_UNIT})\b"
        rf"[^.=\d]{{0,40}}?(?:{_EQUIVALENT})\D{{0,25}}?(?<![\w])(?P<num2>{_COUNT})"
        rf"{_RATIO_END}",
        re.IGNORECASE)),
    ("speed", re.compile(
        rf"{_VALUE}[\s-]*(?P<unit>mph|miles? (?:per|an) hour|km/h|kph|kmh|km/std|m/s|m/min|met(?:er|re)s? (?:per|a) minute|"
        rf"min(?:utes?)?\s*(?:per|/|a)\s*(?:mile|km|kilomet(?:er|re))|minute (?:mile|km))(?![a-z])",
        re.IGNORECASE)),
    ("percent", re.compile(_PERCENT_VALUE, re.IGNORECASE)),
    # Turkish writes the percent first: "%40 daha fazla", "yüzde 17 ila yüzde 30", "%30-40"
    ("percent", re.compile(
        rf"(?<![\w%])(?:%|yüzde)\s?(?P<num>{_NUM})(?:\s*(?:-|–|ila)\s*(?:(?:%|yüzde)\s?)?(?P<num2>{_NUM}))?(?![\d%])",
        re.IGNORECASE)),
    ("duration", re.compile(
        rf"{_VALUE}[\s-]*(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|"
        rf"minutos?|minuten?|minuti|минут\w*|horas?|heures?|stunden?|ore|uur|час\w*|"
        rf"d[ií]as?|jours?|tagen?|tage|giorni|dagen|дн\w*|дней|"
        rf"semanas?|semaines?|wochen?|settimane?|weken|недел\w*|meses|mes|mois|monaten?|monate|mesi|maanden|месяц\w*)(?![\w])",
        re.IGNORECASE)),
    # "200 women", "27 healthy young people", and a condition they have after a count in digits:
    # "500 knee arthritis patients", "40 knee OA patients" (up to three words that are no unit,
    # change, comparison or clause: not "One study found that women")
    ("sample-size", re.compile(
        rf"{_VALUE}\s+(?:(?<=\d\s)(?:(?!(?:{_NOT_A_CONDITION})\b)[^\W\d_][\w'’-]*\s+){{1,3}}?(?=[\w'’-]*\s*(?:{_PARTICIPANTS})\b))?"
        rf"(?:(?:healthy|young|older|female|male|fit|untrained|trained|college|recreational)\s+)*(?:{_PARTICIPANTS})\b",
        re.IGNORECASE)),
    ("body-weights", re.compile(rf"{_VALUE}\s*(?:x|times)\s+(?:your\s+|the\s+)?body\s*weights?", re.IGNORECASE)),
    # oxygen uptake per kilogram: "5.2 ml/kg/min", "3.5 mL·kg⁻¹·min⁻¹" (no study in the record gives
    # one: always unverified)
    ("oxygen-uptake", re.compile(
        rf"{_VALUE}\s*(?:ml|mL)\s*(?:/\s*kg\s*/\s*min|·\s*kg(?:⁻¹|-1)\s*·\s*min(?:⁻¹|-1))", re.IGNORECASE)),
    # an amount of energy: "burns 500 calories", "300 kcal", "200 Kalorien" (after the percent and
    # ratio patterns, so "40% more calories" stays a percent change)
    ("energy-amount", re.compile(
        rf"{_VALUE}\s*(?:more\s+|extra\s+|additional\s+|m[aá]s\s+|de plus\s+|mehr\s+)?(?P<unit>kcal|k?cals?|calories|calorie|"
        rf"calor[ií]as|kalorien|calorie|calorieën|калори\w*)(?![\w])",
        re.IGNORECASE)),
    ("multiplier", re.compile(
        rf"(?<![\w-])(?:(?P<word>double[sd]?|twice|triple[sd]?|tripling|doubling|quadruple[sd]?|cu[aá]druple|"
        rf"halve[sd]?|halving|(?:in|by) half|"
        rf"doble|doppelte?[nm]?|verdoppel\w*|dreifache?[nm]?|vierfache?[nm]?|dobro|triplo|doppio|dubbele?|"
        rf"tweemaal|zweimal|вдвое|втрое|вчетверо|दोगुन[ाीे]|तिगुन[ाीे]|चौगुन[ाीे]|"
        rf"dwukrotnie|trzykrotnie|czterokrotnie|[ву]двічі|втричі|gấp đôi|gấp ba)(?![- ]?(?:blind|ciego|aveugle|cego|cieco|check|down|digits?|team|edged|"
        rf"support|stance|limb|legs?|apoyo|appui|tarea|task|t[aâ]che|aufgabe|compito|tarefa|taak)\b)"
        rf"(?:\s+as\s+(?:much|many)(?![\w-]))?|"
        rf"(?P<num>{_NUM}|{_WORDNUM}|{_FOREIGN})(?:{_SEP}(?P<num_hi>{_NUM}|{_WORDNUM}|{_FOREIGN}))?(?:\s*-?\s*(?:fold(?:\s+(?:more|higher|greater|increase|less|lower|fewer|reduction))?|fache[nmrs]?|fach|kali lipat|गुना|krotnie|kat|misli)|\s*(?:x|×|times)(?:\s*(?:(?:as\s+)?(?:much|many)|"
        rf"more|higher|greater|harder|faster|quicker|bigger|larger|stronger|better)|(?=\s+(?:the|as|{_AMOUNT})\b)|"
        # "5x" alone closing its clause ("..., but not 5x like some say", "burns calories 5x"): a
        # multiplier of the quantity its sentence names before it (``_BARE_OF``, in ``_figure``)
        rf"(?<=[x×])(?P<bare>){_BARE_END})|\s*-?\s*(?:veces|fois|mal|vezes|volte|keer|maal|razy|ori)\s+(?:m[aá]s|plus|autant|so|mehr|"
        rf"h[öo]her|mais|pi[uù]|di pi[uù]|tanto|zoveel|meer|więcej|tyle|bardziej|mai))|"
        rf"[ву]\s+(?P<num_ru>{_NUM}|{_FOREIGN})\s+раз\w*(?:\s+(?:больше|меньше|выше|сильнее))?|"
        rf"gấp\s+(?P<num_vi>{_NUM}|hai|ba)\s+lần|"
        rf"(?:(?P<frac>{_FRACTION_WORDS})|(?<![\w.,/])(?P<fnum>[1-9])\s*/\s*(?P<fden>[2-9]|10)(?![\d/]))"
        rf"(?:\s+[\w’']+){{0,2}}?\s+(?P<dir>{_FRACTION_UP}|{_FRACTION_DOWN}))(?![\w-])",
        re.IGNORECASE)),
    # Japanese and Chinese: "2倍の運動量", "两倍的热量", "三倍", "倍増"; no word boundaries in these
    # scripts, so none is asked for (a digit before the number is: "12倍" is not "2倍").
    ("multiplier", re.compile(
        rf"(?P<cjk_word>倍増|翻倍|双倍|雙倍)|(?<![\d.,．，])(?P<cjk_num>{_NUM}|[{_CJK_DIGITS}])\s*倍(?!数)")),
    # a ratio in Japanese and Chinese, after a word for walking backward (``_CJK_BACK``): "10分で普通の
    # ウォーキングの20分(程)に相当" (ten minutes are worth twenty of ordinary walking: +100%),
    # "倒走100步相当于正走1000步"; the same unit at both ends, the hedge after it (程, 左右) read as any
    ("cjk-ratio", re.compile(
        rf"(?<![\d.,．，{_CJK_DIGITS}百千])(?P<num>{_CJK_COUNT})\s*(?P<unit>{_CJK_UNIT})(?:間)?で"
        rf"[^。！？!?\d]{{0,20}}?(?P<num2>{_CJK_COUNT})\s*(?P=unit)(?=(?:間)?(?:程|ほど|くらい|ぐらい|前後)?"
        rf"(?:に相当|と同じ|に匹敵))|"
        rf"(?<![\d.,．，{_CJK_DIGITS}百千])(?P<znum>{_CJK_COUNT})\s*(?P<zunit>{_CJK_UNIT})[^。！？!?，,\d]{{0,6}}?"
        rf"(?:相当于|相當於|等于|等於|抵得上|胜过|勝過|顶|頂)[^。！？!?，,\d]{{0,6}}?(?P<znum2>{_CJK_COUNT})\s*(?P=zunit)")),
]  # fmt: skip
# What a text must hold for a pattern to match (a unit, a participant, a direction word): most
# posts hold none of them, and the number-word alternatives are slow to try at every position.
_GATES = {
    kind: re.compile(gate, re.IGNORECASE)
    for kind, gate in (
        ("ratio", _BACK),
        ("cjk-ratio", _CJK_BACK),
        ("speed", r"mph|mile|km|kph|m/s|m/min|met|min"),
        ("percent", r"%|％|cent|cient|pct|prozent|procent|persen|процент|proc\.|відсот|phần trăm|yüzde"),
        ("sample-size", _PARTICIPANTS),
        ("body-weights", r"body\s*weight"),
        ("energy-amount", r"cal|кал"),
        ("oxygen-uptake", r"ml"),
    )
}
_WORD_FACTORS: dict[str, float] = {
    "doubl": 2, "twice": 2, "tripl": 3, "quadrupl": 4, "cuadrupl": 4, "cuádrupl": 4, "dobl": 2, "dopp": 2,
    "verdopp": 2, "dobr": 2, "dubb": 2, "tweem": 2, "zweim": 2, "dreif": 3, "vierf": 4, "вдвое": 2,
    "втрое": 3, "вчетверо": 4, "दोगुन": 2, "तिगुन": 3, "चौगुन": 4, "dwukrot": 2, "trzykrot": 3,
    "czterokrot": 4, "вдвіч": 2, "удвіч": 2, "втрич": 3, "gấp đôi": 2, "gấp ba": 3,
    "halv": 0.5, "in half": 0.5, "by half": 0.5,  # "cut pain in half", "halved": -50%
}  # by prefix: doubles, tripling, doppelte, dobro  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """A typed figure in a post: ``text[start:end]`` says ``value`` (to ``high``) of ``quantity``;
    ``hedge`` is how far it reaches ("nearly 30%": ``about``; "more than double": ``at-least``;
    "no more than 10%": ``at-most``; None: as stated), ``reach`` the values it then admits."""

    quantity: str
    value: float
    high: float | None
    start: int
    end: int
    text: str
    hedge: str | None = None
    direction: int = 0  # a change the post says is a rise (+1: "more", "double") or a fall (-1), or 0
    negated: bool = False  # a ratio the post says does not hold ("10 min backward ≠ 30 min forward")


def reach(fig: Figure, value: float | None = None, high: float | None = None) -> tuple[float, float]:
    """(low, high) of the values ``fig`` admits: its value or range, widened by its hedge
    (``APPROX`` either side for ``about``; open above for ``at-least``, down to 0 for ``at-most``).
    ``value``/``high``: the figure's numbers as compared (a percent change by its size)."""
    if value is None:
        value, high = fig.value, fig.high
    low, top = sorted((value, high if high is not None else value))
    if fig.hedge == "about":
        return low * (1 - APPROX), top * (1 + APPROX)
    if fig.hedge == "at-least":
        return low, math.inf
    if fig.hedge == "at-most":
        return 0.0, top
    return low, top


def _number(raw: str) -> float:
    raw = raw.lower().strip()
    if raw in NUMBER_WORDS:
        return float(NUMBER_WORDS[raw])
    tens, _, unit = raw.replace("-", " ").partition(" ")
    if tens in NUMBER_WORDS and unit in NUMBER_WORDS:  # "twenty-five"
        return float(NUMBER_WORDS[tens] + NUMBER_WORDS[unit])
    if raw in FOREIGN_NUMBER_WORDS:
        return float(FOREIGN_NUMBER_WORDS[raw])
    if raw in ONE_WORDS:  # "a step backwards is equal to 6 steps forward", "un minuto ... que tres"
        return 1.0
    return (
        float(raw.replace(",", ""))
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw)
        else float(raw.replace(",", "."))
    )


def _count(raw: str) -> float:
    """A count in a ratio ("1.000 Schritte", "1 000 pas", "1,000 steps", "tres"): whole numbers."""
    if re.fullmatch(r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+", raw):
        return float(re.sub(r"\D", "", raw))
    return _number(raw)


# A ratio said as a comparison ("burns more calories than 30 minutes forward", "valen más que mil",
# "胜过"): the backward count is worth at least the forward one, not exactly.
_MORE_THAN = re.compile(
    r"\bthan\b|m[aá]s\s+(?:\w+\s+)?que|mais\s+(?:\w+\s+)?(?:do\s+)?que|pi[uù]\s+(?:\w+\s+)?(?:di|che)\b|"
    r"plus\s+(?:\w+\s+)?que|mehr\s+(?:\w+\s+)?als|meer\s+(?:\w+\s+)?dan|больше\W+(?:\w+\W+)?чем|胜过|勝過",
    re.IGNORECASE,
)


# A ratio the post denies: "≠", "isn't worth", "is not the same as" between its counts.
_NOT_EQUIVALENT = re.compile(r"≠|\b(?:is|are|be)(?:n['’]t|\s+not)\s", re.IGNORECASE)


def _cjk_count(raw: str) -> float:
    """A count of a Japanese or Chinese ratio: digits, or numerals ("十" 10, "二十" 20, "一百" 100,
    "千" 1000)."""
    if raw.isdigit():
        return float(raw)
    total, digit = 0, 0
    for ch in raw:
        if ch in "十百千":
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
        else:
            digit = _CJK_NUMBERS[ch]
    return float(total + digit)


def _values(m: re.Match[str]) -> tuple[float, float | None]:
    value = _number(m.group("num"))
    high = _number(m.group("num2")) if m.groupdict().get("num2") else None
    return value, high


def _percent_quantity(text: str, start: int, end: int) -> str | None:
    after, before = text[end : end + 40].lower(), text[max(0, start - 30) : start].lower()
    if re.match(
        r"\s*(?:incline|grade|gradient|slope|uphill|de (?:pendiente|inclinaci[oó]n|pente|inclina[cç][aã]o)|"
        r"(?:steigung|neigung|pendenza|inclinazione|helling|наклон|уклон))",
        after,
    ) or re.search(
        r"(?:incline|grade|gradient|slope|pendiente|inclinaci[oó]n|inclinaison|pente|steigung|neigung|"
        r"pendenza|inclinazione|inclina[cç][aã]o|helling|наклон\w*|уклон\w*)\s*(?:of|at|to|de|del|von|di|da|van|в)?\s*$",
        before,
    ):
        return "incline"
    if re.match(
        r"\s*(?:of|de|du|del|della|da|do|van|von|от)\s+(?:(?:your|their|the|tu|su|la|sa|votre|leur|ihrer?|"
        r"seiner?|der|il|la|sua|o|a|seu|sua|hun|je)\s+)?(?:max|maxim|m[aá]x|vo2|v02|peak|heart|forward|aerobic)",
        after,
    ):
        return "percent-of-max"
    if _CHANGE_AFTER.match(after) or _CHANGE_BEFORE.search(before):
        return "percent-change"
    if _CJK_CHANGE_AFTER.match(text, end) or _CJK_CHANGE_BEFORE.search(text[max(0, start - 6) : start]):
        return "percent-change"
    return None


def _hedge(text: str, start: int, end: int, quantity: str) -> str | None:
    """The hedge of the figure at ``text[start:end]`` (``_HEDGES``; in Japanese and Chinese also the
    words after it: "2倍以上", "2倍程", ``_CJK_HEDGE_AFTER``), or None."""
    before = text[max(0, start - 25) : start]
    for kind, pattern in _HEDGE_BEFORE.items():
        found = pattern.search(before)
        # "over 6 weeks", "über 6 Wochen": during, not more than
        if found and not (quantity.startswith("duration") and re.search(r"over|über", found.group(), re.I)):
            return kind
    if _CJK_HEDGE_BEFORE.search(before):
        return "about"
    after = _CJK_HEDGE_AFTER.match(text, end)
    if after:
        return "at-least" if after.group("at_least") else "about"
    return None


DURATIONS = frozenset({"duration"})  # the pattern of a duration (a session's or a programme's)
RATIOS = frozenset({"ratio", "cjk-ratio"})  # the patterns of a ratio of counts backward and forward


def ratio_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each ratio of counts backward and forward in ``text`` (``RATIOS``: "100 steps
    backward = 1,000 forward", "倒着走50步等于正着走200步")."""
    return [(f.start, f.end) for f in post_figures(text, RATIOS)]


def post_figures(text: str, kinds: frozenset[str] | None = None) -> list[Figure]:
    """The typed figures of a post (or one unit of it), in order; overlapping matches keep the first
    pattern of ``_PATTERNS`` (a ratio before its numbers, a percent before a bare multiplier).
    ``kinds``: only the patterns of those kinds (default all). A hashtag's words are read too when
    they carry a change ("#Burn2xCalories", "#100StepsBackwardEquals1000Forward": ``_in_hashtags``)."""
    found = _figures(text, kinds)
    if "#" in text:
        found = sorted([*found, *_in_hashtags(text, kinds, found)], key=lambda f: f.start)
    return found


def _in_hashtags(text: str, kinds: frozenset[str] | None, found: list[Figure]) -> list[Figure]:
    """The changes (``percent-change``: a multiplier, a ratio, a percent) that the hashtags of
    ``text`` carry, read with each camelCase or digit-glued tag as its words ("#Burn2xCalories" as
    "#Burn 2 x Calories", ``analyzer.camel_parts``), with offsets into ``text``; none that overlaps
    a figure of ``found`` (read as written). A tag's other numbers ("#30DayChallenge") are a name,
    not a figure the post states."""
    pieces: list[str] = []
    where: list[int] = []
    at = 0
    for m in HASHTAG.finditer(text):
        parts = camel_parts(m.group()[1:], m.start() + 1)
        if len(parts) < 2:
            continue
        pieces.append(text[at : parts[0][1]])
        where.extend(range(at, parts[0][1]))
        for n, (_word, start, end) in enumerate(parts):
            if n:
                pieces.append(" ")
                where.append(start)
            pieces.append(text[start:end])
            where.extend(range(start, end))
        at = parts[-1][2]
    if not pieces:
        return []
    pieces.append(text[at:])
    where.extend(range(at, len(text) + 1))
    read = "".join(pieces)
    tags = [(m.start(), m.end()) for m in HASHTAG.finditer(text)]
    out = []
    for f in _figures(read, kinds):
        start, end = where[f.start], where[f.end]
        if (
            f.quantity == "percent-change"
            and any(s < end and start < e for s, e in tags)
            and not any(g.start < end and start < g.end for g in found)
        ):
            out.append(replace(f, start=start, end=end, text=text[start:end]))
    return out


def _figures(text: str, kinds: frozenset[str] | None) -> list[Figure]:
    """``post_figures`` of ``text`` as written."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        if kinds is not None and kind not in kinds:
            continue
        gate = _GATES.get(kind)
        if gate is not None and not gate.search(text):
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            figure = _figure(kind, m, text)
            if figure is not None:
                hedge = _hedge(text, m.start(), m.end(), figure.quantity)
                found.append(replace(figure, hedge=hedge) if hedge else figure)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _figure(kind: str, m: re.Match[str], text: str) -> Figure | None:
    span = (m.start(), m.end(), m.group())
    if kind == "cjk-ratio":
        if not re.search(_CJK_BACK, text[: m.start()]):  # the first count is not said of walking backward
            return None
        back, fwd = (_cjk_count(m.group(g) or m.group("z" + g)) for g in ("num", "num2"))
    elif kind == "ratio":
        back, fwd = _count(m.group("num")), _count(m.group("num2"))
    if kind in ("ratio", "cjk-ratio"):
        change = (fwd / back - 1) * 100 if back else 0.0
        # "more work than 1,000 steps", "valen más que mil": at least that much, not just as much
        hedge = "at-least" if _MORE_THAN.search(m.group()) else None
        negated = bool(_NOT_EQUIVALENT.search(m.group()))
        return Figure(
            "percent-change", change, None, *span, hedge=hedge, direction=_sign(change), negated=negated
        )
    if kind == "multiplier":  # "I did it 3x.": a count of times, no figure (``_times_done``)
        change, top = _multiplier_change(m)
        return (
            None
            if _times_done(m, text)
            else Figure("percent-change", change, top, *span, direction=_sign(change))
        )
    value, high = _values(m)
    if kind == "percent":
        return _percent_figure(m, text, value, high)
    if kind in ("speed", "duration"):
        quantity, factor, inverse = _unit_quantity(kind, m.group("unit").lower())
        if inverse:  # a pace ("a 20-minute mile"): the faster, the fewer minutes
            value, high = (factor / high if high else factor / value), (factor / value if high else None)
            return Figure(quantity, value, high, *span)
        return Figure(quantity, value * factor, high * factor if high else None, *span)
    if kind == "sample-size":  # a count: "1.500 participants" is 1500
        value, high = _count(m.group("num")), _count(m.group("num2")) if m.group("num2") else None
    return Figure(kind, value, high, *span)


def _times_done(m: re.Match[str], text: str) -> bool:
    """A bare "3x" closing its clause (``_BARE_END``) with no quantity before it in its sentence
    for it to multiply (``_BARE_OF``): "I did it 3x." counts the times, it says no change."""
    if m.groupdict().get("bare") is None:
        return False
    start = max(text.rfind(c, 0, m.start()) for c in ".!?\n") + 1
    return not _BARE_OF.search(text, start, m.start())


# "200% of the calories (energy, effort...)": a share of an amount, a ratio when above 100%
_LEVEL = re.compile(
    r"\s*of\s+(?:the|your|their|its)\s+(?:calories|energy|effort|work|oxygen|kcal)(?![\w])", re.IGNORECASE
)


def _percent_figure(m: re.Match[str], text: str, value: float, high: float | None) -> Figure | None:
    """A percent figure: its quantity from the words around it, a fall signed (module doc)."""
    span = (m.start(), m.end(), m.group())
    quantity = _percent_quantity(text, m.start(), m.end())
    if quantity is None and _LEVEL.match(text, m.end()) and min(value, high or value) > 100:
        # "200% of the calories": a level above all of it is a ratio (+100%)
        high = high - 100 if high is not None else None
        return Figure("percent-change", value - 100, high, *span, direction=1)
    if quantity is None:
        return None
    if quantity == "percent-change" and _training(text[max(0, m.start() - 30) : m.end() + 25]):
        quantity = "training-change"
    direction = 0
    if quantity in SIGNED_QUANTITIES:
        if _down(text, m.start(), m.end()):
            value, high = -value, (-high if high is not None else None)
        # the way it goes only when the words next to it say so, and agree with the sign
        direction = _way(text, m.start(), m.end())
        direction = direction if direction == (-1 if value < 0 else 1) else 0
    return Figure(quantity, value, high, *span, direction=direction)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _way(text: str, start: int, end: int) -> int:
    """Which way the words next to the change at ``text[start:end]`` say it goes: +1 a rise ("40%
    more", "raised VO2 max by 5.2%", "400%多く"), -1 a fall ("20% fewer", "lowered VO2 max by
    5.2%"), 0 when they do not say (a hedge is not a direction: "more than 10%", "less than 10%")."""
    cjk = _CJK_CHANGE_AFTER.match(text, end) or _CJK_CHANGE_BEFORE.search(text[max(0, start - 6) : start])
    if cjk:
        return -1 if cjk.group("down") else 1
    after = _WAY_AFTER.match(text, end)
    if after:
        return -1 if after.group("down") else 1
    before = _WAY_BEFORE.search(text[max(0, start - 40) : start])
    if before:
        return -1 if before.group("down") else 1
    return 0


def _down(text: str, start: int, end: int) -> bool:
    """The change at ``text[start:end]`` is a fall: a word of a fall after it ("15% less") or
    before it ("lowered VO2 max by 5.2%"); in Japanese and Chinese, written next to it."""
    cjk = _CJK_CHANGE_AFTER.match(text, end) or _CJK_CHANGE_BEFORE.search(text[max(0, start - 6) : start])
    if cjk:
        return bool(cjk.group("down"))
    return bool(
        _DOWN_AFTER.search(text[end : end + 30])
        or _DOWN_BEFORE.search(text[max(0, start - 20) : start])
        or _DOWN_BY.search(text[max(0, start - 40) : start])
    )


def _multiplier_change(m: re.Match[str]) -> tuple[float, float | None]:
    """The percent change a multiplier says, and the top of its range when it gives one: "double"
    +100, "6 times more" +500, "2-3 times more" +100 to +200, "a third less" -33.3."""
    groups = m.groupdict()
    if groups.get("cjk_word"):  # 倍増, 翻倍, 双倍: doubled
        return 100.0, None
    if groups.get("cjk_num"):
        raw = groups["cjk_num"]
        return (float(_CJK_NUMBERS[raw]) if raw in _CJK_NUMBERS else _number(raw)) * 100 - 100, None
    if m.group("word"):
        word = m.group("word").lower()
        return (next(f for prefix, f in _WORD_FACTORS.items() if word.startswith(prefix)) - 1) * 100, None
    if m.group("frac") or m.group("fnum"):  # "a third more", "1/3 more"
        frac = m.group("frac")
        share = (_FRACTIONS[frac.lower()] if frac else int(m.group("fnum")) / int(m.group("fden"))) * 100
        return (-share if re.fullmatch(_FRACTION_DOWN, m.group("dir").lower()) else share), None
    top = groups.get("num_hi")
    raw = m.group("num") or m.group("num_ru") or m.group("num_vi")
    count = _VI_NUMBERS[raw] if raw in _VI_NUMBERS else _number(raw)
    return (count - 1) * 100, (_number(top) - 1) * 100 if top else None


_VI_NUMBERS = {"hai": 2.0, "ba": 3.0}  # "gấp hai lần": Vietnamese numbers read only there


_SPEED_UNITS = (  # (unit pattern, factor to mph, a pace: minutes per distance)
    (r"km/h|kph|kmh|km/std", 0.621371, False),
    (r"m/s", 2.23694, False),
    (r"m/min|met", 0.0372823, False),  # metres per minute (Flynn 1994: 107.2 m/min)
    (r"min.*(?:km|kilomet)", 60 * 0.621371, True),  # "6 minutes per km": 10 km/h
    (r"min", 60.0, True),  # "20 minutes per mile", "a 20-minute mile": 3 mph
)
_DURATION_UNITS = (  # (unit prefix pattern, quantity, factor to minutes or days)
    (r"min|минут", "duration-session", 1.0),
    (r"h|stund|ore$|uur|heure|час", "duration-session", 60.0),
    (r"w|seman|semain|settiman|week|недел", "duration-program", 7.0),
    (r"mo|mes|mois|maand|месяц", "duration-program", 30.0),
)


def _unit_quantity(kind: str, unit: str) -> tuple[str, float, bool]:
    """(quantity, factor to its unit, a pace to invert) of a speed or duration as written in a post."""
    if kind == "speed":
        for pattern, factor, pace in _SPEED_UNITS:
            if re.match(pattern, unit):
                return "speed", factor, pace
        return "speed", 1.0, False
    for pattern, quantity, factor in _DURATION_UNITS:
        if re.match(pattern, unit):
            return quantity, factor, False
    return "duration-program", 1.0, False  # days, días, jours, Tage, giorni, dagen, дней


# --- the claim's figures -----------------------------------------------------------------------------

_UNIT_QUANTITY = {
    "mph": ("speed", 1.0), "km/h": ("speed", 0.621371), "m/s": ("speed", 2.23694),
    "minutes": ("duration-session", 1.0), "hours": ("duration-session", 60.0),
    "days": ("duration-program", 1.0), "weeks": ("duration-program", 7.0), "months": ("duration-program", 30.0),
    "participants": ("sample-size", 1.0), "body-weights": ("body-weights", 1.0),
}  # fmt: skip


def evidence_quantity(fig: dict[str, Any]) -> tuple[str, float] | None:
    """(quantity, factor to the quantity's unit) of one ``evidence[].figures`` entry, or None when
    posts never state its kind (SMD, points, N m...)."""
    unit = str(fig.get("unit", ""))
    if unit in _UNIT_QUANTITY:
        return _UNIT_QUANTITY[unit]
    if unit != "percent":
        return None
    words = f"{fig.get('measure', '')} {fig.get('comparison', '')}".lower()
    if re.search(r"grade|incline|slope", str(fig.get("measure", "")).lower()):
        return ("incline", 1.0)
    if re.search(r"percent of (?:vo2\s?max|maximum|max)", words) and re.search(
        r"extra|higher|lower|more", words
    ):
        return ("intensity-difference", 1.0)
    if re.search(r"increase|progression|spike", words) and _training(str(fig.get("measure", ""))):
        return ("training-change", 1.0)
    if re.search(r"change|extra|increase|reduction|higher|lower|difference|more|less|improv", words):
        return ("percent-change", 1.0)
    if re.search(r"intensity|^of |of forward|of maximum|of max", words):
        return ("percent-of-max", 1.0)
    return None


def bounds(fig_low: float, fig_high: float, quantity: str) -> tuple[float, float, float]:
    """(low, high, slack) of a claim figure as a post's figure is held to it: an
    ``intensity-difference`` admits relative changes from its low end to its high end read as points
    over the least forward effort (module doc)."""
    lo, hi = min(fig_low, fig_high), max(fig_low, fig_high)
    if quantity == "intensity-difference":
        hi = hi * 100 / EFFORT_FLOOR
    return lo, hi, max(TOLERANCE * max(abs(lo), abs(hi)), 0.15)


def within(low: float, high: float | None, fig_low: float, fig_high: float, quantity: str = "") -> bool:
    """True when the post's value (or range) lies inside the figure's range, with the tolerance."""
    lo, hi, slack = bounds(fig_low, fig_high, quantity)
    p_lo, p_hi = sorted((low, high if high is not None else low))
    return p_lo >= lo - slack and p_hi <= hi + slack


def overlaps(low: float, high: float, fig_low: float, fig_high: float, quantity: str = "") -> bool:
    """True when some value the post's figure admits (``reach``: "30-40%", "more than 10%") lies
    inside the figure's range, with the tolerance: the post's figure does not contradict it."""
    lo, hi, slack = bounds(fig_low, fig_high, quantity)
    return low <= hi + slack and high >= lo - slack


ENERGY = "energy-cost"  # the concept a change of effort must be about to meet an intensity difference
_FAT = re.compile(r"\bfat\b|grasa|gordura|graisse|fett|grasso|\bvet\b", re.IGNORECASE)
_WEIGHT = re.compile(
    r"\bweight\b|\bpeso\b|poids|gewicht|greutat\w*", re.IGNORECASE
)  # ro "greutatea corpului"


def comparable(
    figure: Figure, claim_figures: Iterable[dict[str, Any]], near: set[str]
) -> list[dict[str, Any]]:
    """The claim's figures of ``figure``'s quantity about what the words ``near`` the number are
    about (their measure shares a feature with them); all of that quantity when the measure names
    no outcome, as for sample sizes. A change of energy or effort also meets the claim's intensity
    differences (module doc)."""
    out = []
    for f in claim_figures:
        if f["measure_features"] and not f["measure_features"] & near:
            continue
        if f["quantity"] == figure.quantity or (
            f["quantity"] == "intensity-difference" and figure.quantity == "percent-change" and ENERGY in near
        ):
            out.append(f)
    return out


# A claim figure that is a change within one group ("within-group change after 6 weeks", "change
# within the group"), and the words after a post's figure that set it against another group:
# walking forward or the controls ("5.2% more than regular walking", "than the control group",
# "que caminar hacia delante"). A within-group change said as a difference from another group is
# the study's figure given for a comparison it did not make (review-2026-11, section 2: Terblanche
# 2005 reports 5.2% within the group and had no forward-training arm).
_WITHIN_GROUP = re.compile(r"within[- ](?:the\s+)?(?:\w+\s+)?group|change within", re.IGNORECASE)
_AGAINST = re.compile(
    r"^\W*(?:[\w’'-]+\W+){0,4}?(?:than|compared (?:with|to)|versus|vs\.?|que|als|di|dan|чем|rispetto a|"
    r"niż|w porównaniu z|ніж|порівняно з|so với|"
    r"par rapport (?:à|au|aux)|im vergleich zu[mr]?|em rela[cç][aã]o (?:a|ao|à)|en comparaci[oó]n con)\s+"
    rf"(?:[\w’'-]+\s+){{0,3}}?(?:{_FORWARD}|control\w*|contr[ôo]le\w*|kontroll\w*|контрол\w*)(?![\w])",
    re.IGNORECASE,
)


# Turkish sets a thing against another after naming it ("ileri yürümeye göre", "normal yürüyüşe
# kıyasla", "kontrol grubuna oranla"; onedio.com: "yavaş bir yürüyüşe göre yaklaşık %30-40 daha
# fazla") or by the ablative ("ileri yürümekten %5,2 daha fazla"), mostly before the figure.
_TR_AGAINST = (
    r"(?:(?:ileri\w*|normal|kontrol\w*)\s+(?:[\w’'-]+\s+)?[\w’'-]+\s+(?:göre|kıyasla|oranla)|"
    r"(?:ileri\w*|kontrol\w*)\s+\w+(?:den|dan|ten|tan))(?![\w])"
)
_TR_AGAINST_AFTER = re.compile(rf"^\W*(?:[\w’'-]+\W+){{0,4}}?{_TR_AGAINST}", re.IGNORECASE)
_TR_AGAINST_BEFORE = re.compile(rf"(?<![\w]){_TR_AGAINST}\W+(?:[\w’'-]+\W+){{0,2}}$", re.IGNORECASE)


def other_comparison(after: str, claim_figure: dict[str, Any], before: str = "") -> bool:
    """The words ``after`` a post's figure (or, in Turkish, ``before`` it) set it against walking
    forward or the controls, where ``claim_figure`` is a change within one group
    (``_WITHIN_GROUP``): a comparison the study did not make ("raised VO2 max 5.2% more than regular
    walking", "ileri yürümeye göre %5,2 daha fazla" against a 5.2% within-group change)."""
    if not _WITHIN_GROUP.search(str(claim_figure.get("comparison", ""))):
        return False
    near = after[:NEAR_AFTER]
    return bool(
        _AGAINST.search(near)
        or _TR_AGAINST_AFTER.search(near)
        or _TR_AGAINST_BEFORE.search(before[-NEAR_AFTER:])
    )


NEAR_AFTER = 60  # characters after a post's figure that may name what it is set against


def misattributed(words: str, claim_figure: dict[str, Any]) -> bool:
    """The post gives ``claim_figure``, a body-fat figure, as a change in body weight (or the
    reverse): ``words`` around the number name the other measure only."""
    measure = str(claim_figure.get("measure", ""))
    for said, other in ((_WEIGHT, _FAT), (_FAT, _WEIGHT)):
        if (
            said.search(words)
            and not other.search(words)
            and other.search(measure)
            and not said.search(measure)
        ):
            return True
    return False
