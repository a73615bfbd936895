"""Boilerplate removal and metadata detection for article text, by general rules.

The input is a sequence of `Unit`s (a line of scraped text, or a block of a Markdown body). Every
rule here reads the shape and wording of page furniture -- prompts, navigation, credits, lists of
other headlines -- never the wording of particular articles. Each rule is one row of a table with
the reason it exists; everything a rule drops is kept as a `Removed` so that `newsgen check
--explain FILE` can show what went and why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date

from .model import Block, Mark, Removed, Section
from .text import find_date, fold, parse_date, word_count


@dataclass(frozen=True, slots=True)
class Unit:
    line: int
    text: str
    kind: str  # "text" | "item" | "heading" | "quote"
    gap_before: bool = True  # a blank line or a block boundary comes before it
    ordered: bool = False  # for items: part of a numbered list
    marks: tuple[Mark, ...] = ()  # inline formatting over `text` (Markdown bodies)


@dataclass(frozen=True, slots=True)
class Cleaned:
    title: str | None
    dek: str | None
    byline: str | None
    publisher: str | None
    published: date | None
    sections: tuple[Section, ...]
    removed: tuple[Removed, ...]


@dataclass(frozen=True, slots=True)
class LineRule:
    name: str
    reason: str
    pattern: re.Pattern
    max_words: int
    spare_sentences: bool = False  # a line that reads as a sentence is prose, not a prompt


def _rule(name: str, reason: str, pattern: str, max_words: int, spare_sentences: bool = False) -> LineRule:
    # Matched against the lower-cased line (see line_rule): more than twice as fast as re.I.
    if any(c.isupper() for c in re.sub(r"\\.", "", pattern)):
        raise ValueError(f"line rule {name}: write the pattern in lower case")
    return LineRule(name, reason, re.compile(pattern), max_words, spare_sentences)


# Lines that are page furniture wherever they stand. Order matters only for the name reported.
LINE_RULES: tuple[LineRule, ...] = (
    _rule("popup", "text of a sign-up confirmation pop-up",
          r"\b(check your (e-?mail|inbox|spam)|confirmation (link|e-?mail)|spam folder|"
          r"thanks? (you )?for (signing up|subscribing|registering)|you('re| are) (now )?(subscribed|signed up)|"
          r"^success\b|^(enter|type) your e-?mail|^e-?mail address$)", 40),
    _rule("newsletter", "a newsletter or subscription prompt",
          r"\b(newsletters?|subscribe|subscribers?|subscription|sign(ing)?[- ]?up|mailing list|inbox|"
          r"abonnieren|abonniere|abonnez|abonnement|suscr[ií]b\w*|iscriviti|zapisz si[eę]|subskrybuj|assine)\b", 14,
          spare_sentences=True),
    _rule("button", "a button or link label",
          r"^(ok(ay)?|ok,? thanks|thanks|thank you|no,? thanks|got it|close|dismiss|accept( all)?( cookies)?|"
          r"reject( all)?|continue|cancel|submit|send|sign in|log ?in|log ?out|register|menu|search|home|"
          r"skip to( main)? content|back to top|read more|read full (story|article)|load more|show more|"
          r"see more|view more|more|next|previous|comments?|view comments|leave a (comment|reply)|"
          r"listen( to (this|the) (article|story))?|print|save|bookmark|\d+ comments?|"
          r"(open|close) (menu|navigation)|toggle navigation|"
          # the same labels in German, French, Spanish, Italian, Polish, Portuguese and Dutch
          r"teilen|drucken|zur[üu]ck( zur [üu]bersicht| nach oben)?|weiterlesen|mehr lesen|anmelden|abmelden|suche|"
          r"startseite|partager|imprimer|lire la suite|retour|accueil|compartir|imprimir|leer m[aá]s|inicio|"
          r"condividi|stampa|leggi (di pi[uù]|tutto)|udost[eę]pnij|drukuj|czytaj (dalej|wi[eę]cej)|"
          r"compartilhar|leia mais|delen|lees meer)\W*$", 6),
    _rule("share", "a share or follow prompt",
          r"^((share|tweet|pin|e-?mail|copy link|follow( us)?|like us)\b|(facebook|twitter|x|linkedin|whatsapp|"
          r"reddit|pinterest|telegram|instagram|youtube|tiktok|threads|bluesky|flipboard|messenger|e-?mail)$|"
          r"(teilen|folgen|partager|suivez|compartir|s[ií]guenos|condividi|seguici|udost[eę]pnij|obserwuj|"
          r"compartilhe|siga|deel|volg) (auf|uns|sur|nous|en|su|na|nas|op|ons)\b)",
          10, spare_sentences=True),
    _rule("advertisement", "an advertising slot",
          r"^(advertisement|advertising|sponsored( content)?|sponsored by\b.*|ad|paid (post|content)|"
          r"(story|article) continues (below|after)( this)?( advertisement| ad)?|story continues below|"
          r"scroll to continue( with content)?|continue reading( below)?|"
          r"anzeige|werbung|publicit[eé]|publicidad|pubblicit[aà]|reklama|publicidade|advertentie)\W*$", 8),
    _rule("cookies", "a cookie or privacy notice",
          r"\b(we use cookies|cookie (policy|settings|preferences|consent)|accept (all )?cookies|"
          r"privacy (policy|settings)|terms (of|and) (use|service|conditions)|"
          r"(wir verwenden|verwendet|nutzt) cookies|datenschutzerkl[äa]rung|datenschutz-?einstellungen|impressum|"
          r"nous utilisons des cookies|politique de confidentialit[eé]|utilizamos cookies|pol[ií]tica de privacidad|"
          r"utilizziamo (i )?cookie|informativa (sulla )?privacy|polityka prywatno[sś]ci|u[zż]ywamy plik[oó]w cookie)\b",
          40),
    _rule("copyright", "a copyright line",
          r"^(copyright\b|\u00a9|\(c\)\s*\d{4})|all rights reserved|^\d{4}\s*\u00a9", 60),
    _rule("profile-image", "an author's profile-image label",
          r"\b(profile (image|picture|photo|pic)|author (image|photo|avatar)|avatar|headshot)\b", 12),
    _rule("image-credit", "an image caption credit",
          r"^(images?|photos?|photograph|pictures?|videos?|graphics?|illustrations?|pictured|file photo|"
          r"main image|top image)( credits?| courtesy| source| by)?\s*[:|]|^(image |photo )?credits?\s*:|"
          r"^courtesy\b|^(photo|image|video) by\b|\((photo|image|picture|credit)[^)]*\)\s*$|"
          r"/\s*(getty images|afp|ap|reuters|epa|shutterstock|alamy)\b|\b(getty images|ap photo|afp photo)\b|"
          r"\u00a9\s*\w",
          25),
    _rule("tags", "a tag or topic list", r"^(tags?|topics?|filed under|categories|category|keywords)\s*:", 40),
    _rule("reading-time", "a reading-time label", r"^(\d+\s*(min(ute)?s?)\s+read|reading time\b.*)$", 8),
    _rule("credits", "a production credit line",
          r"^(additional )?(reporting|writing|editing|edited|compiled|produced|translated) by\b", 40),
    _rule("bare-link", "a bare web address", r"^(https?://|www\.)\S+$", 1),
    _rule("comments", "the furniture of a comment section",
          r"\b(leave a (reply|comment)|comments are closed|notify me of (new|follow-up)|you must be logged in|"
          r"post a comment|\d+ (comments|responses|replies|antworten|kommentare|commentaires|comentarios|commenti|"
          r"komentarz[ey]?)\b|kommentar (schreiben|verfassen|abgeben)|(schreibe|hinterlasse)(n sie)? einen kommentar|"
          r"benachrichtige mich|keine kommentare|kommentare sind (geschlossen|deaktiviert)|"
          r"sie m[üu]ssen (sich )?(angemeldet|eingeloggt|einloggen)|laisser un commentaire|"
          r"deja (un|tu) comentario|lascia un commento|dodaj komentarz|deixe (um|seu) coment[aá]rio)", 20),
    _rule("read-also", "a link to another article, with its label",
          r"^(read (more|also|next)|see also|related|also read|"
          r"lesen sie (auch|mehr)|lies auch|mehr zum thema|auch interessant|siehe auch|"
          r"(à )?lire aussi|voir aussi|lea (también|m[aá]s)|lee también|ver también|leggi anche|"
          r"czytaj (te[zż]|tak[zż]e|r[oó]wnie[zż])|zobacz (te[zż]|tak[zż]e)|leia (também|mais)|veja também|lees ook)"
          r"\s*[:|\u2013\u2014-]", 25),
)

# Headings that open a block of links to other pages; the block runs until real prose resumes.
RELATED_HEADINGS = re.compile(
    r"^(related( articles?| stories| news| posts| content| coverage| reading| links| topics)?|"
    r"most (popular|read|viewed|shared|commented)( (articles?|stories|news))?( now| today)?|"
    r"(read|watch) (more|next|also)|more (from|on|in|about) .{1,40}|more (stories|news|articles|headlines)|"
    r"(you|we think you) (may|might|will) (also )?(like|enjoy)|recommended( for you| stories| reading)?|"
    r"trending( now| stories)?|popular( now| stories)?|top stories|latest( news| stories| headlines)?|"
    r"editor'?s'? picks|see also|also read|further reading|what to read next|don'?t miss|"
    r"in case you missed it|around the web|from (the|our) (web|partners)|promoted (stories|links)|"
    r"comments|\d+ comments|join the conversation|leave a comment|"
    # German, French, Spanish, Italian, Polish, Portuguese, Dutch
    r"[äa]hnliche (artikel|beitr[äa]ge|themen)|verwandte (artikel|themen|beitr[äa]ge)|"
    r"das k[öo]nnte (sie|dich) (auch )?interessieren|(lesen sie|lies) (auch|mehr)|auch interessant|"
    r"mehr zum thema|weitere (artikel|beitr[äa]ge|meldungen|nachrichten|themen)|meistgelesen\w*|"
    r"beliebte (artikel|beitr[äa]ge|tags|themen)|(letzte|neueste) (kommentare|beitr[äa]ge|artikel)|"
    r"(\d+ )?kommentare|top-?themen|"
    r"(à )?lire aussi|sur le m[êe]me (sujet|th[èe]me)|articles? (similaires|li[ée]s)|les plus lus|"
    r"(\d+ )?commentaires|vous aimerez aussi|voir aussi|"
    r"(lea|lee) tambi[ée]n|(te|le) puede interesar|noticias relacionadas|art[ií]culos relacionados|"
    r"lo m[aá]s le[ií]do|(\d+ )?comentarios|m[aá]s noticias|"
    r"leggi anche|articoli correlati|potrebbe interessarti|i pi[uù] letti|(\d+ )?commenti|"
    r"czytaj (te[zż]|tak[zż]e|r[oó]wnie[zż])|zobacz (te[zż]|tak[zż]e|r[oó]wnie[zż])|podobne artyku[lł]y|"
    r"(\d+ )?komentarze|najcz[eę][sś]ciej czytane|"
    r"leia tamb[ée]m|veja tamb[ée]m|not[ií]cias relacionadas|mais lidas|(\d+ )?coment[aá]rios|"
    r"lees ook|gerelateerde artikelen|meest gelezen|(\d+ )?reacties)\W*$", re.I)

# A line ending in ":" that introduces a list of links or resources rather than article content.
FURTHER_READING = re.compile(
    r"\b(further reading|read more|learn more|more information|resources|useful links|see also|"
    r"related (links|reading)|recommended reading|consider (exploring|reading|visiting))\b", re.I)

BYLINE = re.compile(r"^by\s+(?P<who>[^\W\d_][^.!?]*?)\s*$", re.I)
BYLINE_SEPARATORS = re.compile(r"\s*(?:\||\u2022|\u00b7|,|;|\s[-\u2013\u2014]\s|\bfor\b)\s*")
DATE_LABEL = re.compile(r"^(?P<label>(first )?published|posted|date|updated|last updated|modified)"
                        r"(\s+on)?\s*:?\s*(?P<rest>.+)$", re.I)
COPYRIGHT_HOLDER = re.compile(
    r"(?:copyright|\u00a9|\(c\))\s*(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?)?\s*[,.]?\s*(?:by\s+)?"
    r"(?P<name>[^\W\d_][^|]{1,60}?)\s*(?:[.|]|all rights reserved|$)", re.I)

# Words that make a byline or copyright holder an organisation (a publisher), not a person.
ORG_WORDS = re.compile(
    r"\b(news|foundation|press|agency|times|post|journal|herald|tribune|media|network|broadcasting|"
    r"inc|ltd|llc|plc|gmbh|group|institute|wire|service|daily|weekly|magazine|gazette|chronicle|telegraph|"
    r"radio|television|tv|channel|corporation|reuters|afp|bbc|cnn|npr|observer|economist|monitor|"
    r"dispatch|bulletin|publishing|publications|editorial board|university|blog)\b|\.(com|org|net|co\.uk)\b", re.I)

# Job titles that follow a name in a byline ("Jane Doe, Staff Writer"): neither a name nor an outlet.
ROLE_WORDS = re.compile(
    r"^((senior|chief|staff|special|foreign|political|business|local|deputy|associate|contributing|"
    r"managing|news|investigative)\s+)*(reporter|correspondent|writer|editor|columnist|contributor|staff|"
    r"producer|analyst|photographer|bureau chief|journalist|desk|team)s?$", re.I)
# Trailing words that make an outlet's name a byline ("Outlet Staff"): the outlet is the rest.
ORG_STAFF = re.compile(r"\s+(staff|reporters|desk|team|newsroom|editors|editorial board|wire)$", re.I)
GLUED_PREFIX = re.compile(r"^(?P<crumbs>(?:[A-Z][a-z]+){2,})(?=[A-Z][a-z]*\s)")

EMPTY_DATELINE = re.compile(r"^\(\s*\)?\s*[-\u2013\u2014]+\s*")  # "( – Text": a dateline whose place was lost
FOOTNOTE_LEAD = re.compile(r"(?<=[\s,:;])\d{1,2}(?=[A-Z][a-z]|[A-Z]{3,}\b)")  # "Sources: 1The Herald, 2The Post"
FOOTNOTE_MARK = re.compile(r"(?<=[^\W\d][.!?])\d{1,2}$|(?<=[.!?]['\"\u2019\u201d])\d{1,2}$")
SENTENCE_END = re.compile(r"[.!?]['\"\u2019\u201d)]?$")  # at most two characters: see ends_sentence
MENU_END = re.compile(r"[.!:;\u3002\uff01\uff1f]['\"\u201d]?$")
BREADCRUMB_SPLIT = re.compile(r"\s+[>/|]\s+|\s*[\u203a\u00bb]\s*")  # "Home > News", "Home › News"
GLUED_WORDS = re.compile(r"^(?:[A-Z][a-z]+){3,}$")

TITLE_SCAN = 15  # how far from the top the headline may stand
MAX_TITLE_WORDS = 30


def ends_sentence(text: str) -> bool:
    """Ends as a sentence does. Only the last two characters can match: a search over the whole line
    for an end-anchored pattern would try every position."""
    return SENTENCE_END.search(text[-2:]) is not None


def is_sentence(text: str) -> bool:
    return ends_sentence(text) and word_count(text) >= 4


def is_prose(text: str) -> bool:
    """A paragraph of running text: long enough and ending as a sentence does."""
    return is_sentence(text) and word_count(text) >= 12


def is_org(name: str) -> bool:
    return bool(ORG_WORDS.search(name))


@dataclass
class _Work:
    """The cleaner's scratch state for one document (private to this module)."""

    units: list[Unit]
    gone: dict[int, Removed] = field(default_factory=dict)  # unit index -> why it went
    fragments: list[Removed] = field(default_factory=list)  # parts cut from lines that stay
    site_name: str | None = None  # from a "Headline | Outlet" page title

    def kept(self) -> list[int]:
        return [i for i in range(len(self.units)) if i not in self.gone]

    def drop(self, i: int, rule: str, reason: str) -> None:
        if i not in self.gone:
            u = self.units[i]
            self.gone[i] = Removed(u.line, u.text, rule, reason)


