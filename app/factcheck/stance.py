"""The stance a post takes toward a claim it mentions: asserts, denies, asks or reports.

Rules over the words of the matched unit (a sentence or clause), in the manner of NegEx (Chapman
et al., "A simple algorithm for identifying negated findings and diseases in discharge summaries",
J Biomed Inform 2001;34(5):301-310): a negation *cue* negates what lies in its *scope*, the scope
ends at a *terminator*, and *pseudo-negations* ("not only", "no wonder") are never cues. Here the
scope is the clause around the cue (a terminator is ``;``, ``:``, a dash, a bracket, "because",
"although", ", which"..., and the comma that closes a leading "While ..." / "If ..." clause; an
inner clause opened without a comma, whose subject stands right before the cue, starts there:
"tested in a way you may not be accustomed to"), and what it must contain is one of the claim's own words (its outcome, body part, topic, or
"backward"; the activity alone is not enough: "muscles which are not as involved in forward
walking" does not deny the quadriceps claim). Checked in this order:

- ``asks``: the unit is a question ("?", "¿", "？", a Chinese or Japanese question particle such as
  吗 or ですか ending it, a question opener such as "does", "can", "is it
  true"; without "?" when an auxiliary opens it and its subject follows, as headlines ask: "Does
  Walking Backwards Help Knee Pain", not "Does wonders for knee pain") and the next sentence does
  not answer it at once ("Yes, ..." makes it an assertion, "No, ...", "Hardly.", "Doesn't work.",
  "That's a myth." or harm done ("... it wrecked my knees") a denial); or it states a study's aim ("this study aimed to", "Objective: to investigate
  whether", "el objetivo", "Ziel der Studie", "This study investigated ...", "We examined ..."
  without what it found) or is a title naming the effect studied ("Effects of X on Y",
  "Efectos de X sobre Y": ``study_aim``).
- a claim the post only supposes: its words and its activity all in a condition's antecedent
  ("If walking backwards cured knee pain, doctors would prescribe it"): ``denies`` for a
  counterfactual, ``asks`` for an open condition (``supposed``).
- ``denies``: a negation cue ("not", "n't", "never", "no", and the same in Spanish, French,
  German, Portuguese, Italian, Dutch, Russian, Indonesian, Turkish, Vietnamese, Japanese and
  Chinese: "azaltmaz", "không", 治らない, 効きません, 不能, 治不了, 没用) whose clause holds the
  claim's words; a verdict cue ("myth", "no evidence", "not proven", "misleading", "overrated",
  "debunked", "mito", "Mythos"...) in the
  unit, in a "Myth:" label opening it, after a headline's topic and a colon ("X for knee pain:
  overhyped and oversold."), or in the next sentence when that sentence is a short verdict
  ("That's a myth.", "... can be misleading"); or the claim says "safe" and the unit says
  "dangerous", "risk of falling" or a caution against falling ("to avoid tripping or falling")
  and not "safe" (危険, 危险: the contrary, not a negation); or the unit opens with a contrast and
  cuts the claim down ("However, VO2 max is merely an upper limit ...", "Jedoch ... lediglich die
  obere Grenze": ``_limited``); or the claim compares backward
  with forward and the unit compares the same quantity the other way round ("Forward walking
  burns more calories than backward walking": ``reverses_comparison``); or the unit passes
  on someone else's claim and the next sentence contests it, opening with a contrast and
  qualifying it or calling it false ("Some claim that ... However, weight loss is a complex
  process that depends on ...", "Tuy nhiên, ... tùy thuộc vào ...": ``contested``), or the main
  clause after a leading "While proponents argue that ..." does ("..., the reality is more
  nuanced": ``conceded_then_contested``).
- ``asks`` also when the next sentence is a short question that puts the claim in doubt ("But is
  it really so?", "¿Funciona de verdad?", "Но так ли это?", "What evidence is there for this
  claim?").
- ``reports``: the post attributes the claim to someone else ("according to", "claims that",
  "they say", "he says", "supposedly", "TikTok says", "según", "selon", "laut", "angeblich"...),
  passes on a finding ("A 2019 study reported", "The American College of Sports Medicine found
  that", "In a recent study, ..."; not "I / we / this study found that") or a practice
  ("physiotherapists may recommend", "is often recommended to"), or quotes someone ("...,” said
  Dr X"); not when it sets others' words against its own ("Contrary to what people say, ..."
  asserts). ``check.stance_and_span`` adds what only the post shows: a clause inside a quotation
  that began a sentence earlier, and a clause after an attribution in its sentence.
- otherwise ``asserts``.

Without the claim's words (``stance(text)``), any cue that is not a pseudo-negation counts.
Only ``asserts`` carries overclaim and population flags; ``denies`` of a supported claim is
itself flagged (``denies-supported``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from app.factcheck.sentences import clause_dash, word_count
from app.vocab import PostStance

Stance = PostStance
STANCES: tuple[str, ...] = tuple(PostStance)
Span = tuple[int, int]

_QUESTION_OPENERS = re.compile(
    r"^\W*(?:(?:so|but|and|ok|okay|wait|hmm|serious(?:ly)? question|real question|question)[,:!]?\s+)?"
    r"(?:(?P<do>do|have)|(?P<aux>does|did|can|could|is|are|was|were|will|would|should|has|may|might)|"
    r"is it true|how (?:does|do|can|much|many)|why (?:does|do|is|would)|what if|anyone (?:tried|know)|"
    r"has anyone|have you)\b",
    re.IGNORECASE,
)
# An auxiliary verb then its subject (a pronoun, a determiner, or a gerund such as "walking"
# within three words) is a question even without "?", as headlines ask: "Does Walking Backwards
# Help Knee Pain", "Is it good for your knees". An auxiliary without a subject opens a statement
# whose subject was left out ("Does wonders for knee pain", "Can help with knee pain"). After a
# form of "be", "a" / "an" and an adjective in -ing are its complement, not a subject ("Is a great
# way to ...", "Was amazing for my knees"): a gerund must go on with its own object or adverb.
_SUBJECT_WORDS = (
    r"it|you|i|we|they|he|she|this|that|there|these|those|the|your|my|our|their|his|her|its|any|"
    r"anyone|anybody|people"
)
_SUBJECT_AFTER_AUX = re.compile(
    rf"\s+(?:(?:{_SUBJECT_WORDS}|a|an)\b|(?:[\w-]+\s+){{0,2}}?[a-z]+ing\b)",
    re.IGNORECASE,
)
_SUBJECT_AFTER_BE = re.compile(
    rf"\s+(?:(?:{_SUBJECT_WORDS})\b|(?:[\w-]+\s+){{0,2}}?[a-z]+ing\s+"
    r"(?!(?:for|to|and|or|at|in|on|with|but|if|when)\b)[\w-])",
    re.IGNORECASE,
)
_PERSON_AFTER_DO = re.compile(r"\s+(?:you|we|they|i|people|any|anyone|anybody|most|many)\b", re.IGNORECASE)
_STATEMENT_END = re.compile(r"[.!]\W*$")


def _headline_topic(most: int, stops: str, dashes: str) -> str:
    """The pattern of a headline's topic opening a text: 1 to ``most`` characters, none of ``stops``,
    then a colon or a spaced dash (one of ``dashes``) and the spaces after it ("Walking backwards: ",
    "Retro walking – "); the topic is group ``topic``."""
    return rf"^(?P<topic>[^{stops}]{{1,{most}}})(?::|{clause_dash(dashes, '')})\s*"


# What a headline asks after its topic ("Walking Backwards: Does It Help", ``is_question``).
_HEADLINE_TOPIC = re.compile(_headline_topic(60, ":.!?", "-–—|"))
_RHETORICAL_TAG = re.compile(r"(?:who knew|right|huh|eh)\?+\W*$", re.IGNORECASE)
_ANSWER_YES = re.compile(
    r"^\W*(?:yes|yep|yup|absolutely|definitely|indeed|the (?:short )?answer is yes|it does|it can|it works|"
    r"(?:the )?(?:research|science|studies|evidence|experts) (?:says?|suggests?|shows?) (?:yes|so)|"
    r"s[ií]|oui|ja|sim)\b",
    re.IGNORECASE,
)
_ANSWER_NO = re.compile(
    r"^\W*(?:no|nope|nah|hardly|not really|not at all|not so sure|not so fast|doubt it|i doubt it|"
    r"i don'?t think so|the (?:short )?answer is no|(?:it )?(?:doesn'?t|does not|didn'?t|won'?t) work|"
    r"it doesn'?t|non|nein|n[aã]o|"
    # a dismissal: "Walking backwards cures knee pain? Give me a break.", "Yeah, right."
    r"give me a break|yeah,? right|as if|(?:oh )?(?:please|puh-?lease)|"
    # pt "not quite so" (also a fact-checkers' rating in Brazil: "NÃO É BEM ASSIM")
    r"n[ãa]o [ée] bem assim|"
    # the research answers no: "The research says no.", "Not according to the studies."
    r"(?:the )?(?:research|science|studies|evidence|experts|data) (?:says?|suggests?|shows?) (?:no|not really|otherwise)|"
    r"not according to (?:the )?(?:\w+ )?(?:research|science|studies|evidence|experts|data))\b[,.!]",
    re.IGNORECASE,
)

# Negation cues (a verb or a determiner negated), by language; they negate their clause.
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|"
    r"shouldn't|wouldn't|couldn't|hasn't|haven't|nor|neither|none|no|"
    # "hardly helps", "barely works" (not "barely 10 minutes", "barely a mile": only so much)
    r"(?:hardly|barely|scarcely)(?!\s+(?:\d|a |an |one |two |three |five |ten |half |over |more |a few ))|"
    r"(?:does|do|did|will|would|can|could) (?:absolutely |little or |next to )?nothing|"
    r"(?:doesn|don|didn|isn|aren|won|can|wasn|weren|shouldn|wouldn|couldn|hasn|haven)[’']t|"
    r"nunca|jam[aá]s|tampoco|ning[uú]n[oa]?|"  # es
    r"ne|n'|pas|jamais|aucune?|"  # fr
    r"nicht|nichts|kein(?:e|en|er|em|es)?|nie|niemals|kaum|"  # de
    r"n[aã]o|nem|nenhum(?:a)?|"  # pt ("nunca" above)
    # it: "mai" (never) only where it negates on its own, "mai più" or opening a clause ("Mai più
    # dolore"): after "non" the cue is "non", and in a question it is "ever" ("Hai mai provato...?");
    # in Romanian "mai" is "more", in every comparative ("de două ori mai multe calorii", "e mai
    # blând": descopera.ro, eva.ro)
    r"non|mai\s+pi[uù]|(?:^|(?<=[.!?;:]\s))mai|nessun[oa]?|"
    r"niet|geen|nooit|nauwelijks|"  # nl
    r"не|нет|никогда|ни|вряд ли|"  # ru
    r"tidak|tak|bukan|belum|"  # id
    r"değil\w*|yok|yoktur|asla|hiçbir|"  # tr (its verb negation: ``_NEGATION_TR``)
    # ro "nu" before the verb it negates ("nu ajută", "nu este", "nu poate"; Dutch "nu", "now", is
    # followed by none of these), "niciodată" (never), "niciun" / "nicio" (no)
    r"nu(?=\s+(?:e|este|sunt|ajută|ajuta|are|au|poate|pot|reduce|arde|vindecă|există|mai|s-a|a|va|vor)\b)|"
    r"niciodată|niciun|nicio|"
    # ar ليس / ليست ("is not"), لم / لن (did not / will not), لا ("no", "does not"; not لا تزال /
    # لا يزال "still", لا سيما "especially")
    r"ليس|ليست|لم|لن|لا(?!\s+(?:تزال|يزال|زال|سيما))|"
    r"không|chẳng|chả|chưa|đừng|chớ)"  # vi
    r"(?![\w'’-])|"
    # "not equal", a symbol in every language: "100 Backward Steps ≠ 1,000 Forward Steps" (a headline)
    r"≠",
    re.IGNORECASE,
)
# Japanese, Chinese and Korean negation, written without spaces (so without the word boundaries above):
# Japanese verb endings (治らない, 効かない, 治りません, 効果がなかった, 無い) but not adjectives
# that end the same way (少ない "few", 危ない "dangerous", 間違いない "no doubt", だけでなく "not
# only"); Chinese 不 / 没 / 沒 / 未 / 无 / 無 / 别 before a verb (不能治好, 治不了, 没用) but not
# the words they begin (不错 "good", 不仅 "not only", 不思議 / 不可思议 "mysterious", "incredible", 不断 "constantly", 不少 "many", 不同
# "different", 不适 "discomfort", 没错 "right", 无论 "whatever", 未来 "future", 无氧
# "anaerobic"...); and not "no pain" (痛みがない, 痛くない, 痛みがなくなった "the pain went", 不疼,
# 没有疼痛), which says the pain is gone, as "not hurting" does in English; nor a negative verb
# that describes a noun (普段使わない筋肉 / 平时不用的肌肉 "the muscles you do not use"): a
# Japanese one followed at once by a noun (kanji, katakana), a Chinese one closed by 的.
_NEGATION_CJK = re.compile(
    r"(?<![少危汚違])(?<!だけで)(?<!ばかりで)(?<!痛く)(?<!痛みが)(?<!痛みは)(?<!痛みも)"
    r"(?:ない|なく(?!な)|なかった|ません|無い|無く(?!な))(?![\u4e00-\u9fff\u30a0-\u30ff])|"
    r"[不没沒未无無别別非](?![错錯仅僅但断斷少同适適良足管久过過如然必禁止及安便利论論数數常限来來知疼痛氧人思]|有[疼痛]|可思)"
    r"(?![^，。、,.的]{0,2}的)|"
    # Korean: 치료하지 않는다 / 낫지 못한다 ("does not cure" / "cannot heal"; not 아프지 않다, "does
    # not hurt"), 효과가 없다 ("has no effect"; not 없이 "without", nor "no pain / strain / risk":
    # 통증이 없다, 부담 없이, 위험이 없다), 사실이 아니다 ("is not true"), 안 된다 / 못 한다
    r"(?<!아프)지\s?(?:않|못)|"
    r"(?<!통증이 )(?<!통증이)(?<!통증은 )(?<!통증 )(?<!통증도 )(?<!부담 )(?<!부담이 )(?<!무리 )(?<!무리가 )"
    r"(?<!걱정 )(?<!문제가 )(?<!문제 )(?<!위험이 )(?<!위험은 )(?<!위험 )(?<!부작용이 )(?<!부작용 )없(?!이)|"
    r"아니(?:다|며|라|에요|야|고|지만|므로)|(?<![\uac00-\ud7a3])[안못]\s(?=[\uac00-\ud7a3])"
)
# Cues that say the claim is false or unfounded, wherever they stand in the clause.
_VERDICT = re.compile(
    r"\b(?:myths?|debunk(?:ed|s|ing)?|false|untrue|not true|fails? to|failed to|unproven|"
    r"no (?:\w+ ){0,2}(?:evidence|proof|studies|study|research|data|benefit|effect|difference|link)|"
    r"little to do with|bad advice|misleading|overrated|overhyped|exaggerated?|nonsense|"
    r"(?:i|we) doubt|doubts? (?:that|whether|if)|doubtful|"
    r"s[ck]eptic(?:al)?|unconvinced|not convinced|questionable|dubious|useless|ineffective|"
    r"waste of (?:time|money)|snake oil|too good to be true|think again|far from it|not so much|"
    r"pointless|worthless|futile|(?:of )?no use|does more harm than good|"
    r"misconceptions?|misinformation|urban legend|old wives'? tale|outdated|a lie|"
    # folklore called so, not folklore as the source a post passes on ("folklore suggests that")
    r"folklore(?! (?:suggests?|says?|holds|has it|claims?|tells))|"
    r"wishful thinking|not backed by|little (?:\w+ )?evidence|lacks? (?:\w+ )?evidence|no scientific|"
    r"(?:is|are|was) (?:a |an )?(?:hype|fad)|not (?:so|that) (?:fast|simple)|"
    # overstated, oversold, a gimmick: the claim is more than the evidence gives
    r"overstated|oversold|overblown|inflated claims?|not all (?:it'?s|they'?re) cracked up to be|"
    r"(?:grain|pinch) of salt|(?:don'?t|do not) believe the hype|(?:just|pure|all) hype|"
    r"no (?:magic|silver) bullet|not (?:a |the )?(?:magic|miracle|cure-all|fix[- ]all|panacea)|"
    r"pseudo-?science|quackery|bogus|gimmick|scam|"
    r"(?:weak|thin|scant|scanty|insufficient|inconclusive|flimsy) (?:\w+ )?evidence|"
    # a finding or rule that failed its test, or evidence against it
    r"(?:did|does|do|would|will)(?:n't| not) hold up|(?:isn't|is not|aren't|are not) on (?:its|their|our|your) side|"
    # the same in German: "hält einem Faktencheck nicht stand" (does not hold up to a fact check)
    r"h[äa]lt(?:en)? (?:\w+ ){0,3}nicht stand|"
    r"none (?:that|which|of which|of the (?:\w+ )?(?:studies|trials|research|evidence|experts)) (?:agrees?|supports?|backs?|confirms?)|unfounded|baseless|groundless|"
    r"no (?:scientific |real )?(?:basis|support)|"
    # hedged denials: the claim lacks its evidence ("not proven", "hasn't been shown", "unproven",
    # "little evidence"), a verdict even where no negation word governs the claim's words ("Walking
    # backwards relieves knee pain – that's not established.")
    r"(?:not|never|yet to be|hasn't|haven't|has not|have not) (?:yet )?(?:been )?"
    r"(?:clearly |scientifically |conclusively |convincingly |reliably )?(?:proven|proved|shown|demonstrated|established)|"
    r"unsubstantiated|(?:not |un)supported by (?:\w+ ){0,2}(?:evidence|research|studies|science|data)|"
    r"(?:evidence|proof) (?:is|remains) (?:lacking|thin|weak|limited|scarce)|lack of (?:\w+ )?evidence|"
    # "nobody has proven that ...", "no one has ever shown": the claim lacks its evidence
    r"(?:nobody|no one|no-one) (?:has|have|had|ever|really|actually)(?: \w+){0,2}? (?:proven|proved|shown|demonstrated)|"
    r"(?:refuted|disproved|disproven|contradicted) by|busted|hoax|"
    # a belief called mistaken by how it is held ("was erroneously considered the be-all and
    # end-all", "is wrongly believed to", "mistakenly thought"); not a thing done wrongly
    # ("increasing weekly mileage incorrectly")
    r"(?:erroneously|wrongly|mistakenly|falsely|incorrectly) (?:\w+ )?(?:believed|thought|considered|assumed|"
    r"claimed|regarded|seen|viewed|held|touted|described|labell?ed|called|believe|think|assume|consider)|"
    r"(?:believed|thought|considered|assumed|regarded|seen|viewed) (?:\w+ )?(?:erroneously|wrongly|mistakenly|incorrectly)|"
    # verdicts that point back at a claim just made: "that claim doesn't hold water", "the evidence
    # doesn't support it", "the science says otherwise", "don't believe it", "experts disagree"
    r"(?:doesn'?t|does not|don'?t|do not|didn'?t|did not|won'?t|will not) hold water|"
    r"(?:evidence|science|research|data|studies|facts) (?:\w+ )?(?:doesn'?t|does not|don'?t|do not|didn'?t|did not) "
    r"(?:really |actually )?(?:support|back(?: up)?|bear out|confirm) (?:it|this|that|these|those|them|the (?:\w+ )?claims?)\b|"
    r"(?:says?|suggests?|shows?|indicates?|proves?) otherwise|tells? (?:a |quite a )?different story|"
    r"(?:don'?t|do not) (?:believe|buy) (?:it|this|that|a word)\b|"
    r"(?:experts|scientists|researchers|doctors|physios|physiotherapists) (?:\w+ )?disagree|"
    # the ones who said it called wrong: "Influencers say ... They're wrong.", "He is dead wrong."
    r"(?:s?he|they|you)(?:'s|'re| is| are| was| were) (?:\w+ )?(?:wrong|mistaken)|"
    r"(?:not|n't) (?:simply |actually |really |quite |necessarily |always )?the case|"
    r"mitos?|falso|falsa|exagerad[oa]s?|sin (?:evidencia|pruebas)|mentiras?|bulos?|"  # es, pt
    # hedged: not proven, no (good) evidence, little evidence
    r"no (?:est[áa] )?(?:probad|demostrad|comprobad)[oa]s?|sin (?:demostrar|probar|base cient[ií]fica)|"
    r"(?:poca|escasa|insuficiente) evidencia|no hay (?:\w+ )?(?:evidencias?|pruebas)|"
    r"n[ãa]o (?:est[áa] |foi )?(?:comprovad|provad|demonstrad)[oa]s?|sem (?:provas|evid[êe]ncias?|comprova[çc][ãa]o)|"
    r"poucas evid[êe]ncias|"
    r"mythes?|faux|fausse|mensonges?|id[ée]e re[çc]ue|exag[ée]r[ée]e?s?|aucune preuve|"  # fr
    r"(?:non|pas) (?:encore )?(?:prouv|d[ée]montr)[ée]e?s?|sans (?:aucune )?preuves?|peu de preuves|rien ne (?:prouve|montre)|"
    r"mythos|irrtum|falsch|[üu]bertrieben|m[äa]rchen|l[üu]gen?|"  # de
    r"unbewiesen|nicht (?:wissenschaftlich )?(?:belegt|bewiesen|nachgewiesen)|keine (?:\w+ )?(?:belege|beweise|evidenz)|"
    r"wenige? (?:belege|beweise|evidenz)|"
    r"bufala|esagerat[oa]|bugi[ae]|"  # it
    r"non (?:[èe] )?(?:(?:stato|stata) )?(?:provat|dimostrat)[oaie]|senza prove|poche prove|nessuna prova|"
    r"mythe|fabel|onzin|overdreven|leugens?|"  # nl
    r"onbewezen|niet (?:wetenschappelijk )?bewezen|geen (?:\w+ )?bewijs|weinig bewijs|"
    r"миф\w*|неправда|преувеличен\w*|вран[ьъ][её]|ложь|"  # ru
    r"недоказан\w*|не доказан\w*|нет (?:\w+ )?доказательств|мало доказательств|"
    r"hoaks|bohong|keliru|salah kaprah|belum terbukti|tidak terbukti|tidak ada bukti|"  # id ("mitos", "hoax" above)
    # tr: exaggerated, nonsense, made up, a lie, an urban legend, misinformation ("efsane" is also
    # "legendary", praise)
    r"abartı\w*|safsata|uydurma|yalan|şehir efsanesi|yanlış (?:bilgi|inanış|inanç)|"
    # vi: a rumour, a misconception, a misunderstanding, exaggerated, untrue
    r"tin đồn|lời đồn|ngộ nhận|hiểu lầm|phóng đại|sai sự thật|quan niệm sai(?: lầm)?)(?!\w)",
    re.IGNORECASE,
)
# Others' words in Japanese and Chinese: "some people say" (という人もいる, と言われている, らしい,
# そうです after a plain form), "someone says", "it is said", "according to" (有人说, 据说, 據說,
# 听说, 聽說, 据称, 根据, によると).
_REPORTED_CJK = re.compile(
    r"という人(?:も|が)(?:いる|います|多い)|と(?:言|い)われて(?:いる|います)|と(?:言|い)う(?:人|声)|によると|によれば|"
    r"有人(?:说|說|认为|認為|称|稱)|据说|據說|听说|聽說|据称|據稱|据报道|據報導|根据|根據|专家(?:说|表示)|專家(?:說|表示)|"
    # Korean: "according to" (에 따르면, 에 의하면), "they say / said / explained" (다고 한다, 라고
    # 말했다, 다고 밝혔다), "it is known that" (알려져 있다), "the claim that" (다는 주장)
    r"에\s?(?:따르면|의하면)|[다라]고\s?(?:한다|합니다|했다|말했|말한다|밝혔|전했|주장|설명했|설명한다)|알려져\s?있|[다는]는\s?주장"
)
# Verdicts in Japanese and Chinese: a lie, a false rumour, a myth, no basis, no effect.
_VERDICT_CJK = re.compile(
    r"嘘|ウソ|デマ|誤り|迷信|神話|俗説|都市伝説|根拠(?:が|は)?(?:ない|なし|無し)|効果なし|"
    r"谣言|謠言|假的|误区|誤區|伪科学|偽科學|不实|不實|骗局|騙局|夸大|誇大|迷思|没有根据|沒有根據|"
    # Korean: a common belief without basis, a misunderstanding, a lie, exaggerated, unproven
    r"속설|낭설|미신|오해|거짓|과장|가짜|사실무근|근거(?:가|는)?\s?없|입증되지\s?않|증명되지\s?않"
)
_PSEUDO_NEGATION = re.compile(
    r"\b(?:no more (?:knee )?(?:pain|aches?)|no longer (?:hurts?|aches?|painful|in pain)|not only|not just|not least|not to mention|no wonder|no doubt|no joke|no weights|"
    r"no equipment|no gym|no pain,? no gain|no matter|nothing but|not surprisingly|whether or not|"
    r"without (?:a )?doubt|beyond (?:a |any )?doubt|if in doubt|when in doubt|"
    r"if not|never (?:been |felt |looked )?(?:better|easier|stronger)|not (?:hurting|sore|painful)|"
    r"can't believe|cannot believe|couldn't believe|don't (?:sleep on|skip|forget|underestimate)|"
    r"(?:does|do|did|is|are|was|were|will|would|can)(?: not|n't) (?:just|only|merely|simply)|"
    r"no s[oó]lo|non seulement|pas seulement|nicht nur|n[aã]o s[oó]|n[aã]o apenas|non solo|"
    r"niet alleen|ne\w* que|не только|nu numai|"  # ro "Nu numai că ..." (alephnews.ro, eva.ro)
    # Turkish "not only" (sadece değil: "değil" after "sadece"), "no pain" (ağrı yok)
    r"sadece \w+ değil|ağrı(?:sı|m)? (?:da )?yok|"
    # Vietnamese "not only", and words that begin with "không" ("air", "space", "aviation",
    # "constantly", "undeniable", "unexpectedly", "it's fine", "no doubt"), "not to mention", "no
    # (more) pain", "without equipment"
    r"không (?:chỉ|những|khí|gian|ngừng|thể phủ nhận|ngờ|sao|nghi ngờ gì|còn đau|đau|cần dụng cụ)|"
    r"hàng không|chưa kể|"
    # idioms whose "no" negates nothing of the claim ("But this is no laughing matter, reverse
    # running is said to burn ...", "It's no secret that ..."), a trial's control arm ("compared
    # to no intervention"), a load said not to be put on a joint ("doesn't exert too much pressure
    # on the knees": less load, which the knee-load claim says), and the muscles a negated verb
    # describes ("strengthen all the muscles you don't use", as 普段使わない筋肉 below; Korean 안
    # 쓰던 근육, 잘 쓰지 않는 부위의 근육)
    r"no (?:laughing matter|secret|exaggeration|coincidence|surprise)|"
    r"(?:compared (?:to|with)|versus|vs\.?|than|or) (?:a )?no[- ](?:intervention|treatment|exercise|training)|"
    r"(?:doesn't|does not|don't|do not|won't|will not) (?:exert|put|place) (?:too much|much|as much|a lot of|excessive|any|undue) "
    r"(?:pressure|stress|strain|load|force)|"
    r"(?:muscles?|parts?|areas?) (?:that |which )?(?:you|we|people|most people|they|i) (?:don't|do not|rarely|never|seldom|didn't) "
    r"(?:\w+ )?(?:use|work|train|engage)|"
    r"안 (?:쓰|사용하)(?:던|는)|(?:쓰|사용하)지 않(?:는|던|은)|"
    # tr "ne kadar ... o kadar" (the more ... the more), "ne zaman" (when): no French "ne"
    r"ne (?:kadar|zaman|de olsa)|"
    # id "tidak biasa" (unusual: "pola gerakan yang tidak biasa")
    r"tidak biasa|"
    # fr "pas" the noun, steps ("faire des pas plus courts", "100 pas en arrière")
    r"(?:des|les|de|ses|mes|nos|vos|leurs|quelques|petits|grands|cent|mille|\d+) pas)(?!\w)",
    re.IGNORECASE,
)
_MYTH_LABEL = re.compile(
    r"^\W*(?:myth|fact[- ]check|false|fake|debunked|mito|mythe|mythos|falso|faux)\s*(?:#?\d+)?\s*[:\-–—]",
    re.IGNORECASE,
)
# A study's aim asks a question rather than answering it ("This study aimed to compare ...").
_STUDY_AIM = re.compile(
    r"\b(?:aim(?:ed|s)? (?:was |is )?to|objectives?:|purpose of (?:this|the) (?:study|trial|review)|"
    r"we (?:investigated|examined|assessed|compared) whether|"
    r"(?:wanted|want|wants|set out|tried|had|decided) to (?:know|see|find out|test|check|learn) (?:whether|if)|"
    r"(?:wonder|wonders|wondered|wondering|asks|asked|asking)(?: [\w-]+){0,3}? (?:whether|if)|"
    # an open question: not known yet either way
    r"(?:unclear|uncertain|unknown|not (?:yet )?(?:clear|known)) (?:whether|if)|remains to be seen|"
    r"jury is (?:still )?out|an open question|(?:has|have) not (?:yet )?been (?:studied|investigated|tested)|"
    # a hypothesis put forward, not a finding: "hypothesized that", "stellte die Hypothese auf, dass"
    r"hypothesi[sz]e[ds]? that|(?:the|our|his|her|their) hypothesis (?:is|was) that|"
    r"(?:stellt|stellte|stellten) (?:\w+ )?(?:die|eine) hypothese auf|hypothese,? dass|"
    r"little is known (?:about|of)|no (?:previous )?stud(?:y|ies) ha(?:s|ve) (?:yet )?(?:examined|investigated|tested)|"
    r"poco se sabe|a[úu]n no se ha (?:estudiado|investigado)|peu (?:[ée]tudi[ée]|connu)|"
    r"(?:noch )?nicht untersucht|wenig (?:untersucht|erforscht|bekannt)|non [èe] (?:ancora )?stat[oa] (?:studiat|indagat)\w*|"
    r"ainda n[ãa]o foi (?:estudad|investigad)\w*|nog niet onderzocht|(?:ещ[её] )?не изучал\w*|мало изучен\w*|"
    r"(?:voir|savoir) si|(?:ver|saber) si|(?:wissen|pr[üu]fen),? ob|"
    r"to (?:investigate|assess|determine|evaluate|examine) (?:the |whether )|"
    r"el objetivo (?:de este|del) (?:estudio|trabajo)|l'objectif de (?:cette|l') ?[ée]tude|"
    r"ziel (?:dieser|der) (?:studie|arbeit)|o objetivo d[eo]st[ea] estudo|lo scopo di questo studio)",
    re.IGNORECASE,
)
# The authors' own study said to look into something ("This cross-sectional study investigated
# ...", "We examined the effect of ...", "Este estudio evaluó ...", "Diese Studie untersucht ..."):
# its aim, a question, unless the unit gives what it found (``_FINDING``). Not "a study" / "the
# study" of a news report, which passes on a study (``reported``).
_OWN_STUDY_AIM = re.compile(
    r"\b(?:this|the present|the current|our)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:study|trial|review|paper|experiment|analysis|work|research|project)\s+"
    r"(?:(?:was|is) designed to|sought|seeks|looked at|looks at|"
    r"(?:investigat|examin|explor|evaluat|assess|compar|analy[sz]|test|address)\w*)|"
    r"\bwe\s+(?:(?:investigat|examin|explor|evaluat|assess|compar|analy[sz]|test)\w*|sought|studied|looked at)\b|"
    r"\b(?:este|el presente|nuestro)\s+(?:estudio|trabajo|ensayo)\s+(?:investig|evalu|analiz|examin|compar|explor)\w*|"
    r"\b(?:cette|la pr[ée]sente|notre)\s+[ée]tude\s+(?:a\s+)?(?:[ée]valu|examin|compar|analys|explor|[ée]tudi)\w*|"
    r"\b(?:diese|die vorliegende|unsere)\s+(?:studie|arbeit|untersuchung)\s+"
    r"(?:untersucht|vergleicht|pr[üu]ft|analysiert|bewertet|evaluiert)\w*|"
    r"\b(?:questo|il presente|il nostro)\s+studio\s+(?:ha\s+)?(?:valut|indag|esamin|confront|analizz)\w*|"
    r"\b(?:este|o presente|nosso)\s+(?:estudo|trabalho)\s+(?:avali|investig|analis|compar|examin)\w*|"
    r"\b(?:deze|dit|onze)\s+(?:studie|onderzoek)\s+(?:onderzoch|onderzoekt|evalueer|vergeleek|vergelijkt)\w*|"
    r"\b(?:в\s+)?(?:данном|этом|настоящем)\s+исследовании\s+(?:изуч|оцен|сравн|анализ)\w*|"
    r"本研究(?:は|では|の目的|旨在|目的|探讨|探討|评估|評估)|이\s?연구는|본\s?연구는",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(?:found|finds|showed|shows|demonstrated|demonstrates|revealed|reveals|concluded|confirmed|"
    r"encontr[óo]|mostr[óo]|demostr[óo]|a montr[ée]|zeigte|ergab|ha dimostrato|mostrou|toonde|показал\w*)\b",
    re.IGNORECASE,
)
# A title that names what is studied ("Effects of Backward Gait on Sand on Improving the Gait
# Parameters of Patients With Chronic Stroke", "Efectos de la marcha hacia atrás sobre ...",
# "Einfluss von Rückwärtsgehen auf ..."): the question of a study, not its answer; not a sentence
# (no finite verb of ``_TITLE_VERB``: "The effect of X on Y is large" states it).
_EFFECT_TITLE = re.compile(
    r"^\W*(?:(?:the\s+)?(?:effects?|impacts?|influence|efficacy|effectiveness)\s+of\s.+?\s(?:on|in|for|among)\s|"
    r"(?:(?:los|las|el|la)\s+)?(?:efectos?|eficacia|influencia|impacto)\s+de[l]?\s.+?\s(?:en|sobre)\s|"
    r"(?:(?:les|l')\s*)?(?:effets?|efficacit[ée]|influence|impact)\s+d(?:e|u|es|')\s?.+?\s(?:sur|chez)\s|"
    r"(?:(?:die|der)\s+)?(?:wirkung|auswirkungen?|einfluss|effekte?|wirksamkeit)\s+(?:von|des|der|eines|einer)\s.+?\s(?:auf|bei)\s|"
    r"(?:(?:gli|l')\s*)?(?:effett[oi]|efficacia|influenza|impatto)\s+d\w*\s.+?\s(?:su\w*|in|nei|negli)\s|"
    r"(?:(?:os|o|a)\s+)?(?:efeitos?|efic[áa]cia|influ[êe]ncia|impacto)\s+d[aoe]s?\s.+?\s(?:em|no|na|nos|nas|sobre)\s|"
    r"(?:het\s+)?(?:effect|invloed)\s+van\s.+?\s(?:op|bij)\s|"
    r"(?:влияние|эффект\w*|эффективность)\s.+?\s(?:на|при)\s)",
    re.IGNORECASE,
)
_TITLE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|could|may|might|will|would|does|did|do|shows?|showed|found|"
    r"es|son|fue|fueron|puede|est|sont|était|peut|ist|sind|war|waren|kann|hat|è|sono|era|può|é|são|foi|"
    r"pode|zijn|was|kan|является|был[аио]?|может)\b",
    re.IGNORECASE,
)
TITLE_WORDS = 30  # a study's title is at most this long


# A hypothesis: the claim said to be possible, not so ("might be a useful alternative").
_HEDGE = re.compile(
    r"\b(?:might|may|could|possibly|potentially|perhaps|podr[íi]a|podr[íi]an|quiz[áa]s?|pourrait|pourraient|"
    r"peut-[êe]tre|k[öo]nnte|k[öo]nnten|vielleicht|potrebbe|potrebbero|forse|poderia|poderiam|talvez|"
    r"zou kunnen|misschien|может быть|возможно|могл[аио]? бы)(?!\w)",
    re.IGNORECASE,
)


# A question that states its claim: "Who says walking backwards can't help your knees?" (who says
# it doesn't: it does), and a "why" that takes the claim as given ("Why does walking backwards burn
# more calories?", "How come retro walking eases knee pain?"); not "why would / should / could",
# which doubt it, nor a why of a negation ("Why doesn't it help?").
_WHO_SAYS_NOT = re.compile(
    r"^\W*(?:(?:and|but|so)\s+)?(?:who knew\b|who (?:says|said|told you|thinks?|claims?)\b.*(?:n't|\bnot|\bnever|\bno)\b)",
    re.IGNORECASE,
)
_WHY_GIVEN = re.compile(
    r"^\W*(?:(?:and|but|so|ever wondered|wondering)\s+)?(?:why (?:do|does|did|is|are|was|were|can)|how come)\b",
    re.IGNORECASE,
)


def rhetorical(text: str) -> bool:
    """A question that asserts what it asks about (``_WHO_SAYS_NOT``, ``_WHY_GIVEN``)."""
    t = _clean(text)
    if _WHO_SAYS_NOT.match(t):
        return True
    return bool(_WHY_GIVEN.match(t)) and not _cues(_NEGATION, t)


def hypothesis(text: str, before: str) -> bool:
    """The unit hedges ("might be a useful training alternative", ``_HEDGE``) right after a
    sentence that says the question is open ("... has not yet been investigated in Parkinson's
    disease", ``_STUDY_AIM``): the hypothesis a study puts forward, a question (``asks``)."""
    return bool(before) and bool(_HEDGE.search(_clean(text))) and bool(_STUDY_AIM.search(_clean(before)))


def study_aim(text: str) -> bool:
    """The unit states what a study looks into rather than what it found (``asks``): an aim
    (``_STUDY_AIM``: "This study aimed to ...", "Objective: to investigate whether ..."), the
    authors' own study said to investigate something without its finding in the unit
    (``_OWN_STUDY_AIM``), or a title naming an effect studied (``_EFFECT_TITLE``)."""
    t = _clean(text)
    if _STUDY_AIM.search(t):
        return True
    if _OWN_STUDY_AIM.search(t) and not _FINDING.search(t):
        return True
    return bool(_EFFECT_TITLE.match(t)) and word_count(t) <= TITLE_WORDS and not _TITLE_VERB.search(t)


# Others' words set against the post's own ("Contrary to what people say, it does help"): the post
# asserts; the cue of a report inside is not its attribution.
_AGAINST_OTHERS = re.compile(
    r"\b(?:contrary to|despite|in spite of|unlike|regardless of|no matter) (?:what|all|the)\b[^,;:.]*",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:according to|claims? (?:that|it|to)|claimed|they say|people say|some say|experts? say|"
    r"is said to|are said to|supposedly|allegedly|reportedly|apparently|rumou?red|"
    r"(?:he|she) (?:says|said|claims|claimed|believes|argues|argued|explains|explained|notes|noted)|"
    r"(?:has|have|had) (?:also |even |already )?been (?:shown|found|proven|demonstrated|reported|theori[sz]ed|"
    r"suggested|advocated|recommended|touted)|"
    r"(?:as )?reported by|as per|(?:is|are) (?:often |usually |generally |commonly )?(?:advised|recommended) to|"
    # practitioners or researchers who say, recommend or use it: their practice, not the post's claim
    r"(?:doctors?|physios?|physiotherapists?|physical therapists?|therapists?|experts?|coaches|trainers|"
    r"specialists|clinicians|physicians|scientists|researchers|studies)"
    r" (?:(?:may|might|often|usually|commonly|also|now|generally|have been|still) )?"
    r"(?:say|says|said|claim|believe|recommend|suggest|note|explain|consider|advise|prescribe|swear by|using)|"
    # a practice named by who uses it or where ("recommended by physical therapists", "is used
    # increasingly in rehabilitation programs"): what practitioners do, not the post's claim; not
    # a bare "is used to improve balance", which states the purpose
    r"(?:recommended|prescribed|advocated|used|employed) (?:[\w-]+ ){0,2}by (?:[\w-]+ ){0,2}"
    r"(?:physical therapists|physiotherapists|physios|therapists|doctors|clinicians|coaches|trainers|"
    r"experts|specialists|athletes)|(?:is|are) (?:[\w-]+ ){0,2}used (?:[\w-]+ ){0,3}(?:in|by)\b|"
    # a finding passed on from a named body or person ("The American College of Sports Medicine
    # found that"): someone's "found that", not the writer's ("I found that", "we found that")
    r"(?<!\bi )(?<!\bwe )(?<!i've )(?<!we've )(?<!\bi have )(?<!\bwe have )(?<!\bi also )(?<!\bwe also )"
    r"(?<!this study )(?<!our study )(?<!this trial )(?<!our trial )(?<!this review )"
    r"(?:found|discovered|revealed|concluded|showed) that|"
    r"\bin (?:a|one|another|two|three|several|many|\w+ of the) (?:[\w-]+ ){0,3}"
    r"(?:stud(?:y|ies)|trials?|experiments?)\b|"
    r"(?:tiktok|instagram|the internet|influencers?|the trend|viral (?:video|post|trend)|fans|users)"
    r" (?:says?|claims?|swears?|insists?|promises?)|promises? (?:that|to|you)|touted|hyped|"
    r"(?:estudios?|[ée]tudes?|studien?|estudos?|studio|studi|onderzoek|исследовани[ея])(?: [\w,'’-]+){0,8}? "
    r"(?:descubri[óo]|demuestra|demostr[óo]|encontr[óo]|muestra|mostr[óo]|r[ée]v[èe]le|a r[ée]v[ée]l[ée]|"
    r"montre|a montr[ée]|zeigt|zeigte|ergab|fand|mostra|mostrou|descobriu|dimostra|ha dimostrato|"
    r"toont|liet zien|показал[оа]?|показывает|confermano|dimostrano|mostrano)|"
    r"(?:risultati|resultados|r[ée]sultats|ergebnisse) (?:\w+ )?(?:hanno rivelato|hanno dimostrato|"
    r"mostraron|revelaron|demostraron|ont montr[ée]|zeigten)|"
    # researchers who found it, in the languages read through concepts
    r"(?:investigadores|cient[ií]ficos|chercheurs|scientifiques|forscher(?:innen)?|wissenschaftler(?:innen)?|"
    r"ricercatori|scienziati|onderzoekers|wetenschappers|pesquisadores|исследователи|уч[её]ные)"
    r"(?: [\w,'’-]+){0,4}? (?:descubrieron|encontraron|hallaron|observaron|comprobaron|demostraron|"
    r"ont (?:d[ée]couvert|constat[ée]|montr[ée]|observ[ée])|fanden|stellten|zeigten|haben herausgefunden|"
    r"hanno (?:scoperto|osservato|dimostrato)|ontdekten|vonden|toonden|descobriram|constataram|"
    r"mostraram|обнаружили|выяснили|установили|показали)|"
    # "..., dice un estudio de 2004", "..., explique une kinésithérapeute": who says it, after it
    r"(?:dice|explica|señala|afirma|asegura|sostiene|indica|dit|explique|affirme|souligne|indique|"
    r"sagt|erkl[äa]rt|betont|meint|diz|spiega|afferma|zegt|legt uit) "
    r"(?:un|una|uno|el|la|lo|il|los|las|une|le|l'|ein|eine|der|die|um|o|a|een|de|het) "
    r"(?:[\w-]+ )?(?:estudio|investigaci[óo]n|experto|experta|especialista|m[ée]dic[oa]|doctor|doctora|"
    r"fisioterapeuta|investigador|investigadora|[ée]tude|expert|experte|sp[ée]cialiste|m[ée]decin|"
    r"kin[ée]\w*|chercheur|chercheuse|studie|experte|expertin|arzt|[äa]rztin|physiotherapeut\w*|"
    r"forscher\w*|estudo|pesquisador\w*|studio|esperto|esperta|fisioterapista|ricercator\w*|"
    r"onderzoek|deskundige|arts|fysiotherapeut)|"
    r"seg[uú]n|de acuerdo con|dicen que|aseguran?|afirman?|prometen?|descubren|"  # es
    r"selon|d'apr[eè]s|affirment|pr[ée]tendent|para[iî]t-il|"  # fr
    r"laut|angeblich|behaupten|hei[ßs]t es|soll|sollen|schw[öo]ren auf|"  # de
    # German reported speech is in the subjunctive I ("..., entlaste die Bewegung das Bein und
    # verbessere die Mobilität", "sei", "könne"): third-person forms, so not after "ich" (the same
    # form is the first person) nor opening the sentence (the imperative "Entlaste dein Knie")
    r"(?<=[\w,] )(?<!ich )(?:sei|seien|k[öo]nne|m[üu]sse|helfe|st[äa]rke|entlaste|verbessere|lindere|"
    r"reduziere|verringere|senke|f[öo]rdere|verbrenne|schone)|"
    r"segundo|de acordo com|dizem que|"  # pt
    r"secondo|dicono che|"  # it
    r"volgens|zouden|beweren|"  # nl
    # what the reader has been told ("You may have heard that", "we've all heard that")
    r"(?:you|we)(?:'ve| have| may| might| probably| all| likely| surely| often)* (?:have )?heard (?:that|it said)|"
    # those who hold it, arguing for it ("proponents argue that", "advocates claim")
    r"(?:proponents|advocates|supporters|enthusiasts|believers|fans|fans of \w+) (?:\w+ )?"
    r"(?:argue|claim|say|insist|believe|maintain|contend|tout|swear|promise)|"
    r"уверяют|обещают|утверждают|говорят|по словам|якобы|считается|"  # ru
    # vi "many posts assert that", "some believe that" (not "tôi cho rằng", I think); ar "studies
    # indicate that" (تشير الدراسات إلى أن), "it is said that", "claims"
    r"khẳng định rằng|tuyên bố rằng|(?<!tôi )cho rằng|"
    r"تشير (?:\w+ ){0,3}إلى أن|يقال إن|يُقال إن|يزعم|يدعي|يدّعي|"
    r"(?:уточнил|сказал|отметил|пояснил|рассказал)[аи]?,? что)(?!\w)",
    re.IGNORECASE,
)
# One person's word passed on: a person (a possessive or an article and a noun: "my trainer", "a
# friend", "mon kiné", "mi fisio", "mein Trainer", "мой тренер"; a handle, "@physio_jane";
# "everyone", "someone") and a verb of saying ("says", "told me", "dice que", "dit que", "sagt,",
# "говорит, что"), or the inverted attribution after the claim (", says my trainer", ", sagt mein
# Physiotherapeut"). The verb's subject is a person, so "research says" and "this says a lot"
# are not read here (``_STUDY_REPORT`` reads the first).
_SAY_EN = (
    r"(?:says?|said|swears?|swore|insists?|insisted|reckons?|keeps? saying|"
    r"tells? (?:me|us|everyone|people)|told (?:me|us|everyone|people))"
)
_POSSESSIVE = (
    r"(?:my|our|your|his|her|their|a|an|the|some|this|that|"
    r"mi|mis|tu|su|nuestr[oa]|un|una|el|la|"  # es
    r"mon|ma|mes|ton|ta|son|sa|notre|une|le|"  # fr
    r"mein|meine|meiner|dein|deine|sein|seine|ihr|ihre|unser|unsere|ein|eine|der|die|"  # de
    r"il mio|la mia|mio|mia|meu|minha|o meu|a minha|mijn|m'n|een|de|"  # it, pt, nl
    r"мой|моя|мои|наш|наша|один|одна)"  # ru
)
_PERSON_SAYS = re.compile(
    rf"(?:@\w+|\b(?:everyone|everybody|someone|somebody|people|folks)|"
    rf"\b{_POSSESSIVE} (?:[\w'-]+ ){{0,2}}?(?!(?:is|was|are|were|be|been|it|not)\b)[\w'-]+)"
    rf" (?:(?:always|also|just|even|still|often|keeps|once) )?{_SAY_EN}(?! (?:a lot|nothing|much|little) about)\b|"
    # the inverted attribution after the claim, after a comma or a dash
    r"(?:,|\s[-–—])\s*(?:says|said|swears|insists|claims|dice|dijo|asegura|afirma|dit|affirme|assure|"
    r"sagt|sagte|meint|behauptet|diz|disse|afirma|dice|zegt|zei|говорит|сказал[аи]?)\s+(?:@\w|"
    rf"{_POSSESSIVE}\s)|"
    # "dice que", "dit que", "m'a dit que", "diz que", "dice che", "zegt dat", "говорит, что"
    r"\b(?:dice|dijo|me dijo|me dice|asegura|jura|dit|m'a dit|disait|jure|diz|disse|me disse|"
    r"dice|ha detto|mi ha detto|zegt|zei)\s+(?:que|qu'|che|dat)\b|"
    # "Mein Trainer sagt, ...", "sagt mir, dass": the German verb of saying before its clause
    r"\b(?:sagt|sagte|meint|meinte|behauptet|schw[öo]rt)(?: mir| uns)?,|\b(?:sagt|sagte) (?:mir |uns )?dass\b|"
    r"(?<!это )\bговорит,? что",
    re.IGNORECASE,
)
# A name (capitalised, as the person's own) and a verb of saying: "Jane says", "Dr Lee said".
_NAME_SAYS = re.compile(
    r"\b(?!(?:Nobody|No|None|It|This|That|What|Who|Which|Nothing|Never|Science|Research|Evidence)\b)"
    r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)? (?:says|said|swears|insists|claims|told me)\b"
)


