"""The store: one SQLite file. All SQL of the project lives in this package."""

from nanxian_cli.store.db import Store, open_store

__all__ = ["Store", "open_store"]
