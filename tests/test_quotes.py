from datetime import date

from newsgen.analysis.quotes import Quote, QuoteMention, story_quotes
from newsgen.analysis.sentences import article_sentences
from newsgen.model import Article, Block, Section, Source


def article(aid: str, *paragraphs: str, duplicate_of: str | None = None, published: date | None = None) -> Article:
    return Article(aid, f"{aid}.txt", "txt", f"Headline {aid}", None, None, Source(None, f"unknown-{aid}"), None,
                   published, (), (Section(None, tuple(Block("p", text=p) for p in paragraphs)),), (),
                   duplicate_of=duplicate_of)


def summary(quotes):
    """(text, speaker, role, ((article, sentence), ...)) of each quote, for exact comparison."""
    return [(q.text, q.speaker, q.role, tuple((m.article_id, m.sentence) for m in q.mentions)) for q in quotes]


def test_speaker_after_the_quote_in_both_orders_with_straight_and_curly_marks():
    a = article("a", '"The terminal will reopen on Friday," Mark Ellis said.',
                "\u201cWe expect delays of up to two weeks,\u201d said Ana Ruiz, a professor of logistics at "
                "Harbour University.")
    assert summary(story_quotes([a])) == [
        ("The terminal will reopen on Friday", "Mark Ellis", None, (("a", 0),)),
        ("We expect delays of up to two weeks", "Ana Ruiz", "professor of logistics at Harbour University",
         (("a", 1),)),
    ]


def test_speaker_before_the_quote_colon_and_partial_quote_after_said_that():
    a = article("a", "Mayor Tom Baker said: \u201cThe bridge is safe for traffic.\u201d",
                "Engineers inspected every cable overnight. Baker said that the repairs were \u201cwell under "
                "budget\u201d and would end in May.")
    assert summary(story_quotes([a])) == [
        ("The bridge is safe for traffic.", "Tom Baker", "Mayor", (("a", 0),)),
        ("well under budget", "Tom Baker", "Mayor", (("a", 2),)),
    ]


def test_a_quotation_after_a_colon_runs_over_paragraphs():
    a = article("a", "The quake struck at dawn. Dr. Helen Park, a seismologist at the Pacific Institute, told "
                "reporters:",
                "\u201cThe fault moved about two metres. We expect aftershocks for weeks.",
                "\u201cPeople should stay out of damaged buildings.\u201d",
                "Schools stayed closed on Monday.")
    quotes = story_quotes([a])
    assert summary(quotes) == [(
        "The fault moved about two metres. We expect aftershocks for weeks. People should stay out of damaged "
        "buildings.", "Helen Park", "seismologist at the Pacific Institute", (("a", 2),))]
    assert article_sentences(a)[2] == "\u201cThe fault moved about two metres."


def test_according_to_names_the_organisation_before_or_after():
    a = article("a", "According to the Coast Guard: crews \u201cpulled twelve people from the water before "
                "dawn.\u201d",
                "\u201cThe storm surge reached four metres,\u201d according to the National Weather Office.")
    assert summary(story_quotes([a])) == [
        ("pulled twelve people from the water before dawn.", "Coast Guard", None, (("a", 0),)),
        ("The storm surge reached four metres", "National Weather Office", None, (("a", 1),)),
    ]


def test_pronouns_resolve_to_the_latest_person_named_in_the_same_article_only():
    a = article("a", "Interior Minister Sara Lind visited the flooded town on Tuesday.",
                "\u201cEvery family will get help,\u201d she said.",
                "The Transport Ministry said the coast road was closed. \u201cRepairs will take a month,\u201d "
                "it added.")
    b = article("b", "\u201cWe are overwhelmed by the water,\u201d she said.",
                "Relief trucks arrived late in the evening.")
    quotes = story_quotes([a, b])
    assert summary(quotes) == [
        ("Every family will get help", "Sara Lind", "Interior Minister", (("a", 1),)),
        ("Repairs will take a month", "Transport Ministry", None, (("a", 3),)),
        ("We are overwhelmed by the water", None, None, (("b", 0),)),  # no one named before it in b
    ]


def test_a_name_inside_a_quotation_is_no_antecedent():
    a = article("a", "\u201cOscar Vance lied to the shareholders,\u201d said Nina Holt, the chief executive of "
                "Delta Foods.",
                "\u201cThe merger is off the table for this year,\u201d she added.")
    assert [(q.speaker, q.role) for q in story_quotes([a])] == [
        ("Nina Holt", "chief executive of Delta Foods"), ("Nina Holt", "chief executive of Delta Foods")]


