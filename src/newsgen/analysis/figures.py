"""Figures a story's sources report: the numbers, what they count, and where the sources differ.

One left-to-right pass over each sentence's tokens. A figure is a number (digits such as 1,000 / 1.8 /
12.5, suffixed 5K / 2M / 3bn, number words such as "twelve", "a million", "1.5 million", "a dozen", or a
vague plural such as "hundreds of" / "tens of thousands of", which stands for a range), the qualifier
before it ("over", "about", "up to" ...: the range of values the wording allows), and its unit: a
currency ("$2bn" -> usd), percent, a measure (km, tonnes), or else the noun phrase after the number:
its head noun, singular, with the noun right before it when that is a noun too ("safety inspections"
-> "safety inspection"). Names and adjectives ("Belgian", "new", "refrigerated") are left out, so wordings
meet.

Numbers that count nothing are dropped: years, dates, times, ordinals, ages ("a 45-year-old", "aged 45"),
durations ("two days after": a when, not a count), numbers in names or labels ("G20", "F-16", "Article 5",
"route 66"), list markers, codes and phone numbers, and small number words after "the"/"all"/"both"
("the two companies" refers to things already named; it reports no figure).

The key of a figure is its unit plus an outcome when one stands next to the number ("300 soldiers killed",
"injuring 45 people": killed, injured, missing, displaced ... from a closed table, so every wording of
one outcome meets). A generic unit (people, money, percent, a measure) says little on its own, so for it
the word next to the number joins the key even when it is no outcome: "20 people injured" and "3 people
killed", or "a $2bn deal" and "a $40m fine", are two figures, not a conflict. A bare unit joins its one
more specific form in the story ("crates" joins "cargo crates" when that is the only kind),
and a figure with an outcome but no unit ("3 killed") joins the one unit counted with that outcome.

Mentions are grouped by key in a dict, so the cost is linear in the number of sentences. A figure
conflicts when its mentions' ranges have no value in common (the highest low above the lowest high);
bounds are inclusive, so "more than 100" agrees with "100".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..features import stem
from ..model import Article, record
from ..text import MONTHS, plain_quotes
from .sentences import article_sentences


@record
class FigureMention:
    article_id: str
    sentence: int  # index into article_sentences(article)
    text: str  # the figure as written: "over 2K trucks", "a million doses"
    value: float  # normalised: 1000.0, 1000000.0 (for a vague plural, its scale: "hundreds" -> 100.0)
    qualifier: str | None  # "over", "about", "up to", "hundreds", "between" ... or None (exact)
    low: float  # the range the wording allows: "over 1,000" -> (1000, inf); "about 600" -> (540, 660)
    high: float


@record
class Figure:
    unit: str  # what it counts, as a key: "truck", "safety inspection", "usd cost", "person injured"
    label: str  # for display: "trucks", "safety inspections", "US dollars (cost)", "people (injured)"
    mentions: tuple[FigureMention, ...]  # in the order of `articles`; one article may give several
    conflict: bool  # the mentions' ranges have no value in common

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.article_id for m in self.mentions))


# --- number words ------------------------------------------------------------------------------

SMALL = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                     "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# Abbreviations of a scale: as a word after digits ("2 bn") or glued to them ("3bn", "2.5K"). A lone
# "k", "m" or "b" after a space is too ambiguous; glued "m" and "b" are settled in _digits.
WORD_SCALES = {**SCALES, "dozen": 12, "bn": 10**9, "bln": 10**9, "mn": 10**6, "mln": 10**6, "tn": 10**12,
               "trn": 10**12}
GLUED_SCALES = {"k": 10**3, "bn": 10**9, "bln": 10**9, "mn": 10**6, "mln": 10**6, "tn": 10**12, "trn": 10**12}
VAGUE = {"dozens": 12, "hundreds": 100, "thousands": 10**3, "millions": 10**6, "billions": 10**9}
SCALE_OF = {**SCALES, "dozen": 12}

# Wording before a number, and the range it allows around the number v.
QUALIFIERS = {tuple(k.split()): v for k, v in {
    "over": "above", "more than": "above", "above": "above", "in excess of": "above", "upwards of": "above",
    "well over": "above", "greater than": "above", "at least": "above", "no fewer than": "above",
    "no less than": "above", "a minimum of": "above", "just over": "just over", "just above": "just over",
    "slightly more than": "just over", "nearly": "nearly", "almost": "nearly", "close to": "nearly",
    "just under": "nearly", "just below": "nearly", "just shy of": "nearly", "about": "about",
    "around": "about", "roughly": "about", "some": "about", "approximately": "about", "approx": "about",
    "an estimated": "about", "estimated": "about", "circa": "about", "up to": "below", "as many as": "below",
    "at most": "below", "no more than": "below", "a maximum of": "below", "fewer than": "below",
    "less than": "below", "under": "below", "below": "below"}.items()}
# Factors in tenths (v * 9 / 10 is exact where v * 0.9 is not); None: unbounded.
RANGES = {"above": (10, None), "just over": (10, 11), "nearly": (9, 10), "about": (9, 11), "below": (0, 10)}

# --- what a number counts ------------------------------------------------------------------------

# Function words: a unit's noun phrase ends before them.
BREAK = frozenset("""
the a an this that these those its their his her our my your some any each every no all both either neither
such of in on at to for from by with without into onto over under above below between among across through
during before after since until within about against along around near per than as via toward towards off
and or but nor so yet if because while whereas although though whether then
is are was were be been being am has have had do does did will would shall should can could may might must
he she it they we i you who whom whose which what when where why how there here
said says say told according reportedly allegedly not also still already just only even too very much
up down out
""".split())
# Skipped between a unit and the word that tells what happened to it ("20 people were reportedly killed").
AUX = frozenset("was were is are be been being have has had who that which reportedly allegedly also still "
                "already later all now initially officially to".split())
# Adjectives common before counted nouns: never the head, never kept as the modifier.
ADJ = frozenset("""
new more other others additional further extra total several many few large small big major minor key main
different separate similar various recent former current previous past last next following remaining
existing estimated reported alleged confirmed suspected possible potential foreign local international
national domestic regional global senior top young old entire whole full same own known unknown actual
overall average annual monthly weekly daily high low long short heavy light real certain huge massive vast
tiny modern nuclear military civil federal central general special natural rural coastal vital fatal final
original initial crucial legal illegal digital political social financial commercial medical chemical
ballistic strategic public private joint fresh first second third only more another such average
neighboring neighbouring surrounding leading ruling growing rising increasing outstanding competing
participating striking deep wide tall away largest biggest highest lowest latest greatest smallest oldest
newest strongest weakest longest deadliest worst best
""".split())
ADJ_SUFFIXES = ("ous", "ful", "ive", "able", "ible", "less", "ic", "ial", "ish", "ese", "ian")
ADJ_SUFFIX_NOUNS = frozenset("traffic clinic music critic republic mechanic plastic fabric logic topic panic "
                             "trial material memorial editorial tutorial serial denial burial executive "
                             "representative detective table cable vegetable constable timetable handful "
                             "parish cheese".split())
# Words that say what happened to what is counted; each maps to one name, so that wordings meet.
OUTCOMES = {w: name for name, ws in {
    "killed": "killed killing kill kills dead died die dies dying",
    "injured": "injured injuring injure injures wounded wounding hurt",
    "missing": "missing",
    "displaced": "displaced displacing evacuate evacuated evacuating fled homeless",
    "arrested": "arrested arresting detained detaining",
    "rescued": "rescued rescuing",
    "hospitalised": "hospitalised hospitalized",
    "infected": "infected infecting",
    "trapped": "trapped stranded"}.items() for w in ws.split()}
# A number of these is a when or a how long, not a count of things.
TIME_UNITS = frozenset("second minute hour day night week weekend fortnight month year decade century "
                       "millennium time".split())
# What an amount of money is, from a word near it; a closed table so that wordings meet.
MONEY_TOPICS = {w: name for name, ws in {
    "deal": "deal deals takeover acquisition acquire acquired acquiring buy buying bought purchase purchased "
            "merger merge price value values valued valuing valuation worth offer bid",
    "fine": "fine fined fines penalty penalties settlement settle settled",
    "cost": "cost costs costing damage damages loss losses",
    "revenue": "revenue revenues sales turnover",
    "profit": "profit profits earnings income",
    "aid": "aid assistance grant grants funding fund package loan loans relief",
    "investment": "investment investments invest invested investing raised raise raising",
    "budget": "budget budgets spending spend spent",
    "debt": "debt debts",
    "pay": "salary salaries pay wage wages bonus bonuses"}.items() for w in ws.split()}
MONEY_REACH = 8  # words either side searched for one of them
# Units that say little on their own: the word next to the number joins their key.
GENERIC = frozenset("person individual man woman child adult resident".split())
IRREGULAR = {"people": "person", "persons": "person", "men": "man", "women": "woman", "children": "child",
             "feet": "foot", "teeth": "tooth", "mice": "mouse", "lives": "life", "wives": "wife",
             "knives": "knife", "leaves": "leaf", "halves": "half", "wolves": "wolf", "thieves": "thief",
             "criteria": "criterion", "phenomena": "phenomenon", "buses": "bus", "gases": "gas",
             "viruses": "virus", "bonuses": "bonus", "campuses": "campus", "censuses": "census",
             "statuses": "status", "lenses": "lens", "heroes": "hero", "vetoes": "veto", "torpedoes": "torpedo"}
INVARIANT = frozenset("news series species means headquarters crossroads barracks aircraft politics physics "
                      "economics police staff personnel cattle data media".split())
LY_NOUNS = frozenset("family ally assembly supply rally reply monopoly anomaly".split())

# --- currencies, percent, measures --------------------------------------------------------------

SYMBOLS = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "₩": "krw", "₽": "rub"}
DOLLAR_PREFIX = {"us": "usd", "a": "aud", "au": "aud", "c": "cad", "ca": "cad", "hk": "hkd", "nz": "nzd",
                 "s": "sgd"}
CODES = {c: c.lower() for c in "USD EUR GBP JPY CNY KRW INR RUB CHF CAD AUD".split()} | {"RMB": "cny"}
CURRENCY_WORDS = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "yen": "jpy",
                  "yuan": "cny", "renminbi": "cny", "rupee": "inr", "rupees": "inr", "rouble": "rub",
                  "roubles": "rub", "ruble": "rub", "rubles": "rub", "hryvnia": "uah", "hryvnias": "uah",
                  "sterling": "gbp"}
SCALED_CURRENCY_WORDS = {"pounds": "gbp", "won": "krw"}  # money only after a scale word ("2 million pounds")
DOLLAR_NATIONS = {"us": "usd", "american": "usd", "canadian": "cad", "australian": "aud", "singapore": "sgd"}
CURRENCY_LABELS = {"usd": "US dollars", "eur": "euros", "gbp": "pounds sterling", "jpy": "yen", "cny": "yuan",
                   "krw": "won", "inr": "rupees", "rub": "roubles", "uah": "hryvnias", "chf": "Swiss francs",
                   "cad": "Canadian dollars", "aud": "Australian dollars", "hkd": "Hong Kong dollars",
                   "nzd": "New Zealand dollars", "sgd": "Singapore dollars"}
MEASURES = {w: name for name, ws in {
    "kilometre": "km kms kilometre kilometres kilometer kilometers", "mile": "mile miles",
    "metre": "metre metres meter meters", "foot": "foot feet ft", "tonne": "tonne tonnes",
    "ton": "ton tons", "kilogram": "kg kgs kilogram kilograms kilo kilos", "pound": "lb lbs",
    "litre": "litre litres liter liters", "gallon": "gallon gallons", "barrel": "barrel barrels",
    "hectare": "ha hectare hectares", "acre": "acre acres", "degree": "degree degrees",
    "mph": "mph", "km/h": "kph", "megawatt": "mw megawatt megawatts", "gigawatt": "gw gigawatt gigawatts",
    "kilowatt": "kw kilowatt kilowatts", "centimetre": "cm", "millimetre": "mm"}.items() for w in ws.split()}
GLUED_MEASURES = frozenset("km kms kg kgs ft lb lbs mph kph mw gw kw ha cm mm".split())

# --- what is not a figure --------------------------------------------------------------------------

# A number right after these names a thing ("section 3", "flight 370"), it counts nothing.
LABEL_WORDS = frozenset("no nos number section chapter article paragraph para clause item point step page "
                        "p pp line room flight route highway exit gate platform phase stage level category "
                        "grade class round game episode part volume vol issue rule resolution figure fig "
                        "table model version tier season lot unit apartment ward district zone".split())
REFERENCE = frozenset("the these those both all its their our his her whose other".split())
_TIME_AFTER = re.compile(r"\s?(?:[ap]\.m\.|[ap]m\b|o'clock\b|(?:GMT|UTC|BST|EST|EDT|PST|PDT|CET|KST|JST)\b)", re.I)
_TOKEN = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)|(?P<word>[^\W\d_]+(?:[-'][^\W\d_]+)*)"
                    r"|(?P<sym>\S)")


def _any_word(words: list[str]) -> str:
    """A regular expression for any of `words`, grouped by first letter: it matches what the plain
    alternation does, but the engine tries one group a letter, not every word, at each position."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words), key=len, reverse=True):
        by_first.setdefault(w[0], []).append(re.escape(w[1:]))
    return "(?:" + "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in by_first.items()) + ")"


