"""Direct quotations in a story's articles: who is quoted saying what, and every source carrying it.

1. Marks. Each article's paragraphs are scanned for quotation marks: curly or straight double quotes,
   and single quotes used as quote marks ('...' / ‘...’). A single mark opens a quote only before a word
   and after a space, and closes one only after a word and before no letter, so apostrophes (don't,
   Russia’s, the '90s) are never quote marks. A quote still open at the end of a paragraph runs on into
   the next paragraph when that opens with a quote mark again (the news convention), or, for double
   quotes, when that closes one before opening another. A block quotation without marks is one quote.
2. Speaker. The attribution is read from the words around a quote, never from quoted words: right after
   it (`,” Roe said` / `,” said Jane Roe, a professor at X`), before it in its sentence (`Roe said that
   ... “...”`, `According to the Agency:`), or in the sentence before when that ends with a colon (`Roe
   told Reuters:` and the quote in the next paragraph). The subject of the nearest speech verb speaks.
   A title before the name (`Port Authority spokeswoman Jane Roe`) or an appositive after it (`Jane Roe,
   a spokeswoman for X,`) is the role. "he"/"she" stand for the latest person the article named before
   the pronoun, "it" for the latest organisation; "they"/"we" and the rest stay unknown (None).
3. Fragments of 1-3 words that no speech verb governs are scare quotes or emphasis, not quotations.
4. Names join across the story: a surname (or any tail of a name) joins the one fuller name ending with
   it, in the same article first, then in the story; titles and honorifics are never part of a name.
5. Grouping. One quote in several sources is one Quote though spans, punctuation or case differ: each
   quote's word bigrams go into an inverted index of groups, and a quote joins the group whose bigrams
   hold most of its own (or most of whose bigrams it holds) when the speakers agree. A quote looks only
   at groups sharing its bigrams, and very common bigrams are not looked up, so the cost grows with the
   number of sentences, not their square.
"""
from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import compress, takewhile
from operator import attrgetter
from typing import NamedTuple

from ..features import STOPWORDS
from ..model import Article, record
from ..text import ABBREVIATIONS, MONTHS, fold, fold_text, sentence_spans, word_count, words


@record
class QuoteMention:
    article_id: str
    sentence: int  # index into article_sentences(article) of the sentence where the quote starts
    text: str  # the quoted words as this source gives them (no quote marks)


@record
class Quote:
    text: str  # representative wording (the longest/fullest version)
    speaker: str | None  # None = the text does not attribute it ("unattributed")
    role: str | None  # the speaker's role/affiliation when the text gives it, else None
    mentions: tuple[QuoteMention, ...]  # one per article at most, in the order of `articles`

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(m.article_id for m in self.mentions)


# --- tables ----------------------------------------------------------------------------------

# Verbs that report speech or writing, by form. A form is a verb only when no determiner or possessive
# comes before it ("the reports", "his claims" are nouns). Base forms are kept only for verbs that are
# rarely nouns ("analysts say"); "-ing" forms are participles, whose subject is the clause's subject.
# Naming verbs (called, described as) are left out: they quote names and labels, not speech.
_VERBS = """say says said saying|tell tells told telling|add adds added adding|states stated stating
write writes wrote writing|argue argues argued arguing|warn warns warned warning|insist insists insisted
insisting|explain explains explained explaining|notes noted noting|declares declared declaring|announces
announced announcing|claims claimed claiming|asserts asserted asserting|replies replied replying|responds
responded responding|remarked|commented|acknowledge acknowledges acknowledged acknowledging|admit admits
admitted admitting|concede concedes conceded conceding|confirms confirmed confirming|deny denies denied
denying|recall recalls recalled recalling|observed|stressed stressing|emphasised emphasized emphasising
emphasizing|urges urged urging|pledged pledging|vowed vowing|promised|reports reported reporting|asked
asking|tweeted|posted|predict predicts predicted predicting|suggest suggests suggested suggesting|complain
complains complained complaining|quipped|joked|testified|acknowledged|countered|cautioned|cautioning"""
SPEECH_VERBS = {w: ("participle" if w.endswith("ing") else "finite") for w in _VERBS.replace("|", " ").split()}
OBJECT_VERBS = frozenset("tell tells told telling urges urged urging".split())  # the name after is the hearer
# Words that put a title or a label in quotes, not speech: 'a report titled "Ports in Crisis"'.
NAMING = frozenset("titled entitled called named dubbed nicknamed headlined branded labelled labeled so-called "
                   "slogan motto hashtag".split())
DETERMINERS = frozenset("a an the this that these those its his her their our my your whose every each no any".split())
# Between a subject and its verb: auxiliaries and adverbs ("Roe had also said", "Roe later told").
BETWEEN = frozenset("also later then again once previously earlier further has had have was were is are will would "
                    "did does do not never".split())

