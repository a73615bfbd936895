
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


# --- copies: the index finds what exact comparison finds ------------------------------------------

WIRE = ("The harbour council voted on Tuesday to open a second ferry route to the outer islands, ending two "
        "years of debate. Council members approved the plan by seven votes to two after a four-hour meeting. "
        "The new route will begin in the spring, with three crossings a day, and fares will match the "
        "existing service. Islanders had campaigned for a decade, saying the single boat was often full "
        "in summer and cancelled in winter storms. The operator said it would hire twelve crew and lease "
        "a second vessel while a new one is built at the yard in the port.")


def _article(aid: str, body: str, published=None):
    from newsgen.model import Article, Block, Section, Source
    return Article(aid, f"{aid}.txt", "txt", aid, None, None, Source(None, f"unknown-{aid}"), None, published,
                   (), (Section(None, (Block("p", body),)),), ())


def test_minhash_estimate_tracks_exact_jaccard():
    import numpy as np
    from newsgen.copies import fingerprint, minhash, overlap, shared_count
    words = WIRE.split()
    for cut in (5, 20, 40, 60):  # the same text with a growing tail replaced
        edited = " ".join(words[:len(words) - cut] + [f"w{n}" for n in range(cut)])
        a, b = fingerprint(WIRE), fingerprint(edited)
        exact = overlap(shared_count(a, b), a.size, b.size)[0]
        estimate = float(np.mean(minhash(a) == minhash(b)))
        assert abs(estimate - exact) < 0.15, (cut, exact, estimate)


def test_lightly_edited_reprint_and_excerpt_are_copies_unrelated_text_is_not():
    from datetime import date
    edited = (WIRE.replace("Tuesday", "Tuesday evening").replace("twelve", "12")
              .replace("The operator said", "The ferry operator told reporters"))
    page = " ".join(f"In other news, item {n} on the {w} market drew {n * 3} visitors to the square."
                    for n, w in enumerate(["fish", "flower", "book", "craft", "antique", "food"] * 4)) + " " + WIRE
    other = ("Rail fares will rise by four percent in April, the transport authority said, blaming higher "
             "energy costs. Commuter groups called the rise unfair and asked for a freeze on season tickets.")
    arts = [_article("wire", WIRE, date(2025, 3, 4)), _article("edited", edited, date(2025, 3, 5)),
            _article("page", page, date(2025, 3, 6)), _article("other", other, date(2025, 3, 4))]
    links = copies(arts, 0.5, 0.8)
    assert set(links) == {"edited", "page"}
    assert all(link.original == "wire" for link in links.values())  # the earliest version is the original
    assert 0.5 < links["edited"].reuse < 1.0 and links["page"].reuse == 1.0


def test_many_copies_of_one_text_form_one_group_without_all_pairs():
    # 200 reprints: the LSH bucket is larger than FULL_BUCKET, so members are chained, not paired
    from newsgen.copies import FULL_BUCKET
    arts = [_article(f"r{n:03d}", WIRE + f" Reprinted by outlet number {n}.") for n in range(200)]
    assert len(arts) > FULL_BUCKET
    links = copies(arts, 0.5, 0.8)
    assert len(links) == 199 and {link.original for link in links.values()} == {"r000"} or \
        len({link.original for link in links.values()}) == 1


