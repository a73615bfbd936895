from newsgen.analysis import analyse_story
from newsgen.analysis.claims import shared_claims
from newsgen.analysis.entities import story_entities
from newsgen.model import Article, Block, Section, Source, Story


def article(aid: str, *paragraphs: str, duplicate_of: str | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", f"Headline {aid}", None, None, Source(None, f"unknown-{aid}"), None,
                   None, (), (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), (),
                   duplicate_of=duplicate_of)


A = article("a", "The port authority said on Monday that over a thousand containers were stuck at the terminal.",
            "Dock workers walked out after talks with the operator broke down late on Sunday night.",
            "A local bakery near the harbour has started giving free coffee to the pickets.")
B = article("b", "More than 1,000 containers are stuck at the terminal, the port authority said.",
            "The walkout began after negotiations with the terminal operator collapsed on Sunday.",
            "Shipping lines warned customers of delays of up to two weeks on Asian routes.")
C = article("c", "Officials reported over 1K containers stuck at the terminal since the strike began.",
            "Economists at the chamber of commerce put the cost at $2 billion a week.")


def test_reworded_statements_with_numbers_in_any_form_form_one_claim():
    claims = shared_claims([A, B, C], 0.22)
    containers = [c for c in claims if "containers" in c.text]
    assert len(containers) == 1 and set(containers[0].article_ids) == {"a", "b", "c"}
    assert claims[0] is containers[0]  # the most widely reported claim leads
    for c in claims:
        assert len(set(c.article_ids)) == len(c.article_ids)  # one sentence per source in a claim
        for m in c.mentions:
            assert m.text in {"a": A, "b": B, "c": C}[m.article_id].body_text


def test_single_source_statements_stay_unique():
    analysis = analyse_story(Story("s", "S", ("a", "b", "c")), {"a": A, "b": B, "c": C}, 0.22)
    unique = {ps.article_id: [ps.sentences[n] for n in ps.unique] for ps in analysis.per_article}
    assert any("bakery" in s for s in unique["a"])
    assert any("Shipping lines" in s for s in unique["b"])
    assert not any("containers" in s for s in unique["a"])


def test_a_copy_is_not_an_independent_voice():
    copy = article("d", *[s.blocks[0].text for s in A.sections], duplicate_of="a")
    analysis = analyse_story(Story("s", "S", ("a", "b", "d")), {"a": A, "b": B, "d": copy}, 0.22)
    for claim in analysis.shared_claims:
        assert "d" not in claim.article_ids
    marks = {ps.article_id: ps for ps in analysis.per_article}
    assert marks["d"].unique == ()  # everything in a copy is its original's


def test_entities_join_variants_and_find_kinds():
    x = article("x", "Foreign Minister Ana Ruiz met Kim Jong-un in Lisbon on Tuesday.",
                "Ruiz said the Harbour Workers Union would be consulted.")
    y = article("y", "Kim Jong Un and Ana Ruiz spoke for an hour, according to the Ministry of Transport.")
    found = {e.name: e for e in story_entities([x, y])}
    assert found["Ana Ruiz"].kind == "person" and set(found["Ana Ruiz"].article_ids) == {"x", "y"}
    assert "Ruiz" not in found  # the surname alone joined the full name
    kim = next(e for e in found.values() if e.name.replace("-", " ") == "Kim Jong Un")
    assert set(kim.article_ids) == {"x", "y"} and kim.aliases
    assert found["Harbour Workers Union"].kind == "organisation"
    assert found["Ministry of Transport"].kind == "organisation"
    assert found["Lisbon"].kind == "place"
    assert "Foreign Minister Ana Ruiz" not in found and "Tuesday" not in found


def test_country_abbreviations_join_the_country():
    x = article("x", "The U.S. and the UK signed the pact in Geneva on Friday.")
    y = article("y", "Officials from the United States said the United Kingdom would follow.")
    found = {e.name: e for e in story_entities([x, y])}
    assert found["United States"].kind == "place" and set(found["United States"].article_ids) == {"x", "y"}
    assert "U.S" in found["United States"].aliases or "U.S." in found["United States"].aliases
    assert set(found["United Kingdom"].article_ids) == {"x", "y"}
    assert "US" not in found and "UK" not in found


def test_the_same_people_saying_different_things_is_not_one_claim():
    x = article("x", "Fire Chief Dana Okoro of the Marsh County Fire District said 900 firefighters were on the line.",
                "The cause of the fire is still under investigation by county officials.")
    y = article("y", "Marsh County Fire District Chief Dana Okoro said damage teams had finished their surveys.",
                "The cause of the Marsh fire remains under investigation, officials said.")
    claims = shared_claims([x, y], 0.22)
    assert [c.text.split()[1] for c in claims] == ["cause"]  # the cause is shared; the chief's two remarks are not


def test_relations_count_shared_statements_and_wording():
    copy = article("d", *A.paragraphs, duplicate_of="a")
    analysis = analyse_story(Story("s", "S", ("a", "b", "c", "d")), {"a": A, "b": B, "c": C, "d": copy}, 0.22)
    rel = {(r.a, r.b): r for r in analysis.relations}
    assert len(rel) == 6  # every pair of the four articles
    assert rel[("a", "d")].overlap == 1.0 and rel[("a", "b")].overlap < 0.2  # a copy vs independent writing
    assert rel[("a", "b")].shared_claims >= 1 and rel[("b", "c")].shared_claims >= 1
    assert rel[("a", "d")].shared_claims == 0  # a copy takes no part in claims