# Words of a title or role. CORE words make a phrase a title ("minister", "spokeswoman"); COMPLEMENT
# words only continue one ("Secretary of State", "Foreign Affairs spokesperson"); HONORIFICS are dropped
# from names and are no role.
CORE = frozenset("""president vice-president minister secretary secretary-general spokesman spokeswoman spokesperson
spokesmen director director-general chief head chairman chairwoman chair chairperson ceo cfo coo cto founder
co-founder governor mayor senator congressman congresswoman lawmaker legislator ambassador envoy diplomat
commissioner commander general admiral colonel captain lieutenant sergeant officer inspector detective sheriff
judge attorney lawyer prosecutor professor prof lecturer researcher scientist economist analyst adviser advisor
consultant manager king queen prince princess pope bishop archbishop rabbi imam cardinal chancellor premier leader
treasurer negotiator organiser organizer coordinator superintendent principal dean editor correspondent reporter
author expert official doctor surgeon engineer trustee owner partner spokesperson representative deputy
pres gen sen rep gov col lt sgt capt cmdr adm maj cpl supt insp det""".split())
COMPLEMENT = frozenset("""foreign defence defense interior finance state affairs general acting former senior junior
assistant associate national security executive managing vice prime lead interim press communications public
health justice trade economy labour labor energy transport education environment treasury homeland intelligence
emergency police military economic political""".split())
HONORIFICS = frozenset("mr mrs ms mx miss dr sir dame lord lady".split())
CONNECTORS = frozenset("of for de da del van von bin al la le du der".split())  # inside names and titles
# Capitalised words that begin no name: sentence openers and dates.
NOT_NAMES = frozenset(STOPWORDS | set(MONTHS) | set(
    "upon amid despite although however meanwhile earlier later last next while following yesterday today "
    "tomorrow monday tuesday wednesday thursday friday saturday sunday asked".split()))
ORG_WORDS = re.compile(
    r"\b(ministry|department|agency|office|council|committee|commission|authority|government|administration|"
    r"union|company|corporation|corp|inc|ltd|group|bank|university|institute|party|police|army|navy|court|"
    r"service|board|association|federation|organi[sz]ation|cent(?:er|re)|house|kremlin|pentagon|parliament|"
    r"congress|senate|cabinet|news|press|times|post|network|fund|foundation|bureau|alliance|league|club|"
    r"school|college|hospital|firm|exchange|airlines?)\b", re.I)
PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": None, "we": None, "i": None, "you": None}

SHORT_FRAGMENT = 3  # words: a quoted fragment this short needs a speech verb to be a quotation
MAX_RUN_ON = 8  # paragraphs one quotation may run over
MAX_APPOSITIVE = 16  # tokens of an appositive role ("a professor of economics at the University of X")
MAX_AFTER = 12  # tokens between a closing mark and the speech verb of "... ,” NAME, ROLE, said"
MIN_CONTAINMENT = 0.6  # share of the smaller bigram set found in the other: one quote, longer or shorter span
COMMON_BIGRAM = 64  # groups a bigram may point at and still be looked up: beyond, it tells nothing

QMARK = "\x00"  # stands for a quotation inside a context: attribution never reads quoted words


# --- quotation marks -------------------------------------------------------------------------

_MARK = re.compile("[\"'\u201c\u201d\u201e\u2018\u2019]")
_ELISION = re.compile(r"(?:\d\ds?|em|tis|twas|n)\b", re.I)  # the '90s, 'em, rock 'n' roll


def _marks(text: str) -> list[tuple[int, str, str]]:
    """(offset, kind 'd'|'s', 'open'|'close') of every quotation mark in a paragraph."""
    out = []
    for m in _MARK.finditer(text):
        i, c = m.start(), m.group()
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        opening = prev.isspace() or prev in "([{\u2014\u2013-/:\u201c\u2018\"'"
        if c in "\u201c\u201e":
            if text[i + 1:].strip():  # a mark ending its paragraph opens nothing there
                out.append((i, "d", "open"))
        elif c == "\u201d":
            out.append((i, "d", "close"))
        elif c == '"':
            if opening and not nxt.isspace():
                out.append((i, "d", "open"))
            elif not prev.isspace():
                out.append((i, "d", "close"))
        elif c in "\u2018'" and opening and nxt.isalnum() and not _ELISION.match(text, i + 1):
            out.append((i, "s", "open"))
        elif c in "\u2019'" and not prev.isspace() and not nxt.isalnum():
            out.append((i, "s", "close"))  # after a word, before no letter: not "don't" nor "Russia’s"
    return out


class _Span(NamedTuple):
    start: tuple[int, int]  # paragraph, offset of the opening mark
    pieces: tuple[tuple[int, int, int], ...]  # (paragraph, a, b): the quoted words, paragraph by paragraph
    resume: tuple[int, int]  # paragraph, index into its marks where scanning goes on


def _close(paragraphs: tuple[str, ...], marks: list, p: int, k: int) -> _Span | None:
    """The quotation opened by mark k of paragraph p, or None when that mark opens nothing."""
    kind = marks[p][k][1]
    pieces = []
    a, q, j = marks[p][k][0] + 1, p, k + 1
    while True:
        ms, text = marks[q], paragraphs[q]
        for n in range(j, len(ms)):
            off, kd, role = ms[n]
            if kd != kind or role != "close":
                continue
            if kind == "s" and text[off - 1] == "s" and re.match(r" [a-z]", text[off + 1:off + 3]) and any(
                    m[1:] == ("s", "close") for m in takewhile(lambda m: m[1:] != ("s", "open"), ms[n + 1:])):
                continue  # "the workers’ money": a plural possessive, with the real close still to come
            pieces.append((q, a, off))
            return _Span((p, marks[p][k][0]), tuple(pieces), (q, n + 1))
        pieces.append((q, a, len(text)))
        nxt = q + 1
        if nxt >= len(paragraphs) or nxt - p >= MAX_RUN_ON:
            break
        following = marks[nxt]
        lead = len(paragraphs[nxt]) - len(paragraphs[nxt].lstrip())
        if following and following[0][0] == lead and following[0][1:] == (kind, "open"):
            a, q, j = lead + 1, nxt, 1  # the next paragraph opens the same quotation again
            continue
        first = next((m for m in following if m[1] == kind), None)
        if kind == "d" and first is not None and first[2] == "close":
            a, q, j = 0, nxt, 0  # closed in the next paragraph, which did not reopen it
            continue
        break
    if kind == "s":
        return None  # an unclosed single mark is an apostrophe after all
    return _Span((p, marks[p][k][0]), tuple(pieces), (q + 1, 0))  # an unclosed double quote runs to the end


