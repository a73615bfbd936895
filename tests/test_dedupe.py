
from newsgen.config import Config
from newsgen.copies import copies, mark_copies, shingles
from newsgen.features import terms
from newsgen.stories import StorySettings, stories
from newsgen.loader import load_articles

from conftest import FIXTURES


def test_numbers_meet_in_every_spelling():
    assert "1000" in terms("over a thousand containers")
    assert "1000" in terms("over 1,000 containers")
    assert "1000" in terms("over 1K containers")
    assert "2500000" in terms("2.5 million people")


def test_shingle_jaccard_matches_exact_value():
    a = shingles("one two three four five six seven")
    b = shingles("one two three four five six eight")
    assert len(a) == 3 and len(b) == 3 and len(a & b) == 2


def test_seeds_and_made_up_stories_group_by_event(seeds_and_stories):
    config = Config()
    arts = mark_copies(list(load_articles(config, seeds_and_stories).articles), config.duplicate_threshold)
    found = {frozenset(s.article_ids) for s in stories(arts, config.story_settings)}
    seeds = frozenset(a.id for a in arts if a.id[:3].isdigit())
    assert seeds in found  # the five seeds are one story
    gold = {}
    import yaml
    for name, exp in yaml.safe_load((FIXTURES / "expected.yaml").read_text()).items():
        gold.setdefault(exp["story"], set()).add(name.rsplit(".", 1)[0])
    for label, ids in gold.items():
        assert frozenset(ids) in found, label  # two wildfires a month apart stay two stories
    assert len(found) == 1 + len(gold)


def test_copies_with_different_junk_are_marked(write_tree):
    body = ("The harbour council voted on Tuesday to open a second ferry route to the outer islands, "
            "ending two years of debate. Council members approved the plan by seven votes to two after "
            "a four-hour meeting. The new route will begin in the spring, with three crossings a day.")
    folder = write_tree({
        "a.md": f"---\ntitle: Ferry route approved\nsource: Harbour Gazette\npublished: 2025-03-04\n---\n{body}\n",
        "b.txt": f"Subscribe to our newsletter\n\nFerry route approved for islands\n\n{body}\n\nRelated stories\n\nOther news\n",
        "c.md": "---\ntitle: Rail fares rise\nsource: Coast Post\n---\nRail fares will rise by four percent "
                "in April, the transport authority said, blaming higher energy costs for trains.\n",
    })
    arts = list(load_articles(Config(), folder).articles)
    links = copies(arts, 0.5)
    assert set(links) == {"b"} and links["b"].original == "a" and links["b"].reuse == 1.0
    marked = {a.id: a for a in mark_copies(arts, 0.5)}
    assert marked["b"].duplicate_of == "a" and marked["c"].duplicate_of is None
    found = stories(list(marked.values()), Config().story_settings)
    assert {frozenset(s.article_ids) for s in found} == {frozenset({"a", "b"}), frozenset({"c"})}
    story = next(s for s in found if "a" in s.article_ids)
    assert story.article_ids[0] == "a"  # a copy never leads its story


def test_time_window_keeps_dated_articles_apart(write_tree):
    text = ("A wildfire near the town of Elmford forced 2,000 residents to evacuate as crews from the "
            "state fire service fought the blaze with air tankers and helicopters through the night.")
    folder = write_tree({"a.md": f"---\ntitle: Fire near Elmford\npublished: 2025-07-01\n---\n{text}\n",
                         "b.md": f"---\ntitle: Fire near Elmford\npublished: 2025-09-01\n---\n{text} Again.\n"})
    arts = list(load_articles(Config(), folder).articles)
    assert len(stories(arts, StorySettings(0.32, 7))) == 2
    assert len(stories(arts, StorySettings(0.32, 90))) == 1


def test_a_copy_stays_in_its_originals_story(write_tree, tmp_path):
    # A short wire item reprinted inside a long round-up: the round-up's words are mostly elsewhere,
    # so by similarity alone the two would be different stories; the copy must still join its original.
    wire = ("Rail fares will rise by four percent in April, the transport authority said on Monday, "
            "blaming higher energy costs for running trains across the region.")
    roundup = " ".join(f"Item {n}: the {w} festival opens on the {w} green with {n} stalls and music from {w} bands."
                       for n, w in enumerate(["harvest", "lantern", "kite", "cheese", "boat", "film", "jazz",
                                              "poetry", "garden", "craft", "chess", "dance"] * 3))
    folder = write_tree({"wire.md": f"---\ntitle: Rail fares to rise\npublished: 2025-03-01\n---\n{wire}\n",
                         "roundup.md": f"---\ntitle: Weekend round-up\npublished: 2025-03-02\n---\n{roundup}\n\n{wire}\n",
                         "other.md": "---\ntitle: Fares protest\n---\nCommuters protested against higher rail "
                                     "fares outside the transport authority, calling the energy costs excuse weak.\n"})
    from newsgen.stories import story_index
    arts = mark_copies(list(load_articles(Config(), folder).articles), 0.5)
    by_id = {a.id: a for a in arts}
    assert by_id["roundup"].duplicate_of == "wire"  # the earlier version is the original
    assert by_id["roundup"].reuse == 1.0  # the whole of the shorter text (the wire item) is in the round-up
    # copies take no part in clustering (they would count their original's words twice); they follow it
    assert "roundup" not in story_index(arts, Config().story_settings).story_of
    found = stories(arts, Config().story_settings)
    home = {i: s.id for s in found for i in s.article_ids}
    assert home["roundup"] == home["wire"]
