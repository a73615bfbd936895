"""story_entities on made-up stories: country aliases, capitals linked to countries, name variants, and the
capitalised words that are no entities."""
from datetime import date

from newsgen.analysis.entities import story_entities
from newsgen.model import Article, Block, Entity, Section, Source


def article(aid: str, *paragraphs: str, title: str | None = None, published: date | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", title if title is not None else f"Headline {aid}", None, None,
                   Source(None, f"unknown-{aid}"), None, published, (),
                   (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), ())


def found(*articles: Article) -> dict[str, Entity]:
    return {e.name: e for e in story_entities(list(articles))}


def test_country_short_forms_acronyms_and_long_forms_join_under_the_most_common_full_form():
    a = article("a", "Dock workers in Britain walked out on Monday, and ports in the UK stood still.",
                "Cargo bound for the PRC waited while China asked for talks.",
                "Ships from the UAE and DR Congo were turned away, the DRC said.")
    b = article("b", "The strike spread across the United Kingdom as Britain's ports closed.",
                "Exporters in the People's Republic of China and in DR Congo counted the cost.",
                "Shippers in the United Arab Emirates said the Democratic Republic of the Congo lost most.")
    got = found(a, b)
    uk = got["Britain"]
    assert (uk.kind, uk.article_ids, uk.aliases) == ("place", ("a", "b"), ("UK", "United Kingdom"))
    china = got["China"]
    assert (china.kind, china.article_ids, china.aliases) == ("place", ("a", "b"), ("PRC", "People's Republic of China"))
    assert got["United Arab Emirates"].aliases == ("UAE",)
    congo = got["DR Congo"]  # named twice: more than its GeoNames name, which wins only a tie (China)
    assert congo.aliases == ("DRC", "Democratic Republic of the Congo") and congo.article_ids == ("a", "b")
    for alias in ("UK", "United Kingdom", "PRC", "UAE", "DRC", "Democratic Republic of the Congo"):
        assert alias not in got


def test_three_letter_codes_join_only_when_they_are_no_word():
    a = article("a", "The merger needs approval in MEX and in Mexico City, where Mexico's regulator sits.",
                "Lawyers at the PER desk and the CAN office of Nexa Partners were told to wait.",
                "The Italian IT unit of the group will move to Italy.")
    got = found(a)
    assert got["Mexico"].aliases == ("MEX",)
    assert "PER" in got and got["PER"].kind == "organisation" and "Peru" not in got  # "PER" is a word
    assert "CAN" in got and "Canada" not in got
    assert "IT" in got and got["Italy"].aliases == ()  # a two-letter code is never read as a country
    assert "Italian" not in got  # an adjective


def test_initials_glued_to_the_name_still_join():
    a = article("a", "Miners in S.Africa stopped work on Tuesday.", "Unions in S. Africa backed them.")
    b = article("b", "The stoppage in South Africa is the longest in a decade.")
    got = found(a, b)
    assert got["South Africa"].article_ids == ("a", "b")
    assert set(got["South Africa"].aliases) == {"S. Africa"}
    assert "Africa" not in got and "S." not in got


def test_a_capital_named_for_its_government_is_linked_to_the_country():
    a = article("a", "Ankara said on Friday that rescue teams had reached the worst-hit towns.",
                "Turkey has asked for tents and blankets.")
    b = article("b", "Officials in Ankara put the death toll at 212.", "Aid flights landed in Madrid for repairs.")
    got = found(a, b)
    assert got["Ankara"] == Entity("Ankara", "place", ("a", "b"), (), ("Turkey",))
    assert got["Turkey"] == Entity("Turkey", "place", ("a",), (), ("Ankara",))
    assert got["Madrid"].linked == ()  # the story does not name Spain: no link to it


def test_a_capitalised_first_word_needs_more_evidence_than_its_capital():
    a = article("a", "Oslo announced a ban on the merger.", "Rescuers arrived late.",
                "Aftershocks followed in Lima.")
    got = found(a)
    assert "Oslo" not in got  # first word of a sentence, and the story names neither Oslo again nor Norway
    assert "Rescuers" not in got and "Aftershocks" not in got
    assert got["Lima"].kind == "place" and got["Lima"].linked == ()
    b = article("b", "Norway will appeal.")
    got = found(a, b)
    assert got["Oslo"].linked == ("Norway",) and got["Norway"].linked == ("Oslo",)


