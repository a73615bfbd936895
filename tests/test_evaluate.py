import json

import pytest

from newsgen.cli import main
from newsgen.evaluate import cluster_scores, pair_gold, threshold_scores


def test_cluster_scores_on_a_worked_example():
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    perfect = cluster_scores([["a", "b", "c"], ["d"]], gold)
    assert perfect.bcubed == (1.0, 1.0, 1.0) and perfect.ari == 1.0 and perfect.pairwise[2] == 1.0
    merged = cluster_scores([["a", "b", "c", "d"]], gold)
    # B-cubed precision: a, b, c see 3/4 correct, d sees 1/4 -> (3 * 0.75 + 0.25) / 4
    assert merged.bcubed[0] == pytest.approx(0.625) and merged.bcubed[1] == 1.0
    assert merged.pairwise[0] == pytest.approx(3 / 6) and merged.ari == pytest.approx(0.0)
    split = cluster_scores([["a"], ["b"], ["c"], ["d"]], gold)
    assert split.bcubed[0] == 1.0 and split.bcubed[1] == pytest.approx((1 / 3 * 3 + 1) / 4)
    assert split.predicted == 4 and split.gold == 2


def test_pair_gold_reads_each_scale():
    assert pair_gold({"label": 1}) == 1 and pair_gold({"label": 0}) == 0
    assert pair_gold({"overall": 1.0}) == 1 and pair_gold({"overall": 4.0}) == 0 and pair_gold({"overall": 2.5}) is None
    assert pair_gold({"score": 4.2}) == 1 and pair_gold({"score": 1.0}) == 0
    assert threshold_scores([(0.9, 1), (0.1, 1), (0.8, 0)], 0.5) == (0.5, 0.5, 0.5)


def test_eval_commands_print_figures(tmp_path, capsys):
    texts = {"f1": "Wildfire near Elmford forces 2,000 residents to evacuate as crews fight the blaze overnight.",
             "f2": "Crews fought the Elmford wildfire overnight after 2,000 residents were told to evacuate.",
             "r1": "The central bank cut its key interest rate to 4.25 percent as inflation cooled in May.",
             "r2": "Interest rates were cut to 4.25 percent by the central bank after inflation cooled."}
    clusters = tmp_path / "c.jsonl"
    clusters.write_text("".join(json.dumps({"id": k, "title": None, "text": v, "date": None, "source": "x",
                                            "cluster": k[0]}) + "\n" for k, v in texts.items()))
    assert main(["eval", "clusters", str(clusters)]) == 0
    out = capsys.readouterr().out
    assert "4 articles, 2 gold stories" in out and "B-cubed P 1.000 R 1.000 F1 1.000" in out and "ARI 1.000" in out
    pairs = tmp_path / "p.jsonl"
    pairs.write_text(json.dumps({"text1": texts["f1"], "text2": texts["f2"], "label": 1}) + "\n"
                     + json.dumps({"text1": texts["f1"], "text2": texts["r1"], "label": 0}) + "\n")
    assert main(["eval", "pairs", str(pairs)]) == 0
    assert "P 1.000 R 1.000 F1 1.000" in capsys.readouterr().out
    assert main(["eval", "clusters", str(tmp_path / "missing.jsonl")]) == 1


def test_eval_clusters_with_a_folder_mixed_in_reports_whether_its_stories_hold(tmp_path, capsys):
    from newsgen.evaluate import mixed_verdict
    assert mixed_verdict([["with:a", "with:b"], ["x"]], [["with:a", "with:b"]], {"x"}).startswith(
        "mixed-in stories kept whole: 1 of 1; labelled articles joining them: 0")
    assert "kept whole: 0 of 1" in mixed_verdict([["with:a"], ["with:b", "x"]], [["with:a", "with:b"]], {"x"})
    assert "joining them: 1 (x)" in mixed_verdict([["with:a", "with:b", "x"]], [["with:a", "with:b"]], {"x"})
    # a file without gold stories: only the mix can be reported, and the seeds must come out as one story
    records = tmp_path / "nogold.jsonl"
    records.write_text("".join(json.dumps({"id": str(n), "title": t, "text": t + " " + t, "date": None}) + "\n"
                               for n, t in enumerate(["The central bank cut its key interest rate to 4.25 percent.",
                                                      "A new bridge opened over the river after three years of work."])))
    assert main(["eval", "clusters", str(records)]) == 1
    assert "no record has a `cluster`" in capsys.readouterr().err
    from conftest import SEEDS
    assert main(["eval", "clusters", str(records), "--with", str(SEEDS)]) == 0
    assert "mixed-in stories kept whole: 1 of 1; labelled articles joining them: 0" in capsys.readouterr().out