def test_title_before_the_name_is_the_role_and_no_part_of_the_name():
    a = article("a", "Port Authority spokeswoman Jane Roe said \u201cthe cranes are idle\u201d at every berth.",
                "\u201cNo ship has left since Sunday,\u201d Ms. Roe added.")
    b = article("b", "Dr. Jane Roe said \u201cthe cranes are idle\u201d across the terminal.")
    quotes = story_quotes([a, b])
    assert summary(quotes) == [
        ("the cranes are idle", "Jane Roe", "Port Authority spokeswoman", (("a", 0), ("b", 0))),
        ("No ship has left since Sunday", "Jane Roe", "Port Authority spokeswoman", (("a", 1),)),
    ]


def test_one_quote_across_sources_in_longer_shorter_and_differently_punctuated_forms():
    a = article("a", "\u201cWe will not go back until the contracts are signed, and we mean every worker,\u201d "
                "said Jane Roe, a spokeswoman for the Harbour Workers Union.")
    b = article("b", "Talks failed again on Friday. Roe told the crowd: \u201cWe will NOT go back until the "
                "contracts are signed!\u201d")
    c = article("c", '"We will not go back until the contracts are signed," a union official said.',
                "\u201cThe pickets will stay all winter,\u201d Roe said.")
    quotes = story_quotes([a, b, c])
    assert summary(quotes) == [
        ("We will not go back until the contracts are signed, and we mean every worker", "Jane Roe",
         "spokeswoman for the Harbour Workers Union", (("a", 0), ("b", 1), ("c", 0))),
        ("The pickets will stay all winter", "Jane Roe", "spokeswoman for the Harbour Workers Union",
         (("c", 1),)),
    ]
    assert [m.text for m in quotes[0].mentions] == [
        "We will not go back until the contracts are signed, and we mean every worker",
        "We will NOT go back until the contracts are signed!",
        "We will not go back until the contracts are signed"]
    assert quotes[0].article_ids == ("a", "b", "c")


def test_different_speakers_of_the_same_words_stay_apart():
    a = article("a", "\u201cThe vote was free and fair,\u201d said Carla Mendes, the electoral commissioner.")
    b = article("b", "\u201cThe vote was free and fair,\u201d said Victor Hale, the opposition leader.")
    quotes = story_quotes([a, b])
    assert [(q.speaker, q.article_ids) for q in quotes] == [("Carla Mendes", ("a",)), ("Victor Hale", ("b",))]


def test_a_surname_shared_by_two_people_joins_neither_across_articles():
    a = article("a", "Governor Paul Kerr said \u201cthe levees held through the night.\u201d")
    b = article("b", "Senator Ruth Kerr toured the shelters on Saturday.")
    c = article("c", "\u201cWe need more pumps in the east of the city,\u201d Kerr said.")
    quotes = story_quotes([a, b, c])
    assert [q.speaker for q in quotes] == ["Paul Kerr", "Kerr"]


def test_single_quote_marks_are_told_from_apostrophes():
    a = article("a", "\u2018We don\u2019t have the money for the workers\u2019 homes,\u2019 said council leader "
                "Omar Haddad.",
                "'It's the worst storm since the '90s,' the forecaster said.",
                "The council\u2019s \u2018temporary\u2019 fix for the estate, built in the \u201990s, didn\u2019t "
                "last the winter.",
                "Analysts said rents last rose this fast in the '90s, when dockers' wages were frozen.")
    assert summary(story_quotes([a])) == [
        ("We don\u2019t have the money for the workers\u2019 homes", "Omar Haddad", "council leader",
         (("a", 0),)),
        ("It's the worst storm since the '90s", "the forecaster", None, (("a", 1),)),
    ]


def test_scare_quotes_are_dropped_and_attributed_fragments_kept():
    a = article("a", "The so-called \u201cgreen\u201d port will open next year.",
                "Investors see the 'game changer' deal as a test for the region.",
                "The ministry said there was \u201cno evidence\u201d of sabotage.",
                "A sign at the gate read \u201cNo entry for trucks after six in the evening.\u201d")
    assert summary(story_quotes([a])) == [
        ("no evidence", "The ministry", None, (("a", 2),)),
        ("No entry for trucks after six in the evening.", None, None, (("a", 3),)),  # kept, unattributed
    ]


def test_a_quotation_interrupted_by_its_attribution_is_one_quote():
    a = article("a", "\u201cWe are ready,\u201d Ellis said, \u201cand the ships are waiting outside the "
                "harbour.\u201d \u201cThe crews are rested.\u201d")
    b = article("b", "\u201cWe are ready, and the ships are waiting outside the harbour,\u201d said Mark Ellis.")
    assert summary(story_quotes([a, b])) == [
        ("We are ready, and the ships are waiting outside the harbour.", "Mark Ellis", None,
         (("a", 0), ("b", 0))),
        ("The crews are rested.", "Mark Ellis", None, (("a", 1),)),  # goes on in Ellis's voice
    ]