# A sentence without a digit or a number word holds no figure: most fail this test and are never tokenised.
_MAYBE = re.compile(r"\d|\b" + _any_word([*SMALL, *TENS, *SCALES, *VAGUE, "dozen"]) + r"\b", re.I)
INF = math.inf
_OUTCOME_NAMES = frozenset(OUTCOMES.values())
_STARTS = frozenset([*SMALL, *TENS, "a", "half", "several", *VAGUE, "tens"])  # words a number may start with


class _Tokens:
    """A sentence's tokens as parallel lists: kind ("num", "word", "sym"), text, lower case, span."""

    def __init__(self, sentence: str):
        self.raw = sentence
        self.text = plain_quotes(sentence)  # one character for one: spans stay those of `sentence`
        matches = list(_TOKEN.finditer(self.text))
        self.kind = [m.lastgroup for m in matches]
        self.tok = [m.group() for m in matches]
        self.start = [m.start() for m in matches]
        self.end = [m.end() for m in matches]
        self.low = [t.lower() for t in self.tok]
        self.n = len(self.tok)

    def word(self, k: int) -> str:
        """The lower-case word at k, or "" (out of range or not a word)."""
        return self.low[k] if 0 <= k < self.n and self.kind[k] == "word" else ""

    def glued(self, k: int) -> bool:
        """Token k touches the token before it."""
        return 0 < k < self.n and self.start[k] == self.end[k - 1]


