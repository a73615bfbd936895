"""End to end: the CLI builds a site from files; bad input fails cleanly and loses nothing."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsgen.cli import main

from conftest import REPO, SEEDS, tree_digest


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    result = subprocess.run([sys.executable, "build.py", "--out", str(out), "-q"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def test_seed_site_layout(seed_site):
    index = json.loads((seed_site / "index.json").read_text())
    assert len(index["stories"]) == 1
    story = index["stories"][0]
    assert sorted(story["article_ids"]) == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert len(index["sources"]) == 5
    for s in index["sources"]:
        assert (seed_site / s["page"]).is_file()
    assert (seed_site / story["page"]).is_file() and (seed_site / "static/style.css").is_file()
    data = json.loads((seed_site / story["json"]).read_text())
    assert {a["id"] for a in data["articles"]} == set(story["article_ids"])
    assert data["claims"] and all(len(c["article_ids"]) >= 2 for c in data["claims"])
    for claim in data["claims"]:
        for m in claim["mentions"]:
            # every mention is the article's own sentence, word for word
            source_page = (seed_site / f"sources/{next(a['source']['slug'] for a in data['articles'] if a['id'] == m['article_id'])}/index.html").read_text()
            assert m["text"].split()[0] in source_page
    unknown = [s for s in index["sources"] if not s["known"]]
    assert len(unknown) == 4 and all(s["name"] is None for s in unknown)  # never invented


def test_pages_link_relatively_and_show_headlines(seed_site):
    index = json.loads((seed_site / "index.json").read_text())
    story_html = (seed_site / index["stories"][0]["page"]).read_text()
    # No link or resource is absolute (the seeds give no original URLs; schema.org's @context is a name, not a link)
    assert not re.search(r'(?:href|src)="(?:/|https?:)', story_html)
    assert story_html.count("https://") == story_html.count('"@context": "https://schema.org"')
    data = json.loads((seed_site / index["stories"][0]["json"]).read_text())
    for a in data["articles"]:
        title = a["title"].replace("'", "&#39;")
        assert title in story_html
    assert "Unknown source (000_6b526436ac2455b5.txt)" in story_html
    assert "date not stated" in story_html


def test_two_builds_are_byte_identical(seed_site, tmp_path):
    out = tmp_path / "again"
    assert main(["build", "--out", str(out), "-q"]) == 0
    first = tree_digest(seed_site)
    assert first == tree_digest(out) and len(first) > 8


def test_untrusted_markup_is_text(write_tree, tmp_path):
    folder = write_tree({
        "x.txt": "Council row <script>alert(1)</script> grows\n\n"
                 "The mayor said <img src=x onerror=alert(1)> was posted on the council website on Monday night.\n\n"
                 "Members of the council called for an inquiry into how the page had been changed by outsiders.\n",
        "y.md": "---\ntitle: \"<b onmouseover=alert(1)>Bold</b> claim\"\nsource: \"<script>x</script>Post\"\n"
                "url: \"javascript:alert(1)\"\n---\nText with <script>alert(2)</script> and <iframe src=x></iframe> inside.\n",
    })
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    pages = "".join(p.read_text() for p in out.rglob("*.html"))
    assert "<script>" not in pages and "<img" not in pages and "<iframe" not in pages and "<b " not in pages
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages
    assert "javascript:" not in pages


def test_bad_input_fails_cleanly_and_keeps_previous_output(write_tree, tmp_path, capsys):
    good = "Ferry route approved\n\nThe council approved the new route on Tuesday by seven votes to two.\n"
    folder = write_tree({"good.txt": good})
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    before = tree_digest(out)
    for name, content in [("empty.txt", b""), ("bin.txt", b"\x00\x01\x02PK"), ("latin.txt", "caf\u00e9 au lait\n".encode("latin-1"))]:
        (folder / name).write_bytes(content)
        capsys.readouterr()
        assert main(["build", "--articles", str(folder), "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert name in err and "Traceback" not in err
        assert tree_digest(out) == before
        (folder / name).unlink()
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".out.new-", ".out.old-"))]  # no temporary folders left


def test_cli_exit_codes_and_messages(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "build.py", *a], cwd=REPO, capture_output=True, text=True)
    usage = run("--no-such-option")
    assert usage.returncode == 2 and "usage" in usage.stderr
    missing = run("--articles", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 1 and "articles folder not found" in missing.stderr and "Traceback" not in missing.stderr
    bad_config = tmp_path / "site.yaml"
    bad_config.write_text("title: [oops\n")
    broken = run("--config", str(bad_config), "--out", str(tmp_path / "o"))
    assert broken.returncode == 1 and "site.yaml:2" in broken.stderr


def test_output_folder_that_newsgen_did_not_make_is_never_replaced(write_tree, tmp_path):
    folder = write_tree({"a.txt": "Ferry route approved\n\nThe council approved the new route on Tuesday.\n"})
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 1
    assert (out / "thesis.docx").read_text() == "precious"


def test_unwritable_output_is_a_clear_error(write_tree, tmp_path, capsys):
    folder = write_tree({"a.txt": "Ferry route approved\n\nThe council approved the new route on Tuesday.\n"})
    blocker = tmp_path / "file"
    blocker.write_text("a file where the output's parent folder should be")
    assert main(["build", "--articles", str(folder), "--out", str(blocker / "site")]) == 1
    err = capsys.readouterr().err
    assert "cannot write the output" in err and "Traceback" not in err


def test_check_explain_lists_removed_lines(capsys):
    assert main(["check", "--explain", str(SEEDS / "004_6f4b08d33ca54300.txt")]) == 0
    out = capsys.readouterr().out
    assert "[newsletter]" in out and "[popup]" in out and "[image-credit]" in out and ":1:" in out


def test_strict_turns_warnings_into_errors(write_tree, tmp_path, capsys):
    folder = write_tree({"a.md": "---\ntitle: Ferry route approved\nmood: sunny\n---\nThe council approved it.\n"})
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    assert "unknown key 'mood'" in capsys.readouterr().err
    before = tree_digest(out)
    (folder / "a.md").write_text("---\ntitle: Ferry route approved\nmood: rainy\n---\nThe council approved it again.\n")
    assert main(["build", "--articles", str(folder), "--out", str(out), "--strict"]) == 1
    assert f"{folder / 'a.md'}:3: front matter: unknown key 'mood'" in capsys.readouterr().err
    assert tree_digest(out) == before


def test_grouping_settings_out_of_range_are_errors_naming_the_key(tmp_path, capsys):
    for setting, value in [("story_threshold", 0), ("duplicate_threshold", 1.5), ("window_days", -1),
                           ("story_passes", 0), ("claim_embeddings", 1.5), ("story_embeddings", 1)]:
        config = tmp_path / f"{setting}.yaml"
        config.write_text(f"{setting}: {value}\n")
        assert main(["build", "--config", str(config), "--out", str(tmp_path / "out"), "-q"]) == 1
        err = capsys.readouterr().err
        assert f"{config}: {setting}: {value} is out of range" in err and "Traceback" not in err
    good = tmp_path / "good.yaml"
    good.write_text("story_threshold: 0.25\nwindow_days: 0\nstory_merge: 0\n")
    assert main(["build", "--config", str(good), "--articles", str(REPO / "articles"),
                 "--out", str(tmp_path / "out"), "-q"]) == 0


@pytest.mark.parametrize("setting", ["claim_embeddings: 0.72", "story_embeddings: 0.6"])
def test_embeddings_without_the_extra_are_an_error_saying_how_to_install_it(tmp_path, setting):
    """The extra is made absent the way Python blocks an import (a None entry in sys.modules)."""
    key = setting.split(":")[0]
    config = tmp_path / "site.yaml"
    config.write_text(setting + "\n")
    out = tmp_path / "out"
    code = ("import sys; sys.modules['onnxruntime'] = None; from newsgen.cli import main; "
            f"sys.exit(main(['build', '--config', {str(config)!r}, '--articles', {str(REPO / 'articles')!r}, "
            f"'--out', {str(out)!r}, '-q']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{config}: {key}: needs the optional extra (pip install 'newsgen[embeddings]')" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    config.write_text(f"{key}: 0\n")  # off: no extra needed
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0