def _spans(paragraphs: tuple[str, ...], blockquotes: list[bool]) -> list[_Span]:
    """Every quotation of an article in reading order. A block quotation with no marks of its own is one."""
    marks = [_marks(p) for p in paragraphs]
    spans: list[_Span] = []
    p = k = 0
    while p < len(paragraphs):
        lead = len(paragraphs[p]) - len(paragraphs[p].lstrip())
        if k == 0 and blockquotes[p] and paragraphs[p].strip() and not (
                marks[p] and marks[p][0][0] == lead and marks[p][0][2] == "open"):
            spans.append(_Span((p, lead), ((p, lead, len(paragraphs[p].rstrip())),), (p + 1, 0)))
            p += 1
        elif k >= len(marks[p]):
            p, k = p + 1, 0
        elif marks[p][k][2] != "open":
            k += 1
        else:
            span = _close(paragraphs, marks, p, k)
            if span is None:
                k += 1
            else:
                spans.append(span)
                p, k = span.resume
    return spans


# --- tokens ----------------------------------------------------------------------------------

class _Tok(NamedTuple):
    text: str
    start: int  # offset in its paragraph
    key: str  # lower case, no trailing dot: what the tables hold
    cap: bool  # capitalised and able to be part of a name (an initial such as "A." is; "The" is not)
    lower: bool  # starts with a lower-case letter
    phrase: bool  # may belong to a name or a title phrase


_PHRASE = attrgetter("phrase")


def _fields(text: str) -> tuple[str, bool, bool, bool]:
    """A token's (key, cap, lower, phrase), which depend on its text alone."""
    key = text.lower().rstrip(".")
    upper = text[:1].isupper()
    cap = upper and (key not in NOT_NAMES or (len(text) == 2 and text[1] == "."))
    return key, cap, not upper and text[:1].islower(), cap or key in CORE or key in COMPLEMENT or key in HONORIFICS


_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['\u2019\-.][^\W_]+)*(?:['\u2019](?![^\W_]))?\.?|[,;:()]|[.!?]")
_SPLIT = re.compile(f"({_TOKEN.pattern})")  # text between tokens, token, text between, ..., text after the last
_new = tuple.__new__  # _Tok(...) without the Python-level __new__ a NamedTuple adds: one token is cheap


@lru_cache(maxsize=1 << 16)
def _pieces(t: str) -> tuple[tuple[str, int, str, bool, bool, bool], ...]:
    """The tokens one match of _TOKEN makes, as (text, offset in the match, *_fields(text)): a word's
    final dot is a full stop of its own unless the word is an abbreviation or an initial."""
    core = t[:-1]
    if len(t) > 1 and t.endswith(".") and not (core.lower() in ABBREVIATIONS or len(core) == 1 or "." in core):
        return (core, 0, *_fields(core)), (".", len(core), *_fields("."))
    return ((t, 0, *_fields(t)),)


def _lex(text: str, a: int, b: int) -> list[_Tok]:
    """The tokens of text[a:b]."""
    out = []
    pos = a
    parts = iter(_SPLIT.split(text[a:b]))  # no match object per token, and every offset from the lengths
    for gap, word in zip(parts, parts):
        pos += len(gap)
        for t, d, key, cap, lower, phrase in _pieces(word):
            out.append(_new(_Tok, (t, pos + d, key, cap, lower, phrase)))
        pos += len(word)
    return out


def _verb(toks: list[_Tok], k: int) -> str | None:
    """'finite', 'participle' or 'according' when token k reports speech, else None."""
    t = toks[k].text
    if t.lower() == "according" and k + 1 < len(toks) and toks[k + 1].text == "to":
        return "according"
    kind = SPEECH_VERBS.get(t)
    if kind is None or (k and (toks[k - 1].key in DETERMINERS or toks[k - 1].text.endswith(("'s", "\u2019s")))):
        return None
    return kind


# --- speakers --------------------------------------------------------------------------------

class _Subject(NamedTuple):
    kind: str  # "name" | "np" (a phrase such as "the ministry") | "pronoun"
    text: str
    role: str | None
    pos: tuple[int, int]  # paragraph, offset: where the text names the speaker
    first: int  # index of its first token


def _np(toks: list[_Tok], a: int, b: int, text: str, p: int) -> _Subject:
    """toks[a:b] as written, as a speaker described rather than named ("the company", "a resident")."""
    return _Subject("np", text[toks[a].start:toks[b - 1].start + len(toks[b - 1].text)], None, (p, toks[a].start), a)


def _split(phrase: list[_Tok]) -> tuple[list[_Tok], list[_Tok]]:
    """A title phrase and a name: 'UK Home Secretary Jane R. Doyle' -> (UK Home Secretary, Jane R. Doyle).
    A title in lower case followed by "of"/"for" names an organisation, not a person: 'chief executive of
    Delta Foods' is all title."""
    last = max((i for i, t in enumerate(phrase) if t.key in CORE or t.key in HONORIFICS), default=None)
    if last is None:
        return [], phrase
    while last + 1 < len(phrase) and phrase[last + 1].key in COMPLEMENT:
        last += 1
    if phrase[last].lower and last + 1 < len(phrase) and phrase[last + 1].key in CONNECTORS:
        return phrase, []
    while last + 1 < len(phrase) and (phrase[last + 1].key in COMPLEMENT or phrase[last + 1].key in CONNECTORS):
        last += 1
    return phrase[:last + 1], phrase[last + 1:]