@dataclass(slots=True)
class _Num:
    value: float
    end: int  # token index after the number, its glued suffix and scale words
    scale: int = 1  # the scale written with it ("2 million": 10**6), for "10 to 15 million"
    word: str = ""  # the number word, when the number is one word
    vague: tuple[str, float, float] | None = None  # ("hundreds", 200, 999)
    measure: str | None = None  # a unit glued to the digits: "5km"


DROP = "drop"  # a number that is not a figure


def _digits(s: _Tokens, i: int, money: bool, second: bool = False) -> _Num | str:
    """A number written in digits from token i; `second`: the end of a range "10-15"."""
    text, st, en = s.text, s.start[i], s.end[i]
    before = text[st - 1] if st and not second else " "
    if before.isalpha() or before in "#+@" or (before in "-/.:" and st > 1 and text[st - 2].isalnum()):
        return DROP  # inside a name or code: "G20", "F-16", "COVID-19", "#5", "+1", the 15 of "10-15"
    if re.match(r"[:/.,]\d", text[en:en + 2]) or (len(s.tok[i]) > 1 and s.tok[i][0] == "0" and "." not in s.tok[i]):
        return DROP  # a time, a date, a version, a code with a leading zero
    num = _Num(float(s.tok[i].replace(",", "")), i + 1)
    k = i + 1
    if s.glued(k) and s.kind[k] == "word":
        suffix = s.low[k]
        if suffix in GLUED_SCALES:
            num.scale = GLUED_SCALES[suffix]
        elif suffix == "b" and money:
            num.scale = 10**9
        elif suffix == "m":  # "€40m", "40m people": million; "a 40m wall", "reached 10m": metres
            plural_next = k + 1 < s.n and _plural(s.tok[k + 1]) and s.low[k + 1] not in BREAK
            if money or plural_next:
                num.scale = 10**6
            else:
                num.measure = "metre"
        elif suffix in GLUED_MEASURES:
            num.measure = MEASURES[suffix]
        else:
            return DROP  # "5th", "1990s", "3pm", "3D"
        num.value = _times(num.value, num.scale)
        k += 1
    if s.glued(k) and s.tok[k] == "-" and s.glued(k + 1) and s.kind[k + 1] == "word":
        if s.low[k + 1] == "magnitude":
            num.measure = "magnitude"
            k += 2
        elif s.low[k + 1] != "plus":
            return DROP  # a compound adjective: "45-year-old", "a 10-day strike", "a 20-member team"
    if num.scale == 1 and num.measure is None:
        while s.word(k) in WORD_SCALES:  # "1.5 million", "2 bn", "three dozen"
            num.scale *= WORD_SCALES[s.low[k]]
            num.value = _times(num.value, WORD_SCALES[s.low[k]])
            k += 1
    num.end = k
    return num