@lru_cache(maxsize=1 << 16)
def line_rule(text: str) -> LineRule | None:
    """The furniture rule a line matches, if any. Memoised: a site's furniture repeats from page to page."""
    n = word_count(text)
    lower = text.lower()
    for rule in LINE_RULES:
        if n > rule.max_words or not rule.pattern.search(lower):
            continue
        if rule.spare_sentences and is_sentence(text) and n >= 6:
            continue
        return rule
    return None


def clean(units: list[Unit], *, known_title: str | None = None, find_title: bool = True,
          whole_page: bool = False) -> Cleaned:
    """Clean one document. `whole_page`: the units are a page's whole visible text (a .txt dump), so
    whatever stands outside the page's main stretch of running text goes too (`_article_span`)."""
    w = _line_rules(units)
    _menu_runs(w)
    published = _labelled_date(w)
    title, title_at = _title(w) if find_title and not known_title else (known_title, -1)
    repeat_at = _repeated_headline(w, title, title_at) if title else -1
    byline, publisher, byline_at, byline_date = _byline(w)
    published = published or byline_date
    published = _bare_dates(w, title_at, byline_at, published)
    dek = _dek(w, title_at, byline_at)
    _page_header(w, title_at, repeat_at)
    _footer(w)
    _related_blocks(w)
    publisher = publisher or _copyright_holder(w) or _more_from(w) or w.site_name
    _further_reading(w)
    if whole_page:
        _article_span(w)
    _repeated_lines(w)
    _trailing_fragments(w)
    sections = _sections(w)
    removed = tuple(sorted([*w.gone.values(), *w.fragments], key=lambda r: r.line))
    return Cleaned(title, dek, byline, publisher, published, sections, removed)


