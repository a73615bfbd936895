"""Bad files, each with its clear one-line error (file and line), exit 1 and the previous output
byte-identical afterwards -- or, under --keep-going, left out while the rest is built (still exit 1).

The disk tests use real file systems: a small tmpfs (full disk) and a read-only one (unwritable
output) where this user may mount (root in CI); otherwise a file-size limit on the build process and
a read-only folder give the same system errors.
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, tree_digest
from newsgen.cli import main
from newsgen.config import Config
from newsgen.errors import BuildFailed
from newsgen.loader import article_files, load_files

GOOD = {
    "ferry.txt": "Ferry route approved by council\n\nThe council approved the new ferry route on Tuesday by seven "
                 "votes to two, after a long debate about the cost of the new pier.\n\nThe first crossing is "
                 "planned for the spring, the harbour master said in a statement.\n",
    "museum.md": "---\ntitle: Museum reopens its east wing\nsource: Valley Courier\npublished: 2025-03-04\n---\n"
                 "The museum reopened its east wing on Friday after two years of repairs to the roof and the "
                 "galleries.\n\nVisitors queued from early morning to see the restored collection of maps.\n",
}


@pytest.fixture
def site(write_tree, tmp_path):
    """A folder of good articles, built once; returns (folder, out, digest of the first build)."""
    folder = write_tree(GOOD)
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    return folder, out, tree_digest(out)


def fails_cleanly(site, capsys, name: str, content: bytes | str | None, *needles: str) -> str:
    """Add one bad file: the build fails naming it, the output stays byte-identical; then --keep-going
    builds the good articles without it, lists it and exits 1. Returns the error line."""
    folder, out, before = site
    if content is not None:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    capsys.readouterr()
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert str(folder / name) in lines[0] and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert tree_digest(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".out.new-", ".out.old-"))]  # no temporary folders

    assert main(["build", "--articles", str(folder), "--out", str(out), "--keep-going"]) == 1
    err = capsys.readouterr().err
    assert f"skipped: {folder / name}" in err and "1 file(s) skipped" in err
    ids = {p.parent.name for p in out.glob("sources/*/index.html")}
    assert len(ids) == 2, ids  # both good articles' sources are there
    assert len(json.loads((out / "index.json").read_text(encoding="utf-8"))["articles"]) == 2
    return lines[0]


def test_binary_file(site, capsys):
    fails_cleanly(site, capsys, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a text file")


def test_invalid_utf8_names_line_and_column(site, capsys):
    line = fails_cleanly(site, capsys, "latin.txt", "Headline here\n\nCaf\u00e9 au lait was served.\n".encode("latin-1"),
                         "not valid UTF-8")
    assert ":3:4:" in line


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom_is_decoded(write_tree, tmp_path, encoding):
    text = "Tram line extended to the airport\n\nThe city opened the tram extension to the airport on " \
           "Monday, cutting the journey to twenty minutes.\n"
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""
    folder = write_tree({"tram.txt": bom + text.encode(encoding)})
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    assert "Tram line extended to the airport" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,content", [("empty.txt", b""), ("blank.md", b"  \n\t\n\n   \n")])
def test_empty_and_whitespace_only(site, capsys, name, content):
    fails_cleanly(site, capsys, name, content, "the file is empty")


def test_only_boilerplate(site, capsys):
    junk = "Skip to main content\nSubscribe to our newsletter\nShare on Facebook\nShare on X\nAdvertisement\n" \
           "Sign up for our daily briefing\nCookie settings\n"
    fails_cleanly(site, capsys, "junk.txt", junk, "no article text left")


@pytest.mark.parametrize("front", ["- a\n- list\n", "just a string\n", "42\n"])
def test_front_matter_that_is_not_a_mapping(site, capsys, front):
    fails_cleanly(site, capsys, "odd.md", f"---\n{front}---\nBody text of the article goes here.\n",
                  "front matter: expected a mapping")


def test_yaml_alias_bomb_is_refused_quickly(site, capsys):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, (x, y) in enumerate(zip("abcdefgh", "bcdefghi")):
        bomb += f"{y}: &{y} [{', '.join(['*' + x] * 9)}]\n"
    bomb += "title: *i\n"
    line = fails_cleanly(site, capsys, "bomb.md", f"---\n{bomb}---\nBody.\n", "aliases (*name) are not allowed")
    assert ":3:" in line  # the first alias, on the file's third line


def test_yaml_custom_tags_never_run(site, capsys, tmp_path):
    marker = tmp_path / "pwned"
    front = f"title: !!python/object/apply:os.system [\"touch {marker}\"]\n"
    fails_cleanly(site, capsys, "tag.md", f"---\n{front}---\nBody text.\n", "front matter", ":2:")
    assert not marker.exists()
    fails_cleanly(site, capsys, "tag.md", "---\ntitle: !custom thing\n---\nBody text.\n", "front matter", ":2:")


def test_yaml_nested_too_deeply(site, capsys):
    fails_cleanly(site, capsys, "deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nBody.\n",
                  "front matter", "nested")


def test_fifty_megabyte_article(site, capsys):
    line = "The harbour authority published its annual report on shipping volumes and berth fees. "
    big = (line * (50_000_000 // len(line) + 1)).encode()
    fails_cleanly(site, capsys, "huge.txt", big, "MB limit for one article", "max_article_mb")


def test_five_megabyte_line_without_newline(site, capsys):
    fails_cleanly(site, capsys, "oneline.txt", "Headline\n\n" + "word " * 1_000_000, "with no line break", ":3:")


def test_fifo_in_articles_is_not_read(site, capsys):
    folder, _out, _ = site
    os.mkfifo(folder / "pipe.txt")  # opening it for reading would hang forever
    fails_cleanly(site, capsys, "pipe.txt", None, "not a regular file")


def test_symlink_outside_the_folder_is_refused(site, capsys, tmp_path):
    folder, _out, _ = site
    secret = tmp_path / "secret.txt"
    secret.write_text("Private notes\n\nThe password for the staff wiki is written on the fridge in the kitchen.\n")
    (folder / "leak.txt").symlink_to(secret)
    fails_cleanly(site, capsys, "leak.txt", None, "outside the articles folder")


def test_symlink_inside_the_folder_is_read(write_tree, tmp_path):
    folder = write_tree(GOOD)
    (folder / "drafts").mkdir()
    (folder / "drafts" / "bridge.txt").write_text(
        "Bridge closed for repairs\n\nThe old bridge closes on Monday for six weeks of repairs to its deck.\n")
    (folder / "bridge.txt").symlink_to(folder / "drafts" / "bridge.txt")
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    assert "Bridge closed for repairs" in (out / "index.html").read_text(encoding="utf-8")


def test_file_removed_while_the_build_runs(write_tree):
    folder = write_tree(GOOD)
    files, _ = article_files(folder)  # the build has listed the folder...
    (folder / "ferry.txt").unlink()  # ...and the file goes before it is read
    with pytest.raises(BuildFailed) as exc:
        load_files(files, Config(), inside=folder)
    (error,) = exc.value.errors
    assert error.path == str(folder / "ferry.txt") and "the file is gone" in error.message
    loaded = load_files(files, Config(), inside=folder, keep_going=True)
    assert [a.id for a in loaded.articles] == ["museum"] and [e.path for e in loaded.skipped] == [error.path]


def test_broken_symlink(site, capsys, tmp_path):
    folder, _out, _ = site
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    fails_cleanly(site, capsys, "dangling.txt", None, "the file is gone")


def test_keep_going_with_nothing_left_is_an_error(write_tree, tmp_path, capsys):
    folder = write_tree({"a.txt": b"\x00\x01", "b.txt": b""})
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "--keep-going"]) == 1
    err = capsys.readouterr().err
    assert "a.txt" in err and "b.txt" in err and not out.exists()


# --- names: slugs that collide, vanish or try to leave the output ------------------------------------

BODIES = {
    "reservoir leak": "Engineers found a crack in the eastern wall of the reservoir and lowered the water by a metre.",
    "orchestra strike": "Musicians of the city orchestra walked out before the Saturday concert over unpaid overtime.",
    "bakery fire": "A fire gutted the old bakery on Mill Lane overnight; firefighters saved the flats above it.",
    "tram delay": "Signal faults on the northern tram line delayed commuters for three hours on Monday morning.",
    "glacier survey": "Surveyors measured the glacier's retreat at forty metres since last summer's expedition.",
}


def _story(title: str, topic: str, month: int, source: str = "Courier") -> str:
    """A one-article story in its own month, so that no two of them are grouped together."""
    q = lambda v: yaml.safe_dump(v).strip().removesuffix("...").strip()  # noqa: E731
    return f"---\ntitle: {q(title)}\nsource: {q(source)}\npublished: 2024-{month:02d}-01\n---\n{BODIES[topic]}\n"


def test_titles_that_slug_alike_or_to_nothing(write_tree, tmp_path):
    folder = write_tree({
        "a.md": _story("Crisis!", "reservoir leak", 1), "b.md": _story("Crisis?", "orchestra strike", 3),
        "c.md": _story("\U0001f525\U0001f525\U0001f525", "bakery fire", 5), "d.md": _story("!!! ??? ...", "tram delay", 7),
        "e.md": _story("\u2014", "glacier survey", 9, source="\U0001f4f0"),
    })
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    import json
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    pages = [s["page"] for s in index["stories"]]
    assert len(pages) == 5 == len(set(pages))
    for s in index["stories"]:
        slug = s["id"]
        assert slug and slug.strip("-") == slug and "/" not in slug and (out / s["page"]).is_file()
    assert {s["slug"] for s in index["sources"]} <= {p.parent.name for p in out.glob("sources/*/index.html")}


def test_paths_in_fields_stay_inside_the_output(write_tree, tmp_path):
    folder = write_tree({
        "a.md": _story("../../../../etc/passwd", "reservoir leak", 1, source="../../outside"),
        "b.md": _story("/etc/shadow", "orchestra strike", 3, source="/abs/olute"),
        "c.md": "---\ntitle: ..\\\\..\\\\windows\nsource: \"..\"\ntags: [\"../../x\", \"/y\"]\nauthor: ../z\n---\n"
                "The council met about the bakery fire on Thursday evening at the town hall.\n",
    })
    out = tmp_path / "site" / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    inside = {p.resolve() for p in out.rglob("*")}
    assert all(p.is_relative_to(out.resolve()) for p in inside)
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [".out.lock", "out"]
    assert not any(".." in p.relative_to(out).parts for p in out.rglob("*"))


# --- the output: unwritable, full disk -------------------------------------------------------------

@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    """A real tmpfs of `size` mounted at `where`, or None where this user cannot mount."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                                            str(where)], capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_unwritable_output_folder(write_tree, tmp_path, capsys):
    folder = write_tree(GOOD)
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        parent = mnt or tmp_path / "ro"
        parent.mkdir(exist_ok=True)
        out = parent / "site"
        assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
        before = tree_digest(out)
        if mnt:  # a read-only file system: even root cannot write
            assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True).returncode == 0
        else:  # an ordinary user: a read-only folder
            parent.chmod(0o555)
        (folder / "extra.txt").write_text("Tram line extended\n\nThe tram now runs to the airport, the city said.\n")
        capsys.readouterr()
        try:
            assert main(["build", "--articles", str(folder), "--out", str(out)]) == 1
        finally:
            if not mnt:
                parent.chmod(0o755)
        err = capsys.readouterr().err
        assert f"error: {out}: cannot write the output:" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) <= 2  # the error and the count
        assert tree_digest(out) == before