def _times(value: float, scale: int) -> float:
    """value * scale without binary noise: 0.29 million is 290000.0, not 289999.99999999994."""
    return round(value * scale, 6)


def _words(s: _Tokens, i: int) -> _Num | None:
    """'twelve', 'twenty-five', 'two hundred and fifty', 'a thousand', 'a dozen', 'half a million'."""
    k, cur, total, last = i, None, 0.0, None
    if s.word(i) in ("a", "an") and s.word(i + 1) in SCALE_OF:
        cur, k, last = 1.0, i + 1, "small"
    elif s.word(i) == "half" and s.word(i + 1) in ("a", "an") and s.word(i + 2) in SCALES:
        cur, k, last = 0.5, i + 2, "small"
    while k < s.n and s.kind[k] == "word":
        w = s.low[k]
        parts = w.split("-")
        if len(parts) <= 2 and all(p in SMALL or p in TENS for p in parts):
            v = sum(SMALL.get(p, 0) + TENS.get(p, 0) for p in parts)
            if last is None:
                cur = float(v)
            elif last == "scale" or (last == "tens" and v < 10 and len(parts) == 1):
                cur = (cur or 0) + v
            else:
                break
            last = "tens" if w in TENS else "small"
        elif w == "and" and last == "scale" and (s.word(k + 1) in SMALL or s.word(k + 1).split("-")[0] in TENS):
            pass
        elif w in SCALE_OF and last is not None:
            if w in ("hundred", "dozen"):
                cur = (cur if cur is not None else 1) * SCALE_OF[w]
            else:
                total, cur = total + (cur if cur is not None else 1) * SCALE_OF[w], None
            last = "scale"
        else:
            break
        k += 1
    if last is None:
        return None
    return _Num(total + (cur or 0), k, word=s.low[i] if k == i + 1 else "")


def _vague(s: _Tokens, i: int) -> _Num | None:
    """'hundreds of', 'tens of thousands of', 'several hundred', 'a few thousand': a range, not a value."""
    w, end = s.word(i), None
    if w in ("tens", "hundreds") and s.word(i + 1) == "of" and s.word(i + 2) in VAGUE and s.word(i + 2) != "dozens":
        times = 10 if w == "tens" else 100
        scale, lo, end = VAGUE[s.low[i + 2]] * times, 2, i + 3
    elif w in VAGUE:
        scale, lo, end = VAGUE[w], 2, i + 1
    elif w == "several" and s.word(i + 1) in SCALE_OF:
        scale, lo, end = SCALE_OF[s.low[i + 1]], 3, i + 2
    elif w == "a" and s.word(i + 1) == "few" and s.word(i + 2) in SCALE_OF:
        scale, lo, end = SCALE_OF[s.low[i + 2]], 2, i + 3
    if end is None:
        return None
    phrase = " ".join(s.low[i:end])
    low, high = float(lo * scale), float(10 * scale - 1)
    if s.word(end) == "of":  # "hundreds of volunteers": the unit follows "of"
        end += 1
    return _Num(float(scale), end, vague=(phrase, low, high))