def _line_rules(units: list[Unit]) -> _Work:
    w = _Work(list(units))
    for i, u in enumerate(w.units):
        rule = line_rule(u.text)
        if rule:
            w.drop(i, rule.name, rule.reason)
    return w


def clean_lines(units: list[Unit]) -> tuple[tuple[Section, ...], tuple[Removed, ...]]:
    """Only the line rules: for text an extractor has already cut from its page (the page's structure,
    which the other rules read from a text dump, is gone by then)."""
    w = _line_rules(units)
    return _sections(w), tuple(sorted(w.gone.values(), key=lambda r: r.line))


MENU_RUN = 4  # this many short lines in a row are navigation or a link list, not article text
MENU_WORDS = 6


def _is_short(u: Unit) -> bool:
    return (u.kind == "text" and word_count(u.text) <= MENU_WORDS and len(u.text) <= 60
            and not MENU_END.search(u.text[-2:]))


def _menu_runs(w: _Work) -> None:
    """Runs of short unpunctuated lines (menus, section lists, tag clouds) go; bulleted lists stay."""
    kept = w.kept()
    run: list[int] = []
    for i in [*kept, -1]:
        if i >= 0 and _is_short(w.units[i]):
            run.append(i)
            continue
        if len(run) >= MENU_RUN:
            last = w.units[run[-1]]
            # The run's last line, right before prose, may be the headline or a heading: it stays.
            if i >= 0 and word_count(last.text) >= 3 and is_prose(w.units[i].text):
                run = run[:-1]
            for j in run:
                w.drop(j, "menu", "one of a run of short lines: navigation or a list of links")
        run = []


TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014-]\s+")  # "Headline | Section | Outlet", "Headline - Outlet"
DOMAIN = re.compile(r"\b[\w-]+\.(com|org|net|news|info|[a-z]{2})\b", re.I)


def _is_outlet_name(text: str) -> bool:
    """Whether a page-title part reads as a publication's name rather than a section or a word."""
    words = text.split()
    if not words or len(words) > 5:
        return False
    return bool(is_org(text) or DOMAIN.search(text) or (text.isupper() and len(text) >= 3)
                or (len(words) >= 2 and all(x[:1].isupper() or x in ("of", "the", "and", "&") for x in words)))


def _split_site_name(w: _Work, text: str, at: int) -> tuple[str, str | None]:
    """'Headline | Section | Outlet' -> ('Headline', 'Outlet'): a page's <title> line."""
    cuts = list(TITLE_SEPARATOR.finditer(text))
    if not cuts:
        return text, None
    last = text[cuts[-1].end():].strip()
    site = last if _is_outlet_name(last) else None
    later = {fold(_headline(w.units[j].text)) for j in w.kept() if j > at}
    for m in reversed(cuts):  # the page states the headline again, without what its title adds
        prefix = text[:m.start()].strip()
        if word_count(prefix) >= 3 and fold(_headline(prefix)) in later:
            return prefix, site
    if site and word_count(text[:cuts[-1].start()]) >= 3 and (is_org(site) or DOMAIN.search(site) or site.isupper()):
        return text[:cuts[-1].start()].strip(), site
    return text, None


