"""Stories are grouped a block of days at a time (stories.story_groups): what a block reads, and that
stories crossing a block's edge or without a date still come out whole."""
from __future__ import annotations

import json
from datetime import date, timedelta

from newsgen.config import Config
from newsgen.copies import mark_copies
from newsgen.loader import load_articles
from newsgen.stories import StorySettings, block_days, group_block, stories

# Three made-up events, each reported three times in other words.
EVENTS = {
    "bridge": [
        ("Ferrow river bridge closed after cracks found",
         "Engineers closed the Ferrow river bridge on Monday after inspectors found cracks in two of its steel "
         "girders. The county highways office said the crossing, used by 30,000 vehicles a day, would stay shut "
         "while the girders are tested. Diversions add twenty minutes to journeys between Ashby and Colne."),
        ("Cracked girders shut Ferrow bridge between Ashby and Colne",
         "The Ferrow bridge will stay closed for weeks, the county highways office said, after cracks were found "
         "in steel girders during a routine inspection. About 30,000 vehicles cross it daily; drivers between "
         "Ashby and Colne face diversions of twenty minutes."),
        ("Ferrow bridge girders to be replaced, county says",
         "Two cracked steel girders on the Ferrow river bridge will be replaced, the county highways office "
         "said, and the crossing between Ashby and Colne will reopen to its 30,000 daily vehicles in spring."),
    ],
    "orchestra": [
        ("Halvern orchestra names Ines Okafor chief conductor",
         "The Halvern Philharmonic named the violinist and conductor Ines Okafor as its next chief conductor, "
         "the first woman in the post in the orchestra's 120-year history. Okafor, 41, takes up the baton in "
         "September and has signed for five seasons, the orchestra's board said."),
        ("Ines Okafor to lead Halvern Philharmonic from September",
         "Ines Okafor will become chief conductor of the Halvern Philharmonic in September, the board announced, "
         "on a five-season contract. She is the first woman to hold the post in the orchestra's 120 years."),
        ("Okafor appointment at Halvern Philharmonic welcomed by players",
         "Players of the Halvern Philharmonic welcomed the appointment of Ines Okafor as chief conductor, "
         "saying her five-season contract from September gives the 120-year-old orchestra stability."),
    ],
    "mine": [
        ("Twelve miners rescued after Dunmore shaft flood",
         "Rescuers brought twelve miners to the surface at the Dunmore colliery after a flood trapped them "
         "for two days in a shaft 400 metres deep, the mine's operator Kestrel Mining said. All twelve were "
         "taken to hospital in Brannock for checks."),
        ("Dunmore colliery: all twelve trapped miners safe",
         "All twelve miners trapped by floodwater 400 metres down at Dunmore colliery are safe, Kestrel Mining "
         "said, after a two-day rescue. They were taken to Brannock hospital."),
        ("Kestrel Mining faces questions over Dunmore flood",
         "Unions asked Kestrel Mining how floodwater reached a shaft 400 metres deep at Dunmore colliery, where "
         "twelve miners were trapped for two days before rescuers reached them."),
    ],
}


def _file(title: str, body: str, day: date | None) -> str:
    stated = f"date: {day.isoformat()}\n" if day else ""
    return f"---\ntitle: {json.dumps(title)}\n{stated}---\n\n{body}\n"


def _load(write_tree, days: dict[str, list[date | None]]):
    files = {f"{name}{n}.md": _file(title, body, when)
             for name, reports in EVENTS.items() for n, ((title, body), when) in enumerate(zip(reports, days[name]))}
    config = Config()
    return mark_copies(list(load_articles(config, write_tree(files)).articles), config.duplicate_threshold)


