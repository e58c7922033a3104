"""Migration m012: monthly and yearly roll-ups of the per-visit counts, so that a report over a school year, or over
ten years of a city, reads a few rows per school instead of every visit.

Four tables, each a sum over the submitted visits (drafts and void visits never count):
- `visit_month_counts`, `visit_year_counts`: per school, checklist version and month ('YYYY-MM') or year ('YYYY'):
  the visits and the sums of their counts (`visits.n_*`, `w_*`), and the date of the latest;
- `plan_month_counts`, `plan_year_counts`: the same per school, plan item, month or year and checklist version, summed
  from `visit_plan_counts`.
Reports read whole years and whole months from them and the per-visit counts only for the partial months at the
edges of a period (store/rollups.py), so their numbers are exactly those of a sum over the visits.

Triggers keep them in step inside the transaction of every write, whoever makes it (recording, drafts, submitting,
amending, voiding, bulk imports, sync imports): a row added to or removed from `visit_plan_counts`, a visit inserted,
deleted, or changing its status, date, school, checklist version or counts. A row whose last visit leaves it is
deleted, so the tables hold exactly the rows a GROUP BY over the submitted visits gives. Shipped migrations are never
edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration

COUNTS = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail")
_TYPES = {"w_pass": "REAL", "w_fail": "REAL"}
# table -> (the length of its period: 7 for 'YYYY-MM', 4 for 'YYYY'; the period's first and last day as SQL suffixes)
_SPANS = {"month": (7, "-01", "-31"), "year": (4, "-01-01", "-12-31")}


def _columns() -> str:
    return ", ".join(f"{c} {_TYPES.get(c, 'INTEGER')} NOT NULL" for c in COUNTS)


def _add(table: str, key: list[str], key_values: list[str], counts: list[str], date: str, source: str) -> str:
    """INSERT one visit's counts into a roll-up (a new row, or added to the row there is)."""
    cols = [*key, "visits", *COUNTS, "last_date"]
    values = [*key_values, "1", *counts, date]
    sums = ", ".join(f"{c} = {c} + excluded.{c}" for c in COUNTS)
    return (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(values)} {source} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET visits = visits + 1, {sums}, "
            "last_date = max(last_date, excluded.last_date);")


def _visit_triggers(span: str) -> list[str]:
    """The triggers on `visits` that keep visit_{span}_counts: a visit counts while it is submitted."""
    length, first, last = _SPANS[span]
    table = f"visit_{span}_counts"
    key = ["school_code", "period", "checklist_hash"]

    def add(row: str) -> str:
        return _add(table, key, [f"{row}.school_code", f"substr({row}.date, 1, {length})", f"{row}.checklist_hash"],
                    [f"{row}.{c}" for c in COUNTS], f"{row}.date", f"WHERE {row}.status = 'submitted'")

    def remove(row: str) -> str:
        where = (f"school_code = {row}.school_code AND period = substr({row}.date, 1, {length}) "
                 f"AND checklist_hash = {row}.checklist_hash")
        # the latest date again when the visit leaving held it: from the submitted visits still in the row
        latest = (f"(SELECT max(v.date) FROM visits v WHERE v.school_code = {row}.school_code "
                  f"AND v.checklist_hash = {row}.checklist_hash AND v.status = 'submitted' "
                  f"AND v.date BETWEEN period || '{first}' AND period || '{last}')")
        subtract = ", ".join(f"{c} = {c} - {row}.{c}" for c in COUNTS)
        return (f"UPDATE {table} SET visits = visits - 1, {subtract} WHERE {row}.status = 'submitted' AND {where}; "
                f"UPDATE {table} SET last_date = {latest} WHERE {row}.status = 'submitted' AND {where} "
                f"AND last_date = {row}.date AND visits > 0; "
                f"DELETE FROM {table} WHERE {row}.status = 'submitted' AND {where} AND visits = 0;")

    watched = ", ".join(["status", "date", "school_code", "checklist_hash", *COUNTS])
    return [
        f"CREATE TRIGGER rollup_{table}_inserted AFTER INSERT ON visits WHEN NEW.status = 'submitted' "
        f"BEGIN {add('NEW')} END",
        f"CREATE TRIGGER rollup_{table}_updated AFTER UPDATE OF {watched} ON visits "
        f"WHEN OLD.status = 'submitted' OR NEW.status = 'submitted' BEGIN {remove('OLD')} {add('NEW')} END",
        f"CREATE TRIGGER rollup_{table}_deleted AFTER DELETE ON visits WHEN OLD.status = 'submitted' "
        f"BEGIN {remove('OLD')} END",
    ]