def _number(s: _Tokens, i: int, money: bool) -> _Num | str | None:
    if s.kind[i] == "num":
        return _digits(s, i, money)
    if s.kind[i] != "word":
        return None
    return _vague(s, i) or _words(s, i)


def _plural(word: str) -> bool:
    w = word.lower()
    if w in IRREGULAR or w in INVARIANT:
        return True
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s"))


def singular(word: str) -> str:
    """'safety inspections' -> 'safety inspection', 'casualties' -> 'casualty', 'people' -> 'person'."""
    w = word.lower()
    if w in IRREGULAR:
        return IRREGULAR[w]
    if w in INVARIANT or not _plural(w):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return w[:-2]
    return w[:-1]


def _adjective(word: str) -> bool:
    w = word.lower()
    if w in ADJ_SUFFIX_NOUNS:
        return False
    return (w in ADJ or "-" in w or word[:1].isupper() or w.endswith(ADJ_SUFFIXES)
            or (len(w) > 4 and w.endswith("ed") and not w.endswith("eed")))


@dataclass(slots=True)
class _Unit:
    base: str  # the key: "safety inspection", "usd", "percent"; "" when only an outcome is known
    head: str  # its head noun, for joining a bare unit to its one specific form
    label: str  # as written: "safety inspections"
    plural: bool  # written in the plural (the better label)
    generic: bool
    first: int  # token span of the unit as written
    end: int
    outcome: str | None = None  # an outcome written as the unit's modifier ("20 injured people")


def _noun_phrase(s: _Tokens, k: int) -> _Unit | None:
    """The noun phrase from token k that a number counts: up to its first plural noun."""
    taken: list[int] = []
    while k < s.n and s.kind[k] == "word" and len(taken) < 4:
        w = s.low[k]
        if w in BREAK or w in SMALL or w in SCALE_OF or (w.endswith("ly") and w not in LY_NOUNS):
            break
        if w in OUTCOMES and taken:
            break  # "one person died": the outcome is not part of the unit
        taken.append(k)
        if w in INVARIANT and k + 1 < s.n and _plural(s.tok[k + 1]) and s.low[k + 1] not in BREAK:
            k += 1  # "police officers", "staff members": a plural noun still follows
            continue
        if w in OUTCOMES and k + 1 < s.n and _plural(s.tok[k + 1]) and s.low[k + 1] not in BREAK:
            k += 1  # "3,200 displaced residents": the outcome is the noun's modifier
            continue
        if _plural(s.tok[k]) or w in OUTCOMES:
            break
        k += 1
    while len(taken) > 1 and not _plural(s.tok[taken[-1]]) and (
            s.low[taken[-1]] in ADJ or s.low[taken[-1]].endswith("ed")):
        taken.pop()  # "one safety inspection failed": a verb after a singular noun is no part of it
    if not taken:
        return None
    head = taken[-1]
    written = s.tok[head]
    if s.low[head] in OUTCOMES:  # "3 killed": an outcome, no unit
        return _Unit("", "", "", False, False, head, head + 1, OUTCOMES[s.low[head]])
    if s.low[head] in ADJ or (written[:1].isupper() and not _plural(written)) or (
            not _plural(written) and (s.low[head].endswith("ed") or len(s.low[head]) < 2)):
        return None  # an adjective, a name or a verb: no noun to count
    noun = singular(written)
    if noun in TIME_UNITS:
        return _Unit("", noun, "", False, False, head, head + 1)  # a duration: the caller drops it
    unit = _Unit(noun, noun, written if written[:1].isupper() else written.lower(), _plural(written),
                 noun in GENERIC, taken[0], head + 1)
    if len(taken) > 1:
        mod = s.tok[head - 1]
        if mod.lower() in OUTCOMES:
            unit.outcome = OUTCOMES[mod.lower()]
        elif not _adjective(mod) and (not _plural(mod) or mod.lower() in INVARIANT):
            unit.base = f"{mod.lower()} {noun}"
            unit.label = f"{mod.lower()} {unit.label}"
    return unit


LINK = frozenset("rose risen rises climbed climbs jumped increased grew grown reached reaches hit hits stood "
                 "stands was is were are has had have been now fell fallen dropped declined totalled totaled "
                 "totals numbered topped exceeded surpassed passed".split())


