"""A story's timeline: the dated events its articles state, each linking to the sentences that state it.

Finding dates. Every body sentence is scanned by a few regular expressions, each for one way news writes
a date:
- absolute: "March 3, 2024", "3 March 2024", "Thursday, March 3, 2024", ISO "2024-03-03", "03.03.2024";
  "(in) September 2023" (month precision); "in 2022", "back in 2022", "in early 2022" (year precision);
- partial: "(on) March 3", "in (early) September": the year is the publication's, taken as the nearest
  such date no more than `NEAR_AFTER_DAYS` after publication ("on December 28" in an article of
  2024-01-10 is 2023-12-28); when the clause of the date speaks of the future ("will", "is due to",
  "pledged to") it is the first such date on or after publication;
- relative to the publication day: "on Thursday" (the last Thursday on or before it; in a sentence about
  the future, the first on or after it; "last Thursday" / "next Thursday" strictly before / after),
  "yesterday", "today", "tomorrow", "last night"; "last week", "earlier this week" (precision "week", given
  as the Monday of the ISO week); "last month", "this month"; "last year", "later this year";
  "two days ago", "a month ago".
Without a publication date a partial or relative date is *unresolved*: `when` and `precision` are None and
the date is shown as stated. Nothing is guessed: no year is borrowed from another sentence or article.

Left out, each for a reason:
- vague spans that name no date ("in recent weeks", "in the past year", "recently", "for years");
- dates that bound a span or anchor another event, after "since", "until", "by", "before", "after",
  "ahead of", "the following", "every"...: the sentence's event is not on that date ("since last year");
  spans up to now ("in the last week", "over the next year") and approximations ("about a year ago");
- names: a weekday after a capitalised word ("Black Friday", "Super Tuesday"), "Today" inside a sentence
  ("USA Today"), a weekday or a month and day between "the" and a capitalised word ("the Sunday Times",
  "the April 6 Youth Movement");
  a year is read only after "in"/"during" or "early"/"late"/"mid-", so "the 2022 World Cup" is not an
  event, and "in 2000 homes" (a count: a content word follows) is not either;
- seasons ("2024-25"), ages ("a 24-year-old"), times, "24/7", and numeric dates with slashes (03/04/2024
  is a different day in the US and in Europe).

Grouping. Mentions are bucketed by their date: the resolved (date, precision), or for an unresolved one
what its words mean ("Thursday", past tense). Within a bucket, a mention joins the group of the earlier
mention most like it, when their sentences (the date's own words left out) have a TF-IDF cosine of at
least `SAME_EVENT` and share two content terms; IDF, log(1 + N/df), is taken over every sentence of the
story, so the story's subject weighs little (but not nothing: in a short story it is most of what two
reports of one event share). At most one mention per article per event, as for claims. Candidates come
from an inverted index of the bucket's terms: a mention counts the terms it shares with the last
`PROBE_DEPTH` holders of each of its terms (a group's latest member stands for the group) and compares
itself with the `CANDIDATES` that share the most, so the work per mention is bounded and the whole is
linear in the number of sentences.
An event shows the wording of its date that most mentions use (between as many, one that names the date
by itself, "March 4, 2024" over "on Monday") and the sentence closest to the centre of its mentions.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ..features import STOPWORDS, terms
from ..model import Article, record
from ..text import MONTHS
from .sentences import article_sentences

NEAR_AFTER_DAYS = 92  # a date without a year may lie up to a quarter after publication ("on March 3")
SAME_EVENT = 0.2  # TF-IDF cosine of two sentences of one date that report one event (claims use 0.22)
MIN_SHARED = 2  # ... sharing at least this many content terms: one word in common is a coincidence
PROBE_DEPTH = 16  # a mention looks for earlier ones among the last holders of each of its terms ...
CANDIDATES = 16  # ... and compares itself with those that share the most terms with it: bounded work
PRECISION_ORDER = {"year": 0, "month": 1, "week": 2, "day": 3}  # same first day: the wider span first


@record
class DateMention:
    """One article's sentence that states a dated event."""

    article_id: str
    sentence: int  # index into article_sentences(article)
    stated: str  # the date words as written: "on Thursday", "October 5", "last month", "in 2022"
    text: str  # the whole sentence


@record
class Event:
    """One dated event, with every source's sentence that states it."""

    when: date | None  # first day of the span (the Monday of a week); None: unresolved
    precision: str | None  # "day" | "week" | "month" | "year"; None when unresolved
    stated: str  # the wording most mentions use
    text: str  # the sentence most like the others
    mentions: tuple[DateMention, ...]  # reading order, at most one per article

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.article_id for m in self.mentions))