def _labelled_date(w: _Work) -> date | None:
    """'Published March 4, 2025' states the article's date; 'Updated ...' lines are dropped too."""
    published = None
    for i in w.kept():
        m = DATE_LABEL.match(w.units[i].text)
        if not m or word_count(w.units[i].text) > 12:
            continue
        found = find_date(m.group("rest"))
        if not found:
            continue
        label = m.group("label").lower()
        if "updated" in label or "modified" in label:
            w.drop(i, "date-updated", "an updated-at line (not the publication date)")
        else:
            w.drop(i, "published", "the publication date line (moved to metadata)")
            published = published or found
    return published


def _is_breadcrumb(w: _Work, i: int, following: list[int]) -> bool:
    text = w.units[i].text
    key = fold(text)
    for j in following[:3]:
        other = fold(w.units[j].text)
        if len(other) >= 12 and key.endswith(other) and len(key) > len(other):
            return True  # a navigation path glued to the headline: "HomeWorldHeadline text"
    parts = [p for p in BREADCRUMB_SPLIT.split(text) if p]
    if len(parts) >= 2 and BREADCRUMB_SPLIT.search(text) and all(word_count(p) <= 4 for p in parts):
        return not ends_sentence(text)
    return bool(GLUED_WORDS.match(text))


def _title(w: _Work) -> tuple[str | None, int]:
    kept = w.kept()
    for pos, i in enumerate(kept[:TITLE_SCAN]):
        u = w.units[i]
        n = word_count(u.text)
        if parse_date(u.text):
            w.drop(i, "date-banner", "a page's date banner above the headline (not the publication date)")
        elif _is_breadcrumb(w, i, kept[pos + 1:]):
            w.drop(i, "breadcrumb", "a navigation path above the headline")
        elif u.kind != "item" and n <= 2 and not ends_sentence(u.text) and (
                n == 1 or _longer_headline_follows(w, kept[pos + 1:pos + 2])):
            w.drop(i, "navigation", "a menu entry or section label above the headline")
        elif u.kind in ("text", "heading") and 2 <= n <= MAX_TITLE_WORDS and not u.text.endswith(":"):
            w.drop(i, "title", "the headline (moved to metadata)")
            headline, w.site_name = _split_site_name(w, u.text, i)
            if w.site_name:
                w.fragments.append(Removed(u.line, w.site_name, "site-name", "the site's name after the headline"))
            crumbs = GLUED_PREFIX.match(headline)
            if crumbs and crumbs.group("crumbs").count(" ") == 0 and len(re.findall("[A-Z]", crumbs.group(0))) >= 2:
                # "HomeNewsBusinessStrike at ...": a navigation path glued to the headline's first word
                w.fragments.append(Removed(u.line, crumbs.group("crumbs"), "breadcrumb",
                                           "a navigation path glued to the headline"))
                return _headline(headline[crumbs.end():]), i
            return _headline(headline), i
        else:
            break
    return None, -1


