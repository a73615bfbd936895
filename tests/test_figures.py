import math
from datetime import date

from newsgen.analysis.figures import Figure, FigureMention, sentence_figures, singular, story_figures
from newsgen.model import Article, Block, Section, Source

INF = math.inf


def article(aid: str, *paragraphs: str, duplicate_of: str | None = None, published: date | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", f"Headline {aid}", None, None, Source(None, f"unknown-{aid}"), None,
                   published, (), (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), (),
                   duplicate_of=duplicate_of)


def by_unit(figures: tuple[Figure, ...]) -> dict[str, Figure]:
    return {f.unit: f for f in figures}


def found(sentence: str) -> list[tuple[str, float, str | None, float, float, str]]:
    """(text, value, qualifier, low, high, key) of each figure in one sentence."""
    out = []
    for f in sentence_figures(sentence):
        key = " ".join(k for k in (f.unit.base, f.context[0] if f.context else "") if k)
        out.append((f.text, float(f.value), f.qualifier, float(f.low), float(f.high), key))
    return out


# --- a port strike, three sources --------------------------------------------------------------

PORT_A = article("a", "The port authority said on Monday that over two thousand trucks were queuing at the gates.",
                 "Dock workers walked out on March 3, 2025, after 600 dock workers voted for the strike.",
                 "Economists put the cost at $2 billion a week.", published=date(2025, 3, 4))
PORT_B = article("b", "More than 2,000 trucks are queuing at the gates. About 2,400 trucks wait on the ring road.",
                 "The union said 900 dock workers took part in the vote.")
PORT_C = article("c", "Officials reported over 2K trucks waiting since the strike began in 2023.",
                 "Some 880 dock workers joined the walkout, the union said.")


def test_one_figure_across_sources_with_every_wording_and_range():
    figures = story_figures([PORT_A, PORT_B, PORT_C])
    trucks = by_unit(figures)["truck"]
    assert trucks.label == "trucks"
    assert trucks.article_ids == ("a", "b", "c")
    assert trucks.mentions == (
        FigureMention("a", 0, "over two thousand trucks", 2000.0, "over", 2000.0, INF),
        FigureMention("b", 0, "More than 2,000 trucks", 2000.0, "more than", 2000.0, INF),
        FigureMention("b", 1, "About 2,400 trucks", 2400.0, "about", 2160.0, 2640.0),
        FigureMention("c", 0, "over 2K trucks", 2000.0, "over", 2000.0, INF),
    )
    assert trucks.conflict is False  # over 2,000 and about 2,400 can both be true


def test_different_numbers_for_one_thing_conflict():
    workers = by_unit(story_figures([PORT_A, PORT_B]))["dock worker"]
    assert [(m.article_id, m.value) for m in workers.mentions] == [("a", 600.0), ("b", 900.0)]
    assert workers.label == "dock workers"
    assert workers.conflict is True  # 600 and 900 cannot both be true
    # "some 880" allows 792..968, which holds 900 but not 600
    assert by_unit(story_figures([PORT_B, PORT_C]))["dock worker"].conflict is False
    assert by_unit(story_figures([PORT_A, PORT_C]))["dock worker"].conflict is True


def test_most_sources_first_and_dates_years_are_not_figures():
    figures = story_figures([PORT_A, PORT_B, PORT_C])
    assert [f.unit for f in figures] == ["truck", "dock worker", "usd cost"]
    money = figures[2]
    assert money.label == "US dollars (cost)"
    assert money.mentions == (FigureMention("a", 2, "$2 billion", 2e9, None, 2e9, 2e9),)
    texts = {m.text for f in figures for m in f.mentions}
    assert not any("2023" in t or "2025" in t or "March" in t for t in texts)


def test_a_copy_is_not_a_source():
    copy = article("d", *PORT_A.paragraphs, duplicate_of="a")
    assert by_unit(story_figures([PORT_A, copy]))["truck"].article_ids == ("a",)


# --- number forms ------------------------------------------------------------------------------

def test_digits_suffixes_and_number_words():
    assert [(t, v) for t, v, *_ in found(
        "Crews cleared 1,250 trucks, 12.5 tonnes of debris, 2.5K barges and 3bn euros of cargo.")] == [
        ("1,250 trucks", 1250.0), ("12.5 tonnes", 12.5), ("2.5K barges", 2500.0), ("3bn euros", 3e9)]
    assert [(t, v) for t, v, *_ in found(
        "Twenty-five ferries, two hundred and fifty cranes, half a million crates and a dozen tugs waited.")] == [
        ("Twenty-five ferries", 25.0), ("two hundred and fifty cranes", 250.0),
        ("half a million crates", 500000.0), ("a dozen tugs", 12.0)]
    assert [(t, v) for t, v, *_ in found("The line moved 1.5 million boxes and 2M pallets last year.")] == [
        ("1.5 million boxes", 1.5e6), ("2M pallets", 2e6)]