@record
class FoundDate:
    """A date expression in a sentence: sentence[start:end] is `stated`."""

    start: int
    end: int
    stated: str
    when: date | None
    precision: str | None
    meaning: tuple  # what the words say, apart from the publication date: the key of an unresolved date


# --- finding ---------------------------------------------------------------------------------

_FULL_MONTHS = [max((n for n, k in MONTHS.items() if k == i), key=len).capitalize() for i in range(1, 13)]
_SHORT_MONTHS = sorted({n.capitalize() for n in MONTHS} - set(_FULL_MONTHS), key=len, reverse=True)
_ANY_MONTH = (r"(?P<month>(?:" + "|".join(_FULL_MONTHS) + r")\b"
              r"|(?:" + "|".join(_SHORT_MONTHS) + r")\b\.?)")  # "Sept." as well
_FULL_MONTH = r"(?P<month>" + "|".join(_FULL_MONTHS) + r")\b"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PREP = r"\b(?P<prep>(?i:on|in|during|back\s+in)\s+)?"
_ABS_WEEKDAY = r"(?:(?:" + "|".join(_WEEKDAYS) + r"),?\s+)?"  # "Thursday, March 3, 2024": adds nothing
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:\s?[-\u2013]\s?[0-3]?\d(?:st|nd|rd|th)?\b)?"  # a range: its start
_YEAR = r"(?P<year>[12]\d{3})\b(?![-\u2013/]\d)"  # "2024-25" is a season
_QUAL = r"(?P<qual>(?i:early|late|mid|the\s+(?:end|start|beginning|middle)\s+of)(?:-|\s+))?"
_NUMBERS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)}
_NUMBERS.update({"a": 1, "an": 1})

# Each pattern runs only on sentences that hold what it needs (cheap tests below): most hold no date.
_YEARISH = re.compile(r"[12]\d{3}")
# A month's first letters at the start of a word: the look-behind (no word character before them) comes
# after the letters, so that the search skips ahead to a capital instead of trying every position.
_MONTHISH = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?<!\w...)")
_WEEKDAYISH = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_DEICTIC_WORDS = ("yesterday", "today", "tomorrow", "tonight", "night", "morning", "afternoon", "evening")
PATTERNS = (  # (kind, needs, regular expression), compiled on first use: a cold start pays nothing
    ("iso", "y", r"(?<![\d-])(?P<year>[12]\d{3})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?![\d-])"),
    ("dotted", "y", r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>[12]\d{3})\b"),
    ("mdy", "ym", _PREP + _ABS_WEEKDAY + _ANY_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR),
    ("dmy", "ym", _PREP + _ABS_WEEKDAY + r"(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _ANY_MONTH + r",?\s+" + _YEAR),
    ("md", "m", _PREP + _ABS_WEEKDAY + _ANY_MONTH + r"\s+" + _DAY + r"(?![%:]|[.,]\d)"),
    ("dm", "m", _PREP + _ABS_WEEKDAY + r"(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _ANY_MONTH),
    ("my", "ym", _PREP + _QUAL + _ANY_MONTH + r",?\s+(?:of\s+)?" + _YEAR),
    ("m", "m", _PREP + _QUAL + _FULL_MONTH + r"(?!\s+\d)"),  # needs "in"/"during" or a qualifier: "May" is a verb
    ("y", "y", _PREP + _QUAL + _YEAR + r"(?![%.,]\d)"),  # needs "in"/"during" or a qualifier: else a number
    ("weekday", "w", _PREP + r"(?P<rel>(?i:last|next|this)\s+)?(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b"
                     r"(?:['\u2019]s\b)?(?:\s+(?:morning|afternoon|evening|night)\b)?"),
    ("deictic", "d", r"\b(?P<qual>(?i:earlier|later)\s+)?(?P<deictic>(?i:yesterday|today|tomorrow|tonight|"
                     r"last\s+night|this\s+morning|this\s+afternoon|this\s+evening))\b"),
    ("unit", "u", r"\b(?P<qual>(?i:earlier|later|early|late)\s+)?(?P<rel>(?i:last|this|next))\s+"
                  r"(?P<unit>week|month|year)\b"),
    ("ago", "a", r"\b(?P<n>\d{1,2}|(?i:" + "|".join(_NUMBERS) + r"))\s+(?P<unit>day|week|month|year)s?\s+ago\b"),
)


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, str, re.Pattern]]:
    return [(kind, needs, re.compile(pattern)) for kind, needs, pattern in PATTERNS]


