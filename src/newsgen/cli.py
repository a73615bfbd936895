"""Command line: `newsgen build` (also `python build.py`), `newsgen serve`, `newsgen check [--explain] FILE...`
and `newsgen eval`.

Exit codes: 0 success, 1 bad input (each problem printed as `file:line:col: message`), 2 bad usage.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config, load_config
from .errors import BuildError, BuildFailed  # noqa: F401 (BuildError is caught below)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="site settings file (default: site.yaml if present)")
    p.add_argument("--articles", type=Path, help="folder of article files (default: from site.yaml, else articles/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="say what each stage did")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, 1 or more; got {value!r}")
    return int(value)


def _speed(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache", type=Path, metavar="DIR",
                   help="keep loaded articles and story analyses here, keyed by content, so that a rebuild "
                        "redoes only what changed (default: .cache/newsgen beside site.yaml)")
    p.add_argument("--no-cache", action="store_true", help="build everything afresh and keep no cache")
    p.add_argument("-j", "--jobs", type=_jobs, metavar="N",
                   help="processes for loading, analysis and rendering (default: one a core; 1: none)")


def _engine(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="what runs the heavy stages: local (this machine's processes, the default) or dask "
                        "(a Dask cluster; needs pip install 'newsgen[dask]')")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="dask: the address of a running scheduler, e.g. tcp://10.0.0.5:8786 (default: start a "
                        "LocalCluster on this machine)")
    p.add_argument("--workers", type=_jobs, metavar="N",
                   help="dask: worker processes of the LocalCluster (default: one a core); with --scheduler, "
                        "wait until the cluster has this many")


def cache_dir(args, config: Config) -> Path | None:
    """Where the build cache lives, or None with --no-cache."""
    if args.no_cache:
        return None
    return args.cache or config.root / ".cache" / "newsgen"


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="newsgen", description="Build a static news site: one combined page per story.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    b = sub.add_parser("build", help="build the site from the articles folder")
    b.add_argument("--out", type=Path, help="output folder (default: from site.yaml, else site/)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors (nothing is written)")
    b.add_argument("--keep-going", action="store_true",
                   help="leave out files with errors, build the rest, list what was left out and exit 1")
    _speed(b)
    _engine(b)
    _common(b)
    v = sub.add_parser("serve", help="build, serve on localhost, rebuild and reload the page on every change")
    v.add_argument("--out", type=Path, help="output folder (default: from site.yaml, else site/)")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    _speed(v)
    _common(v)
    c = sub.add_parser("check", help="load articles and report problems without writing anything")
    c.add_argument("files", nargs="*", type=Path, help="article files (default: the whole articles folder)")
    c.add_argument("--explain", action="store_true",
                   help="show what the loader made of each file and every block it removed, and why (as `extract`)")
    _common(c)
    x = sub.add_parser("extract", help="show what the loader makes of each file: metadata, body, removed blocks")
    x.add_argument("files", nargs="+", type=Path, help="article files")
    x.add_argument("--json", action="store_true", help="one JSON object a line")
    _common(x)
    e = sub.add_parser("eval", help="measure grouping and copy detection on a labelled JSONL set")
    e.add_argument("what", choices=["clusters", "pairs", "copies", "extraction"],
                   help="clusters: records with a gold `cluster`; pairs: text1/text2 with a gold judgement; "
                        "copies: articles whose identical texts are the gold copies; extraction: pages with "
                        "`with`/`without` snippets")
    e.add_argument("file", type=Path, help="JSONL (or .jsonl.gz) file")
    e.add_argument("--threshold", type=float, nargs="+", help="thresholds to try (default: the configured one)")
    e.add_argument("--passes", type=int, help="clustering passes (clusters; default: story_passes in site.yaml)")
    e.add_argument("--with", dest="mix", type=Path, metavar="DIR",
                   help="clusters: mix a folder of articles in (e.g. articles/) and report whether its stories "
                        "stay whole and whether any labelled article joins them")
    e.add_argument("--input", choices=["text", "html", "raw"], default="text",
                   help="extraction: clean each record's page_text as a .txt file (text), read its html as a "
                        ".html file (html), or score page_text unchanged (raw, the baseline)")
    e.add_argument("--kind", choices=["story", "duplicate"], default="story",
                   help="pairs: score as same story (TF-IDF cosine) or as copy (shingle overlap)")
    _common(e)
    return p


def _config(args) -> Config:
    return load_config(args.config, required=args.config is not None)


def _build(args, say) -> int:
    from .build import build
    from .engine import make_engine

    if args.engine != "dask" and (args.scheduler or args.workers):
        print("newsgen build: error: --scheduler and --workers go with --engine dask", file=sys.stderr)
        return 2
    if args.engine == "dask" and args.jobs:
        print("newsgen build: error: --jobs is for the local engine; give a Dask cluster --workers", file=sys.stderr)
        return 2
    config = _config(args)
    out = args.out or config.output_dir
    engine = make_engine(args.engine, args.jobs, args.scheduler, args.workers)
    try:
        summary = build(config, out, args.articles, log=say if args.verbose else (lambda _: None),
                        strict=args.strict, keep_going=args.keep_going, progress=_progress(args),
                        cache_dir=cache_dir(args, config), engine=engine)
    finally:
        engine.close()
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for e in summary.skipped:
        print(f"skipped: {e}", file=sys.stderr)
    say(f"Built {out}: {_count(summary.stories, 'story', 'stories')}, {_count(summary.articles, 'article')} "
        f"from {_count(summary.sources, 'source')} ({_count(summary.copies, 'copy', 'copies')}), "
        f"{_count(summary.pages, 'page')} in {summary.seconds:.2f} s")
    if summary.skipped:
        print(f"{len(summary.skipped)} file(s) skipped; the site was built without them", file=sys.stderr)
        return 1
    return 0


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _progress(args):
    from .build import progress_bar

    return progress_bar(not args.quiet and sys.stderr.isatty())


def _serve(args, say) -> int:
    from .serve import serve

    return serve(args.config, args.articles, args.out, args.host, args.port, say,
                 {"log": say if args.verbose else (lambda _: None), "progress": _progress(args),
                  "cache_dir": cache_dir(args, _config(args)), "jobs": args.jobs})


def _check(args, say) -> int:
    from .loader import load_articles, load_files

    config = _config(args)
    loaded = load_files(args.files, config) if args.files else load_articles(config, args.articles)
    articles, warnings = loaded.articles, loaded.warnings
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.explain:
        from .extract import as_text

        for a in articles:
            say(as_text(a) + "\n")
        return 0
    for a in articles:
        say(f"{a.path}: ok: {a.display_title!r}; source {a.source.label}; "
            f"published {a.published.isoformat() if a.published else 'not stated'}; "
            f"{len(a.paragraphs)} paragraphs; {len(a.removed)} lines removed")
    return 0


def _extract(args, say) -> int:
    from .extract import as_json, as_text
    from .loader import load_files

    loaded = load_files(args.files, _config(args))
    for w in loaded.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for a in loaded.articles:
        print(as_json(a) if args.json else as_text(a) + "\n")  # the report is the output: printed even with -q
    return 0


def _eval(args, say) -> int:
    from . import evaluate

    config = _config(args)
    if args.what == "clusters":
        lines = evaluate.eval_clusters(args.file, config, args.threshold, args.passes, args.mix)
    elif args.what == "pairs":
        lines = evaluate.eval_pairs(args.file, config, args.kind, args.threshold)
    elif args.what == "extraction":
        lines = evaluate.eval_extraction(args.file, args.input)
    else:
        lines = evaluate.eval_copies(args.file, config)
    for line in lines:
        print(line)  # the figures are the output: printed even with -q
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    say = (lambda _: None) if args.quiet else print
    try:
        handler = {"build": _build, "serve": _serve, "check": _check, "extract": _extract,
                   "eval": _eval}[args.command]
        return handler(args, say)
    except BuildFailed as exc:
        for e in exc.errors:
            print(f"error: {e}", file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing was written", file=sys.stderr)
        return 1
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except KeyboardInterrupt:
        print("interrupted; the previous output is untouched", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        import traceback

        print("newsgen: internal error (a bug in newsgen, not in your articles); details follow:", file=sys.stderr)
        traceback.print_exc()
        return 3


def build_main(argv: list[str] | None = None) -> int:
    """`python build.py [options]`: the same as `newsgen build [options]`."""
    return main(["build", *(sys.argv[1:] if argv is None else argv)])
