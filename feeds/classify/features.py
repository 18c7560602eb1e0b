"""What the model sees of an item: named features with values, the same at training and at run
time, and the words behind them (for the reasons).

Namespaces (prefix before the colon):

``t``  word stems of the title and the section heading path
``l``  word stems of the lede (the first 300 characters of the text)
``w``  word stems of everything (title, headings, text; of a long text the first
       ``LEDE_CHARS + BODY_CHARS`` characters: a long guide section costs little more than a
       short item, and the vocabulary's evidence in ``r``/``R`` still covers all of it)
``b``  pairs of consecutive stems (``b:trer_i``, ``b:fra_midnatt``), within the title and
       headings, and within the lede
``c``  character 5-grams inside words of six letters or more, in the title, headings
       and lede (compounds: ``smittekarantenen`` shares ``karan``/``arant`` with
       ``karantene``); pairs and n-grams of the body cost much on long texts and added
       nothing on dev, and 4-grams beside the 5-grams (a third of all features of an
       item) left every dev figure as it was
``u``  stems of the address path and the host (``u:nettpub``, ``u:@lovdata.no``)
``r``  the vocabulary's score for a subtopic (``r:vaksinasjon``, score / 12, at most 1)
``R``  the vocabulary alone tags the subtopic (``R:karantene``: 1)
``U``  an urgency rule of the vocabulary fires (``U:regelverk``: 1)
``k``  the change verb (``k:new``, ``k:changed``, ``k:removed``)
``x``  cues for urgency, in title and lede (bokmål and nynorsk; ``CUES``): a near start
       (``x:near``: "fra/frå i dag, i morgen, midnatt, mandag/måndag …, 1. mars"), a time
       of day announced (``x:clock``: "i dag klokka 12", "kl. 13.00"), entry into force
       (``x:inforce``), binding words (``x:binding``: må, skal, påbud, forbud, vedtatt),
       advice (``x:advice``: bør, anbefaler, tilrår), a proposal or consultation
       (``x:proposal``), something already held (``x:past``: "holdt/heldt … pressekonferanse");
       and implied topics in the whole text: staying home with close contacts named
       (``x:contact_home``: quarantine) or with the ill named (``x:ill_home``: isolation);
       words of sectors outside health in title and lede (``x:offdomain``: fisheries,
       traffic, wills, Nødvarsel, hunting, farming); and sense cues, sentence by sentence
       in title, headings, lede and the body's head (``_sense_cues``), each learned only by
       the heads whose question it answers (``train.SCOPED``): a testing word beside an
       infection word (``x:test_infection``) or within reach of another sense
       (``x:test_other``: hearing, vision, driving, stress tests, Nødvarsel and alarms, exams,
       water and food samples, trial runs and services tried out, tests for other conditions,
       attest; or a test named only by its result, "testa positivt"), for ``testing``;
       someone kept at home, aboard, in their rooms or away from work until something
       (``x:home_until``), for some days (``x:home_days``), the exposed, guests or household
       named (``x:exposed_home``) or else the ill (``x:ill_kept``), away from work
       (``x:work_away``), a single room or isolation ward (``x:own_room``), for ``isolasjon``
       and ``karantene``; travel out of Norway (``x:outbound``) and animals (``x:animal``) in
       title and lede, for ``innreise`` (and animals for ``karantene`` and ``isolasjon``)

Within each of ``t l w b c u`` every feature present counts 1 and the namespace is scaled to
length 1 (``c`` and ``l`` to length 2: ``SPACE_WEIGHTS``), so a long text does not outweigh
its title. Stems come from ``terms.stem`` (the light bokmål/nynorsk stemmer); pure numbers
are left out. Each distinct word is analysed once per process (bounded memo).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from urllib.parse import urlsplit

from feeds.classify.rules import BODY_HEAD_CHARS, Evidence
from feeds.classify.terms import URL_WORD_RE, normalise, split_words, stem

LEDE_CHARS = 300
#: of the body after the lede; the vocabulary's evidence (r, R) reads it all. The scan splits
#: the body's head once for both (``rules.Scanned.body_head``).
BODY_CHARS = BODY_HEAD_CHARS
RULE_SCORE_SCALE = 12.0
_CHAR_MIN_WORD = 6
_CHAR_SIZES = (5,)
_SCALED = ("t", "l", "w", "b", "c", "u")
# The length of a namespace's vector (1 unless named here). A longer vector is in effect
# regularised less by the L2 penalty: the character 5-grams (many per item, so each one
# small) and the lede at length 2 lifted cross-validated micro-F1 0.874 -> 0.883 (round 7,
# docs/classification.md).
SPACE_WEIGHTS: dict[str, float] = {"c": 2.0, "l": 2.0}
_DAYS = (
    r"(?:i dag|i morgon|i morgen|i kveld|i natt|natt til \w+|midnatt|helga|helgen|"
    r"mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|laurdag|lørdag|søndag|sundag|"
    r"neste veke|neste uke|\d{1,2}\.\s?\w+)"
)
CUES: dict[str, re.Pattern[str]] = {
    "near": re.compile(rf"\b(?:fra|frå|fom|f\.o\.m\.|innen|innan|seinast|senest) {_DAYS}"),
    "clock": re.compile(r"\b(?:klokka|klokken|kl\.?) ?\d{1,2}(?:[.:]\d\d)?\b"),
    "inforce": re.compile(
        r"\b(?:trer i kraft|trådte i kraft|tek til å gjelde|tar til å gjelde|"
        r"gjelder fra|gjeld frå|gjelder fra og med|settes i kraft|vert sett i kraft|"
        r"oppheves|blir oppheva|vert oppheva|gjeninnføres|innføres|innførast)\b"
    ),
    "binding": re.compile(
        r"\b(?:må|skal|påbud|påbod|forbud|forbod|vedtatt|vedteke|vedtok|fastsatt|fastsett|"
        r"innfører|innfører|pålegg|plikt|plikten|forskrift\w*)\b"
    ),
    "advice": re.compile(r"\b(?:bør|anbefaler|anbefalar|tilrår|rår|råd|oppfordrer|oppmodar)\b"),
    "proposal": re.compile(
        r"\b(?:høring\w*|høyring\w*|forslag\w*|framlegg\w*|foreslår|føreslår|prop\.|"
        r"utkast\w*|vurderer)\b"
    ),
    "past": re.compile(r"\b(?:holdt|heldt|ble holdt|vart halde)\b"),
}
# Outside the health domain (guidelines, principle 3: cod quotas, traffic, digital wills, a
# test of the national alarm system), and sectors like them: word prefixes, in title and lede.
_OFF_DOMAIN = re.compile(
    r"\b(?:nødvarsl\w*|nødvarsel\w*|tyfon\w*|fiske\w*|fiskeri\w*|torsk\w*|laks\w*|sei\b|"
    r"kvote\w*|trafikk\w*|fartsgrens\w*|testament\w*|arvelov\w*|jakt\w*|felling\w*|"
    r"jordbruk\w*|landbruk\w*|villrein\w*|ulv\w*|oppdrett\w*|dyrehald\w*|dyrehold\w*|"
    r"svinepest\w*|reguleringsplan\w*|kommunestyreval\w*|barnehageopptak\w*)"
)
# Implied topics (guidelines, principle 2): who is told to stay at home, sentence by
# sentence in the whole text; ``x:contact_home``: close contacts (quarantine),
# ``x:ill_home``: the ill or infected, no contacts named (isolation).
_HOME = re.compile(
    r"\b(?:holde seg hjemme|halde seg heime|være hjemme|vere heime|bli hjemme|bli heime|"
    r"holde seg i \w+|halde seg i \w+)\b"
)
_SENTENCE = re.compile(r"[.!?;]\s|\s/\s")
_NOT_HOME = re.compile(r"\b(?:ikke|ikkje|ikkje treng å|slipper å|slepp å)\s+(?:\w+\s+){0,2}$")


def _told_home(text: str) -> bool:
    """Someone is told to stay home: a stay-home phrase not negated just before ("trenger
    ikke holde seg hjemme", "treng ikkje halde seg heime")."""
    return any(
        not _NOT_HOME.search(text, max(0, m.start() - 40), m.start()) for m in _HOME.finditer(text)
    )


_CONTACT = re.compile(r"\b(?:nærkontakt\w*|husstandsmedlem\w*|bor sammen med|bur saman med)")
_ILL = re.compile(r"\b(?:syke|sjuke|smittet|smitta|smittede|positiv\w*|symptom\w*|sår\w*)\b")


def _fast(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its leading ``\\b``: it matches wherever the pattern does, and
    ``re`` scans for it several times faster (a leading assertion defeats its search for the
    first character), so ``_fast(p).search(t) and p.search(t)`` is ``p.search(t)``, cheaper
    on the usual text where neither matches."""
    return re.compile(pattern.pattern.removeprefix(r"\b"), pattern.flags)


_CUE_SEARCHES = tuple((f"x:{name}", _fast(p).search, p.search) for name, p in CUES.items())
# Every match of _HOME holds one of these words, and starts at most this many characters
# before it ("holde seg " before "hjemme", "holde " before "seg i ")
_HOME_ANCHORS = (("hjemme", 12), ("heime", 12), ("seg i ", 8))
_ANCHOR_1, _ANCHOR_2, _ANCHOR_3 = (anchor for anchor, _ in _HOME_ANCHORS)  # all three
_HOME_AFTER = 40  # characters after the anchor searched ("seg i \w+")


def _stays_home_anywhere(text: str) -> bool:
    """``_HOME.search(text)``, but searching only around each anchor word: the whole-text
    search costs ~0.1 ms on a 3 KB section, the anchors (``str.find``) a few microseconds.
    A match found in a window is confirmed on the whole text at the same start."""
    for anchor, before in _HOME_ANCHORS:
        at = text.find(anchor)
        while at >= 0:
            end = at + len(anchor)
            if anchor[-1] != " " and end < len(text) and text[end].isalnum():
                at = text.find(anchor, end)  # inside a longer word (hjemmetjenesten)
                continue
            found = _HOME.search(text, max(0, at - before), end + _HOME_AFTER)
            if found and _HOME.match(text, found.start()):
                return True
            at = text.find(anchor, at + 1)
    return False


# Sense cues, sentence by sentence in title, headings, lede and the body's head (the first
# BODY_CHARS characters after the lede), where a word's sense shows in its neighbours:
# ``x:test_infection``: a testing word (test, prøve, PCR, podding, screening …) beside an
# infection word (smitte, virus, a disease, positiv/negativ, symptom, pasient …);
# ``x:test_other``: a testing word beside a sense outside testing for infection (hearing,
# vision, driving, depression, language, stress test, Nødvarsel and alarms, exams, water and
# food samples, services tried out, tests for other conditions, attest), or a test named only
# by its result ("testet positivt" as context): the exclusions of the guidelines' ``testing``
# row. Implied isolation and quarantine in more
# words than ``x:ill_home``/``x:contact_home``: a single room or an isolation ward
# (``x:own_room``, anywhere in the text); someone kept at home, aboard, in their rooms or away
# from work (``_KEPT``) until something (``x:home_until``: isolation-like), for a number of
# days (``x:home_days``: quarantine-like), with the exposed, guests or household named
# (``x:exposed_home``) or else the ill (``x:ill_kept``), or away from work (``x:work_away``).
# Sentences are cut at every stop, colon, slash and line break: a few more cuts than
# ``_SENTENCE`` ("e. coli", "kl. 12", "og/eller"), at a quarter of its cost.
_CUE_SENTENCE = re.compile(r"[.!?;:/\n]")
# A word holding one of these (test, prøve …) is a testing word, as is a match of
# ``_TESTING_WORD`` (pcr, podding, screening …).
_TESTING_PARTS = ("test", "prøve", "prøvar")
_TESTING_WORD = re.compile(
    r"\b(?:pcr|antigen|podd|poda\b|podar\b|podes\b|screen|sekvenser|laborator)|kultur\b"
)
_INFECTION_PARTS = ("smitt", "virus", "influensa")
_INFECTION = re.compile(
    r"\b(?:covid|korona|sars|infeksjon|tuberkulos|mpox|difteri|kikhost|hepatitt|mrsa|ehec|"
    r"salmonell|candida|gonor|klamydia|hiv|syfilis|norovirus|rs-virus|positiv|"
    r"negativ|luftveis|luftvegs|symptom|bakteri|resisten|smitta|utbrudd|utbrot|diar|sjuke|"
    r"syke|pasient|bebuar|beboer|nærkontakt|tisk)"
)
_OTHER_REACH = 120
_OTHER_TEST = re.compile(
    r"\b(?:hørsel\w*|høyrsel\w*|syn\b|syns\w*|fører\w*|kjøre\w*|depresjon\w*|"
    r"personlighet\w*|språk\w*|stresstest\w*|nødvarsel\w*|nødvarsl\w*|varslingsanlegg\w*|"
    r"tyfon\w*|vannprøve\w*|vassprøve\w*|avløp\w*|badevann\w*|badevatn\w*|drikkevann\w*|"
    r"drikkevatn\w*|journal\w*|system\w*|it-\w*|app\w*|brems\w*|kolesterol\w*|"
    r"skjell\w*|kreft\w*|tilpasningstest\w*|øvelse\w*|øving\w*|samhandling\w*|eksamen\w*|"
    r"nasjonale prøver|testament\w*|"
    r"psa\b|skjel\w*|bestått\w*|(?:ikke|ikkje) består\b|består testen\b|programvare\w*|"
    r"løsning\w*|løysing\w*|versjon\w*|verktøy\w*|robot\w*|"
    r"(?:teste|tester|testar|testa|testes|testast|testet|prøve|prøver|prøvar|prøvd|prøves|"
    r"prøvast) ut\b)"
)
# Senses outside testing for infection that also stand inside compounds (``brannalarmen``,
# ``rusmiddeltesting``, ``prostatakreft``), looked for as substrings of the same window
# (round 17, the wordings of round 16's false friends): alarms, sirens and emergency power
# tested; exams and school tests; trial runs, test purchases and test environments; water,
# food and bathing-water samples; fit tests of masks; tests for other conditions. (Not
# "kreft" alone: it stands inside "bekreftet".) With them in ``_OTHER_TEST``: a passed test
# ("bestått test"), a service or system tried out ("teste ut", "prøver ut", "ny løysing").
_OTHER_PARTS = (
    "attest",
    "alarm",
    "sirene",
    "aggregat",
    "nødstraum",
    "nødstrøm",
    "nødnett",
    "eksamen",
    "norskprøv",
    "fagprøv",
    "kartleggingsprøv",
    "testkjøp",
    "prøvekjør",
    "prøvekøyr",
    "prøvedrift",
    "prøveprosjekt",
    "prøveordning",
    "testmiljø",
    "testperiode",
    "kokevarsel",
    "vassverk",
    "vannverk",
    "vassprøv",
    "vannprøv",
    "badevann",
    "badevatn",
    "drikkevann",
    "drikkevatn",
    "matprøv",
    "mattilsyn",
    "blåskjel",
    "tetthetstest",
    "tilpasningstest",
    "fit-test",
    "tarmkreft",
    "prostatakreft",
    "brystkreft",
    "livmorhalskreft",
    "lungekreft",
    "hudkreft",
    "mammografi",
    "hba1c",
    "prostata",
    "allergi",
    "rusmiddeltest",
    "rustest",
    "narkotikatest",
    "dopingtest",
    "kognitiv",
    "demens",
    "diabetes",
    "blodsukker",
    "medfødd",
)
_KEPT = re.compile(
    r"\b(?:holde seg|halde seg|holdes|haldast|haldne|være|vere|bli|blir|holder seg|held seg|"
    r"held dei seg|holder de seg) (?:\w+ ){0,2}?(?:hjemme|heime|på romma|på rommet|"
    r"på rommene|i lugar\w*|om bord|på båten|på mottaket|borte|inne)\b"
)
_WORK_AWAY = re.compile(
    r"\b(?:ikke gå på jobb|ikkje gå på jobb|ikke møte på \w+|ikkje møte på \w+|ikke arbeide|"
    r"ikkje arbeide|ikke jobbe|ikkje jobbe|borte fra jobb\w*|borte frå jobb\w*|"
    r"borte fra arbeid\w*|borte frå arbeid\w*|kan ikke møte|kan ikkje møte|ikke gå i land|"
    r"ikkje gå i land)\b"
)
_OWN_ROOM = re.compile(
    r"\b(?:enerom\w*|einerom\w*|eige rom\w*|eget rom|egne rom|eigne rom|isolat\b|"
    r"luftsmitteisolat\w*|undertrykk\w*|kontaktsmitteregime\w*|dråpesmitteregime\w*|"
    r"romma sine|rommene sine|rommet sitt|lugarane sine|kvar sin lugar|hver sin lugar|"
    r"eige bad|eget bad|eige soverom|eget soverom|kohort\w*)"
)
_UNTIL = re.compile(
    r"\b(?:hjemme|heime|borte fra \w+|borte frå \w+|om bord|rom\w*) (?:\w+ ){0,4}?"
    r"(?:til|fram til|inntil|før)\b"
)
_FOR_DAYS = re.compile(
    r"\b(?:i|de neste|dei neste|dei første|de første) (?:\w+ )?(?:\d+|to|tre|fire|fem|seks|"
    r"sju|åtte|ni|ti|fjorten|tjueen) (?:dager|dagar|døgn|døgnene|uker|veker|dagene|dagane)\b"
)
_EXPOSED = re.compile(
    r"\b(?:eksponer\w*|ikke immune|ikkje immune|uten immunitet|utan immunitet|var til stede|"
    r"var der|var på \w+|passasjer\w*|gjester\w*|gjestene|gjestane|alle som var|"
    r"alle som har vore|alle som har vært|mannskap\w*|klassen|klassekamerat\w*|husstand\w*|"
    r"hushald\w*|bor sammen|bur saman|bor i samme|bur i same)"
)
_ILL_KEPT = re.compile(
    r"\b(?:syke|sjuke|smittet|smitta|smittede|påvist\w*|stadfest\w*|bekreft\w*|symptom\w*|"
    r"feber|diar\w*|hoste\w*|positiv\w*|pasient\w*|den som har\w*)"
)


# Travel out of Norway (``x:outbound``: before departure, travel to another country, travel
# vaccines; not entry, the ``innreise`` head's question) and animals (``x:animal``: pets,
# livestock, birds, fish, rabies; quarantine, isolation and entry of animals are outside
# health).
_OUTBOUND = re.compile(
    r"\b(?:før (?:avreise|reisa|reisen|du reiser|ein reiser|en reiser|dei reiser|de reiser|"
    r"utreise)|reis\w* til (?!noreg\b|norge\b)(?:utlandet|land\b|\w+)|utenlandsreise\w*|"
    r"utanlandsreise\w*|avreise\w*|reisevaksin\w*|reisemedisin\w*|reiseråd\w*)"
)
_ANIMAL = re.compile(
    r"\b(?:hund\w*|katt\w*|kjæledyr\w*|dyr|dyra|dyrene|husdyr\w*|kalv\w*|storfe|sau\b|sauer|"
    r"sauene|gris\w*|hest\w*|fugl\w*|bie\b|bier\b|biene|fisk\b|fisken|oppdrettsfisk\w*|rev\b|"
    r"mink\w*|rabies)"
)
_ANIMAL_ANCHORS = (
    "hund",
    "katt",
    "dyr",
    "kalv",
    "storfe",
    "sau",
    "gris",
    "hest",
    "fugl",
    "bie",
    "fisk",
    "rev",
    "mink",
    "rabies",
)

# Every match of each pattern holds one of these substrings: a text or sentence without them
# is not searched (the searches cost ~0.15 ms on a 3 KB section, the substring tests a few
# microseconds; the cues are the same).
_TESTING_ANCHORS = (
    "test",
    "prøv",
    "pcr",
    "antigen",
    "pod",
    "screen",
    "sekvenser",
    "kultur",
    "laborator",
)
_HOME_WORDS = ("hjemme", "heime")  # as whole words (not hjemmetjenesten): ``_ends_word``
_KEPT_ANCHORS = ("på rom", "lugar", "om bord", "båten", "mottaket", "borte", "inne")
_AWAY_ANCHORS = ("jobb", "møte", "arbeide", "borte", "i land")
_ROOM_ANCHORS = ("rom", "isolat", "undertrykk", "regime", "lugar", "bad", "kohort")


def _holds(text: str, anchors: tuple[str, ...]) -> bool:
    return any(anchor in text for anchor in anchors)


def _ends_word(text: str, words: tuple[str, ...]) -> bool:
    """One of ``words`` ends a word of ``text`` (``hjemme`` but not ``hjemmetjenesten``)."""
    for word in words:
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if end == len(text) or not text[end].isalnum():
                return True
            at = text.find(word, end)
    return False


def _keeps(text: str) -> bool:
    """Every match of ``_KEPT`` holds one of these."""
    return _ends_word(text, _HOME_WORDS) or _holds(text, _KEPT_ANCHORS)


def _test_at(sentence: str) -> int:
    """Where the sentence's first testing word (of ``_TESTING_PARTS``, else of
    ``_TESTING_WORD``) is, or -1."""
    found = [at for at in (sentence.find(part) for part in _TESTING_PARTS) if at >= 0]
    if found:
        return min(found)
    word = _TESTING_WORD.search(sentence)
    return word.start() if word else -1


# A test named only by its result, as context ("testa positivt for covid-19 i går": the
# guidelines' "a passing 'testet positivt'"): a sentence whose every testing word is such.
_RESULT = re.compile(r"\b(?:testet|testa|tester|testar|testes) (?:\w+ )?(?:positivt|negativt)\b")


def _other_sense(sentence: str, at: int) -> bool:
    """A sense outside testing for infection (``_OTHER_PARTS``, ``_OTHER_TEST``) within
    ``_OTHER_REACH`` characters of the testing word at ``at`` (whole words: the window starts
    after a space), where such a word stands ("synstest", "test av Nødvarsel", "førarkort …
    teoriprøve", "brannalarmen testes"); a long list of words costs no more than a sentence.
    Or a test named only by its result (``_RESULT``: "testa positivt" and no other testing
    word in the sentence)."""
    start = sentence.rfind(" ", 0, max(0, at - _OTHER_REACH)) + 1
    window = sentence[start : at + _OTHER_REACH]
    if _holds(window, _OTHER_PARTS) or _OTHER_TEST.search(window):
        return True
    if "positiv" not in sentence and "negativ" not in sentence:
        return False
    return bool(_RESULT.search(sentence)) and _test_at(_RESULT.sub(" ", sentence)) < 0


def _sense_cues(head: str, body_head: str = "") -> dict[str, float]:
    """The sense cues (above): of travel out and animals in ``head`` (title, headings and
    lede), of the others in ``head`` and ``body_head`` (the body's head) together. (Travel
    and animals in the body's head too changed these cues on 2 of the 2,473 train and dev
    items and cost 0.01 ms on a long section.)"""
    cues: dict[str, float] = {}
    text = head + body_head
    if _holds(text, _ROOM_ANCHORS) and _OWN_ROOM.search(text):
        cues["x:own_room"] = 1.0
    if "reis" in head and _OUTBOUND.search(head):
        cues["x:outbound"] = 1.0
    if _holds(head, _ANIMAL_ANCHORS) and _ANIMAL.search(head):
        cues["x:animal"] = 1.0
    testing = _holds(text, _TESTING_ANCHORS)
    kept = _keeps(text)
    away = _holds(text, _AWAY_ANCHORS)
    if not (testing or kept or away):
        return cues
    for sentence in _CUE_SENTENCE.split(text):
        at = _test_at(sentence) if testing else -1
        if at >= 0:
            if _holds(sentence, _INFECTION_PARTS) or _INFECTION.search(sentence):
                cues["x:test_infection"] = 1.0
            if _other_sense(sentence, at):
                cues["x:test_other"] = 1.0
        is_away = away and _holds(sentence, _AWAY_ANCHORS) and bool(_WORK_AWAY.search(sentence))
        if not is_away and not (kept and _keeps(sentence) and _KEPT.search(sentence)):
            continue
        _kept_cues(sentence, is_away, cues)
    return cues


def _kept_cues(sentence: str, away: bool, cues: dict[str, float]) -> None:
    """The cues of a sentence that keeps someone at home, aboard, in a room or from work."""
    if _UNTIL.search(sentence):
        cues["x:home_until"] = 1.0
    if _FOR_DAYS.search(sentence):
        cues["x:home_days"] = 1.0
    if _EXPOSED.search(sentence):
        cues["x:exposed_home"] = 1.0
    elif _ILL_KEPT.search(sentence):
        cues["x:ill_kept"] = 1.0
    if away:
        cues["x:work_away"] = 1.0


class Features:
    """Feature name -> value; ``surface(name)`` is the word (or word pair) as written behind
    a word feature, for the reasons (looked up only when a reason is written)."""

    __slots__ = ("_fields", "values")

    def __init__(self, values: dict[str, float], fields: Sequence[tuple[str, list[str]]]):
        self.values = values
        self._fields = fields  # (spaces, words) as extracted

    def surfaces(self, names: Iterable[str]) -> dict[str, str]:
        """The first word (or word pair) as written behind each of ``names`` (word features
        only), scanning the fields in order and stopping once all are found."""
        wanted = set(names)
        found: dict[str, str] = {}
        for spaces, words in self._fields:
            before = previous = ""
            for word in words:
                if word.isdigit():
                    before = previous = ""
                    continue
                stemmed = _word(word)[0]
                for space in spaces:
                    name = f"{space}:{stemmed}"
                    if name in wanted and name not in found:
                        found[name] = word
                pair = f"b:{previous}_{stemmed}"
                if previous and pair in wanted and pair not in found:
                    found[pair] = f"{before} {word}"
                before, previous = word, stemmed
                if len(found) == len(wanted):
                    return found
        return found


@lru_cache(maxsize=50_000)
def _word(word: str) -> tuple[str, tuple[str, ...]]:
    """A normalised word's stem and its character n-grams as feature names (none for short
    words)."""
    if len(word) < _CHAR_MIN_WORD:
        return stem(word), ()
    padded = f"<{word}>"
    grams = tuple(f"c:{padded[i : i + n]}" for n in _CHAR_SIZES for i in range(len(padded) - n + 1))
    return stem(word), grams


def _split_lede(text: str) -> tuple[str, str]:
    if len(text) <= LEDE_CHARS:
        return text, ""
    cut = text.rfind(" ", 0, LEDE_CHARS)
    cut = LEDE_CHARS if cut <= 0 else cut
    return text[:cut], text[cut:]


class _Builder:
    __slots__ = ("fields", "spaces")

    def __init__(self) -> None:
        self.spaces: dict[str, set[str]] = {name: set() for name in _SCALED}
        self.fields: list[tuple[str, list[str]]] = []

    def words(self, words: list[str], spaces: str) -> None:
        """Stems into each of ``spaces``, pairs into ``b``, character n-grams into ``c``."""
        self.fields.append((spaces, words))
        if spaces == "w":
            # the body's head gives stems only (no pairs, no n-grams), so each distinct word
            # is stemmed once: in order of first occurrence the words bring the same stems,
            # first seen in the same order, so the set below is built alike (and iterates in
            # the same order, which the feature values and so the model's sums follow)
            words = list(dict.fromkeys(words))
        stems = [_word(word)[0] if not word.isdigit() else "" for word in words]
        distinct = set(stems)
        distinct.discard("")
        for space in spaces:
            self.spaces[space].update(f"{space}:{stemmed}" for stemmed in distinct)
        if spaces == "w":  # the body: pairs and n-grams come from the head only
            return
        bigrams = self.spaces["b"]
        bigrams.update(
            f"b:{first}_{second}" for first, second in pairwise(stems) if first and second
        )
        grams = self.spaces["c"]
        for word in set(words):
            grams.update(_word(word)[1])

    def values(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for space, names in self.spaces.items():
            if names:
                weight = SPACE_WEIGHTS.get(space, 1.0)
                values.update(dict.fromkeys(names, weight / math.sqrt(len(names))))
        return values


def extract(
    *,
    title: str,
    text: str,
    url: str,
    section_path: Sequence[str],
    kind: str,
    evidence: Evidence,
) -> Features:
    """The features of one item (``title``, ``text``, ``section_path`` NFC)."""
    builder = _Builder()
    scanned = evidence.scanned
    if scanned is not None and scanned.lede_chars == LEDE_CHARS:
        # the vocabulary's scan: the same normalised fields, split once
        texts, words = scanned.texts, scanned.words
        lede, body = texts["lede"], texts["body"]
        head_text = " / ".join(t for t in (texts["title"], texts["section"]) if t or section_path)
        builder.words([*words["title"], *words["section"]], "tw")
        builder.words(words["lede"], "lw")
        # the body's words, or those of its first BODY_CHARS characters when it is longer
        head = scanned.body_head
        builder.words(words["body"] if head is None else head, "w")
    else:
        lede, body = _split_lede(normalise(text))
        head_text = normalise(" / ".join([title, *section_path]))
        builder.words(split_words(head_text), "tw")
        builder.words(split_words(lede), "lw")
        builder.words(split_words(body[:BODY_CHARS]), "w")
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    url_space = builder.spaces["u"]
    if host:
        url_space.add(f"u:@{host}")
    url_space.update(f"u:{stem(w)}" for w in URL_WORD_RE.findall(normalise(parts.path)))
    values = builder.values()
    for slug, score in evidence.scores.items():
        values[f"r:{slug}"] = min(score / RULE_SCORE_SCALE, 1.0)
    for slug in evidence.tags:
        values[f"R:{slug}"] = 1.0
    for rule_id, _ in evidence.urgent_rules:
        values[f"U:{rule_id}"] = 1.0
    values[f"k:{kind or 'new'}"] = 1.0
    cue_text = f"{head_text} / {lede}"
    for name, fast, search in _CUE_SEARCHES:
        if fast(cue_text) and search(cue_text):
            values[name] = 1.0
    if _OFF_DOMAIN.search(cue_text):  # the pattern as it is (without \b: slower, see _fast)
        values["x:offdomain"] = 1.0
    values.update(_who_stays_home(f"{cue_text} {body}"))
    values.update(_sense_cues(cue_text, body[:BODY_CHARS]))
    return Features(values, builder.fields)


def _who_stays_home(text: str) -> dict[str, float]:
    """``x:contact_home`` when one sentence tells close contacts to stay home;
    ``x:ill_home`` when one tells the ill or infected (and names no contacts)."""
    cues: dict[str, float] = {}
    if not _stays_home_anywhere(text):
        return cues
    for sentence in _SENTENCE.split(text):
        # every match of _HOME holds an anchor (_HOME_ANCHORS): a sentence without one tells
        # no one to stay home, and three substring tests cost less than the search
        if _ANCHOR_1 not in sentence and _ANCHOR_2 not in sentence and _ANCHOR_3 not in sentence:
            continue
        if not _told_home(sentence):
            continue
        if _CONTACT.search(sentence):
            cues["x:contact_home"] = 1.0
        elif _ILL.search(sentence):
            cues["x:ill_home"] = 1.0
    return cues