def _has(sentence: str) -> set[str]:
    """What the sentence holds of each pattern's needs: a year-like number, a month, a weekday..."""
    low = sentence.lower()
    return {k for k, yes in (
        ("y", _YEARISH.search(sentence)), ("m", _MONTHISH.search(sentence)), ("w", _WEEKDAYISH.search(sentence)),
        ("d", any(w in low for w in _DEICTIC_WORDS)), ("u", "week" in low or "month" in low or "year" in low),
        ("a", " ago" in low)) if yes}


# Words before a date that make it the bound of a span or an approximation, not the day of the sentence's
# event ("since Monday", "by March", "between May and June", "more than a year ago")...
SPAN_WORDS = frozenset("since until till through throughout to between by before after than over nearly almost "
                       "about around some roughly under".split())
_TWO_WORD_SPANS = {("ahead", "of"), ("as", "of")}
# ... and words that tie a bare weekday or date to another event or make it a habit ("that Monday", "the
# following Friday", "every Sunday"); after a preposition they do not ("said that on Monday").
DETERMINERS = frozenset("that same previous preceding following every each".split())
# Words after "in 2022" that keep it a year (function words, a clause going on); any other word makes it a count.
_YEAR_FOLLOWERS = STOPWORDS | {"alone", "amid", "despite", "saw", "among", "following", "compared"}
_FUTURE = re.compile(
    r"\b(?:will|shall|won't|(?:is|are|am)\s+(?:due|set|scheduled|expected|slated|poised|going|planning|"
    r"preparing)\s+to|(?:is|are)\s+to\s+be|planning\s+to|pledged\s+to|promised\s+to|vowed\s+to|"
    r"intends?\s+to|upcoming|scheduled\s+for)\b|\w['\u2019]ll\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]|\s[-\u2013]\s")
_WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")


def _words_before(sentence: str, start: int, n: int = 2) -> list[str]:
    return _WORD.findall(sentence[max(0, start - 40):start])[-n:]


def _future(sentence: str, start: int, end: int) -> bool:
    """Does the clause of the date speak of the future? A clause that is the date alone ("On Thursday,")
    takes the clause after it."""
    before = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)]
    left = before[-1] if before else 0
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence, end)]
    right = breaks[0] if breaks else len(sentence)
    if len(_WORD.findall(sentence[left:start] + " " + sentence[end:right])) < 2 and len(breaks) > 0:
        right = breaks[1] if len(breaks) > 1 else len(sentence)
    return bool(_FUTURE.search(sentence, left, right))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _shift_month(d: date, months: int) -> date:
    k = d.year * 12 + d.month - 1 + months
    return date(k // 12, k % 12 + 1, 1)


def _partial(month: int, day: int | None, pub: date, future: bool) -> date | None:
    """The year of a date written without one (see the module docstring); None for a 29 February that no
    year near publication has."""
    candidates = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            candidates.append(date(year, month, day or 1))
        except ValueError:  # 29 February of a common year
            pass
    if future:
        floor = pub if day else pub.replace(day=1)
        return min((c for c in candidates if c >= floor), default=None)
    return max((c for c in candidates if c <= pub + timedelta(days=NEAR_AFTER_DAYS)), default=None)


def _month_no(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower().rstrip(".")]


def _read(kind: str, m: re.Match, sentence: str, pub: date | None) -> tuple[date | None, str | None, tuple] | None:
    """(when, precision, meaning) of one match; None when it is no date or no event's date."""
    g = m.groupdict()
    if kind in ("iso", "dotted", "mdy", "dmy", "md", "dm"):
        month, day = _month_no(g["month"]), int(g["day"])
        try:
            date(int(g["year"]) if g.get("year") else 2000, month, day)  # 2000: 29 February exists
        except ValueError:
            return None
        if g.get("year"):
            return date(int(g["year"]), month, day), "day", ("day", int(g["year"]), month, day)
        future = _future(sentence, m.start(), m.end())
        when = _partial(month, day, pub, future) if pub else None
        return when, "day" if when else None, ("md", month, day, future)
    if kind == "my":
        year, month = int(g["year"]), _month_no(g["month"])
        return date(year, month, 1), "month", ("month", year, month)
    if kind in ("m", "y"):
        prep = (g["prep"] or "").split()
        if not g["qual"] and prep[:1] not in (["in"], ["In"], ["during"], ["During"], ["back"], ["Back"]):
            return None
        if kind == "y":
            after = _WORD.match(sentence[m.end():].lstrip())
            if after and after.group(0)[0].islower() and after.group(0).lower() not in _YEAR_FOLLOWERS:
                return None  # "in 2000 homes": a count
            return date(int(g["year"]), 1, 1), "year", ("year", int(g["year"]))
        future = _future(sentence, m.start(), m.end())
        when = _partial(_month_no(g["month"]), None, pub, future) if pub else None
        return when, "month" if when else None, ("m", _month_no(g["month"]), future)
    if kind == "weekday":
        rel = (g["rel"] or "").strip().lower()
        future = rel == "next" or (rel != "last" and _future(sentence, m.start(), m.end()))
        meaning = ("weekday", g["weekday"], rel, future)
        if not pub:
            return None, None, meaning
        target = _WEEKDAYS.index(g["weekday"])
        if future:  # the first such day on or after publication ("next": after)
            return pub + timedelta(days=(target - pub.weekday()) % 7 or (7 if rel == "next" else 0)), "day", meaning
        return pub - timedelta(days=(pub.weekday() - target) % 7 or (7 if rel == "last" else 0)), "day", meaning
    if kind == "deictic":
        word = " ".join(g["deictic"].lower().split())
        offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        meaning = ("offset", "day", offset)
        return (pub + timedelta(days=offset), "day", meaning) if pub else (None, None, meaning)
    n = {"last": -1, "this": 0, "next": 1}[g["rel"].lower()] if kind == "unit" else -_count(g["n"])
    unit = g["unit"]
    meaning = ("offset", unit, n)
    if not pub:
        return None, None, meaning
    if unit == "day":
        return pub + timedelta(days=n), "day", meaning
    if unit == "week":
        return _monday(pub) + timedelta(weeks=n), "week", meaning
    if unit == "month":
        return _shift_month(pub, n), "month", meaning
    return date(pub.year + n, 1, 1), "year", meaning


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text.lower()]