def _role(title: list[_Tok], text: str) -> str | None:
    """The title's words as the text writes them, honorifics left out; None when no title word is in it."""
    title = [t for t in title if t.key not in HONORIFICS]
    while title and title[0].key in CONNECTORS:
        title = title[1:]
    if not any(t.key in CORE for t in title):
        return None
    return text[title[0].start:title[-1].start + len(title[-1].text)]


def _phrase_subject(toks: list[_Tok], s: int, e: int, text: str, p: int) -> _Subject | None:
    """The speaker named by toks[s:e] (a title phrase and/or a name)."""
    if e == s + 1:  # the common case, one capitalised word and no title, comes to a name below too
        t = toks[s]
        if t.cap and t.key not in CONNECTORS and t.key not in CORE and t.key not in HONORIFICS:
            return _Subject("name", t.text, None, (p, t.start), s)
    while s < e and (toks[s].key in CONNECTORS or toks[s].text in "()"):
        s += 1
    if s >= e:
        return None
    title, name = _split(toks[s:e])
    name = [t for t in name if t.text not in "()"]
    role = _role(title, text)
    for i, t in enumerate(name):
        if t.key in ("of", "for") and i:  # "Mei Tan of the National Seismic Centre": a name and its affiliation
            head, tail = name[:i], [x for x in name[i + 1:] if x.key != "the"]
            if tail and not ORG_WORDS.search(" ".join(x.text for x in head)) and (
                    len(head) >= 2 or ORG_WORDS.search(" ".join(x.text for x in tail))):
                affiliation = text[tail[0].start:name[-1].start + len(name[-1].text)]
                role, name = (f"{role}, {affiliation}" if role else affiliation), head
            break
    if name and all(t.cap or t.key in CONNECTORS or t.key == "the" for t in name) and name[0].cap:
        return _Subject("name", " ".join(t.text for t in name), role, (p, name[0].start), s)
    if not title:
        return None
    if s > 0 and toks[s - 1].key in ("the", "a", "an"):
        s -= 1
    return _np(toks, s, e, text, p)  # a title and no name: "the Foreign Minister said"


def _modifier(t: _Tok) -> bool:
    """A lower-case word that may qualify a title ("union" in "union negotiator"): no function word or verb."""
    return t.lower and t.key not in STOPWORDS and t.key not in SPEECH_VERBS and not t.key.endswith(("ed", "ing", "ly"))


def _left(toks: list[_Tok], end: int) -> int:
    """Start of the name/title phrase ending just before `end`."""
    s = end
    while s > 0:
        t = toks[s - 1]
        if t.phrase or (t.text in "()" and s >= 2):
            s -= 1
        elif t.key in CONNECTORS or t.key == "the":  # "Ursula von der Leyen", "Minister of the Interior"
            i = s - 1
            while i > 0 and toks[i - 1].key in CONNECTORS:
                i -= 1
            if t.key == "the" and (s - i < 2 or toks[s - 2].key not in ("of", "for")):
                break  # "the" only as in "of the"
            if i == 0 or not toks[i - 1].phrase:
                break
            s = i
        else:
            break
    if s < end and toks[s].lower and toks[s].key in CORE:
        for _ in range(2):  # "union negotiator Sam Hill", "council leader Omar Haddad"
            if s > 0 and _modifier(toks[s - 1]):
                s -= 1
    return s


def _right(toks: list[_Tok], start: int) -> int:
    """End of the name/title phrase starting at `start` ("Energy Agency (IAEA) Director", "Minister of the
    Interior" go on)."""
    e = start
    while e < len(toks):
        t = toks[e]
        if t.phrase:
            e += 1
            continue
        if e > start and (t.key in CONNECTORS or t.text in "()"):
            k = e + 1
            if t.key in ("of", "for") and k < len(toks) and toks[k].key == "the":
                k += 1
            if k < len(toks) and toks[k].phrase:
                e = k
                continue
        break
    return e


def _appositive(toks: list[_Tok], a: int, b: int, text: str) -> str | None:
    """The role an appositive toks[a:b] gives ("a spokeswoman for X" -> "spokeswoman for X"), if any."""
    part = list(toks[a:b])
    while part and (part[0].text[:1].isdigit() or part[0].text == ","):
        part = part[1:]  # "Roe, 45, a teacher"
    if part and part[0].key in ("a", "an", "the"):
        part = part[1:]
    if not part or part[0].key in ("who", "which", "whose", "where", "when") or part[0].text == QMARK:
        return None
    return text[part[0].start:part[-1].start + len(part[-1].text)]


