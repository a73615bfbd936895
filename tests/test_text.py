from datetime import date

from newsgen.text import fold, normalize_line, parse_date, split_sentences


def test_sentences_keep_abbreviations_and_initials():
    text = ("US Secretary of State Antony J. Blinken met Pres. Ana Ruiz in the U.S. capital. "
            "The talks ended at 3 p.m. on Friday. Officials said No. 10 was told. Then it rained.")
    assert split_sentences(text) == [
        "US Secretary of State Antony J. Blinken met Pres. Ana Ruiz in the U.S. capital.",
        "The talks ended at 3 p.m. on Friday.",
        "Officials said No. 10 was told.",
        "Then it rained.",
    ]


def test_sentences_split_after_closing_quote():
    assert split_sentences("He said: \u201cWe are ready.\u201d The vote follows.") == [
        "He said: \u201cWe are ready.\u201d", "The vote follows."]


def test_dates_in_common_forms():
    assert parse_date("Thursday, December 19, 2024") == date(2024, 12, 19)
    assert parse_date("4 March 2025 10:32 AM") == date(2025, 3, 4)
    assert parse_date("2025-03-04") == date(2025, 3, 4)
    assert parse_date("Sept. 9, 2023") == date(2023, 9, 9)
    assert parse_date("March 4, 2025 was a Tuesday") is None
    assert parse_date("February 30, 2025") is None


def test_normalising_spaces_and_folding():
    assert normalize_line("\u00a0 Caf\u0065\u0301\u200b  au\tlait ") == "Caf\u00e9 au lait"
    assert fold("North Korea\u2019s") == fold("north korea's")