def _is_name(kind: str, m: re.Match, sentence: str) -> bool:
    """A date inside a name: see the module docstring."""
    if m.groupdict().get("prep"):
        return False  # "on Friday", "in May": a preposition takes a date, not a name
    before = [w.lower() if w.lower() in STOPWORDS else w for w in _words_before(sentence, m.start(), 1)]
    capital_before = bool(before) and before[0][:1].isupper()  # "Black Friday"; not "The", "On"
    after = re.match(r"\s+[A-Z]", sentence[m.end():])  # "the Sunday Telegraph", "the April 6 Movement"
    if kind == "deictic":
        return m.group(0)[:1] == "T" and bool(before)  # "USA Today"; "Today, ..." opens a sentence
    if kind in ("weekday", "md", "dm"):
        return (kind == "weekday" and capital_before) or bool(after) and (capital_before or before == ["the"])
    return False


def find_dates(sentence: str, published: date | None) -> list[FoundDate]:
    """The event dates a sentence states, in order: see the module docstring for what counts."""
    has = _has(sentence)
    if not has:
        return []
    matches = []
    for priority, (kind, needs, pattern) in enumerate(_compiled()):
        if not has.issuperset(needs):
            continue
        for m in pattern.finditer(sentence):
            matches.append((m.start(), -m.end(), priority, kind, m))
    out: list[FoundDate] = []
    taken = 0
    for start, neg_end, _, kind, m in sorted(matches, key=lambda x: x[:3]):
        if start < taken:
            continue
        read = _read(kind, m, sentence, published)
        if read is None:
            continue
        taken = -neg_end
        before = [w.lower() for w in _words_before(sentence, start)]
        last = before[-1] if before else ""
        if last in SPAN_WORDS or tuple(before) in _TWO_WORD_SPANS or _is_name(kind, m, sentence):
            continue
        if last in DETERMINERS and not m.groupdict().get("prep"):
            continue
        if kind in ("unit", "ago") and before[-1:] == ["the"]:
            continue  # "in the last week", "over the next year": a span up to now, not a date
        out.append(FoundDate(start, -neg_end, m.group(0), *read))
    return out


# --- grouping --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Item:
    mention: DateMention
    order: tuple[int, int]  # (article, sentence): reading order
    vector: dict[str, float]
    absolute: bool  # the words name the date by themselves ("March 4, 2024", "in 2022")


def _vector(text: str, idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms(text))
    v = {t: (1 + math.log(k)) * idf.get(t, 0.0) for t, k in counts.items()}
    norm = math.sqrt(math.fsum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items() if x > 0}


def _idf(sentences: list[list[str]]) -> dict[str, float]:
    """log(1 + N/df) of each term over the story's N sentences: a word of every sentence still counts a little."""
    df: Counter[str] = Counter()
    for ss in sentences:
        for s in ss:
            df.update(set(terms(s)))
    total = sum(len(ss) for ss in sentences)
    return {t: math.log(1 + total / k) for t, k in df.items()}