def test_vague_plurals_are_ranges():
    assert found("Hundreds of volunteers and tens of thousands of voters turned out.") == [
        ("Hundreds of volunteers", 100.0, "hundreds", 200.0, 999.0, "volunteer"),
        ("tens of thousands of voters", 10000.0, "tens of thousands", 20000.0, 99999.0, "voter")]
    assert found("Dozens of ballot boxes and several hundred observers arrived.") == [
        ("Dozens of ballot boxes", 12.0, "dozens", 24.0, 119.0, "ballot box"),
        ("several hundred observers", 100.0, "several hundred", 300.0, 999.0, "observer")]


def test_qualifiers_give_the_range_the_wording_allows():
    rows = found("Polls show nearly 900 candidates, up to 40 parties, fewer than 30 seats, at least 12 districts, "
                 "approximately 5,000 stations and as many as 600 monitors.")
    assert [(q, lo, hi) for _, _, q, lo, hi, _ in rows] == [
        ("nearly", 810.0, 900.0), ("up to", 0.0, 40.0), ("fewer than", 0.0, 30.0), ("at least", 12.0, INF),
        ("approximately", 4500.0, 5500.0), ("as many as", 0.0, 600.0)]
    assert found("Between 10 and 15 million people voted, and 300 or more buses ran.") == [
        ("Between 10 and 15 million people", 1e7, "between", 1e7, 1.5e7, "person vote"),
        ("300 or more buses", 300.0, "or more", 300.0, INF, "bus")]
    booths, clerks = found("Two or three booths and 10-15 clerks were added.")
    assert booths[:5] == ("Two or three booths", 2.0, "between", 2.0, 3.0)
    assert clerks[:5] == ("10-15 clerks", 10.0, "between", 10.0, 15.0)


def test_money_and_percentages():
    rows = found("Harlow agreed to buy its rival for $2bn, or US$2 billion, in a deal worth 2 billion dollars.")
    assert [(t, v, k) for t, v, _, _, _, k in rows] == [
        ("$2bn", 2e9, "usd deal"), ("US$2 billion", 2e9, "usd deal"), ("2 billion dollars", 2e9, "usd deal")]
    assert [(t, v, k) for t, v, _, _, _, k in found("The regulator fined the firm €40m last spring.")] == [
        ("€40m", 4e7, "eur fine")]
    rows = found("Shareholders hold 20% of the stock, 20 per cent of the votes and 20 percent of the stock.")
    assert [(t, k) for t, _, _, _, _, k in rows] == [
        ("20%", "percent of stock"), ("20 per cent", "percent of vote"), ("20 percent", "percent of stock")]


def test_merger_story_groups_money_by_what_it_is():
    x = article("x", "Harlow will buy Brine Foods for $2bn, the companies said.",
                "Regulators fined Harlow $40m last year.")
    y = article("y", "The deal values Brine Foods at US$2.5 billion including debt.")
    figures = by_unit(story_figures([x, y]))
    assert [m.value for m in figures["usd deal"].mentions] == [2e9, 2.5e9]
    assert figures["usd deal"].conflict is True
    assert [m.value for m in figures["usd fine"].mentions] == [4e7]  # a fine is no conflicting deal price
    assert figures["usd fine"].conflict is False


# --- what is not a figure ----------------------------------------------------------------------

def test_dates_times_years_ordinals_ages_and_durations_are_not_figures():
    assert found("The quake struck at 3:42 a.m. on October 5, 2024, the third in 2024, on the 5th day.") == []
    assert found("A 45-year-old teacher, aged 45, died two days after the first tremor at 8pm.") == []
    assert [t for t, *_ in found("A 45-year-old teacher and a man aged 60 were among 5 victims.")] == ["5 victims"]
    assert found("It was the first time in years; rescuers worked for three weeks and 36 hours.") == []
    assert found("Back in 2019 the town had the same alert on 12 March.") == []