def test_a_seat_of_government_is_an_organisation_linked_to_its_country():
    a = article("a", "Downing Street said the strike was unlawful.", "Britain will seek an injunction.")
    got = found(a)
    assert got["Downing Street"] == Entity("Downing Street", "organisation", ("a",), (), ("Britain",))
    assert got["Britain"].linked == ("Downing Street",)


def test_hyphen_variants_join_and_a_family_name_alone_joins_the_full_name_in_either_order():
    a = article("a", "Union leader Lee Min-ho said the docks would stay shut.",
                "Transport Minister Choi Hana met the union on Sunday.",
                "Choi said the government would not intervene.")
    b = article("b", "Lee Min Ho and Ana Ruiz of the port operator spoke for an hour.",
                "Ruiz said the company had made its last offer.")
    got = found(a, b)
    lee = got["Lee Min-ho"] if "Lee Min-ho" in got else got["Lee Min Ho"]
    assert lee.kind == "person" and lee.article_ids == ("a", "b") and len(lee.aliases) == 1
    assert got["Choi Hana"] == Entity("Choi Hana", "person", ("a",), ("Choi",))  # family name first
    assert got["Ana Ruiz"] == Entity("Ana Ruiz", "person", ("b",), ("Ruiz",))  # family name last
    assert "Choi" not in got and "Ruiz" not in got


def test_a_family_name_shared_by_two_people_joins_neither():
    a = article("a", "Mayor Choi Hana and Governor Choi Minsu toured the site.", "Choi said more help was coming.")
    got = found(a)
    assert {"Choi Hana", "Choi Minsu", "Choi"} <= set(got)
    assert got["Choi Hana"].aliases == () and got["Choi Minsu"].aliases == ()


def test_the_same_name_in_the_other_order_is_one_person():
    a = article("a", "Finance Minister Tanaka Hiroshi backed the merger.")
    b = article("b", "Finance Minister Hiroshi Tanaka said the deal was fair.")
    got = found(a, b)
    person = got.get("Hiroshi Tanaka") or got.get("Tanaka Hiroshi")
    assert person.article_ids == ("a", "b") and len(person.aliases) == 1
    assert len([e for e in got.values() if e.kind == "person"]) == 1


def test_most_common_full_form_names_a_person():
    a = article("a", "Judge Maria L. Costa ruled on the merger.", "Costa said the deal could go ahead.")
    b = article("b", "Maria Costa approved the deal.")
    c = article("c", "The ruling by Maria Costa surprised analysts.")
    got = found(a, b, c)
    assert got["Maria Costa"] == Entity("Maria Costa", "person", ("a", "b", "c"), ("Costa", "Maria L. Costa"))


def test_an_acronym_spelled_out_joins_its_long_form():
    a = article("a", "The Harbour Safety Board (HSB) closed the terminal.", "HSB inspectors stayed overnight.")
    b = article("b", "The HSB said the cranes were unsafe.", "Police said nobody was hurt (Reuters).")
    got = found(a, b)
    assert got["Harbour Safety Board"] == Entity("Harbour Safety Board", "organisation", ("a", "b"), ("HSB",))
    assert "HSB" not in got and "Reuters" not in got


def test_a_title_splits_a_person_from_the_body_they_belong_to():
    a = article("a", "Fire Chief Dana Okoro of the Marsh County Fire District said 900 firefighters were out.",
                "UK Secretary of State Mary K. Okafor thanked Chile's Interior Minister Carla Soto.")
    got = found(a)
    assert got["Dana Okoro"].kind == "person"
    assert got["Marsh County Fire District"].kind == "organisation"
    assert got["Mary K. Okafor"].kind == "person" and got["Carla Soto"].kind == "person"
    assert got["UK"].kind == "place" and got["Chile"].kind == "place"
    for wrong in ("Fire Chief Dana Okoro", "Fire", "Dana Okoro of the Marsh County Fire District",
                  "Chile's Interior Minister Carla Soto", "Interior Minister"):
        assert wrong not in got