def _longer_headline_follows(w: _Work, following: list[int]) -> bool:
    """A two-word line is a section label when a fuller headline comes right after it."""
    if not following:
        return False
    nxt = w.units[following[0]]
    return nxt.kind in ("text", "heading") and 5 <= word_count(nxt.text) <= MAX_TITLE_WORDS and not is_prose(nxt.text)


def _headline(text: str) -> str:
    """A headline without the full stop some pages put after it ("U.S." keeps its own)."""
    if text.endswith(".") and not text.endswith("..") and "." not in text.rsplit(None, 1)[-1][:-1]:
        return text[:-1]
    return text


def _repeated_headline(w: _Work, title: str, title_at: int) -> int:
    """Drop the headline where the page shows it again; the index of its first repeat, or -1."""
    key = fold(title)
    first = -1
    for i in w.kept():
        if i != title_at and fold(_headline(w.units[i].text)) == key:
            w.drop(i, "repeated-headline", "the headline again")
            first = i if first < 0 and i > title_at else first
    return first


def _page_header(w: _Work, title_at: int, repeat_at: int) -> None:
    """Between a page's <title> line and the headline shown again lies the page header: whatever is
    not prose there (menus, search boxes, skip links) is furniture."""
    if title_at < 0 or repeat_at < 0:
        return
    zone = [i for i in w.kept() if title_at < i < repeat_at]
    if sum(1 for i in zone if is_prose(w.units[i].text)) > 1:
        return  # article text before the repeat: the headline came back later (a share box, a footer)
    for i in zone:
        if not is_prose(w.units[i].text) and w.units[i].kind != "item":
            w.drop(i, "page-header", "page furniture between the page title and the headline")


def _footer(w: _Work) -> None:
    """A copyright line with no prose after it starts the page footer: what follows goes too.
    (A copyright mark with prose after it is an image credit in mid-article.)"""
    kept = w.kept()
    for mark in sorted(i for i, r in w.gone.items() if r.rule == "copyright"):
        after = [i for i in kept if i > mark]
        if after and not any(is_prose(w.units[i].text) for i in after):
            for i in after:
                w.drop(i, "footer", "below the page's copyright line")
            return


def _parse_byline(who: str) -> tuple[str, str | None, date | None]:
    """'Jane Doe | Outlet, March 4, 2025' -> ('Jane Doe', 'Outlet', date)."""
    parts = [p.strip() for p in BYLINE_SEPARATORS.split(who) if p and p.strip()]
    names = parts[0] if parts else who
    publisher = ORG_STAFF.sub("", names) if is_org(names) else None
    when = None
    for part in parts[1:]:
        found = parse_date(part) or find_date(part)
        if found:
            when = when or found
        elif publisher is None and not ROLE_WORDS.match(part) and part[:1].isupper():
            publisher = ORG_STAFF.sub("", part)
    return names, publisher, when


def _byline(w: _Work) -> tuple[str | None, str | None, int, date | None]:
    byline = publisher = None
    at, when = -1, None
    for i in w.kept():
        text = w.units[i].text
        m = BYLINE.match(text)
        if not m or word_count(text) > 14 or w.units[i].kind == "item":
            continue
        if byline is None:
            byline, publisher, when = _parse_byline(m.group("who"))
            at = i
            w.drop(i, "byline", "the byline (moved to metadata)")
        elif fold(text) == fold(w.units[at].text):
            w.drop(i, "repeated-byline", "the byline again")
    return byline, publisher, at, when


def _bare_dates(w: _Work, title_at: int, byline_at: int, published: date | None) -> date | None:
    """A date alone on a line is the article's date only beside the headline or the byline."""
    kept = w.kept()
    anchors = {a for a in (title_at, byline_at) if a >= 0}
    for i in kept:
        found = parse_date(w.units[i].text)
        if not found:
            continue
        near = any(abs(i - a) <= 2 and not any(j in kept for j in range(min(i, a) + 1, max(i, a)))
                   for a in anchors)
        if near and published is None and i > title_at:
            published = found
            w.drop(i, "published", "the article's date line (moved to metadata)")
        else:
            w.drop(i, "date-line", "a date on its own that does not date this article")
    return published