def _subject_before(toks: list[_Tok], k: int, text: str, p: int) -> _Subject | None:
    """The subject of the verb at toks[k], read leftwards: 'Jane Roe, a professor at X, (also) said'."""
    j = k - 1
    while j >= 0 and toks[j].lower and (toks[j].key in BETWEEN or toks[j].key.endswith("ly")):
        j -= 1
    if j < 0:
        return None
    t = toks[j]
    if t.text == ",":
        i = j - 1
        while i >= 0 and j - i <= MAX_APPOSITIVE and toks[i].text not in (",", ":", ";", QMARK):
            i -= 1
        if i > 0 and toks[i].text == "," and toks[i - 1].text[:1].isdigit() and i > 1 and toks[i - 2].text == ",":
            i -= 2  # "Roe, 45, a teacher, said"
        if i <= 0 or toks[i].text != ",":
            return None
        found = _phrase_subject(toks, _left(toks, i), i, text, p) if toks[i - 1].phrase else None
        inner = toks[i + 1:j]
        if found is not None and found.kind == "np" and inner and inner[0].cap and all(
                x.cap or x.key in CONNECTORS for x in inner):  # "The CEO, Sam Hill, said"
            role = re.sub(r"^(?:the|a|an)\s+", "", found.text, flags=re.I)
            return _Subject("name", " ".join(x.text for x in inner), role, (p, inner[0].start), i + 1)
        if found is None or found.kind != "name":
            return None
        return found._replace(role=_appositive(toks, i + 1, j, text) or found.role)
    if t.key in PRONOUNS:
        return _Subject("pronoun", t.key, None, (p, t.start), j)
    if t.phrase:
        return _phrase_subject(toks, _left(toks, j + 1), j + 1, text, p)
    if t.lower and t.key not in STOPWORDS and t.text != QMARK:
        i = j  # a common noun phrase: "the port authority", "officials"
        while i > 0 and j - i < 3 and toks[i - 1].lower and toks[i - 1].key not in STOPWORDS:
            i -= 1
        if i > 0 and toks[i - 1].key in ("the", "a", "an", "its", "their"):
            i -= 1
        return _np(toks, i, j + 1, text, p)
    return None


def _subject_after(toks: list[_Tok], k: int, text: str, p: int) -> _Subject | None:
    """The subject after an inverted verb: 'said Port Authority spokeswoman Jane Roe, a ...'."""
    j = k + 1
    if j < len(toks) and toks[j].key in PRONOUNS and toks[j].lower:
        return _Subject("pronoun", toks[j].key, None, (p, toks[j].start), j)
    if j < len(toks) and toks[j].key in ("the", "a", "an"):
        j += 1
    m = j
    while m < len(toks) and m - j < 2 and _modifier(toks[m]) and toks[m].key not in CORE:
        m += 1
    e = _right(toks, m if m < len(toks) and toks[m].key in CORE and toks[m].lower else j)
    found = _phrase_subject(toks, j, e, text, p) if e > j else None
    if found is None:
        stop = j
        while stop < len(toks) and stop - j < 8 and toks[stop].text not in (",", ".", ";", ":", QMARK):
            stop += 1
        if stop == j or toks[k + 1].text in (",", ".", QMARK):
            return None
        return _np(toks, k + 1, stop, text, p)
    if found.kind == "name" and e < len(toks) and toks[e].text == ",":
        stop = e + 1
        while stop < len(toks) and stop - e <= MAX_APPOSITIVE and toks[stop].text not in (",", ".", ";", QMARK):
            stop += 1
        found = found._replace(role=_appositive(toks, e + 1, stop, text) or found.role)
    return found


def _according(toks: list[_Tok], k: int, text: str, p: int) -> _Subject | None:
    """'according to the US State Department' -> US State Department."""
    j = k + 2
    if j < len(toks) and toks[j].key == "the":
        j += 1
    e = _right(toks, j)
    if e > j:
        return _phrase_subject(toks, j, e, text, p)
    stop = j
    while stop < len(toks) and stop - j < 8 and toks[stop].text not in (",", ".", ";", ":", QMARK) and \
            toks[stop].key not in ("that", "which", "who", "when", "on", "in", "at", "as"):
        stop += 1
    return _np(toks, k + 2, stop, text, p) if stop > k + 2 else None


def _clause_subject(toks: list[_Tok], text: str, p: int) -> _Subject | None:
    """The first name or pronoun followed by a lower-case word: the subject of a participle's clause."""
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.key in PRONOUNS and PRONOUNS[t.key] and i + 1 < len(toks) and toks[i + 1].lower:
            return _Subject("pronoun", t.key, None, (p, t.start), i)
        if t.phrase:
            e = _right(toks, i)
            if e < len(toks) and toks[e].lower and toks[e].key not in CONNECTORS and toks[e].key != "and":
                found = _phrase_subject(toks, i, e, text, p)
                if found is not None:
                    return found
            i = max(e, i + 1)
        else:
            i += 1
    return None


def _introduced(toks: list[_Tok], s: int, e: int) -> bool:
    """Is the name toks[s:e] a speech verb's subject ("Roe said"), followed by an appositive ("Roe, a
    teacher,") or right after an inverted speech verb (",” said Roe")?"""
    j = e
    while j < len(toks) and toks[j].lower and (toks[j].key in BETWEEN or toks[j].key.endswith("ly")):
        j += 1
    if j < len(toks) and _verb(toks, j) == "finite":
        return True
    if e + 1 < len(toks) and toks[e].text == "," and (
            toks[e + 1].key in ("a", "an", "the") or toks[e + 1].text[:1].isdigit() or toks[e + 1].key in CORE):
        return True
    return s >= 2 and _verb(toks, s - 1) == "finite" and toks[s - 1].text not in OBJECT_VERBS and \
        toks[s - 2].text in (QMARK, ",")


def _governing(toks: list[_Tok], text: str, p: int, rest: list[_Tok]) -> tuple[bool, _Subject | None]:
    """(found a speech verb, its subject) for the nearest speech verb in `toks`, read from the end."""
    for k in range(len(toks) - 1, -1, -1):
        kind = _verb(toks, k)
        if kind == "according":
            return True, _according(toks, k, text, p)
        if kind == "finite":
            found = _subject_before(toks, k, text, p)
            if found is None and toks[k].text not in OBJECT_VERBS:
                found = _subject_after(toks, k, text, p)
            return True, found
        if kind == "participle":
            return True, _clause_subject(toks[:k], text, p) or _clause_subject(rest, text, p)
    return False, None


