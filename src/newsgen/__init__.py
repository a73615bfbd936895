"""newsgen: a static news-aggregation site generator."""

__version__ = "0.1.0"