# A study or researchers reported it: the post passes on a finding ("A 2019 study reported that
# ...", "Research shows ...", "researchers found"); not the authors' own "this study showed".
_STUDY_REPORT = re.compile(
    r"\b(?P<who>(?:(?:\w+|\d{4}) )?(?:stud(?:y|ies)|research(?:ers)?|scientists|trials?|papers?|"
    r"reviews?|meta-analys[ie]s|experiments?|evidence|data|science|surveys?|et al\.?))(?!\w)(?: [\w,.'’\[\]-]+){0,10}? "
    r"(?:found|finds|find|show|shows|showed|shown|reported|reports|report|suggests?|suggested|"
    r"concluded|concludes|demonstrated|demonstrates|indicates?|indicated|revealed|reveals|confirmed|"
    r"discovered|discovers|proved|proves)\b",
    re.IGNORECASE,
)
_OPENING_QUOTES = frozenset('“"«„')
_CLOSING_QUOTES = ("”", '"', "»", "“")
_OWN_STUDY = re.compile(r"^(?:this|our|the present|the current|present|current)\b", re.IGNORECASE)
# Where a negation's scope ends (NegEx's terminators): punctuation that closes a clause and the
# words that open another.
_TERMINATOR = re.compile(
    rf"[;:()\[\]]|{clause_dash()}|"
    r",\s*(?=(?:which|who|whom|whose|where|while|whereas|but|yet|so|and not|not|rather than|"
    r"instead of|que|qui|lequel|die|der|das|welche|weil|obwohl|che|dat)\b)|"
    # "not A but B" corrects A with B: "no de la forma habitual, sino hacia atrás", "nicht vorwärts,
    # sondern rückwärts"; the negation's scope ends where B begins
    r",?\s*\b(?=(?:sino|sondern|but rather|mais plut[ôo]t|ma piuttosto|mas sim|maar juist)\b)|"
    r"\b(?:because|since|although|though|unless|whereas|while|"
    r"porque|aunque|mientras|parce que|car|bien que|alors que|tandis que|weil|obwohl|w[äa]hrend|"
    r"embora|enquanto|perch[ée]|sebbene|mentre|omdat|hoewel)\b",
    re.IGNORECASE,
)
# A leading topic phrase ("When it comes to X, ...", "As for X, ...") names what the main clause
# is about: it is not a clause of its own, and a verdict after its comma applies to it.
_LEADING_SUBORDINATE = re.compile(
    r"^\W*(?:and |but |so )?(?!when it comes to\b|as (?:for|to|far as|regards)\b)"
    r"(?:while|whilst|although|though|even if|even though|if|when|as|since|"
    r"aunque|si|cuando|bien que|quand|wenn|obwohl|quando|als)\b",
    re.IGNORECASE,
)
# The claim says "safe"; the post says the opposite without a negation.
# The claim says something gets better; the post says it gets worse (a contrary, not a negation):
# "Walking backwards makes knee pain worse" denies "... relieves knee pain".
_BETTER = re.compile(
    r"\b(?:improv|reliev|eas|reduc|strengthen|help|restor|aid|"
    r"alivi|ayud|mejor|fortalec|aide|am[ée]lior|soulag|renforc|hilft|helfen|verbesser|linder|st[äa]rk|"
    r"aiut|miglior|allevi|rafforz|ajud|melhor|helpt|verbeter|verlicht|помога|улучша|облегча|укрепля)\w*|"
    r"帮助|幫助|缓解|緩解|改善|有助|有帮助|有幫助|役立|和らげ|도움|개선|완화",
    re.IGNORECASE,
)
_WORSE = re.compile(
    r"\b(?:worse|worsen\w*|aggravat\w*|exacerbat\w*|hurts? more|more pain|flare[sd]? up|"
    r"empeor\w*|aggrav\w*|verschlimmer\w*|verschlechter\w*|peggior\w*|piora\w*|verergert|ухудша\w*)(?!\w)",
    re.IGNORECASE,
)
# Between the activity and "worse", a word that hands "worse" to something else: "knee pain that
# running makes worse", "eases it, unlike running, which makes it worse".
_OTHER_SUBJECT = re.compile(r"\b(?:that|which|who|if|when|unlike|than|but|while|whereas)\b", re.IGNORECASE)


