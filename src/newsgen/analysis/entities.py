"""People, organisations and places a story names, with the sources that name each.

How it works: one pass over the sentences, then a few dictionary look-ups per name (near-linear; no
pairwise comparison of names).

* **Names** are runs of capitalised words ("of", "for" and the like may sit inside). A run is cut where it
  holds two things: at a possessive ("Chile's Interior Minister Carla Soto" -> "Chile" + "Carla Soto"), at
  an adjective compound ("Swedish-owned"), at a pair of places ("Chile-Peru") and between a person and an
  "of ..." ("Chief Dana Okoro of the Fire District"). A title before a name makes it a person and is cut
  off; what stood before the title is a name of its own when it is one ("UK Secretary ..." -> "UK").
  Nationality adjectives and bare titles ("Norwegian", "Foreign Affairs") are no entities.
* **Where a capital letter proves nothing**: the first word of a sentence and the words of a headline in
  Title Case are capitalised by grammar. Such a word counts only when the story names it elsewhere, or it
  is a country, or a capital of a country the story names ("Ankara said ..." in a story naming Turkey).
* **Variants join** on a key that ignores case, accents, hyphens, middle initials and a leading "the"
  ("Lee Min-ho" / "Lee Min Ho"). Countries join through data: GeoNames' country names and the three-letter
  ISO codes that are not English words (two-letter codes never: IT, IN, AT are words, TV and PM other
  things), plus a hand table of common short, acronym and official long forms ("PRC", "People's Republic
  of China", "Britain", "S. Africa"). An acronym spelled out in the text, "Harbour Safety Board (HSB)",
  joins its long form. The same words in the other order are one person ("Tanaka Hiroshi" / "Hiroshi
  Tanaka": East Asian names are printed both ways), and so are first names differing only in their last
  letter before one surname ("Andrei" / "Andrey").
* **A short form joins the one longer name it is part of**: a multi-word tail ("Workers Union" -> "Port
  Workers Union"), a single word that ends a name ("Ruiz" -> "Ana Ruiz") or that begins a person's name.
  The last is for East Asian order: with "Choi Hana" in the story, "Choi" alone is that person (family
  name first), as "Ruiz" is Ana Ruiz's. A word that two names could take joins neither, and a place never
  joins as a short form ("Guinea" is not "Equatorial Guinea").
* The entity is named by its most common full form (no acronym, short form or leading initial); the rest
  are its aliases. A capital or seat of government named for its government ("Ankara said", "Downing
  Street said") stays its own entity, **linked** to its country when the story names that country too
  (and the country to it): GeoNames' capitals, and a hand table of seats.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from ..features import STOPWORDS
from ..model import Article, Entity
from ..text import fold, split_sentences

TITLES = re.compile(
    r"^(?:(?:former|acting|deputy|vice|prime|foreign|defen[cs]e|interior|finance|chief|senior|national|"
    r"security|state|general|attorney|lieutenant|secretary|minister|president|director|spokes(?:man|woman|person)|"
    r"chairman|chairwoman|chair|governor|mayor|sheriff|senator|representative|ambassador|commander|"
    r"professor|prof\.?|dr\.?|mr\.?|mrs\.?|ms\.?|pres\.?|gen\.?|sen\.?|rep\.?|gov\.?|col\.?|lt\.?|sgt\.?|"
    r"king|queen|prince|princess|pope|leader|chancellor|premier|judge|justice|officer|inspector|captain|"
    r"ceo|cfo|coo|founder|executive|economist|analyst|adviser|advisor|spokesperson|of|the|affairs|"
    r"foreign\s+affairs|general|chief\s+executive)\s+)+", re.I)
TITLE_WORD = re.compile(
    r"\b(president|minister|secretary|spokes(man|woman|person)|leader|director|governor|mayor|sheriff|"
    r"senator|ambassador|professor|prof|chancellor|premier|king|queen|pope|commander|chief|chairman|"
    r"chairwoman|judge|ceo|adviser|advisor|dr|mr|mrs|ms|pres|gen|sen|rep|gov|col|lt|sgt|economist|analyst)\.?$",
    re.I)
ORG_WORDS = re.compile(
    r"\b(ministry|department|council|university|agency|foundation|institute|committee|organi[sz]ation|"
    r"association|union|bank|group|company|corporation|corp|inc|ltd|party|court|army|navy|air force|forces?|"
    r"center|centre|service|commission|house|kremlin|pentagon|congress|parliament|senate|nations|board|"
    r"office|authority|administration|police|district|school|college|hospital|league|federation|fund|"
    r"network|news|times|post|journal|press|media|airlines?|terminals?|lines?|chamber|assembly|cabinet|"
    r"guard|command|alliance|coalition|bureau|society|trust|club|team|studio|labs?|systems|industries|"
    r"museum|church|studies|program(?:me)?)\b",
    re.I)
# Nouns that make a name a site on the map, not a body of people.
PLACE_WORDS = re.compile(
    r"\b(peninsula|island|islands|isle|river|sea|ocean|gulf|bay|strait|lake|mountains?|mount|valley|desert|"
    r"province|region|county|state|city|airport|port|harbou?r|facility|plant|base|square|street|bridge|"
    r"station|canal|coast|border|republic|kingdom|states|emirates)\b", re.I)
# Continents and regions GeoNames lists as no country.
REGIONS = frozenset("""africa asia europe antarctica oceania americas arctic balkans caribbean scandinavia
england scotland wales""".split()) | {"middle east", "far east", "latin america", "north america", "south america",
                                      "central america", "central asia", "east asia", "southeast asia",
                                      "south asia", "west africa", "east africa", "northern ireland", "west bank"}
STOP_NAMES = frozenset(fold(w) for w in """
The A An In On At But And Or If As This That These Those He She It They We I You His Her Its Their Our
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December Today Yesterday Tomorrow Earlier Later Meanwhile However
According Among Amid After Before During While Since Despite Although Also Last Next Some Many Most
Read More Related Sources Source Facts Narratives Update Updated Photo Image Video Watch Listen
Establishment Pro Anti Western Eastern Northern Southern Mr Mrs Ms Dr
""".split())
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100\u0106\u010c\u010e\u0110\u0112\u0116\u0118\u011a\u011e\u012a\u0130" \
    "\u0141\u0143\u0147\u014c\u0150\u0152\u0158\u015a\u015e\u0160\u0162\u0164\u016a\u016e\u0170\u0179\u017b\u017d"
# A word that starts with a capital ("Élysée", "Łódź" too), a web name ("Booking.com") or initials ("U.S.").
_TOKEN = r"(?:(?:[A-Z]\.){2,}|[" + _UPPER + r"][\w\u2019'\-]*(?:\.(?:com|net|org|io)\b)?\.?|[A-Z]\.)"
_LINK = r"(?:of|for|de|da|del|la|von|van|bin|al)"
NAME = re.compile(r"(?<![\w.'\u2019])" + _TOKEN + r"(?:[ \u00a0](?:" + _LINK + r"[ \u00a0](?:the[ \u00a0])?)?" + _TOKEN + r")*")
PERSON_AFTER = re.compile(r"(,\s+(a|an|the|who|\d+)\b|\s+(said|says|told|added|noted|wrote|argued|stated|declared|"
                          r"warned|met|visited|thanked|urged|called|announced|explained|insisted|denied)\b)")
PLACE_CUE = re.compile(r"\b(in|near|from|to|across|outside|into|toward|towards|visit(?:ed|s)?)\s+(the\s+)?$", re.I)
ACRONYM_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&.]{1,9})\s*\)")  # checked: mostly capitals (_acronym_long_form)
INITIALS_END = re.compile(r"(?:[A-Z]\.){2}$")  # "U.S.": its last dot is no full stop
# "S.Africa", "J.Smith": a space was lost. The letter opens a word: the look-behind after it (no word character
# before it) lets the search skip from capital to capital.
GLUED_INITIAL = re.compile(r"([A-Z])(?<!\w.)\.(?=[A-Z][a-z])")
DIGIT = re.compile(r"\d")
POSSESSIVE = re.compile(r"['\u2019][sS]?$")
# A possessive of a plural common noun belongs to the name ("People's Party", "Women's League").
PLURAL_OWNERS = frozenset("people peoples women men children workers veterans farmers citizens".split())
# "-owned", "-based", "-style": a name turned into an adjective ("Swedish-owned", "Paris-based").
COMPOUND_TAIL = re.compile(r"^(?:[a-z]+ed|made|led|run|born|based|style|type|era|like|class|level|wide|bound|"
                           r"speaking|critical|friendly|leaning|held|built|owned|linked|backed)$")

# Country names and abbreviations in common English use that GeoNames does not list, with the GeoNames
# name they stand for: acronyms (matched exactly, in capitals only), then official long forms, older
# names and shortened ones. Reason: news says "the PRC", "Britain" or "Holland" for a country whose
# GeoNames name is another.
COUNTRY_FORMS = {
    "United States": "US U.S. USA U.S.A. America|United States of America",
    "United Kingdom": "UK U.K. GB|Britain|Great Britain|United Kingdom of Great Britain and Northern Ireland",
    "United Arab Emirates": "UAE U.A.E.|Emirates",
    "North Korea": "DPRK|Democratic People's Republic of Korea",
    "South Korea": "ROK|Republic of Korea",
    "China": "PRC|People's Republic of China|Mainland China",
    "Taiwan": "ROC|Republic of China",
    "Russia": "|Russian Federation",
    "Democratic Republic of the Congo": "DRC|DR Congo|D.R. Congo|Congo-Kinshasa|Democratic Republic of Congo",
    "Republic of the Congo": "|Congo-Brazzaville|Congo Republic",
    "Saudi Arabia": "KSA|Kingdom of Saudi Arabia",
    "The Netherlands": "|Netherlands|Holland",
    "Czechia": "|Czech Republic",
    "Turkey": "|Türkiye|Turkiye",
    "Myanmar": "|Burma",
    "Ivory Coast": "|Côte d'Ivoire|Cote d'Ivoire",
    "Eswatini": "|Swaziland",
    "Timor Leste": "|East Timor|Timor-Leste",
    "Cabo Verde": "|Cape Verde",
    "North Macedonia": "|Macedonia",
    "Vatican": "|Holy See",
    "Vietnam": "|Viet Nam",
    "Palestinian Territory": "|Palestine|Palestinian Territories|State of Palestine",
    "Iran": "|Islamic Republic of Iran",
    "Syria": "|Syrian Arab Republic",
    "Laos": "|Lao PDR",
    "Ireland": "|Republic of Ireland",
    "Germany": "|Federal Republic of Germany",
    "Brunei": "|Brunei Darussalam",
    "Kyrgyzstan": "|Kyrgyz Republic",
    "Slovakia": "|Slovak Republic",
}
# Three-letter ISO codes that are English words or mostly stand for something else (CAF is African
# football, ETH a university, TLS a protocol, NPL a bad loan): never read as the country.
ISO3_NOT_COUNTRY = frozenset("""AND ANT ARE ARM BEN CAN COG COL COM CUB DOM EST FIN GAB GIN GUY HUN JAM KEN MAC
MAR NAM NOR PAN PER POL SEN SUR TON TUN CAF ETH IND IRL MDG MRT NPL SDN TLS ECU GEO UGA BTN""".split())
# Other spellings of capitals (GeoNames keeps one); each joins the GeoNames form.
CAPITAL_FORMS = {"Kiev": "Kyiv", "Astana": "Nur-Sultan", "Naypyidaw": "Nay Pyi Taw", "Sana'a": "Sanaa",
                 "Bogotá": "Bogota", "Brasília": "Brasilia", "Asunción": "Asuncion", "Yaoundé": "Yaounde"}
# Seats of government that news names for the government, like a capital ("the Kremlin said").
SEATS = {"Kremlin": "Russia", "White House": "United States", "Pentagon": "United States",
         "Capitol Hill": "United States", "Downing Street": "United Kingdom", "Whitehall": "United Kingdom",
         "Elysee": "France", "Blue House": "South Korea", "Zhongnanhai": "China", "Quai d'Orsay": "France"}

EXTRA_DEMONYMS = ("British French Dutch Swiss Greek Thai Turkish Polish Spanish Swedish Danish Finnish Irish "
                  "Scottish Welsh English Filipino Western Eastern European African Asian Arab Kurdish Czech "
                  "Slovak Serbian Croatian Ukrainian Russian American Soviet Allied Islamic Muslim Christian "
                  "Jewish Catholic Democratic Republican Conservative Liberal Labour").split()
COMPASS = frozenset({"north", "south", "east", "west"})
LEGAL_FORMS = frozenset("inc incorporated corp corporation co ltd limited llc plc sa ag nv gmbh spa".split())
PREFIXES = frozenset({"pro", "anti", "non", "ex", "post", "pre"})


@lru_cache(maxsize=1 << 16)  # names repeat: a story of 500 articles looks up the same few thousand
def _plain(text: str) -> str:
    """A comparison key for one word or phrase: accents too are ignored ("Bogotá" = "Bogota")."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return fold(text)