def _edge(settings: StorySettings, after: date = date(2025, 1, 1)) -> date:
    """The first day of the first block that starts after `after`."""
    days = block_days(settings)
    return date.fromordinal((after.toordinal() // days + 1) * days)


def _found(articles, settings, run=None) -> set[frozenset[str]]:
    return {frozenset(s.article_ids) for s in stories(articles, settings, run=run)}


def _expected(names) -> set[frozenset[str]]:
    return {frozenset(f"{name}{n}" for n in range(3)) for name in names}


def test_a_story_across_a_block_edge_stays_one_story(write_tree):
    settings = Config().story_settings
    edge = _edge(settings)
    days = {"bridge": [edge - timedelta(days=2), edge - timedelta(days=1), edge + timedelta(days=2)],
            "orchestra": [edge - timedelta(days=1), edge, edge + timedelta(days=1)],
            "mine": [edge - timedelta(days=40), edge - timedelta(days=39), edge - timedelta(days=38)]}
    articles = _load(write_tree, days)
    runs: list[tuple[list[str], list[str]]] = []

    def run(block, carried, whole, taken):
        runs.append(([a.id for a in block], sorted(key for key, _ in carried)))
        from newsgen.stories import group_block
        return group_block(block, carried, settings, whole=whole, taken=taken)

    assert _found(articles, settings, run) == _expected(EVENTS)
    # Three blocks, in date order: the mine's, the one before the edge, the one after it. Only the stories
    # still open at a block's start are carried into it: the bridge's and the orchestra's, not the mine's.
    assert [sorted(block) for block, _ in runs] == [["mine0", "mine1", "mine2"],
                                                   ["bridge0", "bridge1", "orchestra0"],
                                                   ["bridge2", "orchestra1", "orchestra2"]]
    assert runs[0][1] == [] and runs[1][1] == []
    assert len(runs[2][1]) == 2 and not any(key.startswith("mine") for key in runs[2][1])


def test_blocks_change_nothing_when_a_window_is_long(write_tree):
    # With stories allowed to span a year, every article here is in one block: grouping is the whole
    # collection's, as before blocks. The three events stay apart.
    start = date(2025, 1, 6)
    days = {name: [start + timedelta(days=30 * k + n) for n in range(3)] for k, name in enumerate(EVENTS)}
    articles = _load(write_tree, days)
    year = StorySettings(0.3, 365, 3, 2.5)
    blocks: list[int] = []

    def run(block, carried, whole, taken):
        blocks.append(len(block))
        return group_block(block, carried, year, whole=whole, taken=taken)

    assert _found(articles, year, run) == _expected(EVENTS)
    assert blocks == [9]


def test_undated_reports_join_their_dated_stories(write_tree):
    day = date(2025, 6, 10)
    days = {"bridge": [day, day + timedelta(days=1), None],
            "orchestra": [None, None, None],
            "mine": [day + timedelta(days=90), None, day + timedelta(days=91)]}
    articles = _load(write_tree, days)
    assert _found(articles, Config().story_settings) == _expected(EVENTS)


def test_a_carried_story_keeps_its_members(write_tree):
    # The orchestra's first report is in the block before the edge; the story is carried into the next
    # block frozen: what that block adds joins it, and nothing in it moves the first report out.
    settings = Config().story_settings
    edge = _edge(settings, date(2025, 9, 1))
    days = {"bridge": [edge + timedelta(days=3)] * 3,
            "orchestra": [edge - timedelta(days=1), edge + timedelta(days=1), edge + timedelta(days=2)],
            "mine": [edge + timedelta(days=4)] * 3}
    articles = _load(write_tree, days)
    carried: list[list[str]] = []

    def run(block, carry, whole, taken):
        carried.extend(sorted(a.id for a in members) for _, members in carry)
        made = group_block(block, carry, settings, whole=whole, taken=taken)
        for key, members in carry:  # every carried story comes back with all it had
            kept = next(g for g in made if g.key == key)
            assert {a.id for a in members} <= set(kept.members)
        return made

    assert _found(articles, settings, run) == _expected(EVENTS)
    assert carried == [["orchestra0"]]


def test_a_story_started_in_the_undated_block_takes_no_key_of_a_story_elsewhere(write_tree):
    # In the undated block carried stories are open: a dated member may leave its story and start one of
    # its own, keyed by its id. A story of that key may exist outside the block (the article started it
    # in its own block, then moved); a second story of the same key would replace it, losing its members
    # (found building 100,000 articles).
    day = date(2025, 6, 10)
    days = {"bridge": [day, day, None], "orchestra": [day, day, day], "mine": [None, None, None]}
    articles = {a.id: a for a in _load(write_tree, days)}
    settings = Config().story_settings
    # "orchestra0" is carried in a story it does not suit, beside a report it has nothing to do with.
    carried = [("elsewhere", [articles["orchestra0"], articles["bridge0"]])]
    block = [articles[i] for i in ("bridge2", "mine0", "mine1", "mine2")]
    made = group_block(block, carried, settings, whole=list(articles.values()), taken=frozenset({"orchestra0"}))
    keys = [g.key for g in made]
    assert "orchestra0" not in keys and len(keys) == len(set(keys))
    home = {i: g.key for g in made for i in g.members}
    assert set(home) == {"orchestra0", "bridge0", "bridge2", "mine0", "mine1", "mine2"}
    assert home["orchestra0"] != home["bridge0"]  # it did leave: the test reached the case
    assert home["orchestra0"].startswith("orchestra0~")