# --- one article -----------------------------------------------------------------------------

class _Raw(NamedTuple):
    sentence: int
    text: str  # the quoted words, without a trailing comma
    full: str  # ... with it
    speaker: str | None
    role: str | None
    named: bool  # the speaker is a name (a person's or an organisation's), not a phrase such as "officials"
    by_verb: bool  # a speech verb governs the quotation


class _People:
    """Who an article has named, by position: the antecedents of 'he', 'she' and 'it'."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, int, str, str]] = []  # sorted (paragraph, offset, kind, name)
        self.roles: dict[str, str] = {}  # name -> the first role the article gives it
        self.by_last: dict[str, set[str]] = defaultdict(set)  # last word -> person names of two words or more

    def add(self, pos: tuple[int, int], kind: str, name: str, role: str | None) -> None:
        insort(self.entries, (pos[0], pos[1], kind, name))
        if role and name not in self.roles:
            self.roles[name] = role
        key = _key_tokens(name)
        if kind == "person" and len(key) > 1:
            self.by_last[key[-1]].add(name)

    def latest(self, pos: tuple[int, int], kind: str) -> str | None:
        for n in range(bisect_right(self.entries, pos) - 1, -1, -1):
            if self.entries[n][2] == kind:
                return self.entries[n][3]
        return None

    def full_name(self, name: str) -> str:
        """The one fuller person name this article gives that ends with `name`, else `name`."""
        tail = _key_tokens(name)
        if not tail:
            return name
        fuller = {n for n in self.by_last.get(tail[-1], ()) if len(_key_tokens(n)) > len(tail)
                  and _key_tokens(n)[-len(tail):] == tail}
        return fuller.pop() if len(fuller) == 1 else name


@lru_cache(maxsize=1 << 14)
def _key_tokens(name: str) -> tuple[str, ...]:
    """A name's comparable words: no initials, hyphens or case ("Lee Jae-sung" == "Lee Jae Sung")."""
    return tuple(fold(t) for t in re.split(r"[\s\-]+", name) if t and not re.fullmatch(r"[A-Z]\.?", t) and fold(t))


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Countries, US states, capitals and cities of 100,000 people or more (GeoNames): "Moscow said" is no person."""
    from .geonames import geonames  # lazy: read only when an article names a speaker

    countries, states, cities = geonames()
    names = {c["name"] for c in countries} | {c.get("capital") or "" for c in countries}
    names.update(s["name"] for s in states)
    names.update(cities)
    return frozenset(fold(n) for n in names if n)


@lru_cache(maxsize=1 << 14)
def _personal(name: str) -> bool:
    """Could `name` be a person's? Not an organisation, acronym or known place."""
    return not ORG_WORDS.search(name) and not name.replace(".", "").isupper() and fold(name) not in _places()