def test_most_widely_carried_first_then_reading_order_and_sentences_point_at_the_quote():
    a = article("a", "Turnout was high in the north.", "\u201cCount every ballot twice,\u201d said Ivo Brandt.",
                "\u201cThe polls closed on time everywhere,\u201d Brandt said.")
    b = article("b", "\u201cThe polls closed on time everywhere,\u201d said Ivo Brandt, the returning officer.")
    quotes = story_quotes([a, b])
    assert [q.text for q in quotes] == ["The polls closed on time everywhere", "Count every ballot twice"]
    assert quotes[0].role == "returning officer"
    for q in quotes:
        for m in q.mentions:
            sentence = article_sentences({"a": a, "b": b}[m.article_id])[m.sentence]
            assert m.text in sentence


def test_nothing_quoted_finds_nothing_and_an_article_repeating_a_quote_counts_once():
    plain = article("p", "Shares of Delta Foods rose 4% after the merger was announced.",
                    "Analysts expect the deal to close in the spring.")
    assert story_quotes([plain]) == ()
    twice = article("t", "\u201cThis merger creates a national champion,\u201d said Nina Holt.",
                    "Holt repeated: \u201cThis merger creates a national champion.\u201d")
    quotes = story_quotes([twice])
    assert quotes == (Quote("This merger creates a national champion", "Nina Holt", None,
                            (QuoteMention("t", 0, "This merger creates a national champion"),)),)


def test_titles_of_works_and_labels_in_quotes_are_no_quotations():
    a = article("a", "The union published a report titled \u201cPorts in Crisis: How Automation Changed the "
                "Docks\u201d on Monday.",
                "The plan, which critics have branded \u201ca licence to strike at will,\u201d passed on Friday.")
    assert story_quotes([a]) == ()


def test_inverted_asked_affiliation_after_of_and_a_title_before_the_appositive_name():
    a = article("a", "\u201cWhere is the money for the repairs?\u201d asked Rosa Diaz, a resident of the estate.",
                "\u201cIt is a good deal for shareholders,\u201d analyst Priya Shah of Northbank Securities said.",
                "The CEO, Sam Hill, said \u201cthe deal will close by March.\u201d")
    assert summary(story_quotes([a])) == [
        ("Where is the money for the repairs?", "Rosa Diaz", "resident of the estate", (("a", 0),)),
        ("It is a good deal for shareholders", "Priya Shah", "analyst, Northbank Securities", (("a", 1),)),
        ("the deal will close by March.", "Sam Hill", "CEO", (("a", 2),)),
    ]


def test_a_block_quotation_is_a_quote_and_a_capitalised_word_opening_a_sentence_is_no_antecedent():
    blocks = (Block("p", text="The mayor, Lena Fox, wrote on her blog:"),
              Block("quote", text="Nobody will lose a home because of this flood."),
              Block("p", text="Officials said the dam was sound. \u201cWe checked it twice this week,\u201d she "
                              "said."))
    a = Article("m", "m.md", "md", "H", None, None, Source(None, "unknown-m"), None, None, (),
                (Section(None, blocks),), ())
    assert summary(story_quotes([a])) == [
        ("Nobody will lose a home because of this flood.", "Lena Fox", "mayor", (("m", 1),)),
        # "Officials" may be no name: "she" is the latest person named, the mayor
        ("We checked it twice this week", "Lena Fox", "mayor", (("m", 3),)),
    ]


def test_an_unattributed_copy_of_a_quote_joins_the_attributed_one():
    a = article("a", "A banner at the gate read \u201cNo contract, no cargo, no compromise.\u201d")
    b = article("b", "\u201cNo contract, no cargo, no compromise,\u201d chanted the pickets, as Sam Ortiz, the "
                "strike leader, told them: \u201cHold the line until Friday.\u201d")
    c = article("c", "\u201cNo contract, no cargo, no compromise,\u201d Sam Ortiz told the crowd.")
    quotes = story_quotes([a, b, c])
    assert summary(quotes)[0] == ("No contract, no cargo, no compromise.", "Sam Ortiz", "strike leader",
                                  (("a", 0), ("b", 0), ("c", 0)))
    assert [q.text for q in quotes[1:]] == ["Hold the line until Friday."]
    assert quotes[1].speaker == "Sam Ortiz"