def _plan_triggers(span: str) -> list[str]:
    """The triggers on `visit_plan_counts` and `visits` that keep plan_{span}_counts."""
    length, first, last = _SPANS[span]
    table = f"plan_{span}_counts"
    key = ["school_code", "plan_item", "period", "checklist_hash"]

    def cell(visit: str, plan: str) -> str:
        return (f"{table}.school_code = {visit}.school_code AND {table}.plan_item = {plan}.plan_item "
                f"AND {table}.period = substr({visit}.date, 1, {length}) "
                f"AND {table}.checklist_hash = {visit}.checklist_hash")

    latest = (f"(SELECT max(v2.date) FROM visits v2 JOIN visit_plan_counts p2 ON p2.visit_seq = v2.seq "
              f"AND p2.plan_item = {table}.plan_item WHERE v2.school_code = {table}.school_code "
              f"AND v2.checklist_hash = {table}.checklist_hash AND v2.status = 'submitted' "
              f"AND v2.date BETWEEN {table}.period || '{first}' AND {table}.period || '{last}')")
    subtract = ", ".join(f"{c} = {table}.{c} - p.{c}" for c in COUNTS)

    def add(visit_source: str, visit: str, plan: str) -> str:
        return _add(table, key, [f"{visit}.school_code", f"{plan}.plan_item", f"substr({visit}.date, 1, {length})",
                                 f"{visit}.checklist_hash"], [f"{plan}.{c}" for c in COUNTS], f"{visit}.date",
                    visit_source)

    def remove(p_source: str, visit: str, when: str) -> str:
        """Take the plan rows `p_source` (a FROM clause naming them `p`) of visit `visit` out of the roll-up."""
        return (f"UPDATE {table} SET visits = {table}.visits - 1, {subtract} FROM {p_source} "
                f"WHERE {when} AND {cell(visit, 'p')}; "
                f"UPDATE {table} SET last_date = {latest} FROM {p_source} WHERE {when} AND {cell(visit, 'p')} "
                f"AND {table}.last_date = {visit}.date AND {table}.visits > 0; "
                f"DELETE FROM {table} WHERE visits = 0 AND ({', '.join(key)}) IN (SELECT {visit}.school_code, "
                f"p.plan_item, substr({visit}.date, 1, {length}), {visit}.checklist_hash FROM {p_source} "
                f"WHERE {when});")

    # a plan row of a submitted visit, added or removed
    the_visit = "(SELECT school_code, date, checklist_hash, status FROM visits WHERE seq = {seq})"
    new_visit = the_visit.format(seq="NEW.visit_seq")
    old_visit = the_visit.format(seq="OLD.visit_seq")
    row_added = add(f"FROM {new_visit} v WHERE v.status = 'submitted'", "v", "NEW")
    old_row = (f"(SELECT OLD.plan_item AS plan_item, {', '.join(f'OLD.{c} AS {c}' for c in COUNTS)}) p, "
               f"{old_visit} v")
    row_removed = remove(old_row, "v", "v.status = 'submitted'")
    # a visit that starts or stops counting, or moves (its rows are taken out under the old values, put back under
    # the new)
    visit_rows = "visit_plan_counts p"
    moved_out = remove(visit_rows, "OLD", "OLD.status = 'submitted' AND p.visit_seq = OLD.seq")
    moved_in = add("FROM visit_plan_counts p WHERE NEW.status = 'submitted' AND p.visit_seq = NEW.seq", "NEW", "p")
    return [
        f"CREATE TRIGGER rollup_{table}_row_inserted AFTER INSERT ON visit_plan_counts BEGIN {row_added} END",
        f"CREATE TRIGGER rollup_{table}_row_deleted AFTER DELETE ON visit_plan_counts BEGIN {row_removed} END",
        f"CREATE TRIGGER rollup_{table}_row_updated AFTER UPDATE ON visit_plan_counts "
        f"BEGIN {row_removed} {row_added} END",
        f"CREATE TRIGGER rollup_{table}_visit_updated AFTER UPDATE OF status, date, school_code, checklist_hash "
        "ON visits WHEN (OLD.status = 'submitted' OR NEW.status = 'submitted') AND (OLD.status IS NOT NEW.status "
        "OR OLD.date IS NOT NEW.date OR OLD.school_code IS NOT NEW.school_code "
        f"OR OLD.checklist_hash IS NOT NEW.checklist_hash) BEGIN {moved_out} {moved_in} END",
        f"CREATE TRIGGER rollup_{table}_visit_deleted AFTER DELETE ON visits WHEN OLD.status = 'submitted' "
        f"BEGIN {moved_out} END",
    ]