def test_numbers_in_names_labels_codes_and_lists_are_not_figures():
    assert found("The G20 and the F-16 crews met on Route 66 under Article 5 during COVID-19.") == []
    assert found("Call 555-0142 or +1 202 555 0100, or see section 4 and flight 370.") == []
    assert found("1. Evacuate now.") == []
    assert found("The score was 3-0 and the version 2.1.4 shipped.") == []
    assert found("The two companies and all three agencies agreed.") == []  # things already named


def test_one_alone_is_no_figure_but_one_casualty_is():
    assert found("One of the workers said one official would speak.") == []
    assert found("One person was killed and at least one person was hurt.") == [
        ("One person", 1.0, None, 1.0, 1.0, "person killed"),
        ("at least one person", 1.0, "at least", 1.0, INF, "person injured")]


# --- generic units and outcomes ----------------------------------------------------------------

QUAKE_A = article("qa", "The earthquake killed at least 12 people and injured 40 others in Sarn.",
                  "Rescuers pulled 3 survivors from the rubble.")
QUAKE_B = article("qb", "Twelve people were killed and some 40 people were hurt, officials said.",
                  "About 300 people were displaced by the quake.")
QUAKE_C = article("qc", "The death toll rose to 14 on Tuesday, with 3 survivors found.")


def test_people_killed_and_injured_are_separate_figures_not_a_conflict():
    figures = by_unit(story_figures([QUAKE_A, QUAKE_B]))
    killed, injured = figures["person killed"], figures["person injured"]
    assert killed.label == "people (killed)" and injured.label == "people (injured)"
    assert [(m.article_id, m.text, m.low, m.high) for m in killed.mentions] == [
        ("qa", "at least 12 people", 12.0, INF), ("qb", "Twelve people", 12.0, 12.0)]
    # "40 others" names no unit but its outcome; it joins the one unit counted as injured
    assert [(m.article_id, m.text, m.value) for m in injured.mentions] == [
        ("qa", "40", 40.0), ("qb", "some 40 people", 40.0)]
    assert not killed.conflict and not injured.conflict
    assert [m.value for m in figures["person displaced"].mentions] == [300.0]
    assert found("Officials counted 20 injured workers and 3 dead.") == [
        ("20 injured workers", 20.0, None, 20.0, 20.0, "worker injured"),
        ("3 dead", 3.0, None, 3.0, 3.0, "killed")]
    assert "person" not in figures  # no bare "people" figure mixing the three


def test_a_number_without_a_noun_counts_the_noun_its_verb_follows():
    figures = by_unit(story_figures([QUAKE_A, QUAKE_C]))
    assert figures["death toll"].mentions == (FigureMention("qc", 0, "death toll rose to 14", 14.0, None, 14.0, 14.0),)
    assert figures["survivor"].article_ids == ("qa", "qc") and figures["survivor"].conflict is False


def test_a_bare_unit_joins_its_one_specific_form_only():
    x = article("x", "Crews unloaded 900 cargo crates on Monday.")
    y = article("y", "Nearly 900 crates were unloaded, the operator said.")
    figures = by_unit(story_figures([x, y]))
    assert list(figures) == ["cargo crate"]
    assert figures["cargo crate"].article_ids == ("x", "y") and not figures["cargo crate"].conflict
    z = article("z", "Another 40 fruit crates arrived by rail.")
    figures = by_unit(story_figures([x, y, z]))
    assert set(figures) == {"cargo crate", "fruit crate", "crate"}  # which kind is unclear


def test_adjectives_and_names_are_left_out_of_the_unit_and_plurals_meet():
    rows = found("Police seized 27 Belgian refrigerated lorries, two new Swiss-made cranes and 4 casualties.")
    assert [(t, k) for t, _, _, _, _, k in rows] == [
        ("27 Belgian refrigerated lorries", "lorry"), ("two new Swiss-made cranes", "crane"),
        ("4 casualties", "casualty")]
    x = article("x", "The regulator ran more than 150 safety inspections at the plant.")
    y = article("y", "At least one safety inspection failed, and 160 safety inspections were planned.")
    inspections = by_unit(story_figures([x, y]))["safety inspection"]
    assert [m.value for m in inspections.mentions] == [150.0, 1.0, 160.0]
    assert inspections.label == "safety inspections" and inspections.conflict is False
    assert [(t, k) for t, _, _, _, _, k in found("About 2,000 police officers and 300 police stood by.")] == [
        ("About 2,000 police officers", "police officer"), ("300 police", "police")]
    assert [singular(w) for w in ("people", "casualties", "boxes", "buses", "series", "tests")] == [
        "person", "casualty", "box", "bus", "series", "test"]
