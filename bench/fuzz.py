"""Fuzz the loader and the renderer with many generated inputs (issue "Untrusted input", part 5).

    .venv/bin/python bench/fuzz.py [--examples 100000] [--seed 0] [--render-every 50] [--save DIR]

Drives the properties of tests/test_properties.py with the same Hypothesis strategies, far past what
CI can afford: every input is one article file (random bytes, random text, article-shaped text with
hostile fragments, Markdown with raw or quoted YAML front matter) loaded with `load_files`; it must
give an Article or the project's own user error naming the file. Every `--render-every`-th input
also builds a small site (1-4 files) in process with `build_site` + `render_site`: no markup outside
the allow-list, no handler or script URL, valid JSON, and the same bytes from a second build.

Hypothesis runs in batches (a fresh seed per batch keeps its memory of past inputs small); failures
are caught and counted, never shrunk, so the run always covers all N inputs. Prints the figures and,
per distinct crash (exception type and the newsgen line it came from), the count, the shortest input
seen and its traceback. Exit 1 if anything crashed or broke a property.
"""
from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_properties as props  # noqa: E402  (the strategies and checks the tests use)
from newsgen.build import build_site  # noqa: E402
from newsgen.config import Config  # noqa: E402
from newsgen.errors import BuildError, BuildFailed  # noqa: E402
from newsgen.render import render_site  # noqa: E402

CASES = {  # name: (file suffix, strategy of file bytes, weight)
    "bytes": (".txt", st.binary(max_size=2000), 1),
    "bytes.md": (".md", st.binary(max_size=2000), 1),
    "text": (".txt", props.file_bytes(), 3),
    "article": (".txt", props.file_bytes(st.one_of(props.article_text(), props.article_text(markdown=True))), 2),
    "markdown": (".md", props.file_bytes(props.markdown_texts), 5),
}
CASE_NAMES = [name for name, (_, _, w) in CASES.items() for _ in range(w)]


def message_kind(message: str) -> str:
    """A user error's message with its particulars (quoted text, numbers, keys) taken out."""
    kind = message.splitlines()[0] if message else ""
    kind = re.sub(r"'[^']*'|\"[^\"]*\"|0x[0-9a-f]+|[\d,.]+", "…", kind)
    kind = re.sub(r"^front matter: (title|source|url|published|date|author|tags|dek|description):", "front matter: KEY:", kind)
    kind = re.sub(r"\(see `newsgen check.*", "", kind)
    return kind.strip()[:90]