class _Gazetteer:
    """Country forms, capitals, places and nationality adjectives, each as keys (see `_key`)."""

    def __init__(self) -> None:
        from .geonames import geonames

        countries, states, cities = geonames()
        self.codes: dict[str, str] = {}  # exact upper-case form -> country key
        self.forms: dict[str, str] = {}  # _plain(form) -> country key
        for c in countries:
            name = c["name"].strip()
            key = _words_key(name.removeprefix("The "))
            self.forms[_plain(name)] = key
            if c["population"] >= 500_000 and c["iso3"] not in ISO3_NOT_COUNTRY:
                self.codes[c["iso3"]] = key  # small territories' codes are rarely theirs in the news
            first, _, rest = name.partition(" ")
            if first in ("North", "South") and " " not in rest:  # "S. Africa", "N.Macedonia"
                self.forms[_plain(first[0] + rest)] = key
        for name, forms in COUNTRY_FORMS.items():
            codes, _, longs = forms.partition("|")
            key = _words_key(name.removeprefix("The "))
            self.codes.update((code, key) for code in codes.split())
            self.forms.update((_plain(form), key) for form in longs.split("|") if form)
        self.country_keys = frozenset(self.forms.values())
        self.capitals: dict[str, set[str]] = defaultdict(set)  # capital key -> country keys
        for c in countries:
            if c.get("capital") and c["capital"] != c["name"]:
                self.capitals[_words_key(c["capital"])].add(_words_key(c["name"].removeprefix("The ")))
        self.seats = frozenset(_words_key(k) for k in SEATS)
        self.capitals.update((_words_key(k), {_words_key(v)}) for k, v in SEATS.items())
        self.variants = {_words_key(k): _words_key(v) for k, v in CAPITAL_FORMS.items()}
        places = {c["name"] for c in countries} | {s["name"] for s in states}
        places.update(cities)
        places.update(c["capital"] for c in countries if c.get("capital"))
        self.places = frozenset(_words_key(p) for p in places) | self.country_keys | REGIONS | \
            frozenset(k for k in self.capitals if k not in self.seats)
        generic = {"islands", "island", "republic", "kingdom", "states", "coast", "territory", "territories",
                   "man", "saint", "martin", "lucia", "tome", "principe", "pierre", "verde", "helena", "kong"}
        demonyms = set(w.lower() for w in EXTRA_DEMONYMS)
        for c in countries:
            last = c["name"].split()[-1].lower()
            if last in generic or len(last) < 4:
                continue
            stem = last[:-1] if last[-1] in "aeoy" else last
            demonyms.update({last + "n", last + "an", last + "ian", last + "ese", last + "i", stem + "an",
                             stem + "ian", stem + "ese", stem + "i", stem + "ish"})
        self.demonyms = frozenset(_plain(w) for w in demonyms)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    return _Gazetteer()