def _dek(w: _Work, title_at: int, byline_at: int) -> str | None:
    """The standfirst: the one paragraph between the headline and the byline."""
    if title_at < 0 or byline_at <= title_at:
        return None
    between = [i for i in w.kept() if title_at < i < byline_at]
    if len(between) == 1 and w.units[between[0]].kind != "item" and word_count(w.units[between[0]].text) >= 6:
        w.drop(between[0], "dek", "the standfirst (moved to metadata)")
        return w.units[between[0]].text
    return None


def _copyright_holder(w: _Work) -> str | None:
    for removed in w.gone.values():
        if removed.rule == "copyright":
            m = COPYRIGHT_HOLDER.search(removed.text)
            if m and m.group("name").strip(" ,.") and not re.match(r"all rights", m.group("name"), re.I):
                return m.group("name").strip(" ,.")
    return None


MORE_FROM = re.compile(r"^more (?:from|by) (?P<name>.{2,60}?)\W*$", re.I)


def _more_from(w: _Work) -> str | None:
    """'More from The Harbour Times' over a list of links names the page's own outlet."""
    for removed in w.gone.values():
        m = MORE_FROM.match(removed.text) if removed.rule == "related" else None
        if m and is_org(m.group("name")):
            return m.group("name")
    return None


def _related_blocks(w: _Work) -> None:
    kept = w.kept()
    dropping = False
    for i in kept:
        text = w.units[i].text
        if RELATED_HEADINGS.match(text):
            dropping = True
            w.drop(i, "related", "a heading over links to other pages")
        elif dropping and not is_prose(text):
            w.drop(i, "related", "a link to another page, under a 'related' heading")
        else:
            dropping = False


def _further_reading(w: _Work) -> None:
    kept = w.kept()
    for pos, i in enumerate(kept):
        text = w.units[i].text
        if not (text.endswith(":") and FURTHER_READING.search(text)):
            continue
        items = []
        for j in kept[pos + 1:]:
            if w.units[j].kind != "item":
                break
            items.append(j)
        if items:
            w.drop(i, "further-reading", "the introduction to a list of outside resources")
            for j in items:
                w.drop(j, "further-reading", "an entry in a list of outside resources")


def _repeated_lines(w: _Work) -> None:
    seen: set[str] = set()
    for i in w.kept():
        key = fold(w.units[i].text)
        if key in seen and word_count(w.units[i].text) >= 3:
            w.drop(i, "repeated-line", "a line the page already showed")
        seen.add(key)


# Where the article stands on a whole page (a .txt dump): every line weighs its word count when it
# reads as running text, nothing when it may sit inside an article (a list item, a line introducing a
# list, the headline or byline), and a cost when it is furniture. The article is the stretch with the
# greatest total: a maximum-sum run, as Finn, Kushmerick and Smyth's Body Text Extraction (2001) finds
# it over tags and words. Measured on extraction_dev (README): text F1 0.798 -> 0.871.
PROSE_WORDS = 8  # a line that ends as a sentence does is running text from this many words
LONG_WORDS = 20  # ... and a line this long is running text however it ends (a paragraph cut by a link)
LONE_COST = 5  # one furniture line on its own (an image credit between paragraphs)
RUN_COST = 10  # each further line of a run of furniture (a menu, a share bar, a footer)
NAMED_COST = 2  # furniture a rule named costs this many times more than a line that is only short
INSIDE_ARTICLE = frozenset({"title", "dek", "byline", "published", "repeated-headline"})


def _line_value(u: Unit, rule: str | None) -> float | None:
    """Words for running text, 0 for what may sit inside an article, None for furniture."""
    if rule in INSIDE_ARTICLE:
        return 0.0
    if rule:
        return None
    n = word_count(u.text)
    if n >= PROSE_WORDS and (n >= LONG_WORDS or _ends_sentence_past_footnote(u.text)):
        return float(n)
    if u.kind == "item" or (n >= 4 and u.text.endswith(":")):
        return 0.0
    return None


def _ends_sentence_past_footnote(text: str) -> bool:
    """Ends as a sentence does, a footnote number after the full stop allowed."""
    return ends_sentence(text) or (text[-1:].isdigit() and ends_sentence(FOOTNOTE_MARK.sub("", text)))


def _line_values(w: _Work) -> list[float]:
    values = []
    streak = 0
    for i, u in enumerate(w.units):
        gone = w.gone.get(i)
        value = _line_value(u, gone.rule if gone else None)
        if value is None:
            streak += 1
            value = -(LONE_COST if streak == 1 else RUN_COST) * (NAMED_COST if gone else 1)
        else:
            streak = 0
        values.append(value)
    return values