def _fill_sql(kind: str, span: str) -> str:
    """The roll-up recounted from the submitted visits, in the table's column order (the migration fills the tables
    with it; the tests compare)."""
    length = _SPANS[span][0]
    if kind == "visit":
        sums = ", ".join(f"sum({c})" for c in COUNTS)
        return (f"SELECT school_code, checklist_hash, substr(date, 1, {length}), count(*), {sums}, max(date) "
                "FROM visits WHERE status = 'submitted' GROUP BY 1, 2, 3")
    sums = ", ".join(f"sum(p.{c})" for c in COUNTS)
    return (f"SELECT v.school_code, p.plan_item, substr(v.date, 1, {length}), v.checklist_hash, count(*), {sums}, "
            "max(v.date) FROM visits v JOIN visit_plan_counts p ON p.visit_seq = v.seq WHERE v.status = 'submitted' "
            "GROUP BY 1, 2, 3, 4")


def recount_sql(kind: str, span: str) -> str:
    """What `{kind}_{span}_counts` must hold, in its key order (for the tests)."""
    order = "1, 2, 3" if kind == "visit" else "1, 2, 3, 4"
    return f"{_fill_sql(kind, span)} ORDER BY {order}"


_KEYS = {"visit": ("school_code TEXT NOT NULL, checklist_hash TEXT NOT NULL, period TEXT NOT NULL",
                  "school_code, checklist_hash, period"),
         "plan": ("school_code TEXT NOT NULL, plan_item INTEGER NOT NULL, period TEXT NOT NULL, "
                  "checklist_hash TEXT NOT NULL", "school_code, plan_item, period, checklist_hash")}


@migration
def m012_rollups(db) -> None:
    # WITHOUT ROWID, keyed so that a report seeks each school's rows (and each plan item's) for a range of periods
    # and reads them in the order it groups them.
    for kind, (columns, key) in _KEYS.items():
        for span in ("month", "year"):
            db.execute(f"CREATE TABLE {kind}_{span}_counts ({columns}, visits INTEGER NOT NULL, {_columns()}, "
                       f"last_date TEXT NOT NULL, PRIMARY KEY ({key})) WITHOUT ROWID")
            db.execute(f"INSERT INTO {kind}_{span}_counts {_fill_sql(kind, span)}")
    for span in ("month", "year"):
        for sql in (*_visit_triggers(span), *_plan_triggers(span)):
            db.execute(sql)
