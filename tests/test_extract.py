"""Saved web pages as input, `newsgen extract` (and `check --explain`, the same report), and
`newsgen eval extraction` on a small made-up set (the dev-set figures are in test_dev_sets.py)."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest

from newsgen.cli import main
from newsgen.config import Config
from newsgen.errors import BuildFailed
from newsgen.loader import load_files

from conftest import FIXTURES, SEEDS

PAGE = FIXTURES / "html" / "ferry_strike.html"


def test_a_saved_page_gives_its_article_and_the_pages_metadata():
    [a] = load_files([PAGE], Config()).articles
    assert a.format == "html"
    assert a.title == "Ferry crews strike over rosters"  # not the <title> with the outlet after a bar
    assert a.byline == "Mara Quist"
    assert a.source.name == "Harbour Gazette"
    assert a.published.isoformat() == "2025-05-16"
    assert a.url == "https://gazette.example.com/news/ferry-crews-strike"
    assert a.dek == "Crossings to the islands were cancelled on Friday as crews walked out."
    body = a.body_text
    assert body.startswith("All crossings to the northern islands were cancelled on Friday")
    assert body.endswith("when most visitors arrive by sea on Friday evenings.")
    assert "said Ina Holm" in body  # the quotation is kept
    assert a.sections[0].blocks[2].kind == "quote"
    for junk in ("Home", "Subscribe", "Share on Facebook", "Related articles", "Harbour dredging delayed",
                 "All rights reserved", "Cookie settings", "By Mara Quist"):
        assert junk not in body, junk
    assert {r.rule for r in a.removed} == {"headline", "share"}


def test_site_yaml_overrides_win_over_the_page():
    [a] = load_files([PAGE], Config(overrides={"ferry_strike": {"source": "Gazette Online",
                                                                 "published": "2025-05-17"}})).articles
    assert a.source.name == "Gazette Online" and a.published.isoformat() == "2025-05-17"


@pytest.mark.parametrize("name, data, message", [
    ("empty.html", b"", "the file is empty"),
    ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not a web page (it contains NUL bytes)"),
    ("menu.html", b"<html><body><nav><ul>" + b"".join(b'<li><a href="/%d">Section %d</a></li>' % (i, i)
                                                       for i in range(30)) + b"</ul></nav></body></html>",
     "no article found in the page"),
    ("script.html", b"<html><head><script>var x = 1;</script></head><body></body></html>", "no article found"),
])
def test_bad_pages_are_one_line_errors_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BuildFailed) as err:
        load_files([path], Config())
    [e] = err.value.errors
    assert str(path) in str(e) and message in str(e)


def test_broken_markup_still_gives_the_text(tmp_path):
    text = PAGE.read_text(encoding="utf-8")
    broken = text.replace("</p>", "").replace("</article>", "").replace("</main>", "<div><span>")[:-200]
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    [a] = load_files([path], Config()).articles
    assert "refund every ticket" in a.body_text


def test_a_page_over_the_size_limit_is_refused_before_it_is_read(tmp_path, capsys):
    path = tmp_path / "articles" / "huge.html"
    path.parent.mkdir()
    path.write_bytes(b"<html><body><p>" + b"word " * (4 * 1024 * 1024) + b"</p></body></html>")  # 20 MB
    assert main(["build", "--articles", str(path.parent), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert f"{path}: over the 8 MB limit" in err and "Traceback" not in err


def test_extract_json_has_the_documented_keys(capsys):
    assert main(["extract", "--json", str(PAGE), str(SEEDS / sorted(p.name for p in SEEDS.iterdir())[0])]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert list(row) == ["path", "id", "title", "dek", "byline", "source", "published", "language", "body",
                             "removed"]
        assert row["language"] == "en"
        assert all(set(r) == {"line", "text", "rule", "reason"} for r in row["removed"])
    page = rows[0]
    assert page["body"].split("\n\n")[0].startswith("All crossings")  # paragraphs joined by blank lines
    assert {"text": "Share on Facebook", "rule": "share"}.items() <= next(
        r for r in page["removed"] if r["rule"] == "share").items()


def test_check_explain_prints_the_extract_report(capsys):
    assert main(["extract", str(PAGE)]) == 0
    report = capsys.readouterr().out
    assert main(["check", "--explain", str(PAGE)]) == 0
    assert capsys.readouterr().out == report
    assert "[share] a share or follow prompt: 'Share on Facebook'" in report
    assert "published: 2025-05-16" in report


def test_a_site_built_from_a_saved_page(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(PAGE, articles / PAGE.name)
    (tmp_path / "site.yaml").write_text("search: false\n", encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--config", str(tmp_path / "site.yaml"), "--articles", str(articles), "--out", str(out),
                 "-q"]) == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    [article] = index["articles"]
    assert article["title"] == "Ferry crews strike over rosters" and article["source"]["name"] == "Harbour Gazette"
    story = (out / index["stories"][0]["page"]).read_text(encoding="utf-8")
    assert "Ferry crews strike over rosters" in story


def test_eval_extraction_scores_snippets(tmp_path, capsys):
    page_text = ("Home\nNews\nSport\nWeather\n\nFerry crews strike over rosters\n\nAll crossings to the northern "
                 "islands were cancelled on Friday after ferry crews walked out in a dispute over new duty rosters, "
                 "the operator said.\n\nThe operator said it regretted the disruption and would refund every ticket "
                 "for the cancelled sailings in full.\n\nShare on Facebook\n\nRelated articles\n"
                 "Harbour dredging delayed again\n")
    record = {"id": "ferry", "html": PAGE.read_text(encoding="utf-8"), "page_text": page_text,
              "with": ["All crossings to the northern islands", "refund every ticket"],
              "without": ["Share on Facebook", "Harbour dredging delayed again"]}
    path = tmp_path / "pages.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    assert main(["eval", "extraction", str(path), "--input", "html"]) == 0
    out = capsys.readouterr().out
    assert "1 pages, input html: P 1.000 R 1.000 F1 1.000 (tp 2 fn 0 fp 0)" in out
    assert main(["eval", "extraction", str(path), "--input", "raw"]) == 0
    assert "P 0.500 R 1.000 F1 0.667 (tp 2 fn 0 fp 2)" in capsys.readouterr().out


@pytest.mark.parametrize("lines, rule", [
    (["Das könnte Sie auch interessieren", "Neue Brücke für den Hafen", "Fähre fährt wieder"], "related"),
    (["À lire aussi", "Le port rouvre ses quais", "La grève continue"], "related"),
    (["Lea también: El puerto reabre sus muelles"], "read-also"),
    (["Teilen", "Drucken"], "button"),
    (["Teilen auf Facebook"], "share"),
    (["Anzeige"], "advertisement"),
    (["Hinterlasse einen Kommentar"], "comments"),
    (["Comments are closed."], "comments"),
    (["Wir verwenden Cookies, um unsere Website für Sie zu verbessern."], "cookies"),
    (["Jetzt Newsletter abonnieren"], "newsletter"),
])
def test_page_furniture_in_other_languages_goes_with_its_rule(lines, rule):
    from newsgen.clean import clean
    from newsgen.loader import text_units

    article = ("Die Fähre zwischen Hafen und Insel fährt seit Montag wieder nach dem Fahrplan, teilte die "
               "Reederei am Dienstag mit.\n\nDie Besatzung hatte zuvor drei Tage lang gestreikt, weil sich "
               "Reederei und Gewerkschaft nicht auf neue Dienstpläne einigen konnten.")
    c = clean(text_units("Fähren fahren wieder\n\n" + article + "\n\n" + "\n".join(lines) + "\n"))
    body = "\n".join(t for s in c.sections for b in s.blocks for t in b.texts)
    assert body == article.replace("\n\n", "\n")
    assert any(r.rule == rule and r.text == lines[0] for r in c.removed), [(r.rule, r.text) for r in c.removed]


def test_eval_extraction_scores_gold_bodies_by_four_word_shingles(tmp_path, capsys):
    body = ("All crossings to the northern islands were cancelled on Friday after ferry crews walked out.\n\n"
            "The operator said it would refund every ticket.")
    page_text = "Home\nNews\nSport\nWeather\n\nFerry crews strike\n\n" + body + "\n\nShare on Facebook\n"
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "g", "page_text": page_text, "body": body}) + "\n", encoding="utf-8")
    assert main(["eval", "extraction", str(path), "--input", "text"]) == 0
    out = capsys.readouterr().out
    assert "input text: no snippets" in out
    # the headline is kept besides the body's 23 words: 3 of the 23 shingles are not the gold body's (P 20/23)
    assert "mean of 1 pages: P 0.870 R 1.000 F1 0.930" in out
    assert main(["eval", "extraction", str(path), "--input", "raw"]) == 0
    raw = capsys.readouterr().out
    assert "R 1.000" in raw and "P 0.870" not in raw  # the menu and the share line cost the raw text more