def test_copy_is_not_an_independent_source_and_story_page_says_who_carried_it(write_tree, tmp_path):
    from newsgen.cli import main
    import json
    folder = write_tree({
        "orig.md": f"---\ntitle: Second ferry route approved\nsource: Harbour Gazette\npublished: 2025-03-04\n---\n{WIRE}\n",
        "synd.txt": f"Subscribe to our newsletter\n\nFerry route approved\n\nBy Staff | Island Times\n\n{WIRE}\n\nRelated stories\n",
        "own.md": "---\ntitle: Islanders welcome ferry vote\nsource: Coast Post\npublished: 2025-03-05\n---\n"
                  "Islanders welcomed the harbour council's vote to open a second ferry route to the outer islands, "
                  "saying the single boat was often full in summer. The council approved the plan by seven votes to "
                  "two; the operator will lease a second vessel and crossings begin in the spring.\n",
    })
    out = tmp_path / "site"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    index = json.loads((out / "index.json").read_text())
    assert len(index["stories"]) == 1
    story = json.loads((out / index["stories"][0]["json"]).read_text())
    by_id = {a["id"]: a for a in story["articles"]}
    assert by_id["synd"]["duplicate_of"] == "orig" and by_id["synd"]["reuse"] == 1.0
    assert story["coverage"] == {**story["coverage"], "sources": 2, "articles": 3}
    page = (out / index["stories"][0]["page"]).read_text()
    assert "Also carried by" in page and "Island Times" in page.split("Also carried by", 1)[1].split("</p>", 1)[0]
    front = (out / "index.html").read_text()
    assert "Island Times</a> <span class=\"meta\">(copy)</span>" in front  # the front page says which outlet only copies


# --- stories: the online index --------------------------------------------------------------------

def test_vectors_read_term_counts_one_at_a_time_and_match_summed_frequencies(seeds_and_stories):
    """tfidf_vectors reads the term counts it is given (build.Terms unpacks a fresh Counter each read)
    one at a time, never holding them together: weighing a block by the whole collection reads each of
    the collection's articles once and the block's again for their vectors. Its vectors are those that
    the collection's document frequencies summed elsewhere give (the path a build with the cache takes)."""
    import weakref
    from collections import Counter

    from newsgen.features import article_terms, frequencies, tfidf_vectors

    arts = list(load_articles(Config(), seeds_and_stories).articles)
    block, reads, alive, most = arts[:4], Counter(), [], 0

    class Fresh(dict):  # a new Counter at every read, as build.Terms gives
        def __getitem__(self, aid):
            nonlocal most
            most = max(most, sum(ref() is not None for ref in alive))
            counts = Counter(dict.__getitem__(self, aid))
            alive.append(weakref.ref(counts))
            reads[aid] += 1
            return counts

    known = Fresh({a.id: article_terms(a) for a in arts})
    whole = tfidf_vectors(block, known, weigh=arts + arts[:3])  # an article given twice counts once
    assert [reads[a.id] for a in arts] == [2] * len(block) + [1] * (len(arts) - len(block))
    assert most <= 2 < len(arts)  # the one being read, and the one before it
    summed = tfidf_vectors(block, known, weighed=(frequencies(article_terms(a) for a in arts), len(arts)))
    assert whole.n == len(arts) and whole.df == summed.df
    assert whole.by_id == summed.by_id and set(whole.by_id) == {a.id for a in block}
    own = tfidf_vectors(arts, known)  # weighed by themselves: a pass for the frequencies, one for the vectors
    assert own.df == frequencies(article_terms(a) for a in arts) and most <= 2
    assert own.by_id == tfidf_vectors(arts).by_id  # the same as counting them here