def _unit_before(s: _Tokens, k: int) -> _Unit | None:
    """'the death toll rose to 20': a number with no noun after it counts the noun its verb follows."""
    linked = False
    if s.word(k) in ("to", "at", "of"):
        k, linked = k - 1, True
        if s.kind[k] == "num" and s.word(k - 1) == "from":  # "rose from 12 to 20"
            k -= 2
    for _ in range(2):
        if s.word(k) in LINK:
            k, linked = k - 1, True
    head = s.word(k)
    if not linked or not head or head in BREAK or head in ADJ or s.tok[k][:1].isupper() or head in OUTCOMES:
        return None
    noun = singular(head)
    if noun in TIME_UNITS:
        return None
    unit = _Unit(noun, noun, head, _plural(head), noun in GENERIC, k, k + 1)
    mod = s.word(k - 1)
    if mod and mod not in BREAK and not _adjective(s.tok[k - 1]) and mod not in LINK:
        unit.base, unit.label, unit.first = f"{mod} {noun}", f"{mod} {head}", k - 1
    return unit


def _money_or_measure(s: _Tokens, k: int, num: _Num, currency: str | None) -> tuple[str | None, str, int]:
    """(kind, base, end): a currency, percent or measure written after the number."""
    if currency:
        return "money", currency, k
    w, scaled = s.word(k), num.scale > 1
    if w in DOLLAR_NATIONS and s.word(k + 1) in ("dollar", "dollars"):
        return "money", DOLLAR_NATIONS[w], k + 2
    if w in CURRENCY_WORDS or (scaled and w in SCALED_CURRENCY_WORDS):
        if w == "pounds" or s.word(k + 1) == "sterling":
            return "money", "gbp", k + (2 if s.word(k + 1) == "sterling" else 1)
        return "money", CURRENCY_WORDS.get(w) or SCALED_CURRENCY_WORDS[w], k + 1
    if k < s.n and s.tok[k] in CODES:
        return "money", CODES[s.tok[k]], k + 1
    if k < s.n and s.tok[k] == "%":
        return "percent", "percent", k + 1
    if w in ("percent", "pct") or (w == "per" and s.word(k + 1) == "cent"):
        return "percent", "percent", k + (2 if w == "per" else 1)
    if w == "percentage" and s.word(k + 1) in ("point", "points"):
        return "percent", "percentage point", k + 2
    if num.measure:
        return "measure", num.measure, k
    if w == "square" and s.word(k + 1) in MEASURES:
        return "measure", "square " + MEASURES[s.low[k + 1]], k + 2
    if w in MEASURES and w != "ha":  # "5 km" is a measure; "ha" after a space is more often a laugh
        return "measure", MEASURES[w], k + 1
    return None, "", k


def _context(s: _Tokens, before: int, after: int, generic: bool, money: bool) -> tuple[str, str] | None:
    """(key, label) of what the number is about: an outcome next to it, or for a generic unit the word
    next to it ("20 people attended", "a $2bn deal", "20% of the vote", "the cost at $2bn")."""
    k = after
    while s.word(k) in AUX:
        k += 1
    if s.word(k) in OUTCOMES:
        return OUTCOMES[s.low[k]], OUTCOMES[s.low[k]]
    b = before
    while s.word(b) in ("the", "a", "an"):
        b -= 1
    if s.word(b) in OUTCOMES:
        return OUTCOMES[s.low[b]], OUTCOMES[s.low[b]]
    if not generic:
        return None
    if money:  # what the money is: the noun it modifies ("a $2bn deal", "$2bn in aid"), else the nearest
        # word before it that says ("fined", "the cost at"), else after it
        near = [after + (s.word(after) in ("in", "of", "for")), *range(before, before - MONEY_REACH, -1),
                *range(after + 1, after + MONEY_REACH)]
        for j in near:
            topic = MONEY_TOPICS.get(s.word(j)) or MONEY_TOPICS.get(singular(s.word(j)))
            if topic:
                return topic, topic
        return None
    w = s.word(k)
    if w == "of":
        np = _noun_phrase(s, k + 1 + (s.word(k + 1) in ("the", "a", "an", "its", "their")))
        if np and np.base:
            return f"{w} {np.head}", f"{w} {np.label}"
    elif w and w not in BREAK and w not in ADJ and s.tok[k][:1].islower():
        return stem(w), w
    for _ in range(3):  # "put the cost at $2bn", "turnout was 65%", "rose by 5%"
        if s.word(b) in BREAK or s.word(b) in LINK:
            b -= 1
    w = s.word(b)
    if w and w not in BREAK and w not in ADJ and w not in LINK and (b == 0 or s.tok[b][:1].islower()):
        return stem(w), w
    return None


@dataclass(slots=True)
class _Found:
    value: float
    qualifier: str | None
    low: float
    high: float
    text: str
    unit: _Unit
    context: tuple[str, str] | None


def _ends_figure(s: _Tokens, k: int) -> bool:
    """Token k ends a figure or a change ("... to 4.25 percent", "up"), so a "from N" after it is a
    value the figure changed from."""
    return 0 <= k < s.n and (s.kind[k] == "num" or s.tok[k] == "%" or s.low[k] in (
        "up", "down", "percent", "cent", "points", *CURRENCY_WORDS, *WORD_SCALES))