def _fill(mount: Path, leave: int) -> None:
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize
    with open(mount / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def _many(n: int) -> dict[str, str]:
    return {f"n{i:03d}.txt": f"Harbour report number {i} published\n\nThe harbour authority published report "
                             f"number {i} on Monday, covering berth {i} and the dredging of channel {i}.\n"
            for i in range(n)}


def test_full_disk(write_tree, tmp_path, capsys):
    folder = write_tree(GOOD)
    with tmpfs(tmp_path / "mnt", "1m") as mnt:
        if mnt:
            out = mnt / "site"
            assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
            before = tree_digest(out)
            _fill(mnt, 64 * 1024)
            write_tree(_many(40), folder)
            capsys.readouterr()
            assert main(["build", "--articles", str(folder), "--out", str(out)]) == 1
            err = capsys.readouterr().err
            assert f"error: {out}: cannot write the output: No space left on device" in err
        else:  # no mount here: the kernel's file-size limit fails the writes instead (EFBIG)
            out = tmp_path / "site"
            assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
            before = tree_digest(out)
            write_tree({**_many(40), "long.txt": "Long read\n\n" + "A sentence about the harbour. " * 4000}, folder)

            def limit():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
            proc = subprocess.run([sys.executable, "build.py", "--articles", str(folder), "--out", str(out)],
                                  cwd=REPO, capture_output=True, text=True, preexec_fn=limit)
            assert proc.returncode == 1 and "cannot write the output: File too large" in proc.stderr
            err = proc.stderr
        assert "Traceback" not in err
        assert tree_digest(out) == before
        assert not [p for p in out.parent.iterdir() if p.name.startswith((".site.new-", ".site.old-"))]



def test_odd_file_names_get_working_anchors(write_tree, tmp_path):
    import json
    import re
    names = ['my "odd" <article> 1.txt', "Überschrift & Co.txt", "\u6771\u4eac.txt"]
    folder = write_tree({n: f"Tram {i} line extended\n\n{BODIES['tram delay']} Stop {i} opens in May.\n"
                         for i, n in enumerate(names)})
    out = tmp_path / "out"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert len(index["articles"]) == 3
    for a in index["articles"]:
        page, _, fragment = a["page"].partition("#")
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", fragment), fragment
        assert f'id="{fragment}"' in (out / page).read_text(encoding="utf-8")


def test_site_yaml_source_urls_must_be_web_addresses(tmp_path, capsys):
    config = tmp_path / "site.yaml"
    config.write_text('sources:\n  Courier: {url: "javascript:alert(1)"}\n')
    assert main(["build", "--config", str(config), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"{config}: sources.Courier.url: 'javascript:alert(1)' is not an http(s) address" in err


def test_a_bad_file_among_enough_files_for_the_pool_is_a_clear_error_not_a_hang(tmp_path):
    """With pool.MIN_ITEMS files or more the loader runs in worker processes, and a file's error comes
    back pickled. An error the parent could not unpickle once killed the pool's result thread, and the
    build waited forever (found by a 100,000-article benchmark); the build is a real process here, on
    2 workers, with a deadline."""
    from newsgen.pool import MIN_ITEMS

    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(MIN_ITEMS + 6):
        (folder / f"a{n:03d}.md").write_text(
            f"---\ntitle: Council meeting number {n}\n---\nThe council met for the {n}th time on Tuesday and "
            "approved the ferry budget after a long debate about the pier.\n", encoding="utf-8")
    (folder / "a050.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", "--articles", str(folder), "--out", str(out),
                             "--jobs", "2", "-q"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"{folder / 'a050.md'}:2" in result.stderr and "front matter" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_errors_survive_the_trip_between_processes():
    import pickle

    from newsgen.errors import BuildError
    from newsgen.pool import _portable

    error = BuildError("a.md", "front matter: bad", 2, 7)
    back = pickle.loads(pickle.dumps(error))
    assert (back.path, back.message, back.line, back.col, str(back)) == ("a.md", "front matter: bad", 2, 7,
                                                                         "a.md:2:7: front matter: bad")
    failed = pickle.loads(pickle.dumps(BuildFailed([error])))
    assert [str(e) for e in failed.errors] == ["a.md:2:7: front matter: bad"]

    class Stubborn(Exception):  # an exception whose class the parent cannot rebuild from its args
        def __init__(self, a, b):
            super().__init__(a)

    made = _portable(Stubborn("x", "y"))
    assert isinstance(made, RuntimeError) and "Stubborn: x" in str(made)
    assert _portable(error) is error