def test_a_whole_collections_weights_are_what_its_coarse_key_says(seeds_and_stories):
    """A block weighed by a whole collection (the undated block) is keyed by features.coarse_weights of its
    terms: collections with the same key weigh the block's articles exactly alike, and a frequency that
    moves a term's coarse weight changes the key (and the vectors, unless the term is too weak to be among
    any article's MAX_TERMS)."""
    from collections import Counter

    from newsgen.features import article_terms, coarse_weights, frequencies, tfidf_vectors

    arts = list(load_articles(Config(), seeds_and_stories).articles)
    block = arts[:4]
    known = {a.id: article_terms(a) for a in arts}
    vocabulary = set().union(*(known[a.id] for a in block))
    # as if among a collection 40 times larger, of the same make-up
    df, n = Counter({t: d * 40 for t, d in frequencies(known[a.id] for a in arts).items()}), len(arts) * 40
    base = tfidf_vectors(block, known, weighed=(df, n)).by_id
    same, moved = 0, []
    for term in sorted(vocabulary):
        changed = Counter(df)
        changed[term] += 1  # one more article uses the term: an edit elsewhere
        other = tfidf_vectors(block, known, weighed=(changed, n)).by_id
        if coarse_weights(changed, n, vocabulary) == coarse_weights(df, n, vocabulary):
            assert other == base, term
            same += 1
        else:
            moved.append(other != base)
    assert same > len(moved) and any(moved)  # both cases were met; most edits leave the key as it was
    assert coarse_weights(df, n + n // 10, vocabulary) != coarse_weights(df, n, vocabulary)


def test_new_articles_join_existing_stories_online(seeds_and_stories):
    # Build the index from all but one article of each made-up story, then add the held-out ones:
    # each must join its own story, not start one or join another.
    import yaml
    from newsgen.features import tfidf_vectors
    from newsgen.stories import StoryIndex, arrival_order
    config = Config()
    arts = list(load_articles(config, seeds_and_stories).articles)
    gold = {name.rsplit(".", 1)[0]: exp["story"]
            for name, exp in yaml.safe_load((FIXTURES / "expected.yaml").read_text()).items()}
    held = {}
    for aid, story in sorted(gold.items()):
        held.setdefault(story, aid)
    later = set(held.values())
    # the index knows only the earlier articles; the held-out ones are weighed as they arrive
    index = StoryIndex(config.story_settings, tfidf_vectors(a for a in arts if a.id not in later))
    for a in arrival_order(a for a in arts if a.id not in later):
        index.add(a)
    before = {k: list(v) for k, v in index.members.items()}
    for a in arrival_order(a for a in arts if a.id in later):
        key = index.add(a)
        assert {gold.get(m) for m in index.members[key]} == {gold[a.id]}, a.id
        assert len(index.members[key]) > 1  # joined a story that was there, did not start one
    assert all(index.members[k][:len(v)] == v for k, v in before.items())  # nothing already placed moved


def test_same_kind_different_event_stays_apart(write_tree):
    # Two earthquakes a few days apart, two reports of each: the vocabulary of quakes is shared, the
    # places, people and figures are not.
    files = {
        "karvash1.md": "---\ntitle: Deadly earthquake strikes Zagros town of Karvash\n---\nA magnitude 6.1 earthquake "
        "struck near Karvash in the Zagros mountains early on Monday, killing 12 people, the national seismological "
        "centre said. Rescue teams searched collapsed mud-brick houses in Karvash and nearby villages through the "
        "day. Governor Reza Tahmasbi said schools in the province would stay closed until engineers inspect them.\n",
        "karvash2.md": "---\ntitle: \"Karvash quake: death toll rises to 12 as aftershocks rattle survivors\"\n---\n"
        "Survivors of Monday's 6.1 quake in Karvash spent the night outdoors as aftershocks shook the Zagros region. "
        "Twelve people were killed and 80 injured, according to Governor Reza Tahmasbi, who asked for tents and "
        "blankets. Many of the town's mud-brick homes collapsed; the Red Crescent sent two field hospitals.\n",
        "oltrevia1.md": "---\ntitle: Earthquake in the Apennines damages medieval Oltrevia\n---\nA 5.4-magnitude "
        "earthquake hit the Apennine village of Oltrevia on Saturday, the geophysics institute INGV said. Three "
        "people died when the bell tower of San Rocco church fell onto a square. Mayor Marta Lenzi said 200 "
        "residents had been moved to a sports hall while firefighters checked the old town's stone buildings.\n",
        "oltrevia2.md": "---\ntitle: Oltrevia mourns three killed as church tower collapses in quake\n---\nThe "
        "village of Oltrevia held a vigil for the three victims of Saturday's earthquake, which brought down the "
        "bell tower of San Rocco. Mayor Marta Lenzi said the 5.4 tremor, felt as far as Perugia, left 200 people "
        "unable to return home, and INGV recorded more than forty aftershocks.\n",
    }
    arts = mark_copies(list(load_articles(Config(), write_tree(files)).articles), 0.5)
    found = {frozenset(s.article_ids) for s in stories(arts, Config().story_settings)}
    assert found == {frozenset({"karvash1", "karvash2"}), frozenset({"oltrevia1", "oltrevia2"})}


def test_a_story_closes_window_days_after_it_began(write_tree):
    # Three reports of one trial, on days 0, 5 and 10: with a 7-day window no story may hold both the
    # first and the third, although each is within 7 days of the second (a story may not chain on for
    # months); with 14 days they are one story.
    reports = [
        "The fraud trial of former Lakeside Bank chief Harold Wren opened in Marlow, with prosecutors saying "
        "he hid 40 million in losses from auditors and regulators for three years.",
        "Harold Wren's fraud trial in Marlow heard from a former Lakeside Bank auditor, who said the 40 million "
        "in losses were kept off the bank's books on Wren's orders.",
        "Jurors in Marlow began deliberating in the fraud trial of Harold Wren, the former Lakeside Bank chief "
        "accused of hiding 40 million in losses from auditors.",
    ]
    files = {f"day{d}.md": f"---\ntitle: Wren fraud trial, day {d}\npublished: 2025-05-{1 + d:02d}\n---\n{text}\n"
             for d, text in zip((0, 5, 10), reports)}
    arts = mark_copies(list(load_articles(Config(), write_tree(files)).articles), 0.5)
    week = {frozenset(s.article_ids) for s in stories(arts, StorySettings(0.3, 7))}
    assert len(week) == 2 and not any({"day0", "day10"} <= s for s in week)
    fortnight = {frozenset(s.article_ids) for s in stories(arts, StorySettings(0.3, 14))}
    assert fortnight == {frozenset({"day0", "day5", "day10"})}


def test_online_index_takes_articles_without_content_terms():
    from newsgen.features import tfidf_vectors
    from newsgen.stories import StoryIndex
    index = StoryIndex(Config().story_settings, tfidf_vectors([_article("wire", WIRE)]))
    index.add(_article("wire", WIRE))
    key = index.add(_article("it", "It is what it was and so it is."))  # headline and body: stop words only
    assert key != index.story_of["wire"] and index.vectors.by_id["it"] == {}
    assert index.vectors.n == 2 and index.refine(["wire", "it"]) == 0  # nothing moves, nothing renamed


def test_bucket_pairs_are_every_pair_sharing_a_key_and_a_chain_and_star_in_a_large_bucket():
    """copies._bucket_pairs (NumPy, one call a bucket size) against the definition written out in Python,
    on random indexes with repeated owners and one bucket larger than FULL_BUCKET."""
    import itertools

    import numpy as np

    from newsgen.copies import FULL_BUCKET, _bucket_pairs

    rng = np.random.default_rng(7)
    for trial in range(30):
        n = int(rng.integers(2, 2000))
        keys = rng.integers(0, int(rng.integers(1, 3000)), size=n).astype(np.uint64)
        owners = rng.integers(0, 300, size=n).astype(np.int64)
        if trial % 3 == 0:
            keys[:250] = 7  # boilerplate shared by many
        expected = []
        buckets: dict[int, set[int]] = {}
        for k, o in zip(keys.tolist(), owners.tolist()):
            buckets.setdefault(k, set()).add(o)
        for members in buckets.values():
            m = sorted(members)
            if len(m) <= FULL_BUCKET:
                expected += itertools.combinations(m, 2)
            else:
                expected += [(m[i], m[i + 1]) for i in range(len(m) - 1)] + [(m[0], m[i]) for i in range(2, len(m))]
        assert sorted(map(tuple, _bucket_pairs(keys, owners).tolist())) == sorted(expected), trial