def _label_before(s: _Tokens, k: int) -> bool:
    """The word at k makes the number after it part of a name or label, a date or an age."""
    if k < 0 or s.kind[k] != "word":
        if k >= 1 and s.tok[k] == "." and s.word(k - 1) in ("no", "nos"):
            return True  # "No. 5"
        return k >= 1 and s.tok[k] == "." and s.tok[k - 1][:1].isupper() and s.low[k - 1] in MONTHS  # "Oct. 5"
    w, t = s.low[k], s.tok[k]
    if w in LABEL_WORDS or w in ("aged", "age") or (t[:1].isupper() and w in MONTHS):
        return True
    if t[:1].isupper() and not w.endswith("'s") and t not in CODES:
        return k > 0 or (w not in BREAK and w not in ADJ and w not in ("another", "exactly"))
    return False


def _number_starts(s: _Tokens) -> list[int]:
    """The tokens a number may start at: digits, and words such as "twelve", "a", "hundreds"."""
    return [i for i, (kind, low) in enumerate(zip(s.kind, s.low))
            if kind == "num" or (kind == "word" and low.split("-")[0] in _STARTS)]


def _figure_at(s: _Tokens, i: int) -> tuple[_Found | None, int]:
    """The figure whose number starts at token i (one of `_number_starts`), and the token to go on from."""
    # A currency before the number: "$2bn", "US$2 billion", "EUR 40m".
    first, currency = i, None
    if i > 0 and s.tok[i - 1] in SYMBOLS:
        first, currency = i - 1, SYMBOLS[s.tok[i - 1]]
        if s.tok[i - 1] == "$" and s.glued(i - 1) and s.low[i - 2] in DOLLAR_PREFIX:
            first, currency = i - 2, DOLLAR_PREFIX[s.low[i - 2]]
    elif i > 0 and s.tok[i - 1] in CODES:
        first, currency = i - 1, CODES[s.tok[i - 1]]
    num = _number(s, i, currency is not None)
    if not isinstance(num, _Num):
        return None, i + 1  # no number, or one that is no figure
    # The qualifier before it.
    qualifier = kind = None
    for size in (3, 2, 1):
        words = tuple(s.word(k) for k in range(first - size, first))
        if first - size >= 0 and words in QUALIFIERS:
            qualifier, kind, first = " ".join(words), QUALIFIERS[words], first - size
            break
    end = num.end
    if s.kind[i] == "num" and currency is None and qualifier is None:
        tok = s.tok[i]
        if (len(tok) == 4 and tok.isdigit() and 1500 <= int(tok) <= 2199 and num.scale == 1
                and num.measure is None and not (end < s.n and s.tok[end] == "%")):
            return None, end  # a year
        if (i == 0 and end < s.n and s.tok[end] in ".):") or (
                s.text[s.start[i] - 1:s.start[i]] == "(" and s.text[s.end[i]:s.end[i] + 1] == ")"):
            return None, end  # a list marker: "1.", "(3)"
        if end < s.n and s.kind[end] == "num" and not s.glued(end):
            return None, end + 1  # digit groups: a phone number or a code
    if _TIME_AFTER.match(s.text, s.end[end - 1]):
        return None, end  # a time: "8 a.m.", "five o'clock"
    if currency is None and qualifier is None and _label_before(s, i - 1):
        return None, end  # "Article 5", "flight 370", "October 5", "aged 45", "No. 5"
    if s.word(end) in MONTHS and s.tok[end][:1].isupper():
        return None, end + 1  # "5 October"
    if num.word in SMALL and s.word(first - 1) in REFERENCE:
        return None, end  # "the two companies", "all three airlines": things already named
    if s.word(first - 1) == "from" and (s.word(end) == "to" or _ends_figure(s, first - 2)):
        return None, end  # "rose from 12 to 20", "up from 58", "to 4.25% from 4.5%": the earlier value
    value = num.value
    low = high = value
    # A range: "between 10 and 15", "10 to 15 million", "10-15", "two or three".
    joint = s.tok[end] if end < s.n else ""
    if (joint in ("to", "or") or (joint == "and" and s.word(first - 1) == "between")
            or (joint == "-" and s.glued(end) and s.glued(end + 1) and s.kind[end + 1] == "num")) and end + 1 < s.n:
        other = _digits(s, end + 1, currency is not None, True) if s.kind[end + 1] == "num" else (
            _words(s, end + 1) if s.kind[end + 1] == "word" else None)
        if isinstance(other, _Num) and s.word(first - 1) != "from":
            lo = _times(value, other.scale) if num.scale == 1 and other.scale > 1 else value
            if other.value > lo:
                qualifier, kind, low, high, end = "between", None, lo, other.value, other.end
                value = lo
                if s.word(first - 1) == "between":
                    first -= 1
        if joint == "-" and qualifier != "between":
            return None, end + 2  # "3-0", "555-0142": a score or a code
    if num.vague:
        qualifier, low, high = num.vague
    elif kind:
        f_low, f_high = RANGES[kind]
        low, high = value * f_low / 10, (value * f_high / 10 if f_high is not None else INF)
    elif s.word(end) == "or" and s.word(end + 1) in ("more", "so"):
        qualifier, end = f"or {s.low[end + 1]}", end + 2
        low, high = (value, INF) if qualifier == "or more" else (value * 9 / 10, value * 11 / 10)
    elif s.glued(end) and s.tok[end] == "+":
        qualifier, low, high, end = "or more", value, INF, end + 1
    elif s.glued(end) and s.tok[end] == "-" and s.word(end + 1) == "plus":
        qualifier, low, high, end = "or more", value, INF, end + 2
    # The unit.
    money_kind, base, unit_end = _money_or_measure(s, end, num, currency)
    if money_kind:
        label = CURRENCY_LABELS.get(base, base) if money_kind == "money" else base
        unit = _Unit(base, base, label, True, base != "magnitude", end, unit_end)
    elif s.word(first - 1) == "magnitude":
        unit = _Unit("magnitude", "magnitude", "magnitude", False, False, first - 1, end)
        first -= 1
    else:
        # no noun: kept below only when an outcome names what happened ("3 killed", "injured 40 others")
        unit = _noun_phrase(s, end) or _unit_before(s, first - 1) or _Unit("", "", "", False, False, end, end)
        if unit.head in TIME_UNITS:
            return None, unit.end  # a duration or an age
    if unit.outcome:
        context = (unit.outcome, unit.outcome)
    else:
        context = _context(s, first - 1, max(unit.end, end), unit.generic, money_kind == "money")
    if not unit.base and context is None:
        return None, max(unit.end, end)  # a number of nothing named
    if num.word == "one" and qualifier is None and (context is None or context[0] not in _OUTCOME_NAMES):
        return None, max(unit.end, end)  # "one" alone is mostly a pronoun: "one of them", "one official said"
    last = max(unit.end, end) - 1
    a = s.start[min(first, unit.first) if unit.base else first]
    return _Found(value, qualifier, low, high, s.raw[a:s.end[last]], unit, context), last + 1


