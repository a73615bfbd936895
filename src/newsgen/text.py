"""Small text helpers every stage shares: normalising, folding for comparison, words, sentences, dates."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
           "\u2013": "-", "\u2014": "-", "\u2212": "-"}


def normalize_inline(text: str) -> str:
    """NFC, no invisible characters, line breaks and every kind of space as one plain space (not trimmed)."""
    text = text.replace("\n", " ")
    if text.isascii():  # nothing to compose or make visible; spaces to join only where two meet or a tab is
        return _SPACES.sub(" ", text) if "  " in text or "\t" in text else text
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text)


def normalize_lines(text: str) -> list[str]:
    """normalize_line for every line of a text at once (one pass over the whole text, not one per line)."""
    text = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return [line.strip() for line in text.split("\n")]


def normalize_line(line: str) -> str:
    """NFC, no invisible characters, every kind of space as one plain space, trimmed."""
    return normalize_inline(line).strip()


_QUOTE_PAIRS = tuple(_QUOTES.items())


def plain_quotes(text: str) -> str:
    """Curly quotes, primes and dashes as their plain forms: str.translate's result, by one replace a
    character found (a 4,000-character article in 8 us, where translate with a table takes 430 us)."""
    for char, plain in _QUOTE_PAIRS:
        if char in text:
            text = text.replace(char, plain)
    return text


def fold_text(text: str) -> str:
    """Compatibility forms, quotes and dashes made plain, case folded: words stay apart."""
    if text.isascii():  # nothing to normalise or translate; casefold is lower for ASCII
        return text.lower()
    return plain_quotes(unicodedata.normalize("NFKC", text)).casefold()


_NON_WORD = re.compile(r"[\W_]+")
_ASCII_NON_WORD = bytes(c for c in range(128) if _NON_WORD.fullmatch(chr(c)) is not None)  # what _NON_WORD removes


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """A comparison key: case, accents of quotes and dashes, spacing and punctuation ignored. Memoised:
    the cleaner compares each line with the headline and with the lines before it."""
    # fold_text without its quote and dash table: those characters are not word characters, so they go anyway
    if text.isascii():  # the letters and digits kept by one C call, not by the regular expression
        return text.lower().encode("ascii").translate(None, _ASCII_NON_WORD).decode("ascii")
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


WORD = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[^\W_]+(?:['\u2019.\-][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=1 << 16)
def word_count(text: str) -> int:
    """Memoised: the cleaner asks it of the same line from several rules."""
    return len(WORD.findall(text))


# --- sentences -------------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (lower case, without the dot).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof pres gen col lt sgt capt cmdr adm gov sen rep rev hon st jr sr messrs mme mlle
vol fig figs pp approx est dept univ inc ltd co corp bros vs etc al e.g i.e cf
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
u.s u.k u.n e.u u.s.a d.c a.m p.m ph.d
""".split())

_SENTENCE_END = re.compile(r"""([.!?]+)(['"\u2019\u201d)\]]*)(\s+)(?=['"\u2018\u201c(\[]?[A-Z0-9\u00c0-\u024f])""")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking "U.S.", "Pres." or initials like "Mary K. Okafor"."""
    return [text[a:b] for a, b in sentence_spans(text)]


@lru_cache(maxsize=1 << 16)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where each sentence of `text` starts and ends (surrounding spaces excluded). Memoised: every finder
    of a story splits the same paragraphs."""
    spans: list[tuple[int, int]] = []

    def add(a: int, b: int) -> None:
        piece = text[a:b]
        if piece.strip():
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            spans.append((a, b))

    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(2)
        if match.group(1) == ".":
            before = text[max(start, match.start(1) - 40):match.start(1)]  # the last word is all we need
            last = before.rsplit(None, 1)[-1] if before.strip() else ""
            token = last.lstrip("(\"'\u201c\u2018").lower()
            numbered = token in ("no", "nos") and text[match.end():match.end() + 1].isdigit()
            if numbered or token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
                continue
        add(start, end)
        start = match.end()
    add(start, len(text))
    return tuple(spans)


# --- dates -----------------------------------------------------------------------------------

MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?,?\s+)?"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?"
DATE_PATTERNS = [
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME, re.I),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME, re.I),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})" + _TIME),  # 16.08.2019
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"),
]


def parse_date(text: str) -> date | None:
    """The date when `text` is a date and nothing else (a weekday and a time may go with it)."""
    text = text.strip().rstrip(".")
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        month = match.group("month")
        month_no = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
        try:
            return date(int(match.group("year")), month_no, int(match.group("day")))
        except ValueError:
            return None
    return None


def find_date(text: str) -> date | None:
    """The first date written anywhere in `text`."""
    for pattern in DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            found = parse_date(match.group(0))
            if found:
                return found
    return None
