#!/usr/bin/env python3
"""End-to-end build speed: newsgen against Pelican and Hugo on the same real articles, then incremental builds.

    .venv/bin/python bench/run.py --sizes 1000,10000,100000 [--data PATH] [--work DIR] [--repeat 3]
                                  [--compare-up-to 10000] [--no-incremental]

For each size, bench/corpus.py writes the articles (the AllSides set, then rewrites of it) three ways, and
this script times, each in a fresh process, the median of --repeat runs:

- `newsgen build -v` with the repository's site.yaml: wall time, CPU time (user and system, every process)
  and peak memory per stage (from its log) and in total (the child's, from wait4: its CPU time counts the
  processes it waited for, its peak resident set is the largest single process's), pages written;
- Pelican (installed into its own virtual environment under --work) and Hugo (Debian's `hugo`, installed
  with apt-get when missing and run as root) building the same articles as plain Markdown, up to
  --compare-up-to articles, their wall and CPU time (newsgen's CPU time against theirs says what no
  number of cores would hide);
- incremental builds on the site just built: one article edited (a sentence appended to the middle dated
  original, by file name), then 100 new articles added, each
  rebuilt with the cache the clean build left; the time, how many output files were rewritten (mtime
  changed) and whether the result is byte-identical to a clean build of the same input.

The data set is not in the repository; without it the script says so and stops. Results go to stdout
and, as JSON, to WORK/results-SIZES.json.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "allsides_article_bias" / "articles.jsonl.gz"
STAGE = re.compile(r"^(\w+): .*\((\d+\.\d+) s(?:, CPU (\d+\.\d+) s)?(?:, peak (\d+) MB)?\)$")

PELICAN_CONF = """AUTHOR = "bench"
SITENAME = "bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
"""
HUGO_CONFIG = 'baseURL = "/"\ntitle = "bench"\ndisableKinds = []\n'
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
                            "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02\" }}"
                            "</time>{{ .Content }}</article>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">"
                          "{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
}


def run(command: list[str], cwd: Path | None = None, done=lambda code, output: code == 0
        ) -> tuple[float, float, str, float]:
    """(wall seconds, the child's peak resident memory in MB, its stderr+stdout, its CPU seconds) of one
    run; the CPU seconds (user and system) count the processes it waited for too (newsgen's workers and
    Pagefind, Hugo's threads). `done(exit code, output)` says whether it did its job (else the benchmark
    stops)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if not done(proc.returncode, output):
        raise SystemExit(f"{' '.join(command)} failed (exit {proc.returncode}):\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime


def median_run(command, repeat, cwd=None, before=None):
    results = []
    for _ in range(repeat):
        if before:
            before()
        results.append(run(command, cwd))
    results.sort(key=lambda r: r[0])
    return results[len(results) // 2]


def stages(log: str) -> dict[str, dict]:
    out = {}
    for line in log.splitlines():
        m = STAGE.match(line.strip())
        if m:
            out[m.group(1)] = {"seconds": float(m.group(2)), "cpu_seconds": float(m.group(3)) if m.group(3) else None,
                               "peak_mb": int(m.group(4)) if m.group(4) else None}
    return out


def newsgen_build(corpus_dir: Path, out: Path, cache: Path | None, clean: bool) -> dict:
    if clean:
        shutil.rmtree(out, ignore_errors=True)
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
    command = [sys.executable, "-m", "newsgen", "build", "-v", "--config", str(ROOT / "site.yaml"),
               "--articles", str(corpus_dir / "articles"), "--out", str(out), "--keep-going"]
    if cache:
        command += ["--cache", str(cache)]
    else:
        command += ["--no-cache"]
    # Exit 1 with "skipped": --keep-going built the site without files left with no article text (6 of
    # the 100,000-article corpus's rewrites)
    skipped_ok = "file(s) skipped; the site was built without them"
    wall, peak, log, cpu = run(command, done=lambda code, output: code == 0 or (code == 1 and skipped_ok in output))
    pages = sum(1 for _ in out.rglob("*.html"))
    skipped = sum(1 for line in log.splitlines() if line.startswith("skipped: "))
    return {"seconds": wall, "cpu_seconds": cpu, "peak_mb": peak, "pages": pages, "stages": stages(log),
            "skipped": skipped}


def pelican_env(work: Path) -> Path:
    venv = work / "pelican-venv"
    pelican = venv / "bin" / "pelican"
    if not pelican.exists():
        print("installing Pelican into", venv, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pelican[markdown]"], check=True)
    return pelican


def hugo_binary() -> str | None:
    if shutil.which("hugo"):
        return shutil.which("hugo")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing hugo (Debian package)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
    return shutil.which("hugo")


def pelican_build(pelican: Path, corpus_dir: Path, repeat: int) -> dict:
    site = corpus_dir / "pelican"
    (site / "pelicanconf.py").write_text(PELICAN_CONF)
    out = site / "output"
    wall, peak, _, cpu = median_run([str(pelican), "content", "-o", str(out), "-s", "pelicanconf.py", "-q"], repeat,
                                    cwd=site, before=lambda: shutil.rmtree(out, ignore_errors=True))
    return {"seconds": wall, "cpu_seconds": cpu, "peak_mb": peak, "pages": sum(1 for _ in out.rglob("*.html"))}


def hugo_build(hugo: str, corpus_dir: Path, repeat: int) -> dict:
    site = corpus_dir / "hugo"
    (site / "config.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text)
    out = site / "public"
    wall, peak, _, cpu = median_run([hugo, "--quiet", "-s", str(site), "-d", str(out)], repeat,
                                    before=lambda: shutil.rmtree(out, ignore_errors=True))
    return {"seconds": wall, "cpu_seconds": cpu, "peak_mb": peak, "pages": sum(1 for _ in out.rglob("*.html"))}


def snapshot(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def same_tree(a: Path, b: Path) -> bool:
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    if files_a != files_b:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, sorted(files_a), shallow=False)
    return not mismatch and not errors


def write_corpus(data: Path, out: Path, size: int, extra: int = 0) -> None:
    """corpus.py in its own process, so that this one stays small: a child's peak memory (ru_maxrss)
    starts from its parent's at the fork."""
    command = [sys.executable, str(ROOT / "bench" / "corpus.py"), str(data), str(out), "--size", str(size)]
    subprocess.run(command + (["--extra", str(extra)] if extra else []), check=True, stdout=subprocess.DEVNULL)


def incremental(corpus_dir: Path, out: Path, cache: Path, data: Path, size: int) -> dict:
    """Edit one article, rebuild; add 100, rebuild; compare each with a clean build of the same input. The
    article edited is the middle one (by file name) of the dated originals the clean build found: an
    edited copy changes no story (at 100,000 the middle file is a copy), and an undated one groups the
    undated block again, which any edit once did."""
    results = {}
    listed = json.loads((out / "index.json").read_text(encoding="utf-8"))["articles"]
    originals = sorted(a["file"] for a in listed if a["duplicate_of"] is None and a["published"] is not None)
    edited = corpus_dir / "articles" / originals[len(originals) // 2]
    original = edited.read_text(encoding="utf-8")
    added: list[Path] = []
    try:
        edited.write_text(original + "\nThe report was updated with a correction on the figures.\n", encoding="utf-8")
        before = snapshot(out)
        results["edit_one"] = newsgen_build(corpus_dir, out, cache, clean=False)
        after = snapshot(out)
        results["edit_one"]["rewritten"] = sum(1 for p, t in after.items() if before.get(p) != t)
        results["edit_one"]["files"] = len(after)
        fresh = corpus_dir / "site-clean"
        newsgen_build(corpus_dir, fresh, None, clean=True)
        results["edit_one"]["identical_to_clean"] = same_tree(out, fresh)

        known = set((corpus_dir / "articles").iterdir())
        write_corpus(data, corpus_dir, size, extra=100)
        added = sorted(set((corpus_dir / "articles").iterdir()) - known)
        before = snapshot(out)
        results["add_100"] = newsgen_build(corpus_dir, out, cache, clean=False)
        after = snapshot(out)
        results["add_100"]["rewritten"] = sum(1 for p, t in after.items() if before.get(p) != t)
        results["add_100"]["files"] = len(after)
        newsgen_build(corpus_dir, fresh, None, clean=True)
        results["add_100"]["identical_to_clean"] = same_tree(out, fresh)
        shutil.rmtree(fresh, ignore_errors=True)
    finally:
        edited.write_text(original, encoding="utf-8")
        for path in added:
            path.unlink(missing_ok=True)
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated article counts (default 1000,10000)")
    p.add_argument("--data", type=Path, default=DATA, help="the AllSides articles.jsonl.gz")
    p.add_argument("--work", type=Path, default=Path("/tmp/newsgen-bench"), help="corpora, sites and tools")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement, the median reported (default 3)")
    p.add_argument("--compare-up-to", type=int, default=10000, help="largest size built by Pelican and Hugo")
    p.add_argument("--no-incremental", action="store_true", help="clean builds only")
    args = p.parse_args()
    if not args.data.exists():
        print(f"{args.data}: not found (the data sets live in ../shared/data/, outside the repository)")
        return 1
    sizes = [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    pelican = pelican_env(args.work) if min(sizes) <= args.compare_up_to else None
    hugo = hugo_binary() if min(sizes) <= args.compare_up_to else None
    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "sizes": {}}
    for size in sizes:
        corpus_dir = args.work / f"corpus-{size}"
        if not (corpus_dir / "articles").is_dir() or len(list((corpus_dir / "articles").glob("*.md"))) != size:
            shutil.rmtree(corpus_dir, ignore_errors=True)
            write_corpus(args.data, corpus_dir, size)
        row: dict = {}
        out, cache = corpus_dir / "site", corpus_dir / "cache"
        # Pelican and Hugo first: this machine runs slower after minutes of full load (the same Pelican
        # build took 46 s alone and 99-121 s right after a newsgen build), so the order favours them.
        if size <= args.compare_up_to:
            row["pelican"] = pelican_build(pelican, corpus_dir, args.repeat)
            if hugo:
                row["hugo"] = hugo_build(hugo, corpus_dir, args.repeat)
        runs = [newsgen_build(corpus_dir, out, cache, clean=True) for _ in range(args.repeat if size <= 10000 else 1)]
        row["newsgen"] = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        if not args.no_incremental:
            row.update(incremental(corpus_dir, out, cache, args.data, size))
        results["sizes"][size] = row
        report(size, row)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        growth = results["sizes"][large]["newsgen"]["seconds"] / results["sizes"][small]["newsgen"]["seconds"]
        print(f"growth {small:,} -> {large:,} articles: {growth:.1f}x time for {large / small:.0f}x articles")
    (args.work / f"results-{args.sizes.replace(',', '-')}.json").write_text(json.dumps(results, indent=2))
    return 0


def report(size: int, row: dict) -> None:
    ng = row["newsgen"]
    print(f"\n== {size:,} articles")
    skipped = f"  ({ng['skipped']} files skipped)" if ng.get("skipped") else ""
    print(f"newsgen  {ng['seconds']:7.1f} s  CPU {ng['cpu_seconds']:7.1f} s  peak {ng['peak_mb']:6.0f} MB  "
          f"{ng['pages']:,} pages{skipped}")
    for name, stage in ng["stages"].items():
        cpu = f"CPU {stage['cpu_seconds']:7.1f} s" if stage.get("cpu_seconds") is not None else " " * 13
        print(f"  {name:8} {stage['seconds']:7.1f} s  {cpu}  peak so far {stage['peak_mb'] or 0:6.0f} MB")
    for tool in ("pelican", "hugo"):
        if tool in row:
            t = row[tool]
            print(f"{tool:8} {t['seconds']:7.1f} s  CPU {t['cpu_seconds']:7.1f} s  peak {t['peak_mb']:6.0f} MB  "
                  f"{t['pages']:,} pages  newsgen/{tool} {ng['seconds'] / t['seconds']:.1f}x, CPU "
                  f"{ng['cpu_seconds'] / t['cpu_seconds']:.1f}x")
    for kind in ("edit_one", "add_100"):
        if kind in row:
            r = row[kind]
            print(f"{kind:8} {r['seconds']:7.1f} s  CPU {r['cpu_seconds']:7.1f} s  peak {r['peak_mb']:6.0f} MB  "
                  f"rewrote {r['rewritten']:,} of "
                  f"{r['files']:,} files  identical to a clean build: {'yes' if r['identical_to_clean'] else 'NO'}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