class _Article:
    """One article's quotations, read in order: marks, the people it names, then each quote's speaker."""

    def __init__(self, article: Article):
        self.paragraphs = article.paragraphs
        self.spans = _spans(self.paragraphs, [b.kind == "quote" for s in article.sections for b in s.blocks
                                              for _ in b.texts])
        self.sentences = [sentence_spans(p) for p in self.paragraphs]
        self.base = [0]
        for spans in self.sentences:
            self.base.append(self.base[-1] + len(spans))
        self.covered: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for span in self.spans:
            for q, a, b in span.pieces:
                self.covered[q].append((max(0, a - 1), min(len(self.paragraphs[q]), b + 1)))
        self.lexed: dict[tuple[int, int, int], list[_Tok]] = {}
        self.people = _People()

    def sentence_at(self, p: int, off: int) -> int:
        """Index within paragraph p of the sentence holding offset `off`."""
        spans = self.sentences[p]
        for n, (_, b) in enumerate(spans):
            if off < b:
                return n
        return max(0, len(spans) - 1)

    def tokens(self, p: int, a: int, b: int) -> list[_Tok]:
        """Tokens of paragraph p's text[a:b], each quotation in it replaced by one QMARK token."""
        out: list[_Tok] = []
        pos = a
        for qa, qb in self.covered.get(p, ()):
            if qb <= pos or qa >= b:
                continue
            out += self._lex(p, pos, max(pos, qa))
            out.append(_Tok(QMARK, qa, *_fields(QMARK)))
            pos = qb
        out += self._lex(p, pos, b)
        return out

    def _lex(self, p: int, a: int, b: int) -> list[_Tok]:
        """Memoised in paragraphs with quotations: finding people and then each quote's speaker read the
        same stretches of text there. (Elsewhere text is mostly read once, and tokens dropped early cost the
        garbage collector less.)"""
        if p not in self.covered:
            return _lex(self.paragraphs[p], a, b)
        key = (p, a, b)
        if key not in self.lexed:
            self.lexed[key] = _lex(self.paragraphs[p], a, b)
        return self.lexed[key]

    def find_people(self) -> None:
        """Register the people and organisations each sentence names, outside quotations."""
        for p, text in enumerate(self.paragraphs):
            for a, b in self.sentences[p]:
                toks = self.tokens(p, a, b)
                e = 0  # end of the last phrase
                for i in compress(range(len(toks)), map(_PHRASE, toks)):  # the tokens that may start one
                    if i >= e:
                        e = _right(toks, i)
                        self._register(toks, i, e, text, p)

    def _register(self, toks: list[_Tok], s: int, e: int, text: str, p: int) -> None:
        found = _phrase_subject(toks, s, e, text, p)
        if found is None or found.kind != "name":
            return
        single = len(_key_tokens(found.text)) == 1
        if found.role is not None or any(t.key in HONORIFICS for t in toks[s:e]):
            if _personal(found.text):
                self.people.add(found.pos, "person", found.text, found.role)
            return
        full = self.people.full_name(found.text) if single else found.text
        if full != found.text:
            self.people.add(found.pos, "person", full, None)
        elif not (single and found.pos[1] == toks[0].start) and _introduced(toks, s, e):
            # (one capitalised word opening a sentence may be a common noun: "Officials said")
            self.people.add(found.pos, "person" if _personal(found.text) else "org", found.text, None)

    def quotes(self) -> list[_Raw]:
        self.find_people()
        out: list[_Raw] = []
        last_span: _Span | None = None  # the quotation out[-1] came from
        for span in self.spans:
            full = " ".join(self.paragraphs[q][a:b].strip() for q, a, b in span.pieces).strip()
            text = full.rstrip(",;:").strip()  # the comma before "Roe said" is the attribution's
            count = word_count(text)
            if not count:
                continue
            p, off = span.start
            before = [t for t in self.tokens(p, self.sentences[p][self.sentence_at(p, off)][0], off) if t.text != ","]
            if before and before[-1].key in NAMING:
                continue  # a title or a label
            by_verb, subject = self._attribution(span)
            speaker, role, named = self._resolve(subject)
            same_paragraph = last_span is not None and last_span.pieces[-1][0] == p
            if same_paragraph and text[:1].islower() and self._interrupted(last_span, span):
                last = out.pop()  # “A,” Roe said, “and B.”: one quotation around its attribution
                if last.speaker is not None or speaker is None:
                    speaker, role, named = last.speaker, last.role, last.named
                out.append(last._replace(text=f"{last.full} {text}", full=f"{last.full} {full}", speaker=speaker,
                                         role=role, named=named, by_verb=True))
                last_span = span
                continue
            if speaker is None and not by_verb and same_paragraph:
                speaker, role, named = out[-1].speaker, out[-1].role, out[-1].named  # “A,” Roe said. “B.”
            if count <= SHORT_FRAGMENT and not by_verb:
                continue  # a scare quote or emphasis
            sentence = self.base[p] + self.sentence_at(p, off)
            out.append(_Raw(sentence, text, full, speaker, role, named, by_verb))
            last_span = span
        return out

    def _interrupted(self, before: _Span, span: _Span) -> bool:
        q, _, b = before.pieces[-1]
        p, off = span.start
        if q != p:
            return False
        gap = self.tokens(p, b + 1, off)
        return len(gap) <= MAX_AFTER and any(_verb(gap, k) for k in range(len(gap)))

    def _attribution(self, span: _Span) -> tuple[bool, _Subject | None]:
        p, off = span.start
        sa, sb = self.sentences[p][self.sentence_at(p, off)]
        q, _, end = span.pieces[-1]
        text_q = self.paragraphs[q]
        ta, tb = self.sentences[q][self.sentence_at(q, max(0, end - 1))] if self.sentences[q] else (0, 0)
        after = self.tokens(q, min(end + 1, len(text_q)), max(tb, end + 1))
        before = self.tokens(p, sa, off)
        # 1. Right after the quote: ",” Roe said" / ",” said Roe" / ",” according to X" / ",” adding".
        j = 0
        while j < len(after) and after[j].text in (",", "\u2014", "-"):
            j += 1
        if j < len(after):
            kind = _verb(after, j)
            if kind == "finite":  # (right after a quote even "asked Roe" names the speaker)
                return True, _subject_after(after, j, text_q, q)
            if kind == "according":
                return True, _according(after, j, text_q, q)
            if kind == "participle":
                return True, _clause_subject(before, self.paragraphs[p], p)
            for k in range(j, min(len(after), j + MAX_AFTER)):
                if after[k].text in (QMARK, ";", "."):
                    break
                if _verb(after, k) == "finite":
                    found = _subject_before(after, k, text_q, q)
                    if found is not None and found.first == j:
                        return True, found
                    break
        # 2. Before it in its sentence: "Roe said that ... “" / "According to X: “".
        by_verb, found = _governing(before, self.paragraphs[p], p, after)
        if by_verb:
            return by_verb, found
        # 3. The sentence before, when it ends with a colon: "Roe told Reuters:" / “...”
        if not [t for t in before if t.text != QMARK]:
            prev = self._previous_sentence(p, sa)
            if prev is not None:
                pp, (a, b) = prev
                toks = self.tokens(pp, a, b)
                if toks and toks[-1].text == ":":
                    return _governing(toks[:-1], self.paragraphs[pp], pp, [])
        return False, None

    def _previous_sentence(self, p: int, start: int) -> tuple[int, tuple[int, int]] | None:
        n = self.sentence_at(p, start)
        if n > 0:
            return p, self.sentences[p][n - 1]
        while p > 0:
            p -= 1
            if self.sentences[p]:
                return p, self.sentences[p][-1]
        return None

    def _resolve(self, subject: _Subject | None) -> tuple[str | None, str | None, bool]:
        """(speaker, role, is a name) for an attribution's subject, pronouns resolved."""
        if subject is None:
            return None, None, False
        if subject.kind == "pronoun":
            kind = PRONOUNS.get(subject.text)
            name = self.people.latest(subject.pos, kind) if kind else None
            return name, self.people.roles.get(name), name is not None and name[:1].isupper()
        if subject.kind == "np":
            self.people.add(subject.pos, "org", subject.text, None)
            return subject.text, None, False
        name = subject.text
        personal = _personal(name)
        if personal:
            name = self.people.full_name(name)
        p, off = subject.pos
        opening = not self.paragraphs[p][self.sentences[p][self.sentence_at(p, off)][0]:off].strip(" \"'\u201c\u2018(")
        if name == subject.text and len(_key_tokens(name)) == 1 and opening:
            return name, subject.role, True  # "Officials said": maybe no name at all, so no antecedent either
        self.people.add(subject.pos, "person" if personal else "org", name, subject.role)
        return name, subject.role or self.people.roles.get(name), True


