"""Importing many prepared visits at once (the demo, the benchmark, later merged export bundles).

The visits come from an iterator and are consumed lazily, a batch at a time; each batch is one
transaction through the same `write_visits` that records a single visit (answers, counts, findings,
resolutions), so a bulk-imported visit is indistinguishable from one recorded by `inspect visit`.
A failure rolls back the batch being written; the batches before it stay committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

# Visits per transaction. Larger batches mean fewer commits (each writes the batch's pages to the
# log); 2,000 visits (~70,000 answers) hold the write lock for about half a second, well inside
# the busy timeout another writer waits.
DEFAULT_BATCH = 2000


@dataclass
class BulkStats:
    visits: int = 0
    answers: int = 0
    batches: int = 0
    seconds: float = 0.0


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def import_visits(
    store: Any,
    visits: Iterable[Any],
    *,
    batch_size: int = DEFAULT_BATCH,
    author: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkStats:
    """Write prepared visits (in date order) in transactions of `batch_size`; returns counts and time."""
    import sqlite3

    from nanxian_cli.errors import StoreError
    from nanxian_cli.store.bulk import bulk_session
    from nanxian_cli.store.visits import write_visits

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    stats = BulkStats()
    began = time.perf_counter()
    saved_hashes: set[str] = set()  # checklist versions already stored: saved once, not per visit
    with bulk_session(store):
        for batch in batches(visits, batch_size):
            pending = set(saved_hashes)  # trusted only once the batch has committed
            try:
                with store.transaction() as conn:
                    write_visits(conn, batch, author=author, saved_hashes=pending)
            except (sqlite3.Error, StoreError) as exc:  # StoreError: a full disk or an I/O error, named
                raise StoreError(
                    f"{store.path}: batch {stats.batches + 1} ({len(batch)} visit(s), first {batch[0].id}) was not "
                    f"written: {getattr(exc, 'message', exc)}; the {stats.visits} visit(s) before it were saved"
                ) from None
            saved_hashes = pending
            stats.visits += len(batch)
            stats.answers += sum(len(v.answers) for v in batch)
            stats.batches += 1
            if progress is not None:
                progress(stats.visits)
    stats.seconds = time.perf_counter() - began
    return stats
