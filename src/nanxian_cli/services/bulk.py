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


class BulkFindings:
    """The timelines of an import, kept in memory: visits arrive in date order, so each check is applied to its
    point's timeline as it comes (core.findings.Timeline), and only the points whose findings moved are saved,
    once per batch. A school's earlier facts are read from the database the first time it appears.

    A point that has only passed so far (most points of most schools) has no timeline: the date and time of its
    latest pass (in the database or in the import) are kept instead, which is all a timeline would hold, so that a
    failure dated before it is found out of order and derived from the database. Everything is kept per school,
    keyed by point key."""

    def __init__(self) -> None:
        self.timelines: dict[str, dict[str, Any]] = {}
        """school -> point key -> its timeline (points that failed or have actions)."""
        self.passed: dict[str, dict[str, tuple[str, str]]] = {}
        """school -> point key -> (date, time) of its latest pass, for points without a timeline."""
        self.newest: dict[str, tuple[str, str]] = {}
        """school -> the latest (date, time) in its `passed`: a visit placed after it is in order for every point."""
        self.saved: dict[tuple[str, str], int] = {}
        self.stale: set[tuple[str, str]] = set()
        """Points that got a check out of date order: derived again from the database when the batch is saved."""
        self.touched: set[tuple[str, str]] = set()
        """Points whose timeline got a check since the last save."""
        self.rules: dict[str, dict[str, tuple]] = {}
        """checklist version -> item id -> (point key, severity, days to fix, position): once per version."""

    def _load(self, conn: Any, school: str, keys: list[str] | None = None) -> None:
        from nanxian_cli.core.findings import Timeline
        from nanxian_cli.services.derive import timelines
        from nanxian_cli.store.findings import latest_passes

        mine = self.timelines.setdefault(school, {})
        passed = self.passed.setdefault(school, {})
        if keys is None:  # a school's first appearance: where its points that only ever passed stand
            passed.update(latest_passes(conn, school))
            self.newest[school] = max(passed.values(), default=("", ""))
        latest = None
        for key, (checks, actions) in timelines(conn, school, keys).items():
            if not checks and not actions:
                # A point derived again that never failed and has no action: where it stands is its latest pass,
                # as on a school's first appearance. (An empty timeline here forgot that pass, and a fail dated
                # before it, arriving later in the import, opened a finding that pass had resolved.)
                latest = latest_passes(conn, school) if latest is None else latest
                mine.pop(key, None)
                self.saved.pop((school, key), None)
                if key in latest:
                    passed[key] = latest[key]
                    self.newest[school] = max(self.newest.get(school, ("", "")), latest[key])
                else:
                    passed.pop(key, None)
                continue
            t = Timeline(keep=False)
            t.checks, t.actions = checks, actions
            t.replay()
            t.checks, t.actions = [], []  # the state stays; the entries are in the database
            mine[key] = t
            passed.pop(key, None)
            self.saved[(school, key)] = t.version

    def _rules(self, loaded: Any) -> dict[str, tuple]:
        from nanxian_cli.services.recording import catalog_rules

        rules = self.rules[loaded.hash] = catalog_rules(loaded)
        return rules

    def add_visit(self, conn: Any, v: Any, seq: int, author: str | None, now: str) -> None:
        school = v.school["code"]
        if school not in self.timelines:
            self._load(conn, school)
        loaded = v.loaded
        rules = self.rules.get(loaded.hash) or self._rules(loaded)
        day = v.date.isoformat()
        place = (day, now)
        mine, passed = self.timelines[school], self.passed[school]
        checks = []  # (item id, point key, outcome, note) for the engine
        if self.newest[school] <= place and not self.stale:
            # In order for every point of the school (an import in date order): a pass of a point without a
            # timeline is noted by its place, all of them at once.
            quiet = []
            for item_id, _value, outcome, note in v.answers:
                if outcome == "pass":
                    key = rules[item_id][0]
                    if key in mine:
                        checks.append((item_id, key, outcome, note))
                    else:
                        quiet.append(key)
                elif outcome == "fail":
                    checks.append((item_id, rules[item_id][0], outcome, note))
            passed.update(dict.fromkeys(quiet, place))
            self.newest[school] = place
        else:
            for item_id, _value, outcome, note in v.answers:
                if outcome != "pass" and outcome != "fail":
                    continue
                key = rules[item_id][0]
                if (school, key) in self.stale:
                    continue
                last = passed.get(key)
                if outcome == "pass" and key not in mine and (last is None or last <= place):
                    passed[key] = place
                    self.newest[school] = max(self.newest[school], place)
                    continue
                checks.append((item_id, key, outcome, note))
        if not checks:
            return
        from nanxian_cli.core.findings import Check, OutOfOrder, Timeline
        from nanxian_cli.core.ids import revision_uid

        checklist_id, checklist_hash, fixed, touched = loaded.checklist.id, loaded.hash, v.fixed, self.touched
        for item_id, key, outcome, note in checks:
            t = mine.get(key)
            if t is None:  # the point's first failure: a timeline, told where the point stands
                t = mine[key] = Timeline(keep=False)
                self.saved[(school, key)] = t.version
                last = passed.pop(key, None)
                if last is not None:
                    t.idle_pass(*last)
            if outcome == "pass" and t.idle_pass(day, now):
                continue  # a pass with nothing to resolve
            _, severity, days, position = rules[item_id]
            try:
                # a first revision's id, derived once here rather than each time the engine asks for it
                t.add(Check(visit=v.id, date=day, at=now, revision=revision_uid(v.id, item_id, 1), outcome=outcome,
                            severity=severity, rectify_days=days, checklist_id=checklist_id,
                            checklist_hash=checklist_hash, item_id=item_id, note=note, author=author,
                            fixed_on_site=item_id in fixed, rank=(seq, position)))
            except OutOfOrder:
                self.stale.add((school, key))
            touched.add((school, key))

    def flush(self, conn: Any, now: str) -> None:
        """Save the findings of every point whose timeline moved since it was last saved (the batch's answers
        are in the database by then: points that got a check out of order are derived from it)."""
        from nanxian_cli.services.derive import rebuild
        from nanxian_cli.store.findings import save_points

        for school, key in sorted(self.stale):
            rebuild(conn, school, [key], now)
            self._load(conn, school, [key])
        self.stale.clear()
        moved = {}
        for school, key in sorted(self.touched):
            t = self.timelines[school].get(key)
            if t is None:
                continue  # derived again from the database just now, and saved then
            if self.saved[(school, key)] != t.version:
                moved[(school, key)] = t.findings
                self.saved[(school, key)] = t.version
        self.touched.clear()
        save_points(conn, moved, now)


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

    from nanxian_cli.clock import utc_now
    from nanxian_cli.errors import StoreError
    from nanxian_cli.services.recording import write_visits
    from nanxian_cli.store.bulk import bulk_session

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    stats = BulkStats()
    began = time.perf_counter()
    saved_hashes: set[str] = set()  # checklist versions already stored: saved once, not per visit
    findings = BulkFindings()
    with bulk_session(store):
        for batch in batches(visits, batch_size):
            pending = set(saved_hashes)  # trusted only once the batch has committed
            try:
                with store.transaction() as conn:
                    now = utc_now()
                    write_visits(conn, batch, author=author, saved_hashes=pending, findings=findings, now=now)
                    findings.flush(conn, now)
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