# A "but" in the languages read: "..., pero puede ayudar", "...，但对缓解症状有帮助", "..., しかし".
_CONCESSION = re.compile(
    r"^\W*(?:(?:but|yet|however|though|still|pero|sin embargo|mais|cependant|aber|doch|jedoch|ma|per[òo]|"
    r"tuttavia|mas|por[ée]m|maar|но|однако)\b|但是?|不过|不過|然而|可是|しかし|でも|だが|하지만|그러나|그래도)",
    re.IGNORECASE,
)
_BUT = re.compile(
    r"[,;]?\s+(?=(?:but|yet|pero|mais|aber|ma|mas|maar|но)\b)|[,，;；、]\s*(?=但|不过|不過|可是|しかし|でも|하지만)",
    re.IGNORECASE,
)


# An answer that says no and then takes the claim back up: "No, but it does burn more.", "Nope,
# though it can help.", "Not really, but it still helps." (the "no" is of the figure or the degree
# the question asked about, ``no_but_kept``)
_NO_BUT = re.compile(
    r"^\W*(?:no|nope|nah|not really|not quite|not exactly|hardly)\s*[,.!;:–—-]+\s*"
    r"(?:(?:but|though|although|however|yet)\b\s*,?)\s*(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
# what the rest must open with to take the claim up: an emphatic or modal verb of its own ("it
# does", "it can", "it still helps", "it definitely burns"), not a new subject's statement
_KEPT = re.compile(
    r"^(?:it|that|this|they|you|walking backwards?|backwards? walking|retro walking)\s+"
    r"(?:(?:still|definitely|certainly|really|actually|surely|probably|does|do|did|can|will|may|might|could)\b)",
    re.IGNORECASE,
)


def no_but_kept(text: str) -> bool:
    """``text`` answers a question "no" and takes the claim back up in the same breath ("No, but
    it does burn more.", ``_NO_BUT``, ``_KEPT``, with no negation after the "but"): the "no" takes
    back what the question put on top of the claim (a figure: "5x more calories?", a degree:
    "cure?"), and the post asserts the claim."""
    m = _NO_BUT.match(_clean(text).strip())
    return bool(m and _KEPT.match(m.group("rest")) and not negation_cues(m.group("rest")))


def concession_at(text: str, after: str = "") -> int | None:
    """Where a "but" clause that takes back a denial of the strong form starts: "It's no miracle
    cure for knee pain, but it can help." (the post asserts that it helps). The concession is
    inside ``text`` (its offset there) or opens ``after``, the rest of the sentence or the next
    one (``len(text)``); it says the thing gets better (``_BETTER``) and holds no negation of its
    own. None when there is none. Whether it concedes the same claim is the caller's to say
    ("..., but it does strengthen your quads" concedes another: ``check.stance_and_span``)."""
    t = _clean(text)
    # (the concession, what comes before it, where it starts)
    pieces = [(_clean(after), t, len(t))] + [(t[m.end() :], t[: m.end()], m.end()) for m in _BUT.finditer(t)]
    return next(
        (
            at
            for p, before, at in pieces
            if p
            and _CONCESSION.match(p)
            and _BETTER.search(p)
            and not negation_cues(p)
            and negation_cues(before)
        ),
        None,
    )


def negated(text: str, at: int) -> bool:
    """The word at offset ``at`` of ``text`` lies after a negation cue in that cue's clause ("no
    cure", "won't cure"): a certainty word there is not said."""
    cues = _cues(_NEGATION, text) + _cues(_NEGATION_CJK, text)
    return any(cue[1] <= at and clause_of(text, cue[0])[1] > at for cue in cues)


def _worsens(text: str, words: Sequence[Span] | None, actors: Sequence[Span]) -> bool:
    """The unit says the activity makes the claim's outcome worse: a ``_WORSE`` cue whose clause
    holds the claim's words and, before the cue, the activity with nothing between that hands
    the cue to another subject."""
    t = _clean(text)
    for cue in _cues(_WORSE, t):
        start = clause_of(t, cue[0])[0]
        if not _governs(t, cue, words):
            continue
        if any(start <= a and b <= cue[0] and not _OTHER_SUBJECT.search(t, b, cue[0]) for a, b in actors):
            return True
    return False


_SAFE = re.compile(
    r"\bsafe\b|\bno (?:particular )?(?:health )?risk|"
    # "sans danger", "sin peligro", "ungefährlich", "безопасно": a post that says it is safe and
    # warns of falls ("safe if done correctly ... to avoid falling") does not deny it
    r"\b(?:sans (?:danger|risque)|sin (?:peligro|riesgo)|ungef[äa]hrlich|unbedenklich|senza (?:pericol|rischi)\w*|"
    r"sem (?:perigo|risco)|sicuro per|seguro para|veilig voor|безопасн\w*)|安全",
    re.IGNORECASE,
)
# "No risk", "no particular health risk", "won't hurt you", "not dangerous", "zero risk": a negation
# of harm says "safe". A claim worded so ("carries no particular health risk") is asserted, not
# denied, by a post that says the same (found by a new user's trial: the safety claim's own
# statement came back "denies"); "not risk-free" and "not without risk" are denials.
_NO_HARM = re.compile(
    r"\b(?:no|zero|without any|not any|never any|isn'?t any|aren'?t any|won'?t|wouldn'?t|doesn'?t|"
    r"does not|will not|is not|isn'?t|not)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:risks?|risky|harm(?:ful)?|hurt|dangers?|dangerous|injur(?:y|ies|e)|downsides?|side effects?)"
    r"(?![\w-])(?!\s*-?\s*free)",
    re.IGNORECASE,
)
_DANGER = re.compile(
    r"\b(?:dangerous|unsafe|risky|hazardous|(?:risk|chances?) of (?:falling|falls?|injury|tripping)|"
    # risks said to come with it: "there are some risks", "it has its risks"; es "también existen
    # algunos riesgos", "conlleva ciertos riesgos"
    r"(?:there are|has|have|carries|carry|comes? with|involves?) (?:some|its|certain|a few|several|real|serious) risks|"
    r"(?:existen|hay|tiene|conlleva) (?:algunos|ciertos|sus|varios) riesgos|"
    r"experts? warn|doctors? warn|"
    # a caution against falling or getting hurt: "requires more attention to avoid tripping or
    # falling", "be careful not to fall", "to prevent injuries"
    r"(?:avoid|prevent|careful not to|so (?:that )?you don'?t|without) (?:\w+ ){0,2}?"
    r"(?:trip|fall|stumbl|injur|hurt)\w*|(?:trip|fall|tripping|falling) (?:hazard|risk)|"
    r"riesgos? de (?:ca[ií]das?|lesi[oó]n|lesiones|tropez\w*)|evitar (?:\w+ ){0,2}?(?:ca[ií]das?|caerse|tropez\w*|lesiones)|"
    r"risques? de (?:chute|blessure)s?|[ée]viter (?:\w+ ){0,2}?(?:chutes?|tomber|tr[ée]bucher|blessures?)|"
    r"sturz(?:gefahr|risiko)\w*|verletzungs(?:gefahr|risiko)|unfallgefahr|stolpern|st[üu]rzen|st[üu]rze|gef[äa]hrdung|"
    # German puts the object before the verb: "um Verletzungen zu vermeiden", "Stürze verhindern"
    r"(?:verletzungen|st[üu]rze|unf[äa]lle)\s+(?:\w+\s+){0,2}?(?:zu\s+)?(?:vermeiden|verhindern|vorzubeugen)|"
    r"rischio di (?:cadut\w*|infortun\w*|lesion\w*)|evitare (?:\w+ ){0,2}?(?:cadut\w*|cadere|inciampare)|"
    r"risco de (?:quedas?|les[ãa]o|les[õo]es)|evitar (?:\w+ ){0,2}?(?:quedas?|trope[çc]ar)|"
    r"valrisico|risico op vallen|риск\w* (?:падени\w*|травм\w*)|"
    r"peligros[oa]|dangereu(?:x|se)|gef[äa]hrlich|gef[äa]hrden|warnen|warnt|verletzungen seien|"
    r"perigos[oa]|pericolos[oa]|gevaarlijk|опасн\w*)(?!\w)"
    r"|危険|危な|危险|危險|"  # ja, zh (no spaces: no word boundaries to ask for)
    # ja: a fall that happens ("バランスを崩し転倒する人がいる", "転倒しやすい", "転倒事故"), not one
    # prevented ("転倒予防", "転倒するリスクを減らす")
    r"転倒(?:した|しそう|事故|の(?:恐れ|おそれ|危険)|(?:する|しやすい)(?!リスクを?(?:減|下|低|軽)))|転んで|転び(?:やすい|そう)",
    re.IGNORECASE,
)
# A risk lowered is a benefit, not a warning: "decreasing risk of falls", "reduces the chance of
# falling", "lower fall risk", "helps prevent falls" (but "to prevent injuries", "careful not to
# fall" are cautions: ``_DANGER``).
_LOWERED = re.compile(
    r"\b(?:decreas|reduc|lower|cut|cutting|minimi[sz]|lessen|diminish|prevent|less|fewer|drop|slash|halv)\w*"
    r"\s+(?:(?:the|your|their|a|any|one'?s|his|her|overall|future)\s+){0,2}$",
    re.IGNORECASE,
)
_HELPS = re.compile(
    r"\b(?:help|helps|helped|helping|can|may|will|could|might|which|that)\s+(?:to\s+)?$", re.IGNORECASE
)


def warns(text: str) -> bool:
    """``text`` calls the activity dangerous or warns of falls and injuries (``_DANGER``), and not
    only as a risk it lowers: "Backward walking is great for decreasing risk of falls" and "it
    helps prevent falls" claim a benefit; they deny no claim that it is safe."""
    for m in _DANGER.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        if _LOWERED.search(before):
            continue  # "decreasing (the) risk of falls", "lower fall risk"
        if m.group().lower().startswith("prevent") and (
            _HELPS.search(before) or not re.search(r"\bto\s+$", before)
        ):
            continue  # "helps prevent falls", "it prevents falls" (not "to prevent injuries")
        return True
    return False


# Advice on doing it safely, not a statement that it is risky: an instruction (a sentence that opens
# with a verb in the imperative, after a leading "If ..., " or "When ..., " clause if any: "Hold the
# handrails to avoid falling", "If you feel unsteady, hold the rails so you don't trip") and its
# purpose, what it guards against. "It requires more attention to avoid tripping" states a risk.
_INSTRUCTION = re.compile(
    r"^\W*(?:(?:if|when|while|until|once|as)\b[^,.;:!?]{0,100},\s*)?(?:please\s+|always\s+|just\s+|first,?\s+)?"
    r"(?:hold|use|keep|grab|place|put|start|begin|make sure|be careful|stay|try|remember to|wear|attach|clip|"
    r"step|look|check|go|walk|let go|don'?t|do not|never)\b",
    re.IGNORECASE,
)
_PRECAUTION = re.compile(
    r"\b(?:to avoid|to prevent|so (?:that )?you (?:don'?t|do not|won'?t)|in case you|to keep (?:you )?from)\s+"
    r"(?:[\w']+\s+){0,2}?(?:trip|fall|stumbl|injur|hurt|slip|accident)\w*",
    re.IGNORECASE,
)


def precautions(text: str) -> list[Span]:
    """(start, end) in ``text`` of each precaution of an instruction (``_INSTRUCTION``,
    ``_PRECAUTION``: "... hold the handrails so you don't fall"): what the advice guards against,
    which no outcome of the unit's own is (``scoring.unit_features``); none when ``text`` states
    rather than instructs."""
    t = _clean(text)
    if not _INSTRUCTION.match(t):
        return []
    return [(m.start(), m.end()) for m in _PRECAUTION.finditer(t)]


# A question that puts what came before in doubt ("But is it really so?", "¿Funciona?").
_CHALLENGE = re.compile(
    r"\b(?:really|actually|truly|true|work|works|worth it|hype|miracle|so simple|"
    r"realmente|de verdad|cierto|funciona|vraiment|efficace|wirklich|stimmt|echt|klopt|wondermiddel|"
    r"davvero|vero|funziona|mesmo|verdade|funciona|действительно|правда|так ли|"
    # "Mas será que vale a pena?" (is it really worth it?), "¿Vale la pena?"
    r"será que|vale a pena|vale la pena|"
    # what backs it: "What evidence is there behind this claim?", "¿Qué evidencia hay?"
    r"evidence|proof|science say|claim|evidencia|pruebas?|afirmaci[óo]n|preuves?|affirmation|beweise?|"
    r"belege?|behauptung|evidenze?|prove|affermazione|evid[êe]ncias?|provas?|afirma[çc][ãa]o|bewijs|"
    r"доказательств\w*|утверждени\w*)(?!\w)",
    re.IGNORECASE,
)
VERDICT_SENTENCE_WORDS = 20  # a following sentence this short that gives a verdict applies to the claim


def _clean(text: str) -> str:
    return text.replace("’", "'")


# A Japanese or Chinese question: a full-width "？", or a question particle ending the sentence
# (Chinese 吗/嗎/呢, Japanese polite ですか/ますか/でしょうか and plain のか/だろうか), "?" or not.
_UNSPACED_QUESTION = re.compile(
    r"(？|[吗嗎呢]|ですか|ますか|でしょうか|のか|だろうか)[\s。．.?？!！」』）]*$"
)


# A Turkish question: its particle "mı / mi / mu / mü" (with a person or copula ending: "mıdır",
# "misiniz") ending the sentence or a clause of it ("Geri yürümek diz ağrısına iyi gelir mi"), in
# Turkish text (``_TURKISH``; the Spanish "mi" is "my"). A Vietnamese one: "có ... không", "...
# hay không", "phải không", "chưa" ending it ("Đi lùi có giúp giảm đau đầu gối không").
_TURKISH_QUESTION = re.compile(
    r"\b(?:mı|mi|mu|mü)(?:dır|dir|dur|dür|sın|sin|sun|sün|sınız|siniz|sunuz|sünüz|yım|yim|yum|yüm|yız|yiz|yuz|yüz)?"
    r"(?=\s*(?:[,?]|$))",
    re.IGNORECASE,
)
_VIETNAMESE_QUESTION = re.compile(
    r"\b(?:có|liệu)\b.*\b(?:không|chưa)[\s.!?？]*$|\b(?:hay|phải|đúng|được) không[\s.!?？]*$",
    re.IGNORECASE,
)


# An Indonesian question: a question word in "-kah" ("Benarkah Berlari Mundur Membakar Lebih Banyak
# Kalori", "Lari Mundur Benarkah Membakar Kalori Lebih Banyak?", "Apakah jalan mundur ..."), which
# asks with or without "?", anywhere in the sentence (a headline puts its topic first).
_INDONESIAN_QUESTION = re.compile(
    r"\b(?:apakah|benarkah|betulkah|bisakah|dapatkah|haruskah|mungkinkah|amankah|efektifkah)\b", re.IGNORECASE
)


def is_question(text: str) -> bool:
    """True when the unit asks rather than states."""
    t = _clean(text).strip()
    if t.startswith("¿") or _UNSPACED_QUESTION.search(t) or _INDONESIAN_QUESTION.search(t):
        return True
    if _VIETNAMESE_QUESTION.search(t) or (_TURKISH.search(t) and _TURKISH_QUESTION.search(t)):
        return True
    if t.endswith("?") and not _RHETORICAL_TAG.search(t):
        return True
    opener = _QUESTION_OPENERS.match(t)
    if (
        not opener and "?" not in t
    ):  # a headline's question after its topic: "Walking Backwards: Does It Help"
        t = _HEADLINE_TOPIC.sub("", t, count=1)
        opener = _QUESTION_OPENERS.match(t)
    if not opener:
        return False
    if "?" in t:
        return True
    if _STATEMENT_END.search(t):
        return False
    if opener.group("do"):  # "Do this daily", "Have your clients walk": imperatives, unless "Do you ..."
        return bool(_PERSON_AFTER_DO.match(t, opener.end()))
    aux = opener.group("aux")
    if not aux:
        return True
    subject = _SUBJECT_AFTER_BE if aux.lower() in ("is", "are", "was", "were") else _SUBJECT_AFTER_AUX
    return bool(subject.match(t, opener.end()))


# Portuguese text (its nasal vowels, "-ção", and words Spanish and English do not have: "você",
# "um", "têm", "também", "é", "com", "mais", "muito", "pelo", "isso"): there "no" is "in the" (em
# + o: "no joelho", "no episódio") and the negation is "não".
_PORTUGUESE = re.compile(
    r"[ãõ]|[çc][ãa]o\b|\b(?:voc[êe]|um|uma|umas|t[êe]m|tamb[ée]m|é|(?<!\.)com|mais|muit[oa]s?|pel[oa]s?|aos|isso|isto)\b",
    re.IGNORECASE,
)


# Turkish text (its dotless ı, ş, ğ): there a verb is negated by a suffix, -me / -ma before its
# tense and person ("azaltmaz" "does not reduce", "yardımcı olmuyor" "is not helping", "işe
# yaramadı" "did not work", "olmayacak", "kanıtlanmamış" "unproven", "yapmamalı" "should not",
# "işe yaramayan" "useless"), read in Turkish text only: "amazing", "remedies" hold the same letters
# (and not "komedi", a comedy).
_TURKISH = re.compile(r"[ıİşŞğĞ]")
# The cue is the suffix and what follows it, not the verb: the verb is what the claim says
# (``scoring.stated_only`` leaves a cue's words out of what a claim explains).
_NEGATION_TR = re.compile(
    r"(?<=[^\W\d_]{2})(?<!\bko)(?:m[ıiuü]yor|m[ae]z|m[ae]d[ıi]|m[ae]y[ae]c[ae][kğ]|m[ae]m[ıi]ş|m[ae]m[ae]l[ıi]|m[ae]y[ae]n)"
    r"[^\W\d_]*",
    re.IGNORECASE,
)
# A Vietnamese question ends in "không" ("Đi lùi có giúp giảm đau đầu gối không?", "... hay
# không?", "phải không?"): a question particle there, not a negation.
_QUESTION_KHONG = re.compile(r"\bkhông(?=[\s.!?？]*$)", re.IGNORECASE)


def _cues(pattern: re.Pattern[str], text: str) -> list[Span]:
    return list(_found_cues(pattern, text))


# A pure function of its arguments, asked again for the same clause by each match of a post and
# each reading of its stance (about 6 times in 7 on the benchmark's posts).
@functools.lru_cache(maxsize=1024)
def _found_cues(pattern: re.Pattern[str], text: str) -> tuple[Span, ...]:
    t = _clean(text)
    blocked = [(m.start(), m.end()) for m in _PSEUDO_NEGATION.finditer(t)]
    found = list(pattern.finditer(t))
    if pattern is _NEGATION:
        if _PORTUGUESE.search(t):
            blocked += [(m.start(), m.end()) for m in re.finditer(r"\bno\b", t, re.IGNORECASE)]
        if _TURKISH.search(t):
            found += _NEGATION_TR.finditer(t)
        if _VIETNAMESE_QUESTION.search(t):
            blocked += [(m.start(), m.end()) for m in _QUESTION_KHONG.finditer(t)]
    return tuple(
        sorted((m.start(), m.end()) for m in found if not any(s <= m.start() < e for s, e in blocked))
    )


def negation_cues(text: str) -> list[Span]:
    """(start, end) of each negation or verdict cue in ``text`` that really negates (not "not only")."""
    return sorted(
        set(_cues(_NEGATION, text)) | set(_cues(_VERDICT, text)) | set(_cues(_NEGATION_CJK, text))
        | set(_cues(_VERDICT_CJK, text))
    )  # fmt: skip


def clause_of(text: str, at: int) -> Span:
    """(start, end) of the clause of ``text`` around offset ``at``: from the terminator before it
    to the terminator after it (module doc). A leading "While ..., " clause ends at its comma."""
    t = _clean(text)
    cuts = [0, len(t)]
    for m in _TERMINATOR.finditer(t):
        cuts.extend((m.start(), m.end()))
    lead = _LEADING_SUBORDINATE.match(t)
    if lead:
        comma = t.find(",", lead.end())
        if comma > 0:
            cuts.append(comma)
    start = max((c for c in cuts if c <= at), default=0)
    end = min((c for c in cuts if c > at), default=len(t))
    return start, end


# A clause of its own opened inside another without a comma, its subject right before the negation:
# "tested in a way you may not be accustomed to", "muscles you don't normally use", "músculos que
# no están tan involucrados". The negation's scope starts at that subject; the words before it
# belong to the clause it hangs from.
_INNER_SUBJECT = re.compile(
    r"\b(?:you|we|i|they|he|she|people|that|which|who|que|qui|che|dat|который|которые|которая|которое)\s+"
    r"(?:(?:may|might|can|could|would|will|should|do|does|did|are|is|am|were|was|have|has|had|"
    r"usually|normally|often|probably|just|ya|se|ne|n')\s*){0,2}$",
    re.IGNORECASE,
)


_DASH = re.compile(clause_dash())


def _governs(text: str, cue: Span, words: Sequence[Span] | None) -> bool:
    """True when the cue's clause holds one of the claim's words (any cue when ``words`` is None);
    when an inner clause's subject stands right before the cue, mid-clause (``_INNER_SUBJECT``),
    only the words from that subject on; a clause right after an aside between two dashes governs
    the aside too."""
    if words is None:
        return True
    start, end = clause_of(text, cue[0])
    t = _clean(text)
    # "The 100-step formula – 100 steps backward equal 1,000 forward – doesn't hold up": what a pair
    # of dashes sets aside says what the subject is, and the verdict after them is about it too
    dashes = [m for m in _DASH.finditer(t, 0, start) if not t[m.end() : start].strip()]
    if dashes:
        pair = [m for m in _DASH.finditer(t, 0, dashes[-1].start())]
        if pair:
            start = pair[-1].end()
    inner = _INNER_SUBJECT.search(t, start, cue[0])
    if inner and t[start : inner.start()].strip(" ,"):
        start = inner.start()
    return any(start <= s and e <= end for s, e in words)


def _denied(text: str, words: Sequence[Span] | None) -> bool:
    if _double_negative(text, words):
        return False
    return (
        bool(_MYTH_LABEL.match(_clean(text)))
        or _verdict_label(text, words)
        or any(_governs(text, cue, words) for cue in negation_cues(text))
        or _topic_verdict(text, words)
    )


# A headline's verdict before a colon or a dash, then what it judges: "Orthopaedic Debunks Viral Myth:
# 100 Backward Steps ≠ 1,000 Forward Steps", "Busted: ...", "Doctors call it a myth – ...". Not a
# lead that sets a myth beside the truth ("Myth or fact:", "Myths and truths –"): that one asks.
_LABEL_LEAD = re.compile(_headline_topic(80, ":.!?", "-–—|"))
_BOTH_SIDES = re.compile(r"\b(?:facts?|truths?|true|real|reality|vs\.?|versus|or)\b", re.IGNORECASE)
LABEL_WORDS = 8  # a headline's verdict label is this short


def _verdict_label(text: str, words: Sequence[Span] | None) -> bool:
    """The unit opens with a short label (``LABEL_WORDS`` words at most) that gives a verdict
    (``_VERDICT``) and holds none of the claim's words, before a colon or a dash and the claim's
    words: the label calls what follows false, as "Myth:" does (``_MYTH_LABEL``)."""
    t = _clean(text)
    m = _LABEL_LEAD.match(t)
    if not m or word_count(m.group("topic")) > LABEL_WORDS or _BOTH_SIDES.search(m.group("topic")):
        return False
    if words is not None and not (words and all(a >= m.end("topic") for a, _ in words)):
        return False
    return bool(_cues(_VERDICT, m.group("topic")))


# "It's not true that X", "Es mentira que X": a frame that calls what follows false.
_FALSITY_FRAME = re.compile(
    r"\b(?:(?:it'?s|it is|it was|that'?s|that is)\s+(?:not true|untrue|false|a myth|a lie|nonsense|wrong)|"
    r"(?:no es|n'est pas|ist nicht|non [èe]|n[ãa]o [ée]) (?:cierto|verdad|vrai|wahr|vero|verdade)|"
    r"es (?:falso|mentira)|c'est (?:faux|un mensonge)|es ist (?:falsch|gelogen)|[èe] falso|[ée] (?:falso|mentira)|"
    r"неправда|не правда|это (?:ложь|миф))"
    r",?\s+(?:that|que|qu'|dass|che|что)(?!\w)",
    re.IGNORECASE,
)


def _double_negative(text: str, words: Sequence[Span] | None) -> bool:
    """A falsity frame whose clause negates the claim again: "It's not true that walking backwards
    doesn't help knee arthritis" says it helps (two negations cancel)."""
    t = _clean(text)
    m = _FALSITY_FRAME.search(t)
    if not m:
        return False
    rest = t[m.end() :]
    inner = None if words is None else [(a - m.end(), b - m.end()) for a, b in words if a >= m.end()]
    return any(_governs(rest, cue, inner) for cue in negation_cues(rest))


# A bare "no" answering what the unit or the sentence before says: "no, it doesn't.", "Wrong!",
# "Nope.", "It doesn't." (not "It doesn't hurt", which says something of its own).
_BARE_NO = re.compile(
    # after a sentence adverb that only says how the writer takes it ("Sadly, it doesn't.")
    r"^\W*(?:(?:sadly|unfortunately|alas|spoiler(?: alert)?|well|honestly|but|yet)\W+)?"
    r"(?:(?:no|nope|nah|wrong|false|untrue|not true|nonsense|rubbish|incorrect|not really|not so|not quite|"
    r"falso|faux|falsch|mentira|неправда|нет)(?!\w)\W*"
    r"(?:(?:it|that|this|they)\s+(?:does not|doesn't|do not|don't|did not|didn't|will not|won't|is not|"
    r"isn't|are not|aren't|cannot|can't|was not|wasn't)(?:\s+(?:work|help|do|burn|matter))?)?|"
    r"(?:it|that|this|they)\s+(?:does not|doesn't|do not|don't|did not|didn't|will not|won't|"
    r"isn't|aren't|can't|cannot)(?:\s+(?:work|help))?)\W*$",
    re.IGNORECASE,
)
# Where the reply begins inside the unit: after a dash or a colon, or after a closed quotation.
_REPLY_CUT = re.compile(r"\s[-–—]+\s|[—–:]|[”\"»]\s*[,.]?\s")


def replied_no(text: str) -> bool:
    """The unit or its last part after a dash, a colon or a closed quotation is a bare "no"
    (``_BARE_NO``): '"Walking backwards burns twice the calories" — no, it doesn't.'"""
    t = _clean(text).strip()
    cuts = [m.end() for m in _REPLY_CUT.finditer(t)]
    return bool(cuts) and bool(_BARE_NO.match(t[cuts[-1] :]))


_TOPIC_THEN_VERDICT = re.compile(_headline_topic(80, ":;.!?", "-–—") + r"(?P<verdict>[^:;]+)$")
TOPIC_VERDICT_WORDS = 6  # "X for knee pain: overhyped and oversold." (a verdict, not a clause of its own)


def _topic_verdict(text: str, words: Sequence[Span] | None) -> bool:
    """A headline's topic, then a colon or dash and a short verdict on it without claim words of
    its own: "Walking backwards for knee pain: overhyped and oversold.", "... – a myth"."""
    m = _TOPIC_THEN_VERDICT.match(_clean(text).strip())
    if not m or word_count(m.group("verdict")) > TOPIC_VERDICT_WORDS:
        return False
    if words and any(s >= m.start("verdict") for s, _ in words):
        return False
    return bool(_cues(_VERDICT, m.group("verdict")))


# What a sentence says went wrong for its speaker's body: "following that advice almost destroyed
# my bad knees", "it wrecked my back", "me destrozó las rodillas".
_HARMED = re.compile(
    # the harm done to someone's body, so a possessive or a pronoun with the verb: not "knees
    # damaged by an injury", "damaged cartilage", which a rehabilitation post names
    r"\b(?:(?:destroy|ruin|wreck|damag|hurt|injur|aggravat|worsen)\w* (?:\w+ )?(?:my|our|their|his|her|your)|"
    r"made (?:my|our|their|his|her|your|it|them) (?:\w+ ){0,2}worse|"
    r"(?:me|nos|le|les|mir|uns|mi|ci|мне) (?:\w+ )?(?:destroz|arruin|empeor|da[ñn]|lesion|ruin|d[ée]trui|ab[iî]m|"
    r"zerst[öo]r|ruinier|kaputt|verschlimmer|rovin|distru|peggior|danneggi|destru|piorou|разруш|угроб|испорт|повред)\w*|"
    r"(?:d[ée]truit|ruin[ée]|ab[iî]m[ée]|ruiniert|zerst[öo]rt|kaputt gemacht|verpest|verergerd|"
    r"rovinato|distrutto|destruiu|arruinou|destroz[óo]|arruin[óo])\w* (?:\w+ )?(?:mes|mon|ma|meine?n?|i miei|le mie|"
    r"os meus|as minhas|mis|mijn))(?!\w)",
    re.IGNORECASE,
)


def _refutes(text: str, words: Sequence[Span] | None) -> bool:
    """The sentence after a question answers it "no": it opens with a no ("No, ...", "Hardly.",
    ``_ANSWER_NO``), is a short verdict ("That's a myth.", ``_verdict_after``), or tells how the
    thing harmed the speaker's body (``_HARMED``, about the claim's words when it names them:
    "what's not to like about 'strengthen your quads'? ... following that advice almost destroyed
    my bad knees")."""
    if not text:
        return False
    if _ANSWER_NO.match(text) or _verdict_after(text, words):
        return True
    t = _clean(text)
    # harm said not to happen ("It won't hurt your knees") is no refutation
    return any(_governs(t, cue, words) and not negated(t, cue[0]) for cue in _cues(_HARMED, t))


# A contrast that cuts the claim down to less than it says: "However, VO2 max merely sets the upper
# limit of endurance", "Jedoch gibt die VO2max lediglich die obere Grenze der Ausdauerleistung an"
# (a limiting denial). The limiter must bear on the claim's words after it, and not count an
# amount or set a condition ("but only 10 minutes", "but only if done slowly").
_CONTRAST_OPENER = re.compile(
    r"^\W*(?:however|but|yet|still|jedoch|aber|allerdings|doch|sin embargo|pero|no obstante|cependant|"
    r"mais|pourtant|tuttavia|per[òo]|ma|por[ée]m|mas|contudo|echter|maar|однако|но)\b",
    re.IGNORECASE,
)
_LIMITER = re.compile(
    r"\b(?:merely|only|just|nothing more than|lediglich|nur|blo[ßs]|solo|s[óo]lo|solamente|[úu]nicamente|"
    r"seulement|uniquement|simplement|soltanto|solamente|apenas|somente|meramente|alleen|slechts|лишь|только)\s+"
    # then what it cuts the claim down to, a noun phrase ("merely an upper limit", "lediglich die
    # obere Grenze"), not a verb or an amount ("only takes 10 minutes", "only a few weeks")
    r"(?!a few|a little|a couple|ein paar|unos|quelques)"
    r"(?:the|a|an|one|die|der|das|den|dem|des|ein|eine|einen|einer|la|el|le|les|l'|un|una|une|il|lo|"
    r"o|um|uma|de|het|een)\b",
    re.IGNORECASE,
)


def _limited(text: str, words: Sequence[Span] | None) -> bool:
    """The unit opens with a contrast ("However", "Jedoch", "Pero") and a limiter and its noun
    phrase ("merely an", "lediglich die", "solo una") bear on the claim's words after it, in its
    clause (``_LIMITER``):
    the post cuts the claim down, a qualified denial. False without the claim's words."""
    t = _clean(text)
    if not words or not _CONTRAST_OPENER.match(t):
        return False
    for cue in _cues(_LIMITER, t):
        end = clause_of(t, cue[0])[1]
        if any(cue[1] <= a and b <= end for a, b in words):
            return True
    return False


# A claim passed on and then contested (``contested``): a sentence that opens with a contrast
# ("However", "But", "In reality", "Tuy nhiên", "ومع ذلك") and says the claim is more qualified
# than it was put (``_NUANCE``: "a complex process that depends on various factors", "more
# nuanced", "needs more research") or false (``_VERDICT``). "Some claim that walking backwards
# is a surefire way to shed pounds. However, weight loss is a complex process that depends on
# various factors" denies; the same after an assertion stays one (the writer's own claim with a
# caveat).
_CONTEST_OPENER = re.compile(
    r"^\W*(?:however|but|yet|still|in reality|in truth|in fact|actually|the (?:reality|truth) is|"
    r"sin embargo|no obstante|pero|en realidad|cependant|pourtant|toutefois|mais|en r[ée]alit[ée]|"
    r"jedoch|allerdings|aber|doch|tats[äa]chlich|in wirklichkeit|tuttavia|per[òo]|ma|in realt[àa]|"
    r"por[ée]m|contudo|no entanto|mas|na verdade|na realidade|echter|maar|in werkelijkheid|"
    r"однако|но|на самом деле|namun|tetapi|akan tetapi|ancak|fakat|jednak|ale|"
    r"tuy nhiên|nhưng|thực tế|ومع ذلك|لكن|غير أن)(?!\w)",
    re.IGNORECASE,
)
# More qualified than the claim: it depends, it is more complex, it needs more research.
_NUANCE = re.compile(
    r"\b(?:(?:more|far more|much more|a lot more) (?:nuanced|complex|complicated)|"
    r"not (?:that|so|as|quite that|quite so) (?:simple|straightforward|clear-cut|clear cut|black and white|easy)|"
    r"(?:a |an )?(?:complex|complicated|multifactorial) (?:process|issue|question|picture|matter|topic)|"
    r"depends? (?:largely |heavily |mainly |on a lot of )?on|depending on|varies|vary (?:from|between|by|with|widely)|"
    r"(?:needs?|requires?|requiring|call for|calls for) (?:much |a lot )?(?:more|further|additional|larger) "
    r"(?:research|studies|study|investigation|evidence|trials|data)|"
    r"(?:more|further|additional) (?:research|studies|investigation|evidence|trials) (?:is|are) "
    r"(?:still )?(?:needed|required|necessary|warranted)|"
    r"depende (?:\w+ )?(?:de|da|do|dos|das|del)|m[áa]s complej[oa]|no es tan (?:simple|sencillo|f[áa]cil)|"  # es, pt
    r"(?:se necesitan|hacen falta|requiere|requieren) m[áa]s (?:estudios|investigaci[óo]n)|"
    r"d[ée]pend (?:\w+ )?(?:de|du|des|d')|plus (?:complexe|nuanc[ée]e?)|pas si simple|"  # fr
    r"(?:d'autres|davantage d'|plus d'|de nouvelles) (?:[ée]tudes|recherches)|"
    r"h[äa]ngt (?:\w+ ){0,4}ab|komplexer|nicht so einfach|weitere (?:studien|forschung|untersuchungen)|"  # de
    r"dipende da|pi[ùu] complesso|non [èe] cos[ìi] semplice|ulteriori (?:studi|ricerche)|"  # it
    r"mais complex[oa]|n[ãa]o [ée] t[ãa]o simples|mais (?:estudos|pesquisas)|"  # pt
    r"hangt af van|complexer|niet zo eenvoudig|meer onderzoek|"  # nl
    r"зависит от|сложнее|не так просто|дополнительных исследований|"  # ru
    r"tergantung|bergantung pada|lebih kompleks|penelitian lebih lanjut|"  # id
    r"tùy thuộc|phụ thuộc|phức tạp hơn|cần thêm nghiên cứu|cần nghiên cứu thêm|"  # vi
    r"مزيد من (?:الأبحاث|البحث|الدراسات)|يعتمد على|تعتمد على)(?!\w)",  # ar
    re.IGNORECASE,
)


def contested(text: str, following: str, following_words: Sequence[Span] | None) -> bool:
    """The unit passes on someone else's claim (``reported``) and the next sentence contests it:
    it opens with a contrast (``_CONTEST_OPENER``) and qualifies the claim (``_NUANCE``) or calls
    it false (``_VERDICT``), about the claim's words when it names them ("However, weight loss is
    a complex process ..."), or about what it refers back to when it names none ("However, this
    figure depends on speed"). A question is not a contest (it asks: ``stance``)."""
    nxt = _clean(following).strip()
    if not nxt or not _CONTEST_OPENER.match(nxt) or is_question(nxt) or not reported(text):
        return False
    cues = _cues(_NUANCE, nxt) + _cues(_VERDICT, nxt)
    if following_words:
        return any(_governs(nxt, cue, following_words) for cue in cues)
    return bool(cues)


# "While proponents argue that it can alleviate back pain, the reality is more nuanced": a leading
# concessive clause passes the claim on and the main clause contests it.
_CONCEDED = re.compile(
    r"(?:^|[:.!?]\s+)\W*(?:while|whilst|although|though|even though|whereas|mientras que|aunque|si bien|"
    r"alors que|bien que|m[êe]me si|obwohl|w[äa]hrend|wenngleich|sebbene|anche se|mentre|embora|"
    r"enquanto|ainda que|hoewel|terwijl|хотя|в то время как)\b",
    re.IGNORECASE,
)


def conceded_then_contested(text: str, words: Sequence[Span] | None) -> bool:
    """A leading "While / Although ..." clause passes the claim on (``reported``; the claim's words
    there when known) and the main clause after its comma qualifies or rejects it (``_NUANCE``,
    ``_VERDICT``) without naming the claim's words itself."""
    t = _clean(text)
    m = _CONCEDED.search(t)
    if not m:
        return False
    comma = t.find(",", m.end())
    if comma < 0 or not reported(t[m.end() : comma]):
        return False
    if words is not None and (
        not any(m.end() <= a and b <= comma for a, b in words) or any(a > comma for a, _ in words)
    ):
        return False
    main = t[comma + 1 :]
    return bool(_cues(_NUANCE, main) or _cues(_VERDICT, main))


# A sentence whose subject points back at the claim just made: "It won't fix your knees.", "But
# this does nothing for knee pain.", "Doing so doesn't burn more calories."
_POINTS_BACK = re.compile(
    r"^\W*(?:(?:but|yet|however|sadly|unfortunately|alas|in reality|in truth|in fact|actually|still)\W+)?"
    r"(?:it|this|that|they|these|those|doing (?:so|this|that|it)|this (?:exercise|practice|trend|method|habit|claim)|"
    r"the (?:exercise|practice|trend|method|habit|claim))\b(?!\s+(?:is|was)\s+(?:not only|not just)\b)",
    re.IGNORECASE,
)


def denied_back(text: str, words: Sequence[Span] | None) -> bool:
    """A short sentence after the claim points back at it with its subject (``_POINTS_BACK``:
    "it", "this", "doing so") and negates the claim's words it names ("Walking backwards is said
    to ease knee pain. But it won't fix your knees."): the post denies the claim it has just
    stated or passed on. Not a negated harm ("It doesn't hurt your knees"), nor a sentence without
    the claim's words ("It isn't hard to do.": what it negates is not the claim)."""
    t = _clean(text)
    if not words or word_count(t) > VERDICT_SENTENCE_WORDS or not _POINTS_BACK.match(t) or is_question(t):
        return False
    # a negated harm, or a denial of the strong form the sentence takes back ("It won't cure
    # arthritis, but it helps.")
    if _only_harm_negated(t) or _double_negative(t, words) or concession_at(t) is not None:
        return False
    return any(_governs(t, cue, words) for cue in _cues(_NEGATION, t))


def _only_no(text: str) -> bool:
    """The sentence is nothing but a "no" ("It doesn't.", "Not really.", "I don't think so."): a
    statement it follows is denied, as a question it answers would be."""
    m = _ANSWER_NO.match(text)
    return m is not None and not re.search(r"\w", text[m.end() :])


_COMPLEMENT = re.compile(r"\s+(?:that|whether|if|que|dass|ob|что)\s+\w", re.IGNORECASE)


def _verdict_after(text: str, words: Sequence[Span] | None) -> bool:
    """A short following sentence that calls what came before false ("That's a myth.")."""
    if word_count(text) > VERDICT_SENTENCE_WORDS:
        return False
    verdicts = _cues(_VERDICT, text)
    if not verdicts:
        return False
    if words:  # its own claim words, if any, must be in the verdict's clause
        return any(_governs(text, cue, words) for cue in verdicts)
    # None: it points back, unless the verdict governs a clause of its own ("Nobody has proven
    # that it burns more calories" judges the calories, not the knee claim before it)
    return any(not _COMPLEMENT.match(text, end) for _, end in verdicts)


def _study_reports(text: str) -> bool:
    """A study, researchers or "research" report the finding (not "this study" / "our study":
    the authors stating their own result assert it), or the unit opens a quotation (someone
    else's words: “It eases knee pain,” he said)."""
    t = _clean(text).lstrip()
    if t[:1] in _OPENING_QUOTES and any(q in t[1:] for q in _CLOSING_QUOTES):
        return True
    return any(not _OWN_STUDY.match(m.group("who")) for m in _STUDY_REPORT.finditer(t))


def stance(
    text: str,
    words: Sequence[Span] | None = None,
    following: str | None = None,
    following_words: Sequence[Span] | None = None,
    claim_statement: str = "",
    actors: Sequence[Span] = (),
) -> Stance:
    """The stance of one unit (a sentence or a clause) toward the claim it makes; module doc.

    ``words``: (start, end) in ``text`` of the claim's own words (outcome, body part, topic,
    "backward"); None when unknown, then any cue counts; empty: no cue governs the claim.
    ``following``: the next sentence of the post, with ``following_words`` its claim words.
    ``claim_statement``: the claim's statement (its id and statement: for contraries such as
    "safe" / "dangerous"). ``actors``: (start, end) of the words naming the claim's activity
    going backward ("walking backwards", "retro walking"): a contrary such as "makes knee pain
    worse" denies the claim only when said of it (``_worsens``)."""
    nxt = _clean(following or "").strip()
    asked = _question_stance(text, nxt, following_words)
    if asked:
        return asked
    if_so = supposed(text, words, actors)
    if if_so:  # "If walking backwards cured knee pain, doctors would prescribe it"
        return if_so
    if _denied(text, words) and not (_NO_HARM.search(claim_statement) and _only_harm_negated(text)):
        return PostStance.DENIES
    if replied_no(text) or _limited(text, words):  # '"It burns twice the calories" — no, it doesn't.'
        return PostStance.DENIES
    if claim_statement and _SAFE.search(claim_statement) and warns(text) and not _SAFE.search(text):
        return PostStance.DENIES
    if _BETTER.search(claim_statement) and _worsens(text, words, actors):
        return PostStance.DENIES
    # a verdict asked about ("Is that true or a myth?") is no verdict given: the question below asks
    verdict = _verdict_after(nxt, following_words) and not is_question(nxt)
    if nxt and (verdict or _only_no(nxt) or _BARE_NO.match(_clean(nxt)) or denied_back(nxt, following_words)):
        return PostStance.DENIES
    # "Some claim that X. However, it is more complex than that.": someone's claim, contested;
    # "Forward walking burns more calories than backward walking": the claim's comparison reversed
    if (
        contested(text, nxt, following_words)
        or conceded_then_contested(text, words)
        or reverses_comparison(text, claim_statement, words, actors)
    ):
        return PostStance.DENIES
    doubt = _CHALLENGE.search(nxt) or _cues(_VERDICT, nxt)  # "Is that true or a myth?", "Myth?"
    if nxt and is_question(nxt) and doubt and word_count(nxt) <= VERDICT_SENTENCE_WORDS:
        return PostStance.ASKS
    # "TikTok says walking backwards fixes knee pain. She's right!": the post agrees
    agreed = agrees(nxt) or agreed_after(text)
    return PostStance.REPORTS if reported(text) and not agreed else PostStance.ASSERTS


def _question_stance(text: str, nxt: str, following_words: Sequence[Span] | None) -> Stance | None:
    """``stance`` of a question or a study's aim: a rhetorical question asserts ("Who says it can't
    help your knees?", ``rhetorical``), one answered "yes" is read as a statement (None), one
    answered "no" denies, any other asks; None for a unit that is neither."""
    question = is_question(text)
    if question and rhetorical(text):
        return PostStance.ASSERTS
    if (question and not _ANSWER_YES.match(nxt)) or study_aim(text):
        return PostStance.DENIES if question and _refutes(nxt, following_words) else PostStance.ASKS
    return None


# A short sentence that agrees with what the one before passed on: "She's right!", "And they're
# absolutely right.", "That's true.", "True.", "I agree.", "Exactly.", "Spot on." (not a question,
# not "That's right?"; nothing after it but its end)
_AGREES = re.compile(
    r"^\W*(?:and\s+|but\s+)?(?:(?:s?he|they|you|he|she)(?:'s|'re| is| are| was| were)\s+(?:\w+\s+)?right"
    r"|(?:that|it|this)(?:'s| is)\s+(?:\w+\s+)?(?:true|right|correct|spot on)|true|correct|exactly|agreed|"
    r"i (?:\w+\s+)?agree|spot on|so true|(?:and\s+)?(?:it|this|that) (?:really\s+)?(?:does|works|is))"
    r"(?:\s+(?:too|indeed|actually))?(?:[.!\s]*$|\s*[,;:!—–-]\s*(?!but\b|though\b|however\b|except\b|only\b)\w[^?]*$)",
    re.IGNORECASE,
)


# The same closing the sentence that passes the claim on: "She claims it burns more calories, and
# she's right."
_AGREES_AFTER = re.compile(
    r"(?:[,;:—–-]|^)\s*(?:and\s+|but\s+)?(?:s?he|they|you|he|she)(?:'s|'re| is| are| was| were)\s+(?:\w+\s+)?right"
    r"[.!\s]*$",
    re.IGNORECASE,
)


def agreed_after(rest: str) -> bool:
    """``rest``, what follows a clause that passes a claim on in its sentence, only agrees with it
    (``_AGREES_AFTER``: ", and she's right.")."""
    return bool(_AGREES_AFTER.search(_clean(rest).strip()))


def agrees(text: str) -> bool:
    """``text`` only agrees with what the sentence before it passed on (``_AGREES``): the post makes
    that claim its own (``asserts``), as a "Yes" after a question does."""
    return bool(_AGREES.match(_clean(text).strip()))


FIGURE_NEGATED_WORDS = 3  # "doesn't [make you burn] twice the calories": a negation this close to a figure


def figure_negations(text: str, words: Sequence[Span] | None, figures: Sequence[Span]) -> list[Span]:
    """The negation cues of ``text`` that deny a figure rather than the claim: a cue ("not",
    "n't", "never", ...; not a verdict such as "myth") whose clause holds the claim's words
    (``words``) and one of ``figures`` (the unit's typed figures of a result: "twice", "40% more")
    after it, at most ``FIGURE_NEGATED_WORDS`` words on, and that is not part of a verdict ("no
    evidence that 100 backward steps can replace 1,000" judges the claim): "Walking backwards doesn't burn twice the
    calories" denies the doubling, not that it burns more; "doesn't burn more calories" (no
    figure) denies the claim. ``check.stance_and_span`` reads the unit again without these cues:
    when nothing else denies the claim, the post asserts (or reports) it and denies the figure."""
    t = _clean(text)
    verdicts = _cues(_VERDICT, t) + _cues(_VERDICT_CJK, t)  # "no evidence that ...": about the claim
    out = []
    for cue in _cues(_NEGATION, t) + _cues(_NEGATION_CJK, t):
        if not _governs(t, cue, words) or any(a < cue[1] and cue[0] < b for a, b in verdicts):
            continue
        end = clause_of(t, cue[0])[1]
        if any(
            (cue[1] <= a and b <= end and word_count(t[cue[1] : a]) <= FIGURE_NEGATED_WORDS)
            or a <= cue[0] < cue[1] <= b  # inside a ratio: "10 min backward ≠ 30 min forward"
            for a, b in figures
        ):
            out.append(cue)
    return out


# A figure set against the claim in a tail that denies it: "Walking backwards burns more calories,
# but not 5x like some say", "... – just not five times as many as TikTok claims", "..., though not
# twice as much", "(but not double)": a comma, a semicolon, a dash or a bracket, an optional
# contrast word and limiter, then a negation with a figure of a result at most
# ``FIGURE_NEGATED_WORDS`` words after it (``contrasted_figures``).
# The same in the languages read through the concepts: es "pero no el doble", fr "mais pas deux
# fois plus", de "aber nicht doppelt so viele", pt "mas não o dobro", it "ma non il doppio", nl
# "maar niet het dubbele" (each form found in stored public text); and a next sentence that opens
# with the contrast ("Retro walking burns more calories. But not 5 times more, as the video
# claims.").
_CONTRAST_WORDS = "but|though|although|yet|albeit|and|or|pero|mais|aber|doch|mas|ma|maar"
_CONTRAST_TAIL = re.compile(
    rf"(?:(?:[,;(]|{clause_dash()})\s*(?:(?:{_CONTRAST_WORDS})\s+)?|[.!]\s+(?:but|though|yet|just|only)\s+)"
    r"(?:(?:just|only|maybe|probably|perhaps|certainly|definitely|surely|still|obviously|simply)\s+)?"
    r"(?:not|never|no|pas|nicht|n[ãa]o|non|niet)(?!\w)",
    re.IGNORECASE,
)


def contrasted_figures(text: str, figures: Sequence[Span]) -> tuple[int | None, list[Span]]:
    """Where a tail of ``text`` that denies a figure begins (``_CONTRAST_TAIL``), and the figures
    of ``figures`` it denies; (None, []) when there is none. What comes before the tail is said of
    the claim, the tail only takes the figure back: "Walking backwards burns more calories, but
    not 5x like some say" asserts the claim and denies "5x", and the attribution inside the tail
    ("like some say", "as TikTok claims") is of the figure, not of the claim."""
    t = _clean(text)
    for m in _CONTRAST_TAIL.finditer(t):
        hit = [
            (a, b) for a, b in figures if a >= m.end() and word_count(t[m.end() : a]) <= FIGURE_NEGATED_WORDS
        ]
        if hit:
            return m.start(), hit
    return None, []


# A short tail that closes the unit after a comma, a semicolon or a dash ("..., that's a myth.",
# "... – a total myth!"): a comment on what the unit has just said.
_TAIL = re.compile(rf"(?:[,;]|{clause_dash()})\s*(?P<tail>[^,;:.!?]+)[.!?…\s]*$")


def echoed_verdicts(text: str, after: int) -> list[Span]:
    """The verdict cues ("myth", "false", "nonsense": ``_VERDICT``) of a short tail closing ``text``
    after offset ``after`` (at most ``TOPIC_VERDICT_WORDS`` words, after a comma, a semicolon or a
    dash: "Walking backwards doesn't burn twice the calories, that's a myth."): the tail calls
    false what the unit has just said, so after a denied figure it echoes that denial and judges
    the figure, not the claim (``check.stance_and_span``)."""
    t = _clean(text)
    m = _TAIL.search(t, after)
    if not m or word_count(m.group("tail")) > TOPIC_VERDICT_WORDS:
        return []
    return [(m.start("tail") + a, m.start("tail") + b) for a, b in _cues(_VERDICT, m.group("tail"))]


def _only_harm_negated(text: str) -> bool:
    """Every negation or verdict cue of ``text`` negates a harm ("no risk", "won't hurt you",
    ``_NO_HARM``): the text says the thing is safe, as a claim worded "carries no risk" does."""
    t = _clean(text)
    harmless = [(m.start(), m.end()) for m in _NO_HARM.finditer(t)]
    return bool(harmless) and all(any(s <= a < e for s, e in harmless) for a, _ in negation_cues(t))


@functools.lru_cache(maxsize=1024)  # pure; asked again for the same clause by each match of a post
def reported(text: str) -> bool:
    """The text attributes what it says to someone else (``reports`` in the module doc)."""
    t = _clean(text)
    return bool(
        _REPORTED.search(_AGAINST_OTHERS.sub(" ", t))
        or _PERSON_SAYS.search(_AGAINST_OTHERS.sub(" ", t))
        or _NAME_SAYS.search(t)
        or _QUOTE_ATTRIBUTION.search(t)
        or _REPORTED_CJK.search(t)
    ) or _study_reports(text)


# A quotation closed and attributed ("..., which helps reduce pain,” said Dr X."): in the text
# (``reported``) or after the clause (``reported_around``). "“" closes a quotation too („...“).
_QUOTE_ATTRIBUTION = re.compile(
    r"[”\"»“],?\s+(?:(?:he|she|they|the \w+)\s+)?(?:said|says|explained|explains|added|adds|noted|"
    r"notes|suggests|told|argues|argued|writes|wrote)\b",
    re.IGNORECASE,
)


# "..., says my trainer.": who said it, right after the clause (``reported_around``).
_INVERTED_ATTRIBUTION = re.compile(
    r"^\W*(?:says|said|swears|insists|claims|dice|dijo|asegura|afirma|dit|affirme|assure|sagt|sagte|"
    rf"meint|behauptet|diz|disse|zegt|zei|говорит|сказал[аи]?)\s+(?:@\w|{_POSSESSIVE}\s)",
    re.IGNORECASE,
)


QUOTED_WORDS = 6  # a quotation this long is someone's words; a shorter one may be a scare quote


def quotations(text: str) -> list[Span]:
    """(start, end) of each quotation of ``text`` of ``QUOTED_WORDS`` words or more: from an
    opening quote to its closing one, across sentences ("“When we walk forward, ... stress.
    Walking backwards shifts the pressure away,” said Dr X."); one left open runs to the end."""
    out: list[Span] = []
    start: int | None = None
    for i, ch in enumerate(text):
        if start is None and (ch in "“«„" or (ch == '"' and (i == 0 or not text[i - 1].isalnum()))):
            start = i
        elif start is not None and ch in '”»"':
            out.append((start, i + 1))
            start = None
    if start is not None:
        out.append((start, len(text)))
    return [(s, e) for s, e in out if word_count(text[s:e]) >= QUOTED_WORDS]


def reported_around(before: str, after: str) -> bool:
    """A clause of a sentence is reported by what surrounds it: an attribution earlier in the
    sentence ("he says that ... and it seems that this helps", "Walking backwards, as per the
    physiotherapists, improves ... and helps ...") or a quotation it closes and attributes
    ("...,” said Dr X."). An attribution that only follows the clause ("X, and studies show Y")
    reports Y, not X; but an inverted one right after the clause (", says my trainer") reports it."""
    a = _clean(after)
    return reported(before) or bool(_QUOTE_ATTRIBUTION.search(a) or _INVERTED_ATTRIBUTION.match(a))


# --- comparisons: which way a "than" goes -------------------------------------------------------
# A claim that compares backward with forward locomotion ("Running backward puts less force on
# the patellofemoral joint than running forward") is denied by a post that says the opposite
# without any negation: "Backward running puts more force on the kneecap than forward running"
# (the direction reversed) or "Forward walking burns more calories than backward walking" (the
# sides swapped). Both reversed say the same thing. The claim's direction is read from its own
# statement with the same rule, so no claim needs a declared field.
# Comparative words (more / less) and verbs of change (raises / reduces): "reduces the load more
# than" says less load; a word inside a hyphenated id ("...-more-energy-than-forward") is no word.
_MORE = re.compile(r"(?<![\w-])(?:more|greater|higher|larger|bigger|harder)(?![\w-])", re.IGNORECASE)
_LESS = re.compile(r"(?<![\w-])(?:less|fewer|lower|smaller)(?![\w-])", re.IGNORECASE)
_RAISES = re.compile(r"(?<![\w-])(?:increas|rais|boost|elevat)\w*(?![\w-])", re.IGNORECASE)
_LOWERS = re.compile(
    r"(?<![\w-])(?:reduc|decreas|lessen|lowers|lowered|lowering|cuts|cutting)\w*(?![\w-])", re.IGNORECASE
)
_DIRECTION = re.compile("|".join(p.pattern for p in (_MORE, _LESS, _RAISES, _LOWERS)), re.IGNORECASE)
# What the post compares with: "than" or "compared with" and the words after it up to the end of
# the clause or a word that opens another ("... than forward running because ..."); "rather
# than", "other than" do not compare; a hyphenated id ("...-more-energy-than-forward") is no
# sentence.
_THAN = re.compile(
    r"(?<![\w-])(?<!rather )(?<!other )(?:than|compared (?:to|with)|versus|vs\.?)(?![\w-])"
    r"(?P<other>(?:(?!\b(?:because|since|as|while|whereas|which|that|who|and then|so)\b)[^;:,.!?(\[])*)",
    re.IGNORECASE,
)
_SIDE = re.compile(
    r"\b(?:(?P<backward>backwards?|backwardly|retro\w*|reverse|in reverse|bw)|"
    r"(?P<forward>forwards?|normal(?:ly)?|regular(?:ly)?|conventional(?:ly)?|ordinary|fw))\b",
    re.IGNORECASE,
)
# The direction word stands this close before "than" ("puts less compressive force on the joint than").
COMPARED_WORDS = 10


def _last(text: str, up: re.Pattern[str], down: re.Pattern[str]) -> tuple[int, int]:
    """(sign, offset) of the last word of ``text`` that ``up`` (+1) or ``down`` (-1) matches;
    (0, len(text)) when none does."""
    found = [(m.start(), 1) for m in up.finditer(text)] + [(m.start(), -1) for m in down.finditer(text)]
    at, sign = max(found, default=(len(text), 0))
    return sign, at


def comparisons(text: str) -> list[tuple[int, Span]]:
    """Each comparison of backward with forward locomotion in ``text``: its sign, +1 when it says
    backward has more of something (or forward less), -1 when backward has less (or forward
    more), and the (start, end) of the words before "than" it reads (what it compares). The
    sign is the direction said before "than" (the last comparative, "more" +1, "less" / "fewer"
    -1, times the verb of change before it, "raises" +1, "reduces" -1: "reduces the load more
    than" is -1; the verb alone when there is no comparative: "reduces impact compared to")
    times the side after "than" (its first side word: forward +1, backward -1). "Compared to forward walking, X ..." (nothing before it) is not read."""
    t = _clean(text)
    out = []
    for m in _THAN.finditer(t):
        side = _SIDE.search(m.group("other"))
        if not side:
            continue
        words = list(re.finditer(r"[\w%-]+", t[: m.start()]))[-COMPARED_WORDS:]
        start = words[0].start() if words else m.start()
        before = t[start : m.start()]
        degree, at = _last(before, _MORE, _LESS)
        verb, _ = _last(before[:at], _RAISES, _LOWERS)
        if degree or verb:
            out.append(
                ((degree or 1) * (verb or 1) * (-1 if side.group("backward") else 1), (start, m.start()))
            )
    return out


@functools.lru_cache(maxsize=1024)  # called with each candidate claim's statement, per match
def comparison(text: str) -> int | None:
    """The sign of the first comparison of backward with forward in ``text`` (``comparisons``);
    None when it makes none."""
    found = comparisons(text)
    return found[0][0] if found else None


def reverses_comparison(
    text: str, claim_statement: str, words: Sequence[Span] | None, actors: Sequence[Span]
) -> bool:
    """The unit compares backward with forward the other way round from the claim (``comparison``
    of the claim's statement, ``comparisons`` of the unit), in a comparison of the claim's own
    quantity: one whose words before "than" hold one of the claim's words (``words``) other than
    the activity (``actors``) and the direction words themselves ("increased"), so "less pressure
    on the knees than forward walking" says nothing of VO2 max. False when either makes no
    comparison."""
    claimed = comparison(claim_statement)
    if not claimed:
        return False
    t = _clean(text)
    own = [
        (a, b)
        for a, b in words or ()
        if not any(x <= a < y for x, y in actors) and not _DIRECTION.fullmatch(t[a:b])
    ]
    return any(
        said != claimed and (words is None or any(s <= a and b <= e for a, b in own))
        for said, (s, e) in comparisons(text)
    )


# --- conditionals: what a post supposes is not what it says -------------------------------------
# "If walking backwards cured knee pain, doctors would prescribe it" does not assert that it cures
# knee pain: the claim's words lie in the antecedent of a condition ("if", "even if", "unless",
# "provided", "assuming", "suppose"), which the post supposes rather than states. A counterfactual
# one (a past form in the antecedent, "would" / "could" / "might" in the main clause) implies the
# antecedent is false (the post denies it, as "it is no cure" does); an open one leaves it open
# (``asks``: of the four stances, the one that neither states nor denies).
_CONDITION = re.compile(
    r"(?<!\bas )(?<!\bwhat )\b(?:even if|only if|if|unless|provided(?: that)?|assuming(?: that)?|suppos(?:e|ing)(?: that)?)\b",
    re.IGNORECASE,
)
_PAST_ANTECEDENT = re.compile(r"\b(?:were|was|did|had|could|[a-z]{3,}ed)\b", re.IGNORECASE)
_WOULD = re.compile(r"\b(?:would|could|might)\b|'d\b", re.IGNORECASE)


def supposed(text: str, words: Sequence[Span] | None, actors: Sequence[Span] = ()) -> PostStance | None:
    """The stance of a unit whose claim words and activity (``actors``: "walking backwards") all
    lie in a condition's antecedent: ``denies`` for a counterfactual (``asserts`` when the
    antecedent is negated: "If it didn't help, I'd stop"), ``asks`` for an open condition; None
    when the claim is not supposed ("If you have knee pain, walking backwards helps" asserts). The
    antecedent runs from the condition word to the next comma (a leading "If X, Y") or the clause's
    end (a trailing "Y if X")."""
    if not words:
        return None
    t = _clean(text)
    for m in _CONDITION.finditer(t):
        if _PSEUDO_NEGATION.match(t, m.start()):  # "if not", "if in doubt"
            continue
        comma = t.find(",", m.end())
        end = comma if comma > 0 else clause_of(t, m.start())[1]
        if not all(m.end() <= s and e <= end for s, e in [*words, *actors]):
            continue
        antecedent, main = t[m.end() : end], t[: m.start()] + " " + t[end:]
        if _PAST_ANTECEDENT.search(antecedent) and _WOULD.search(main):
            return PostStance.ASSERTS if negation_cues(antecedent) else PostStance.DENIES
        return PostStance.ASKS
    return None
