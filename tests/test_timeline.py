from datetime import date

from newsgen.analysis.sentences import article_sentences
from newsgen.analysis.timeline import DateMention, Event, find_dates, story_timeline
from newsgen.model import Article, Block, Section, Source


def article(aid: str, *paragraphs: str, published: date | None = None, duplicate_of: str | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", f"Headline {aid}", None, None, Source(None, f"unknown-{aid}"), None,
                   published, (), (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), (),
                   duplicate_of=duplicate_of)


def found(sentence: str, published: date | None = None) -> list[tuple]:
    return [(d.stated, d.when, d.precision) for d in find_dates(sentence, published)]


def summary(events: tuple[Event, ...]) -> list[tuple]:
    return [(e.when, e.precision, e.stated, tuple((m.article_id, m.sentence) for m in e.mentions)) for e in events]


JAN_10 = date(2024, 1, 10)  # a Wednesday
MAR_7 = date(2024, 3, 7)  # a Thursday


def check(cases, published):
    for sentence, expected in cases:
        assert found(sentence, published) == expected, sentence


def test_absolute_dates_in_common_forms():
    check([
        ("The merger closed on March 3, 2024, and the shares listed on 5 March 2024.",
         [("on March 3, 2024", date(2024, 3, 3), "day"), ("on 5 March 2024", date(2024, 3, 5), "day")]),
        ("The filing, dated 2024-03-03, was stamped 16.08.2023 by the registry.",
         [("2024-03-03", date(2024, 3, 3), "day"), ("16.08.2023", date(2023, 8, 16), "day")]),
        ("The board met on Thursday, Sept. 12th, 2024 in Oslo.",
         [("on Thursday, Sept. 12th, 2024", date(2024, 9, 12), "day")]),
        ("Turnout fell in September 2023 after a record in 2019.",
         [("in September 2023", date(2023, 9, 1), "month"), ("in 2019", date(2019, 1, 1), "year")]),
        ("The refinery was sold back in 2011 when prices slumped.", [("back in 2011", date(2011, 1, 1), "year")]),
        ("Floods hit the valley in early 2022.", [("in early 2022", date(2022, 1, 1), "year")]),
    ], None)
    # A publication date changes nothing for a date that names its year.
    assert found("Polls close on November 5, 2024.", JAN_10) == [("on November 5, 2024", date(2024, 11, 5), "day")]


def test_a_date_without_its_year_takes_the_nearest_one_around_publication():
    check([
        ("Talks resumed on December 28 after a pause.", [("on December 28", date(2023, 12, 28), "day")]),
        ("The port reopened on January 8.", [("on January 8", date(2024, 1, 8), "day")]),
        ("Talks with the ferry operator broke down in November.", [("in November", date(2023, 11, 1), "month")]),
        # A clause about the future takes the first such date on or after publication.
        ("The union will meet the employers on December 28.", [("on December 28", date(2024, 12, 28), "day")]),
        ("The new terminal is due to open in September.", [("in September", date(2024, 9, 1), "month")]),
    ], JAN_10)
    # Without a publication date the year is unknown: shown as stated, never guessed.
    check([
        ("Talks resumed on December 28 after a pause.", [("on December 28", None, None)]),
        ("Talks broke down in early November.", [("in early November", None, None)]),
    ], None)


def test_relative_dates_count_from_the_publication_day():
    check([
        ("Dock workers walked out on Monday.", [("on Monday", date(2024, 3, 4), "day")]),
        ("On Thursday, negotiators met for nine hours.", [("On Thursday", date(2024, 3, 7), "day")]),
        ("On Monday, mediators will return to the table.", [("On Monday", date(2024, 3, 11), "day")]),
        ("The union held a ballot last Thursday.", [("last Thursday", date(2024, 2, 29), "day")]),
        ("Members vote next Thursday.", [("next Thursday", date(2024, 3, 14), "day")]),
        ("The ferry sank yesterday and divers will search again tomorrow.",
         [("yesterday", date(2024, 3, 6), "day"), ("tomorrow", date(2024, 3, 8), "day")]),
        ("Officials inspected the dam earlier this week.", [("earlier this week", date(2024, 3, 4), "week")]),
        ("The insurer was fined last month and profits doubled last year.",
         [("last month", date(2024, 2, 1), "month"), ("last year", date(2023, 1, 1), "year")]),
        ("The plant closed two days ago, three weeks ago the mine did.",
         [("two days ago", date(2024, 3, 5), "day"), ("three weeks ago", date(2024, 2, 12), "week")]),
        # The tense of the date's own clause counts, not another clause's.
        ("The mayor, who toured the site on Friday, will meet residents next week.",
         [("on Friday", date(2024, 3, 1), "day"), ("next week", date(2024, 3, 11), "week")]),
    ], MAR_7)
    # Without a publication date nothing relative can be placed.
    assert found("Dock workers walked out on Monday and the insurer was fined last month.") == [
        ("on Monday", None, None), ("last month", None, None)]


def test_what_is_not_an_event_date():
    for sentence in (
        "Prices have risen in recent weeks and in the past year.",
        "Exports have grown since last year and will keep growing until March 3.",
        "The offer stands by Friday, between May and June, or ahead of Tuesday's vote.",
        "Turnout over the last week was low, more than a year ago it was high.",
        "Black Friday sales beat expectations, USA Today reported.",
        "Members of the April 6 Youth Movement marched in the capital.",
        "She scored twice at the 2022 World Cup.",
        "The charity rebuilt homes in 2000 villages.",
        "The 24-year-old striker trains 24/7 and sleeps at 23:00.",
        "The market opens every Sunday, and the ministry may announce results.",
        "The vote, set for February 30, was called off.",
        "Sales in the 2024-25 season rose at the 1990s pace.",
    ):
        assert found(sentence, MAR_7) == [], sentence
    # A preposition takes a date even after a word that could be a name or a determiner.
    assert found("Officials said that on Tuesday the quake struck.", MAR_7) == [
        ("on Tuesday", date(2024, 3, 5), "day")]