@lru_cache(maxsize=1 << 16)
def _words_key(name: str) -> str:
    """Words folded and spaced: hyphens, middle initials, a leading "the", a company's legal form and
    web suffix ("Nexa.com Inc" = "Nexa") do not count."""
    tokens = re.split(r"[\s\-\u2010-\u2013]+", name)
    tokens = [t for j, t in enumerate(tokens) if not (0 < j < len(tokens) - 1 and re.fullmatch(r"[A-Z]\.", t))]
    if tokens and tokens[0].lower() == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    while len(tokens) > 1 and _plain(tokens[-1]) in LEGAL_FORMS:
        tokens = tokens[:-1]
    tokens[-1:] = [re.sub(r"\.(?:com|net|org|io)$", "", t) for t in tokens[-1:]]
    return " ".join(w for w in map(_plain, tokens) if w)


def _country(name: str) -> str | None:
    """The country key of a country form, or None ("PRC" and "Britain" are countries; "Can" is not)."""
    g = _gazetteer()
    return g.codes.get(name) or g.forms.get(_plain(name))


@lru_cache(maxsize=1 << 16)
def _key(name: str) -> str:
    """Variants of one name meet on this key."""
    key = _country(name) or _words_key(name)
    return _gazetteer().variants.get(key, key)


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace(" ", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _is_filler(tokens: list[str]) -> bool:
    """Nationality adjectives and bare title words: 'West African', 'Americans', 'Foreign Affairs'."""
    g = _gazetteer()
    keys = [_plain(t) for t in tokens]
    if not keys or _country(" ".join(tokens)):
        return False
    return not all(k in COMPASS for k in keys) and all(
        k in g.demonyms or k.removesuffix("s") in g.demonyms or k in COMPASS or _title_start(t)
        for k, t in zip(keys, tokens))


def _acronym_long_form(before: str, acronym: str) -> int | None:
    """Where the long form of `acronym` starts in `before` ("... the Department for Transport" + "DfT"):
    one capitalised word for each capital letter, small linking words skipped."""
    letters = [c for c in acronym if c.isupper()]
    if len(letters) < 2 or len(letters) < sum(c.islower() for c in acronym):
        return None  # "(Reuters)" spells out nothing
    words = list(re.finditer(r"\S+", before))
    i = len(words)
    while letters and i > 0:
        i -= 1
        word = words[i].group(0)
        if word.lower() in ("of", "for", "and", "the", "on", "&", "de", "in"):
            continue
        if word[0] != letters[-1]:
            return None
        letters.pop()
    return words[i].start() if not letters and len(words) - i > 1 else None


@lru_cache(maxsize=1 << 16)
def _split_run(text: str) -> tuple[tuple[str, bool], ...]:
    """A run of capitalised words -> its names, each with whether a title marked it as a person."""
    g = _gazetteer()
    segments: list[list[str]] = [[]]
    owner_of: dict[int, str] = {}  # segment index -> the possessive that ends the segment before it
    for token in text.split():
        head, _, tail = token.partition("-")
        if tail and ((tail[:1].islower() and (COMPOUND_TAIL.match(tail) or _plain(head) in STOP_NAMES)) or
                     (_plain(head) in PREFIXES and _plain(tail) in g.demonyms)):
            segments.append([])  # "Swedish-owned", "Pro-business", "Anti-American": no name
        elif tail and all(_key(p) in g.places for p in token.split("-")) and _key(token) not in g.places:
            segments.extend([[p] for p in token.split("-")] + [[]])  # "Chile-Peru": both
        elif DIGIT.search(token):
            segments.extend([[token], []])  # "F-16", "G20": a name of its own
        elif POSSESSIVE.search(token) and _plain(POSSESSIVE.sub("", token)) not in PLURAL_OWNERS:
            segments[-1].append(POSSESSIVE.sub("", token))
            owner_of[len(segments)] = " ".join(segments[-1][:-1] + [token])
            segments.append([])
        else:
            segments[-1].append(token)
    out: list[tuple[str, bool]] = []
    for i, tokens in enumerate(segments):
        while tokens and _plain(tokens[0]) in STOP_NAMES and not _country(" ".join(tokens)):  # "the" too
            tokens = tokens[1:]  # "DR Congo" keeps its "DR"
        if len(tokens) > 1 and _is_acronym(tokens[-1]) and _is_filler(tokens[:-1]):
            tokens = tokens[-1:]  # "Italian IT": the adjective is no part of the name
        prefix, tokens, titled = _strip_title(tokens)
        while prefix and prefix[-1] in ("and", "of", "for", "the"):
            prefix = prefix[:-1]
        if prefix and not _is_filler(prefix) and (len(prefix) > 1 or _country(prefix[0]) or
                                                  _key(prefix[0]) in g.places or _is_acronym(prefix[0])):
            out.append((" ".join(prefix), False))  # "UK Secretary of State ..." -> "UK"
        link = next((j for j, t in enumerate(tokens) if t in ("of", "for")), None)
        if link and (titled or not ORG_WORDS.search(tokens[link - 1]) and (
                tokens[link] == "for" or link > 1 and not PLACE_WORDS.search(tokens[link - 1]))):
            rest = tokens[link + 1:]
            out.append((" ".join(rest[1:] if rest[:1] == ["the"] else rest), False))
            tokens = tokens[:link]
        if not tokens or _is_filler(tokens):
            continue
        name = " ".join(tokens)
        if i in owner_of and ORG_WORDS.search(name) and not titled:
            name = f"{owner_of[i]} {name}"  # "Chile's Health Ministry"
        out.append((name, titled))
    return tuple((n, t) for n, t in out if n)


def _strip_title(tokens: list[str]) -> tuple[list[str], list[str], bool]:
    """['UK', 'Secretary', 'of', 'State', 'Mary', 'K.', 'Okafor'] -> (['UK'], ['Mary', 'K.', 'Okafor'], True)."""
    if _country(" ".join(tokens)):
        return [], tokens, False  # "DR Congo"
    for i in range(len(tokens)):
        if not _title_start(tokens[i]):
            continue  # TITLES cannot match there
        rest = " ".join(tokens[i:]) + " "
        m = TITLES.match(rest)
        if m and m.end() < len(rest) and any(_title_word(t) for t in rest[:m.end()].split()):
            return tokens[:i], rest[m.end():].split(), True
    return [], tokens, False


@lru_cache(maxsize=1 << 14)  # the same few thousand words stand before names
def _title_word(word: str) -> bool:
    """Whether the word is a title ("Minister", "Dr.") that makes the name after it a person's."""
    return bool(TITLE_WORD.search(word))


@lru_cache(maxsize=1 << 14)
def _title_start(word: str) -> bool:
    """Whether TITLES matches words that begin with this one (a match opens with a title word of its own)."""
    return bool(TITLES.match(word + " "))


def _runs(sentence: str):
    """(start, end) of each capitalised run; "A of B and C" stays one run when it names one body
    ("Department of Health and Human Services") or one country ("Bosnia and Herzegovina")."""
    runs = [[m.start(), m.end()] for m in NAME.finditer(sentence)]
    merged: list[list[int]] = []
    for run in runs:
        if merged and sentence[merged[-1][1]:run[0]] == " and ":
            left, whole = sentence[slice(*merged[-1])], sentence[merged[-1][0]:run[1]]
            head = re.split(r" (?:of|for) ", left)[0]
            right = sentence[slice(*run)]
            if _country(whole) or (head != left and ORG_WORDS.search(head) and not _country(right)
                                   and not _strip_title(right.split())[2]):
                merged[-1][1] = run[1]
                continue
        merged.append(run)
    return merged


def _mentions(text: str):
    """(name, hint, initial, defines) for each name in `text`. `initial`: capitalised only by grammar
    perhaps (a sentence's first word); `defines`: the acronym this long form is spelled out for."""
    for sentence in split_sentences(GLUED_INITIAL.sub(r"\1. ", text)):
        for m in ACRONYM_DEF.finditer(sentence):
            start = _acronym_long_form(sentence[:m.start()], m.group(1))
            if start is not None:
                long = sentence[start:m.start()].strip()
                yield long, None, False, m.group(1)
                yield m.group(1), None, False, None
                sentence = sentence[:start] + " " * (m.end() - start) + sentence[m.end():]
        previous = None  # (end, hint) of the last run: "in Lisbon and Porto" are both places
        for start, end in _runs(sentence):
            before = sentence[:start].rstrip()
            at_start = not before or before[-1] in "\"\u201c\u2018'("
            hint = None
            if _place_cue(sentence[:start]) or (previous and previous[1] == "place?" and
                                                re.fullmatch(r",? (?:and |or )?|, ", sentence[previous[0]:start])):
                hint = "place?"
            if _title_word(before.rsplit(" ", 1)[-1]) or PERSON_AFTER.match(sentence, end):
                hint = "person"
            run = sentence[start:end]
            if run.startswith("The ") and not at_start:
                hint = hint or "organisation?"  # "The Ledger": a title that keeps its "The"
            for name, name_hint, first in _run_names(run, hint, at_start):
                yield name, name_hint, first, None
            previous = (end, hint)


def _place_cue(before: str) -> bool:
    """Whether PLACE_CUE matches at the end of `before`. A match spans at most its last two words (a cue
    word, "the", spaces), so only they are searched, each run of spaces as one: the cost does not grow with
    the sentence."""
    words = before.rsplit(None, 2)[-2:]
    return before[-1:].isspace() and bool(PLACE_CUE.search(" ".join(words) + " "))


@lru_cache(maxsize=1 << 16)
def _run_names(run: str, hint: str | None, at_start: bool) -> tuple[tuple[str, str | None, bool], ...]:
    """(name, hint, initial) of each name in one capitalised run, given the run's context: its `hint` and
    whether it opens a sentence (see `_mentions`)."""
    out = []
    for n, (name, titled) in enumerate(_split_run(run)):
        name = name if INITIALS_END.search(name) else name.rstrip(".,")
        if n == 0 and hint == "organisation?" and run[4:].startswith(name):
            name = "The " + name
        if name.isupper() and len(name) > 3 and name not in _gazetteer().codes and _key(name) in _gazetteer().places:
            name = name.title()  # a dateline: "LISBON (Reuters) -"
        if len(name) < 2 or (_plain(name) in STOP_NAMES and not _is_acronym(name)) or _plain(name) in LEGAL_FORMS:
            continue
        first = at_start and n == 0 and not titled and not _is_acronym(name) and \
            POSSESSIVE.sub("", run.split()[0]) == name.split()[0]
        out.append((name, "person" if titled else hint, first))
    return tuple(out)


def _title_case(title: str) -> bool:
    """Every content word capitalised: then capitals in it say nothing about names."""
    ws = re.findall(r"[^\W\d_][\w'\u2019\-]*", title)
    content = [w for w in ws[1:] if len(w) > 3 and w.lower() not in STOPWORDS]
    return bool(content) and all(w[0].isupper() for w in content)


def _headline_names(title: str, known):
    """Names in a Title Case headline that `known` accepts: the longest run of up to 6 words, left to right."""
    ws = [w.rstrip("'\u2019\"") for w in re.findall(r"\w[\w.'\u2019\-]*", GLUED_INITIAL.sub(r"\1. ", title))]
    ws = [w if re.fullmatch(r"(?:[A-Z]\.)+", w) else w.rstrip(".") for w in ws]
    i = 0
    while i < len(ws):
        for n in range(min(6, len(ws) - i), 0, -1):
            span = ws[i:i + n]
            if all(w[:1].isupper() or (0 < j < n - 1 and w in ("of", "for", "and", "the"))
                   for j, w in enumerate(span)) and known(name := POSSESSIVE.sub("", " ".join(span))):
                yield name
                i += n
                break
        else:
            i += 1


class _Story:
    """The entries of one story: key -> forms with counts, article ids and hints; joins are a union-find."""

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}
        self.parent: dict[str, str] = {}

    def add(self, name: str, aid: str, hint: str | None) -> str:
        key = _key(name)
        if key in self.parent:
            key = self.root(key)
        else:
            self.parent[key] = key
            self.entries[key] = {"names": defaultdict(int), "ids": set(), "hints": set(), "short": set()}
        e = self.entries[key]
        e["names"][name] += 1
        e["ids"].add(aid)
        if hint:
            e["hints"].add(hint)
        return key

    def root(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = key = self.parent[self.parent[key]]
        return key

    def join(self, key: str, target: str, short: bool = False) -> None:
        """Merge `key`'s entry into `target`'s; a short form's names never name the entity."""
        a, b = self.root(key), self.root(target)
        if a == b:
            return
        e, t = self.entries.pop(a), self.entries[b]
        for n, c in e["names"].items():
            t["names"][n] += c
        t["ids"] |= e["ids"]
        t["hints"] |= e["hints"]
        t["short"] |= set(e["names"]) if short else e["short"]
        self.parent[a] = b

    def keys_of(self, root: str) -> set[str]:
        return {_key(n) for n in self.entries[root]["names"]}


def _personal(e: dict) -> bool:
    return "person" in e["hints"]


def _main_name(e: dict) -> str:
    """The most common full form: no acronym, no short form and no leading initial ("S. Africa") when
    there is one; on a tie a country's usual name ("China", not "People's Republic of China"), then the
    fuller form."""
    if len(e["names"]) == 1:
        return next(iter(e["names"]))
    forms = [n for n in e["names"] if n not in e["short"]] or list(e["names"])
    forms = [n for n in forms if not _is_acronym(n) and not re.match(r"[A-Z]\.\s", n)] or forms
    usual = _gazetteer().country_keys
    return max(forms, key=lambda n: (e["names"][n], _words_key(n) in usual, len(n.split()), len(n), n))


def _kind(name: str, forms: list[str], hints: set) -> str:
    """What `name` is, from its words, its other full `forms` ("Nexa Inc" makes "Nexa" a company), GeoNames
    and the `hints` its contexts gave."""
    g, key = _gazetteer(), _key(name)
    if key in g.places:
        return "place"
    if key in g.seats or any(ORG_WORDS.search(n) for n in forms) or _is_acronym(name):
        return "organisation"
    if "person" in hints:
        return "person"
    if PLACE_WORDS.search(name) or "place?" in hints:
        return "place"
    return "organisation" if "organisation?" in hints else "other"


def story_entities(articles: list[Article]) -> tuple[Entity, ...]:
    """Entities most widely named first; within a count, people, organisations, places, then others."""
    g, story = _gazetteer(), _Story()
    initial, headlines, defined = [], [], defaultdict(set)
    for a in articles:
        texts = list(a.paragraphs)
        if a.title and _title_case(a.title):
            headlines.append((a.id, a.title))
        elif a.title:
            texts.insert(0, a.title)
        for text in texts:
            for name, hint, first, defines in _mentions(text):
                if first:
                    initial.append((a.id, name, hint))
                    continue
                key = story.add(name, a.id, hint)
                if defines:
                    defined[_key(defines)].add(key)

    def known(name: str) -> bool:
        key = _key(name)
        return key in story.parent or key in g.country_keys or any(c in story.parent for c in g.capitals.get(key, ()))

    # A capitalised first word counts when the story names it elsewhere (as a country, a capital of a
    # country it names, or the first or last word of a person's name); countries first, for the capitals.
    name_words: dict[str, bool] = {}  # the first or last word of a name -> whether a person's
    for key, e in story.entries.items():
        if " " in key and key not in g.places:
            for w in (key.split()[0], key.split()[-1]):
                name_words[w] = name_words.get(w, False) or _personal(e)
    initial.sort(key=lambda m: _key(m[1]) not in g.country_keys)
    for aid, name, hint in initial:
        if " " in name and _key(name) not in story.parent:
            rest = name.split(" ", 1)[1]
            story.add(rest if known(rest) else name, aid, hint)  # "Upon Ana Ruiz's arrival": Ana Ruiz
        elif known(name) or name_words.get(_key(name)) or (hint == "person" and _key(name) in name_words):
            story.add(name, aid, hint)
    for aid, title in headlines:
        for name in list(_headline_names(title, known)):
            story.add(name, aid, None)

    # An acronym spelled out in the text joins its long form.
    for acronym, longs in defined.items():
        if acronym in story.parent and len({story.root(k) for k in longs}) == 1:
            story.join(acronym, next(iter(longs)))
    # The same words in another order ("Tanaka Hiroshi" / "Hiroshi Tanaka"), or one surname after first
    # names that differ only in the last letter ("Andrei" / "Andrey"), are one person.
    groups = defaultdict(list)
    for key, e in story.entries.items():
        ws = key.split()
        if len(ws) > 1 and _personal(e) and key not in g.places:
            groups[tuple(sorted(ws))].append(key)
            if len(ws[0]) >= 4:
                groups[(ws[-1], ws[0][:-1], len(ws))].append(key)
    for keys in groups.values():
        for key in keys[1:]:
            story.join(key, keys[0])
    # A short form joins the one longer name it ends (any name) or begins (a person's name only).
    ends, begins = defaultdict(set), defaultdict(set)
    for root, e in story.entries.items():
        for key in story.keys_of(root):
            ws = tuple(key.split())
            for j in range(1, len(ws)):
                ends[ws[j:]].add(root)
            if len(ws) > 1 and _personal(e):
                begins[ws[:1]].add(root)
    for root in sorted(story.entries, key=lambda k: -len(k.split())):
        if root not in story.entries:
            continue
        name = _main_name(story.entries[root])
        ws = tuple(root.split())
        if root in g.places or _is_acronym(name) or ORG_WORDS.fullmatch(name) or PLACE_WORDS.fullmatch(name):
            continue
        targets = {story.root(t) for t in ends.get(ws, set()) | (begins.get(ws, set()) if len(ws) == 1 else set())}
        targets.discard(story.root(root))
        if len(targets) == 1:
            story.join(root, targets.pop(), short=True)

    names = {root: _main_name(e) for root, e in story.entries.items()}
    linked = defaultdict(set)  # a capital or seat of government <-> its country, both named in the story
    for root in story.entries:
        for key in story.keys_of(root) | {root}:
            for country in g.capitals.get(key, ()):
                if country in story.parent and story.root(country) != root:
                    linked[root].add(names[story.root(country)])
                    linked[story.root(country)].add(names[root])
    entities = []
    for root, e in story.entries.items():
        name = names[root]
        aliases = sorted((n for n in e["names"] if n != name), key=lambda n: (-e["names"][n], n))
        forms = [name] + [n for n in aliases if n not in e["short"]]
        entities.append(Entity(name, _kind(name, forms, e["hints"]), tuple(sorted(e["ids"])), tuple(aliases),
                               tuple(sorted(linked[root]))))
    rank = {"person": 0, "organisation": 1, "place": 2, "other": 3}
    entities.sort(key=lambda x: (-len(x.article_ids), rank[x.kind], x.name))
    return tuple(entities)