def _cos(u: dict[str, float], v: dict[str, float]) -> float:
    """Cosine of two unit vectors (fsum: the same in any order of the shared terms)."""
    return math.fsum(u[t] * v[t] for t in u.keys() & v.keys())


def _group(items: list[_Item]) -> list[list[_Item]]:
    """One bucket's mentions in groups that report one event (see the module docstring)."""
    group_of: list[int] = []
    groups: list[list[int]] = []
    sources: list[set[str]] = []  # the articles in each group: one mention an article
    index: dict[str, list[int]] = defaultdict(list)  # term -> mentions holding it, one per run of a group
    for i, item in enumerate(items):
        v, source = item.vector, item.mention.article_id
        hits: Counter[int] = Counter()
        for t in v:
            hits.update(index[t][-PROBE_DEPTH:])
        best: tuple[float, int, int] | None = None
        for j, shared in hits.most_common(CANDIDATES):
            if shared < MIN_SHARED:
                break
            score = _cos(v, items[j].vector)
            g = group_of[j]
            if score >= SAME_EVENT and source not in sources[g]:
                if best is None or (score, -j) > best[:2]:
                    best = (score, -j, g)
        if best is None:
            target = len(groups)
            groups.append([])
            sources.append(set())
        else:
            target = best[2]
        groups[target].append(i)
        sources[target].add(source)
        group_of.append(target)
        for t in v:
            postings = index[t]
            if postings and group_of[postings[-1]] == target:
                postings[-1] = i  # the group's latest member stands for it
            else:
                postings.append(i)
    return [[items[k] for k in g] for g in groups]


def _event(key: tuple, members: list[_Item]) -> Event:
    when, precision = (key[1], key[2]) if key[0] == "resolved" else (None, None)
    mentions = tuple(m.mention for m in members)
    # The wording most mentions use; between as many, one that names the date by itself.
    wordings = Counter(m.mention.stated.lower() for m in members)
    wording = max(members, key=lambda m: (wordings[m.mention.stated.lower()], m.absolute, _earlier(m)))
    centre: Counter[str] = Counter()
    for m in members:
        centre.update(m.vector)
    central = max(members, key=lambda m: (math.fsum(x * centre[t] for t, x in m.vector.items()), _earlier(m)))
    return Event(when, precision, wording.mention.stated, central.mention.text, mentions)


def _earlier(item: _Item) -> tuple[int, int]:
    """A max() key part that prefers the mention read first."""
    return -item.order[0], -item.order[1]


def story_timeline(articles: list[Article]) -> tuple[Event, ...]:
    """Resolved events in date order (earliest first), then unresolved ones in reading order."""
    ids = {a.id for a in articles}
    voices = [a for a in articles if a.duplicate_of not in ids]  # a copy restates its original's dates
    sentences = [article_sentences(a) for a in voices]
    found = [[(n, d) for n, s in enumerate(ss) for d in find_dates(s, a.published)]
             for a, ss in zip(voices, sentences)]
    if not any(found):
        return ()
    buckets: dict[tuple, list[tuple[_Item, str]]] = defaultdict(list)  # each with its sentence, date left out
    for a_no, (a, ss, dates) in enumerate(zip(voices, sentences, found)):
        seen: set[tuple] = set()
        for n, d in dates:
            s = ss[n]
            key = ("resolved", d.when, d.precision) if d.when else ("unresolved", d.meaning)
            if (n, key) in seen:
                continue  # "on Monday, March 4" written twice in one sentence is one mention
            seen.add((n, key))
            absolute = d.meaning[0] in ("day", "month", "year")
            item = _Item(DateMention(a.id, n, d.stated, s), (a_no, n), {}, absolute)
            buckets[key].append((item, s[:d.start] + " " + s[d.end:]))
    # Only mentions from different articles can share a group, so only their buckets need vectors: a story
    # whose every bucket holds one article's mentions needs no IDF, and no terms of its sentences.
    shared = [items for items in buckets.values() if len({item.mention.article_id for item, _ in items}) > 1]
    if shared:
        idf = _idf(sentences)
        for items in shared:
            for item, rest in items:
                item.vector = _vector(rest, idf)
    events = [(key, group) for key, items in buckets.items() for group in _group([i for i, _ in items])]
    resolved = sorted((e for e in events if e[0][0] == "resolved"),
                      key=lambda e: (e[0][1], PRECISION_ORDER[e[0][2]], e[1][0].order))
    unresolved = sorted((e for e in events if e[0][0] != "resolved"), key=lambda e: e[1][0].order)
    return tuple(_event(key, group) for key, group in resolved + unresolved)
