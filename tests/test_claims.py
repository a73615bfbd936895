"""Claims across sources: candidates without an all-pairs step, headlines, negation, sentence numbers."""
import itertools
import random

import pytest

from newsgen.analysis import embeddings
from newsgen.analysis.claims import Units, candidate_pairs, shared_claims
from newsgen.analysis.sentences import article_sentences
from newsgen.model import Article, Block, Section, Source


def article(aid: str, *paragraphs: str, title: str | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", title, None, None, Source(None, f"unknown-{aid}"), None,
                   None, (), (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), ())


SUBJECTS = ["The port authority", "Dock workers", "The terminal operator", "City officials", "Shipping lines",
            "The transport ministry", "Local traders", "The harbour police"]
VERBS = ["said", "warned", "confirmed", "denied", "announced", "reported"]
OBJECTS = ["containers were stuck at the northern terminal", "the strike would last until Friday",
           "wages had not risen for three years", "fuel deliveries to the islands were delayed",
           "two cranes were damaged during the storm", "the night shift had been cancelled",
           "exports of fruit fell sharply in March", "a new contract was signed with the union"]


def test_candidates_include_every_pair_that_matches():
    rng = random.Random(3)
    articles = []
    for k in range(40):
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} that {rng.choice(OBJECTS)}."
                     for _ in range(rng.randint(3, 8))]
        articles.append(article(f"a{k}", " ".join(sentences)))
    units = Units(articles)
    found = candidate_pairs(units, 0.22)
    matching = {(i, j) for i, j in itertools.combinations(range(len(units)), 2)
                if units.owners[i] != units.owners[j] and units.matches(i, j, 0.22) is not None}
    assert len(matching) > 100  # the check means something: many pairs match
    assert matching <= found  # the prefix index misses none of them


def test_a_statement_carried_by_hundreds_of_sources_is_one_claim_with_one_sentence_each():
    rng = random.Random(5)
    wordings = ["Over a thousand containers were stuck at the northern terminal of Valdera port on Monday.",
                "More than 1,000 containers are stuck at Valdera port's northern terminal since Monday.",
                "Over 1K containers remained stuck at the northern terminal in Valdera on Monday."]
    articles = []
    for k in range(300):
        own = f"Reporter {k} also spoke to {rng.choice(SUBJECTS).lower()} about {rng.choice(OBJECTS[1:])}."
        articles.append(article(f"a{k:03d}", rng.choice(wordings), own))
    claims = shared_claims(articles, 0.22)
    containers = [c for c in claims if "containers" in c.text]
    assert len(containers) == 1
    ids = containers[0].article_ids
    assert len(ids) == len(set(ids)) >= 290  # (nearly) every source, never one twice
    assert claims[0] is containers[0]


def test_a_headline_joins_the_claim_through_its_own_lead():
    a = article("a", "Dock workers at Valdera port walked off the job on Monday, shutting the container terminal.",
                "The union wants a pay rise of eight percent.", title="Valdera dock workers strike, shutting port")
    b = article("b", "The mayor asked both sides to return to talks.", "Fishing boats were not affected.",
                title="Dock workers strike shuts Valdera container terminal")
    c = article("c", "A strike by dock workers has shut the container terminal at Valdera port since Monday.",
                "Ferries to the islands are running as usual.")
    claims = shared_claims([a, b, c], 0.22)
    strike = next(c for c in claims if "shut" in c.text)
    assert set(strike.article_ids) == {"a", "b", "c"}
    by_source = {m.article_id: m for m in strike.mentions}
    assert by_source["a"].sentence == 0  # a's sentence, not its headline: a says it in full
    assert by_source["b"].sentence is None and by_source["b"].text == b.title  # b says it only in its headline
    assert "a sentence" not in strike.text and strike.text != b.title  # a sentence represents the claim


def test_a_denial_is_not_the_claim_it_denies():
    x = article("x", "Investigators said they had found evidence of sabotage at the Valdera pumping station.",
                "The station supplies water to forty thousand households in the district.")
    y = article("y", "The ministry said there was no evidence of sabotage at the Valdera pumping station.",
                "Engineers expect the pumps to run again by the end of the week.")
    z = article("z", "Police investigators found evidence of sabotage at the pumping station in Valdera, they said.",
                "Residents were asked to boil tap water until further notice.")
    claims = shared_claims([x, y, z], 0.22)
    assert [set(c.article_ids) for c in claims] == [{"x", "z"}]


def test_every_mention_points_at_its_own_sentence():
    x = article("x", "Heavy rain flooded the lower town. Over a thousand homes lost power on Sunday night.",
                "Repair crews from three regions were sent to the valley.")
    y = article("y", "More than 1,000 homes lost power on Sunday night after the storm, the utility said.",
                "Schools in the valley stay closed on Monday.")
    claims = shared_claims([x, y], 0.22)
    assert claims
    by_id = {"x": x, "y": y}
    for c in claims:
        for m in c.mentions:
            assert article_sentences(by_id[m.article_id])[m.sentence] == m.text
    assert claims[0].mentions[0].sentence == 1  # x's second sentence: numbering runs across the paragraph