def _article_span(w: _Work) -> None:
    """Keep the page's heaviest stretch of running text (see PROSE_WORDS). Above it, running text and
    lists stay too: a lead that a share bar cuts from the body is still the article. Below it, the
    article goes on while sentences and lists follow directly (a short last line of the article)."""
    values = _line_values(w)
    best, lo, hi = 0.0, 0, -1
    run, start = 0.0, 0
    for i, value in enumerate(values):
        if run <= 0:
            run, start = 0.0, i
        run += value
        if run > best:
            best, lo, hi = run, start, i
    if hi < 0:
        return
    def goes_on(i: int) -> bool:
        text = w.units[i].text
        return i not in w.gone and (values[i] >= 0 or (word_count(text) >= 4 and _ends_sentence_past_footnote(text)))

    while hi + 1 < len(values) and goes_on(hi + 1):
        hi += 1
    kept = w.kept()
    keep = {i for i in kept if lo <= i <= hi or (i < lo and values[i] >= 0)}
    for before, after in zip(kept, kept[1:]):  # a heading over text that stays, stays
        if before not in keep and after in keep and word_count(w.units[before].text) <= 10 \
                and not ends_sentence(w.units[before].text):
            keep.add(before)
    for i in kept:
        if i not in keep:
            w.drop(i, "outside-article", "outside the page's main stretch of running text")


def _trailing_fragments(w: _Work) -> None:
    """Short unpunctuated lines after the last paragraph: menu and footer remains."""
    for i in reversed(w.kept()):
        u = w.units[i]
        if u.kind == "item" or ends_sentence(u.text) or word_count(u.text) > 5:
            break
        w.drop(i, "trailing-fragment", "a short line after the article's end")


def _looks_like_heading(u: Unit, nxt: Unit | None) -> bool:
    if u.kind == "heading":
        return True
    if u.kind != "text" or nxt is None or not u.gap_before:
        return False
    text = u.text
    return (word_count(text) <= 8 and text[:1].isupper() and text[-1:] not in ".,;:!"
            and not text.startswith(("\"", "\u201c", "'", "\u2018")))


TIDY_RULES = (
    (EMPTY_DATELINE, "empty-dateline", "a dateline whose place name the scraper lost"),
    (FOOTNOTE_MARK, "footnote-mark", "a footnote number glued to the sentence end"),
    (FOOTNOTE_LEAD, "footnote-mark", "a footnote number glued to the word it marks"),
)


_DIGIT = re.compile(r"\d")


def _tidy(w: _Work, u: Unit) -> str:
    text = u.text
    if not (text.startswith("(") or _DIGIT.search(text)):
        return text.strip()  # every tidy rule needs a digit, but the empty dateline, which opens with "("
    for pattern, rule, reason in TIDY_RULES:
        for m in reversed(list(pattern.finditer(text))):
            w.fragments.append(Removed(u.line, m.group(0), rule, reason))
            text = text[:m.start()] + text[m.end():]
    return text.strip()


def _sections(w: _Work) -> tuple[Section, ...]:
    kept = [w.units[i] for i in w.kept()]
    index_of = {id(w.units[i]): i for i in w.kept()}
    sections: list[Section] = []
    heading: str | None = None
    heading_unit: Unit | None = None
    blocks: list[Block] = []
    items: list[str] = []
    item_marks: list[tuple[Mark, ...]] = []
    list_line, list_ordered = 0, False

    def flush_list() -> None:
        nonlocal items, item_marks
        if items:
            blocks.append(Block("ol" if list_ordered else "ul", items=tuple(items), line=list_line,
                                marks=tuple(item_marks) if any(item_marks) else ()))
            items, item_marks = [], []

    def flush_section() -> None:
        nonlocal blocks
        flush_list()
        if blocks:
            sections.append(Section(heading, tuple(blocks)))
        elif heading_unit is not None:
            w.drop(index_of[id(heading_unit)], "empty-heading", "a heading with nothing under it")
        blocks = []

    for pos, u in enumerate(kept):
        nxt = kept[pos + 1] if pos + 1 < len(kept) else None
        text = _tidy(w, u)
        if not text:
            continue
        marks = u.marks if text == u.text else ()  # formatting survives where the cleaner left the text whole
        if u.kind == "item":
            if not items:
                list_line, list_ordered = u.line, u.ordered
            items.append(text)
            item_marks.append(marks)
            continue
        flush_list()
        if _looks_like_heading(u, nxt):
            flush_section()
            heading, heading_unit = text, u
        else:
            blocks.append(Block("quote" if u.kind == "quote" else "p", text=text, line=u.line,
                                marks=(marks,) if marks else ()))
    flush_section()
    return tuple(sections)