def signature(exc: BaseException) -> str:
    """Exception type and the innermost newsgen (else innermost) frame: one line per distinct crash."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/newsgen/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} in {ours[-1].name}" if ours else "?"
    deepest = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where} (raised in {deepest})"


class Tally:
    def __init__(self) -> None:
        self.count = collections.Counter()  # outcome -> n
        self.kinds = collections.Counter()  # user-error kind -> n
        self.cases = collections.Counter()
        self.crashes: dict[str, dict] = {}  # signature -> {n, input, size, traceback, where}
        self.slowest: list[tuple[float, str, bytes | dict]] = []
        self.render = collections.Counter()
        self.render_kinds = collections.Counter()
        self.load_seconds = 0.0
        self.render_seconds = 0.0

    def crash(self, where: str, exc: BaseException, data, size: int) -> None:
        if isinstance(exc, props.InvalidText):
            sig = f"[{where}] InvalidText: the loaded article holds lone surrogates (cannot be encoded as UTF-8)"
        elif isinstance(exc, AssertionError):
            sig = f"[{where}] {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        else:
            sig = f"[{where}] {signature(exc)}"
        entry = self.crashes.setdefault(sig, {"n": 0, "size": None})
        entry["n"] += 1
        if entry["size"] is None or size < entry["size"]:
            entry.update(size=size, input=data, message=str(exc)[:2000],
                         traceback="".join(traceback.format_exception(exc, limit=-12)))

    def merge(self, other: "Tally") -> None:
        for name in ("count", "kinds", "cases", "render", "render_kinds"):
            getattr(self, name).update(getattr(other, name))
        for sig, entry in other.crashes.items():
            mine = self.crashes.setdefault(sig, {"n": 0, "size": None})
            n = mine["n"] + entry["n"]
            if mine["size"] is None or entry["size"] < mine["size"]:
                mine.update(entry)
            mine["n"] = n
        for t in other.slowest:
            self.timed(*t)
        self.load_seconds += other.load_seconds
        self.render_seconds += other.render_seconds

    def timed(self, seconds: float, label: str, data) -> None:
        self.slowest.append((seconds, label, data))
        self.slowest.sort(key=lambda t: -t[0])
        del self.slowest[5:]


CANARY = b"The council met on Monday.\n\nThe mayor spoke on Tuesday.\n"


def markdown_state_leaked(folder: Path) -> bool:
    """After a crash: does a plain two-paragraph .md file still read as two paragraphs? If not, the
    failed conversion left Python-Markdown's parser state behind (loader._MARKDOWN is shared); then
    clear it, so that the inputs after this one are read as a fresh process would read them."""
    import newsgen.loader

    try:
        leaked = len(props.load_one(folder, "canary.md", CANARY).paragraphs) != 2
    except Exception:  # noqa: BLE001
        leaked = True
    state = getattr(getattr(getattr(newsgen.loader, "_MARKDOWN", None), "parser", None), "state", None)
    if isinstance(state, list) and state:
        leaked = True
        state.clear()
    return leaked


def load_case(tally: Tally, case: str, data: bytes, folder: Path) -> None:
    suffix = CASES[case][0]
    tally.cases[case] += 1
    clock = time.perf_counter()
    try:
        result = props.load_one(folder, "input" + suffix, data)
    except props.InvalidText as exc:
        tally.count["crash"] += 1
        tally.crash("load " + suffix, exc, data, len(data))
        result = None
    except AssertionError as exc:
        tally.count["property broken"] += 1
        tally.crash("load " + suffix, exc, data, len(data))
        result = None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 -- every other exception is the bug being counted
        tally.count["crash"] += 1
        tally.crash("load " + suffix, exc, data, len(data))
        result = None
    seconds = time.perf_counter() - clock
    tally.load_seconds += seconds
    tally.timed(seconds, f"load {case}", data)
    if result is None and markdown_state_leaked(folder):
        tally.count["state leaked"] += 1
        tally.crash("state", AssertionError("after this input failed, loader._MARKDOWN kept parser state: "
                                            "the next .md file is read differently (cleared to go on)"), data, len(data))
    if isinstance(result, (BuildFailed, BuildError)):
        tally.count["user error"] += 1
        for e in (result.errors if isinstance(result, BuildFailed) else [result]):
            tally.kinds[message_kind(e.message)] += 1
    elif result is not None:
        tally.count["loaded"] += 1


def render_case(tally: Tally, files: dict[str, bytes], folder: Path) -> None:
    """The build property in process: build_site + render_site twice, the pages checked."""
    articles = folder / "articles"
    articles.mkdir()
    for name, data in files.items():
        (articles / name).write_bytes(data)
    config = Config(root=folder)
    size = sum(len(d) for d in files.values())
    clock = time.perf_counter()
    try:
        out = []
        for _ in range(2):
            site = build_site(config, articles)[0]  # (site, warnings[, skipped])
            out.append(render_site(site, config))
        problems = props.check_pages(out[0])
        if out[0] != out[1]:
            differ = sorted(k for k in set(out[0]) | set(out[1]) if out[0].get(k) != out[1].get(k))
            problems.append(f"a second build differs in {differ[:5]}")
        if problems:
            tally.render["property broken"] += 1
            tally.crash("render", AssertionError("; ".join(problems)), files, size)
        else:
            tally.render["built"] += 1
    except (BuildFailed, BuildError) as exc:
        tally.render["user error"] += 1
        for e in (exc.errors if isinstance(exc, BuildFailed) else [exc]):
            tally.render_kinds[message_kind(e.message)] += 1
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001
        tally.render["crash"] += 1
        tally.crash("render", exc, files, size)
    seconds = time.perf_counter() - clock
    tally.render_seconds += seconds
    tally.timed(seconds, "render", files)
    if tally.render["crash"] and markdown_state_leaked(folder):
        tally.render["state leaked"] += 1


def run(n: int, first_seed: int, render_every: int, batch: int, progress: float, job: int = 0) -> tuple[Tally, float]:
    tally = Tally()
    done = 0
    start = last = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgen-fuzz-") as tmp:
        tmp = Path(tmp)
        b = 0
        while done < n:
            size = min(batch, n - done)

            common = dict(database=None, deadline=None, phases=(Phase.generate,),
                          suppress_health_check=list(HealthCheck), derandomize=False)

            @seed(first_seed * 1_000_003 + job * 10_007 + b)
            @settings(max_examples=size, **common)
            @given(case=st.sampled_from(CASE_NAMES), data=st.data())
            def loader(case, data):
                nonlocal done, last
                load_case(tally, case, data.draw(CASES[case][1], label="file"), tmp)
                done += 1
                now = time.perf_counter()
                if progress and now - last > progress:
                    last = now
                    print(f"  job {job}: {done:,} inputs, {now - start:,.0f} s, {done / (now - start):,.0f}/s, "
                          f"crashes {tally.count['crash'] + tally.render['crash']}", file=sys.stderr, flush=True)

            @seed(first_seed * 1_000_003 + job * 10_007 + b + 500_000)
            @settings(max_examples=max(1, size // render_every) if render_every else 1, **common)
            @given(files=st.one_of(props.article_files(), props.article_files(ascii_escapes=True)))
            def renderer(files):
                with tempfile.TemporaryDirectory(dir=tmp) as site:
                    render_case(tally, files, Path(site))

            before = done
            loader()
            if render_every:
                renderer()
            if done == before:  # Hypothesis could generate nothing more: do not loop for ever
                break
            b += 1
    return tally, time.perf_counter() - start


def show(data, limit: int = 400) -> str:
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k!r}: {show(v, limit // max(1, len(data)))}" for k, v in data.items()) + "}"
    text = repr(data)
    return text if len(text) <= limit else text[:limit] + f"... ({len(data):,} bytes)"


def report(tally: Tally, seconds: float, args) -> int:
    total = sum(tally.cases.values())
    print(f"newsgen fuzz: {total:,} inputs (seed {args.seed}, {args.jobs} jobs) in {seconds:,.1f} s wall "
          f"= {total / seconds:,.0f} inputs/s")
    print("  cases: " + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.cases.items())))
    print(f"  loader: {tally.load_seconds:,.1f} s in load_files; outcomes: "
          + ", ".join(f"{k} {tally.count[k]:,}" for k in ("loaded", "user error", "crash", "property broken",
                                                           "state leaked")))
    print("  user errors by kind:")
    for kind, n in tally.kinds.most_common(25):
        print(f"    {n:8,}  {kind}")
    if len(tally.kinds) > 25:
        print(f"    ... and {len(tally.kinds) - 25} more kinds")
    runs = sum(tally.render.values())
    print(f"  render (every {args.render_every}th input, 1-4 files, build twice in process): {runs:,} sites in "
          f"{tally.render_seconds:,.1f} s; " + ", ".join(f"{k} {tally.render[k]:,}" for k in
                                                         ("built", "user error", "crash", "property broken")))
    for kind, n in tally.render_kinds.most_common(8):
        print(f"    {n:8,}  {kind}")
    print("  slowest inputs:")
    for secs, label, data in tally.slowest:
        print(f"    {secs:7.2f} s  {label}: {show(data, 160)}")
    bad = sum(tally.count[k] + tally.render[k] for k in ("crash", "property broken", "state leaked"))
    print(f"crashes and broken properties: {bad:,} ({len(tally.crashes)} distinct)")
    for i, (sig, entry) in enumerate(sorted(tally.crashes.items(), key=lambda kv: -kv[1]["n"]), 1):
        print(f"\n#{i} {sig}: {entry['n']:,} inputs; shortest ({entry['size']:,} bytes):\n    {show(entry['input'])}")
        print("    " + entry["traceback"].rstrip().replace("\n", "\n    "))
        if args.save:
            folder = Path(args.save) / f"crash-{i:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            files = entry["input"] if isinstance(entry["input"], dict) else {"input.md": entry["input"]}
            for name, data in files.items():
                (folder / name).write_bytes(data)
            (folder / "traceback.txt").write_text(f"{sig}\n\n{entry['traceback']}", encoding="utf-8")
    if args.save:
        for i, (secs, label, data) in enumerate(tally.slowest, 1):
            folder = Path(args.save) / f"slow-{i:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            files = data if isinstance(data, dict) else {"input" + CASES[label.split()[-1]][0]: data}
            for name, content in files.items():
                (folder / name).write_bytes(content)
            (folder / "seconds.txt").write_text(f"{secs:.2f} s, {label}\n", encoding="utf-8")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, default=100_000, help="inputs to generate (default 100,000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first batch (default 0)")
    p.add_argument("--render-every", type=int, default=50, help="build a small site every N inputs (0: never)")
    p.add_argument("--batch", type=int, default=2000, help="inputs per Hypothesis run (default 2,000)")
    p.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines on stderr (0: none)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: one per CPU)")
    p.add_argument("--save", help="write each crash's shortest input and traceback under this folder")
    args = p.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    start = time.perf_counter()
    jobs = max(1, min(args.jobs, args.examples))
    shares = [args.examples // jobs + (j < args.examples % jobs) for j in range(jobs)]
    work = [(shares[j], args.seed, args.render_every, args.batch, args.progress, j) for j in range(jobs)]
    if jobs == 1:
        results = [run(*work[0])]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(run, work)
    tally = Tally()
    for part, _seconds in results:
        tally.merge(part)
    return report(tally, time.perf_counter() - start, args)


if __name__ == "__main__":
    sys.exit(main())
