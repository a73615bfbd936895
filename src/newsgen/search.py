"""Search with no server: a Pagefind index (https://pagefind.app) of the story and source pages.

The `pagefind` package on PyPI ships the Pagefind binary; its Python API indexes the rendered pages
in memory, so the index is made from exactly the bytes that are written. Result addresses are given
from the site root ("/stories/x/index.html"); the search page's script hands Pagefind the site's root
as it is served, so results work under a sub-path. Pagefind fetches its index, which a browser does
not allow from file://; there (and without JavaScript) the search page is a plain list of every
story and source.
"""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from .errors import BuildError

BUNDLE = "pagefind"
TIMEOUT = 60.0  # seconds for the service to start and write, plus a second per 50 pages


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("pagefind") is not None and (find_spec("pagefind_bin") is not None
                                                  or find_spec("pagefind_bin_extended") is not None)


def index_files(pages: dict[str, bytes], language: str) -> dict[str, bytes]:
    """The Pagefind bundle (path under the site root -> bytes) for these HTML pages."""
    with tempfile.TemporaryDirectory(prefix="newsgen-search-") as tmp:
        try:
            asyncio.run(asyncio.wait_for(_index(pages, language, tmp), timeout=TIMEOUT + len(pages) / 50))
        except Exception as exc:  # the binary missing, failing or stuck: say so in one line
            reason = "it did not finish in time" if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) else exc
            raise BuildError("search", f"Pagefind could not index the pages: {reason}; "
                                       "set `search: false` in site.yaml to build without search") from None
        out = Path(tmp)
        return {f"{BUNDLE}/{p.relative_to(out).as_posix()}": p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}


async def _index(pages: dict[str, bytes], language: str, out: str) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    # output_path is set because leaving the context writes the bundle there too (else into the cwd).
    config = IndexConfig(keep_index_url=True, force_language=(language or "en").split("-")[0].lower(),
                         output_path=out)
    async with PagefindIndex(config=config) as index:
        for path in sorted(pages):
            await index.add_html_file(content=pages[path].decode("utf-8"), url="/" + path)