A = article("a", "Dock workers at Port Alden walked off the job on Monday after wage talks with the terminal "
                 "operator collapsed.",
            "The union will meet the employers again on Friday.",
            "Its previous contract expired on December 31.", published=MAR_7)
B = article("b", "The walkout at Port Alden began on March 4, 2024, when wage talks with the operator collapsed.",
            "Shipping lines have diverted vessels in recent weeks.",
            "A bakery near the docks opened on Monday.", published=date(2024, 3, 6))
C = article("c", "Port Alden dock workers walked out on Monday after wage talks collapsed.")


def test_sources_reporting_one_dated_event_form_one_event_in_date_order():
    events = story_timeline([A, B, C])
    assert summary(events) == [
        (date(2023, 12, 31), "day", "on December 31", (("a", 2),)),
        (date(2024, 3, 4), "day", "on March 4, 2024", (("a", 0), ("b", 0))),  # a weekday and a date meet
        (date(2024, 3, 4), "day", "on Monday", (("b", 2),)),  # the same day, another event
        (date(2024, 3, 8), "day", "on Friday", (("a", 1),)),
        (None, None, "on Monday", (("c", 0),)),  # undated article: not placed, not joined to a placed event
    ]
    walkout = events[1]
    assert walkout.article_ids == ("a", "b")
    assert walkout.text == A.paragraphs[0]  # two are equally central: the one read first
    for e in events:
        for m in e.mentions:
            source = {"a": A, "b": B, "c": C}[m.article_id]
            assert article_sentences(source)[m.sentence] == m.text and m.stated in m.text
    assert not any("recent weeks" in m.text for e in events for m in e.mentions)


def test_unresolved_mentions_group_when_their_words_and_content_agree():
    x = article("x", "The earthquake struck on Tuesday, killing 40 people in the mountain villages of Kaveri "
                     "province.",
                "Rescue teams arrived on Tuesday from the capital.")
    y = article("y", "On Tuesday the quake killed dozens of people in mountain villages, officials said.",
                "The quake's magnitude was 6.4, the geological survey said.")
    z = article("z", "Mountain villages in Kaveri were hit hardest when the quake struck on Tuesday, killing at "
                     "least 40.",
                "Aid convoys reached the mountain villages on Wednesday.")
    # Other sources, the same day, other events: one word in common ("arrived"), or a few common ones.
    w = article("w", "Ministers arrived on Tuesday.",
                "On Tuesday, officials in Kaveri province urged people to conserve water while engineers repaired "
                "pipes and power lines.")
    events = story_timeline([x, y, z, w])
    assert summary(events) == [
        (None, None, "on Tuesday", (("x", 0), ("y", 0), ("z", 0))),
        (None, None, "on Tuesday", (("x", 1),)),  # same words, other content: another event
        (None, None, "on Wednesday", (("z", 1),)),  # shared content, other day: another event
        (None, None, "on Tuesday", (("w", 0),)),
        (None, None, "On Tuesday", (("w", 1),)),
    ]
    assert events[0].text == x.paragraphs[0]


def test_one_mention_per_source_per_event_and_copies_are_not_sources():
    p = article("p", "Shareholders of Arden Foods approved the merger with Bellwood on Tuesday.",
                "On Tuesday the shareholders of Arden Foods also approved the merger terms.", published=MAR_7)
    q = article("q", "Arden Foods shareholders approved the Bellwood merger on Tuesday.", published=MAR_7)
    copy = article("r", "Arden Foods shareholders approved the Bellwood merger on Tuesday.", published=MAR_7,
                   duplicate_of="q")
    events = story_timeline([p, q, copy])
    assert summary(events) == [
        (date(2024, 3, 5), "day", "on Tuesday", (("p", 0), ("q", 0))),
        (date(2024, 3, 5), "day", "On Tuesday", (("p", 1),)),
    ]
    assert "r" not in {aid for e in events for aid in e.article_ids}


def test_a_story_without_dates_has_no_timeline():
    assert story_timeline([article("n", "The election commission counted ballots.", published=MAR_7)]) == ()
    assert story_timeline([]) == ()


def test_many_sources_of_one_event_stay_one_event_and_others_stay_apart():
    # More sources than the probe reads per term: the cap must not split the event, nor join the other one.
    election = ("Voters in Marden elected Ada Kovac as mayor on Sunday, officials said.",
                "Ada Kovac was elected mayor of Marden on Sunday.",
                "On Sunday Marden voters elected Ada Kovac mayor by a wide margin.")
    storm = ("A storm closed the Marden ferry on Sunday.", "On Sunday a storm shut the ferry to Marden island.")
    reports = [article(f"s{k:03d}", election[k % 3], storm[k % 2], published=MAR_7) for k in range(300)]
    events = story_timeline(reports)
    assert [(e.when, len(e.mentions)) for e in events] == [(date(2024, 3, 3), 300), (date(2024, 3, 3), 300)]
    assert {m.sentence for m in events[0].mentions} == {0} and {m.sentence for m in events[1].mentions} == {1}
    assert all(isinstance(m, DateMention) for e in events for m in e.mentions)