def test_possessives_compounds_and_place_pairs_are_cut_apart():
    a = article("a", "Chile's Health Ministry sent doctors to the Chile-Peru border.",
                "A German-made crane and a Swedish-owned ship were damaged.",
                "Norwegian rescuers and Americans on holiday helped, a Foreign Affairs spokesperson said.")
    got = found(a)
    assert got["Chile's Health Ministry"].kind == "organisation"
    assert got["Chile"].kind == "place" and got["Peru"].kind == "place"
    for wrong in ("Chile-Peru", "German-made", "German", "Swedish-owned", "Norwegian", "Americans",
                  "Foreign Affairs"):
        assert wrong not in got
    assert set(got) == {"Chile's Health Ministry", "Chile", "Peru"}


def test_title_case_headline_counts_only_names_known_from_bodies():
    a = article("a", "The earthquake struck Valparaiso before dawn, and Chile declared an emergency.",
                title="Deadly Quake Rattles Chile As Rescuers Search Valparaiso Rubble")
    b = article("b", "Rescue teams worked through the night.", title="Chile Counts Its Dead As Aftershocks Continue")
    got = found(a, b)
    assert got["Chile"].article_ids == ("a", "b")  # b names Chile in its headline only
    assert got["Valparaiso"].article_ids == ("a",)
    for wrong in ("Deadly Quake Rattles Chile As Rescuers Search Valparaiso Rubble", "Deadly Quake Rattles",
                  "Rescuers Search Valparaiso Rubble", "Counts", "Aftershocks Continue", "Rubble"):
        assert wrong not in got


def test_a_sentence_case_headline_is_read_like_a_sentence():
    a = article("a", "The vote was close.", title="Nexa Partners wins the Halden bid")
    got = found(a)
    assert set(got) == {"Nexa Partners", "Halden"}


def test_a_tail_joins_the_one_longer_name_and_not_two():
    a = article("a", "The Port Workers Union called the strike.", "The Workers Union will meet again on Friday.")
    got = found(a)
    assert got["Port Workers Union"].aliases == ("Workers Union",) and "Workers Union" not in got
    b = article("b", "The North Coast Rail Board and the South Coast Rail Board disagree.",
                "The Rail Board chair resigned.")
    got = found(b)
    assert {"North Coast Rail Board", "South Coast Rail Board", "Rail Board"} <= set(got)


def test_a_place_never_joins_a_longer_place_as_its_short_form():
    a = article("a", "Flights to Guinea resumed, but Equatorial Guinea kept its airports shut.",
                "Relief also reached New Guinea.")
    got = found(a)
    assert {"Guinea", "Equatorial Guinea"} <= set(got)
    assert got["Guinea"].aliases == () and got["Equatorial Guinea"].aliases == ()


def test_places_listed_after_a_place_cue_are_places():
    a = article("a", "Power cuts were reported in Marrow and Duskfield after the tremor.")
    got = found(a)
    assert got["Marrow"].kind == "place" and got["Duskfield"].kind == "place"


def test_a_newspaper_named_with_its_article_keeps_it():
    a = article("a", "The merger was first reported by The Harbour Gazette and the Halden Post.",
                "Sources: The Ledger, The Courier.")
    got = found(a)
    assert got["The Ledger"].kind == "organisation" and got["The Courier"].kind == "organisation"
    assert "Ledger" not in got and "Courier" not in got


def test_entities_have_no_links_by_default():
    assert Entity("Ana Ruiz", "person", ("a",)).linked == ()


def test_a_company_with_its_legal_form_and_web_name_is_one_company():
    a = article("a", "HALDEN (Wire) - Nexa.com Inc agreed to buy eLumo Corp for $2 billion on Friday.",
                "The deal gives Nexa a foothold in Halden, where the Élan Group already works.",
                title="Nexa to buy eLumo for $2 billion")
    got = found(a)
    assert got["Nexa"] == Entity("Nexa", "organisation", ("a",), ("Nexa.com Inc",))
    assert got["Halden"] == Entity("Halden", "place", ("a",), ("HALDEN",))  # a dateline in capitals joins
    assert got["Élan Group"].kind == "organisation"  # a name may start with an accented capital
    assert set(got) == {"Nexa", "Halden", "Élan Group"}  # no "Lumo" out of "eLumo", no bare "Corp", no "Wire"