# --- the story -------------------------------------------------------------------------------

def _join_names(found: list[tuple[int, _Raw, _People]], everyone: list[_People]) -> dict[str, str]:
    """Each speaker name -> the story's form of it: a tail joins the one fuller name ending with it."""
    names = Counter(r.speaker for _, r, _ in found if r.speaker and r.named)
    for people in everyone:
        names.update(n for _, _, k, n in people.entries if k == "person")
    by_key: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for name, count in names.items():
        by_key[_key_tokens(name)][name] += count
    tails: dict[tuple[str, ...], set] = defaultdict(set)
    for key in by_key:
        for i in range(1, len(key)):
            tails[key[i:]].add(key)
    out = {}
    for key, forms in by_key.items():
        target = key
        while len(tails.get(target, ())) == 1:
            target = next(iter(tails[target]))
        main = max(by_key[target].items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
        for form in forms:
            out[form] = main
    return out


def _shingles(text: str) -> frozenset:
    """Word bigrams of a quotation, folded; those of stop words only count when nothing else is left."""
    ws = [w.lower() for w in words(fold_text(text))]
    if len(ws) < 2:
        return frozenset([tuple(ws)])
    pairs = {(a, b) for a, b in zip(ws, ws[1:])}
    content = {g for g in pairs if not (g[0] in STOPWORDS and g[1] in STOPWORDS)}
    return frozenset(content or pairs)


def story_quotes(articles: list[Article]) -> tuple[Quote, ...]:
    """Quotes carried by most sources first, then in reading order."""
    found: list[tuple[int, _Raw, _People]] = []
    everyone: list[_People] = []  # who each article names, quoted or not
    readers = [_Article(a) for a in articles]
    if not any(reader.spans for reader in readers):
        return ()  # no quotation anywhere: who the articles name would only name speakers
    for n, reader in enumerate(readers):
        found.extend((n, raw, reader.people) for raw in reader.quotes())
        everyone.append(reader.people)
    names = _join_names(found, everyone)
    roles: dict[str, str] = {}  # the story's form of a name -> the first role any article gives it
    for people in everyone:
        for name, role in people.roles.items():
            roles.setdefault(names.get(name, name), role)
    groups: list[_Group] = []
    index: dict[tuple, list[int]] = defaultdict(list)  # bigram -> groups holding it
    for n, raw, people in found:
        speaker = names.get(raw.speaker, raw.speaker) if raw.named else raw.speaker
        mine = _shingles(raw.text)
        shared: Counter[int] = Counter()
        for g in mine:
            if len(index.get(g, ())) <= COMMON_BIGRAM:
                shared.update(index.get(g, ()))
        scored = sorted(((count / min(len(mine), len(groups[gid].shingles)), gid) for gid, count in shared.items()),
                        reverse=True)
        best = next((gid for score, gid in scored
                     if score >= MIN_CONTAINMENT and groups[gid].agrees(speaker, raw.named)), None)
        if best is None:
            best = len(groups)
            groups.append(_Group())
        group = groups[best]
        if n in group.articles:
            continue  # the article repeats a quotation it already carries
        group.add(n, raw, speaker)
        for g in mine - group.shingles:
            group.shingles.add(g)
            index[g].append(best)
    quotes = []
    for group in groups:
        first = group.members[0]
        text = max(group.members, key=lambda m: word_count(m[1].text))[1].text
        counted = Counter(r.role for _, r, s in group.members if r.role and s == group.speaker)
        role = counted.most_common(1)[0][0] if counted else roles.get(group.speaker) if group.named else None
        mentions = tuple(QuoteMention(articles[n].id, raw.sentence, raw.text) for n, raw, _ in group.members)
        quotes.append(((-len(mentions), first[0], first[1].sentence), Quote(text, group.speaker, role, mentions)))
    quotes.sort(key=lambda q: q[0])
    return tuple(q for _, q in quotes)


class _Group:
    """One quotation across sources: its members, their bigrams and the speaker they agree on."""

    def __init__(self) -> None:
        self.members: list[tuple[int, _Raw, str | None]] = []
        self.articles: set[int] = set()
        self.shingles: set[tuple] = set()
        self.speaker: str | None = None
        self.named = False

    def agrees(self, speaker: str | None, named: bool) -> bool:
        """Same speaker, or one side unknown or only described ("a union official")."""
        return not (named and self.named) or speaker == self.speaker

    def add(self, n: int, raw: _Raw, speaker: str | None) -> None:
        self.members.append((n, raw, speaker))
        self.articles.add(n)
        if speaker is not None and (self.speaker is None or (raw.named and not self.named)):
            self.speaker, self.named = speaker, raw.named  # a name rather than a description