# Sentence embeddings (the `embeddings` extra, site.yaml claim_embeddings): statements in other words.
needs_embeddings = pytest.mark.skipif(
    not embeddings.available(),
    reason="optional 'embeddings' extra not installed (pip install 'newsgen[embeddings]')")
EMBEDDING_T = 0.72
FLOOD = ["Flooding forced thousands of residents of Marrowby to leave their homes overnight.",
         "Thousands of people in Marrowby were evacuated as floodwaters rose during the night.",
         "Overnight floods drove thousands from their houses in Marrowby."]
OTHER = ["The regional council will meet on Tuesday to discuss the budget.",
         "A new school opened in the eastern district last autumn.",
         "Farmers expect a smaller harvest than last year."]


@needs_embeddings
def test_a_headline_in_other_words_joins_the_claim_the_others_state():
    articles = [
        article("a", "Floodwaters forced hundreds of Marrowby residents out of their homes on Sunday night.",
                title="Residents flee homes as floods hit Marrowby"),
        article("b", "Hundreds of Marrowby residents left their homes as floodwaters rose on Sunday night.",
                title="Marrowby floods drive residents from their homes"),
        article("c", "The river burst its banks after three days of rain.", OTHER[0],
                title="Marrowby families abandon houses to flood"),
    ]
    assert all("c" not in c.article_ids for c in shared_claims(articles, 0.22))  # words alone: c apart
    claims = shared_claims(articles, 0.22, EMBEDDING_T)
    assert claims[0].article_ids == ("a", "b", "c")
    assert {m.article_id: m.sentence for m in claims[0].mentions}["c"] is None  # c says it in its headline


@needs_embeddings
def test_meaning_extends_claims_but_neither_starts_one_nor_joins_body_sentences():
    # Two headlines alike in meaning only: no words found a claim for them to join.
    alone = [article("a", OTHER[0], title="Residents flee homes as floods hit Marrowby"),
             article("b", OTHER[1], title="Marrowby families abandon houses to flood")]
    assert shared_claims(alone, 0.22, EMBEDDING_T) == ()
    # Body sentences in other words: within one story the model's matches are too often wrong, so only
    # words join them ("evacuated as floodwaters rose" shares too few terms with the other two).
    bodies = [article(f"a{k}", FLOOD[k], OTHER[k]) for k in range(3)]
    assert Units(bodies, EMBEDDING_T).rows == {}  # no headlines, nothing encoded
    assert [c.article_ids for c in shared_claims(bodies, 0.22, EMBEDDING_T)] == [("a0", "a2")]


@needs_embeddings
@pytest.mark.parametrize("left, right", [
    # different numbers: the model scores these alike, the words say they differ
    ("Twenty hurt as ferry hits pier in Valdera", "Two hundred injured as ferry strikes Valdera pier"),
    # a denial of the statement
    ("Port operator confirms terminal will close for a week",
     "Port operator does not confirm terminal will close for a week"),
    # the same act by someone else
    ("Minister Ines Arroyo says government will raise fuel taxes next year",
     "Minister Tomas Lindqvist says government will raise fuel taxes next year"),
])
def test_headlines_alike_in_meaning_that_the_words_contradict_do_not_agree(left, right):
    units = Units([article("a", OTHER[0], title=left), article("b", OTHER[1], title=right)], EMBEDDING_T)
    i, j = sorted(units.rows)
    assert float(units.rows[i] @ units.rows[j]) >= EMBEDDING_T  # the model alone would join them
    assert not units.agrees(i, j)


@needs_embeddings
def test_a_number_word_and_its_digits_agree_but_other_numbers_do_not():
    titles = ["Over a thousand containers stuck at the terminal on Monday",
              "More than 1,000 containers sat stuck at the terminal on Monday",
              "About 1,500 containers stuck at the terminal on Monday"]
    units = Units([article(f"a{k}", OTHER[k], title=t) for k, t in enumerate(titles)], EMBEDDING_T)
    a, b, c = sorted(units.rows)
    assert units.agrees(a, b)
    assert not units.agrees(a, c) and not units.agrees(b, c)


def test_similar_pairs_finds_exactly_the_pairs_above_the_threshold_across_blocks(monkeypatch):
    import numpy as np

    rng = np.random.default_rng(7)
    base = rng.normal(size=(30, embeddings.DIMENSION))
    rows = np.repeat(base, 4, axis=0) + 0.6 * rng.normal(size=(120, embeddings.DIMENSION))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    groups = [f"s{k % 7}" for k in range(120)]
    sims = rows @ rows.T
    expected = {(i, j) for i in range(120) for j in range(i + 1, 120)
                if groups[i] != groups[j] and sims[i, j] >= 0.7}
    assert 30 <= len(expected) < 120 * 119 / 4  # some pairs pass, most do not
    monkeypatch.setattr(embeddings, "PAIR_BLOCK", 16)  # many blocks, pairs across their edges
    found = embeddings.similar_pairs(rows, groups, 0.7)
    assert {(i, j) for i, j, _ in found} == expected
    assert all(abs(s - float(sims[i, j])) < 1e-5 for i, j, s in found)