def sentence_numbers(sentence: str) -> frozenset[float]:
    """Every number the sentence writes, normalised ("two hundred", "200", "0.2K" -> 200.0), whether a
    figure or not: what two wordings must have in common before they can state one thing."""
    if not _MAYBE.search(sentence):
        return frozenset()
    s = _Tokens(sentence)
    out: set[float] = set()
    i = 0
    while i < s.n:
        num = _number(s, i, False)
        if isinstance(num, _Num):
            out.add(num.value)
            i = max(num.end, i + 1)
        else:
            i += 1
    return frozenset(out)


def sentence_figures(sentence: str) -> list[_Found]:
    """Every figure in one sentence, in reading order."""
    if not _MAYBE.search(sentence):
        return []
    s = _Tokens(sentence)
    out, i = [], 0
    for k in _number_starts(s):
        if k < i:
            continue  # inside the figure before
        found, i = _figure_at(s, k)
        if found is not None:
            out.append(found)
        i = max(i, k + 1)
    return out


def story_figures(articles: list[Article]) -> tuple[Figure, ...]:
    """Figures given by most sources first; conflicts flagged. A copy of another of `articles` is no
    source of its own and is left out."""
    ids = {a.id for a in articles}
    groups: dict[tuple[str, str], list[tuple[FigureMention, _Found]]] = {}
    for a in articles:
        if a.duplicate_of in ids:
            continue
        for n, sentence in enumerate(article_sentences(a)):
            for f in sentence_figures(sentence):
                mention = FigureMention(a.id, n, f.text, float(f.value), f.qualifier, float(f.low), float(f.high))
                groups.setdefault((f.unit.base, f.context[0] if f.context else ""), []).append((mention, f))
    # A bare unit joins its one more specific form: "crates" and "cargo crates".
    specific: dict[tuple[str, str], set[str]] = {}
    by_context: dict[str, set[str]] = {}
    for base, context in groups:
        if base:
            by_context.setdefault(context, set()).add(base)
        if " " in base:
            specific.setdefault((base.rsplit(" ", 1)[1], context), set()).add(base)
    for base, context in list(groups):
        forms = specific.get((base, context), set())
        if len(forms) == 1:
            groups[(forms.pop(), context)] += groups.pop((base, context))
            by_context[context].discard(base)
    # An outcome without a unit ("3 killed") joins the one unit counted with that outcome.
    for base, context in list(groups):
        if not base and context and len(by_context.get(context, ())) == 1:
            groups[(next(iter(by_context[context])), context)] += groups.pop((base, context))
    order = {a.id: n for n, a in enumerate(articles)}
    figures = []
    for (base, context), members in groups.items():
        members.sort(key=lambda mf: (order[mf[0].article_id], mf[0].sentence))
        mentions = tuple(m for m, _ in members)
        unit = next((f.unit for _, f in members if f.unit.base == base and f.unit.plural), None) or next(
            (f.unit for _, f in members if f.unit.base == base), members[0][1].unit)
        context_label = next((f.context[1] for _, f in members if f.context and f.context[0] == context), context)
        if not base:
            key, label = context, context_label
        else:
            key = f"{base} {context}" if context else base
            label = f"{unit.label} ({context_label})" if context else unit.label
        conflict = max(m.low for m in mentions) > min(m.high for m in mentions)
        figures.append(Figure(key, label, mentions, conflict))
    first = {id(f): (order[f.mentions[0].article_id], f.mentions[0].sentence) for f in figures}
    figures.sort(key=lambda f: (-len(f.article_ids), first[id(f)]))
    return tuple(figures)
