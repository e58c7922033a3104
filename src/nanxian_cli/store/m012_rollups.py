"""Migration m012: roll-ups of the per-visit counts by month, quarter and year, so that a report over a school year,
or over ten years of a city, reads a few rows per school instead of every visit.

Two tables, each a sum over the submitted visits (drafts and void visits never count), with one row per period a
visit falls in: its month ('2020-05'), its quarter ('2020-Q2') and its year ('2020'):
- `visit_rollups`: per period, school and checklist version: the visits, the sums of their counts (`visits.n_*`,
  `w_*`) and the date of the latest;
- `plan_rollups`: per period, school, plan item and checklist: the same summed from `visit_plan_counts`.
Reports read whole years, quarters and months from them and the per-visit counts only for the days of a partial
month at either end of a period (store/rollups.py), so their numbers are exactly those of a sum over the visits.

The period leads the key: the visits of a day, a batch or a bundle change rows that sit together (the current month,
quarter and year), so a bulk import writes few pages more than it did; a report reads each period's rows in one range.

They are kept in step inside the transaction of every write (recording, drafts, submitting, amending, voiding, bulk
imports, sync imports): triggers on `visits` follow a visit inserted, deleted, or changing its status, date, school,
checklist or counts; the plan counts a visit gets or loses are added or taken out by the store functions that write
`visit_plan_counts` (store/visits.py through store/rollups.py), summed per call: a trigger per plan row made a bulk
import half as slow again. A row whose last visit leaves it is deleted, so the tables hold exactly the rows a GROUP BY
over the submitted visits gives. Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration

COUNTS = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail")
_TYPES = {"w_pass": "REAL", "w_fail": "REAL"}
KEYS = {"visit": ("period", "school_code", "checklist_hash"),
        "plan": ("period", "school_code", "plan_item", "checklist_id")}
_KEY_TYPES = {"plan_item": "INTEGER"}


def periods_of(day: str) -> list[str]:
    """The month, quarter and year of an ISO day, as SQL expressions over the date expression `day`."""
    return [f"substr({day}, 1, 7)", f"substr({day}, 1, 5) || 'Q' || ((substr({day}, 6, 2) + 2) / 3)",
            f"substr({day}, 1, 4)"]


def _period(day: str, k: str) -> str:
    """Period number `k` (1 month, 2 quarter, 3 year) of `day`."""
    month, quarter, year = periods_of(day)
    return f"(CASE {k} WHEN 1 THEN {month} WHEN 2 THEN {quarter} ELSE {year} END)"


def _bounds(period: str) -> tuple[str, str]:
    """The first and the last day of a period (SQL over the period expression), as ISO text."""
    quarter = f"substr({period}, 6, 1) = 'Q'"
    first = (f"(CASE WHEN length({period}) = 4 THEN {period} || '-01-01' WHEN {quarter} THEN substr({period}, 1, 5) "
             f"|| printf('%02d', substr({period}, 7) * 3 - 2) || '-01' ELSE {period} || '-01' END)")
    last = (f"(CASE WHEN length({period}) = 4 THEN {period} || '-12-31' WHEN {quarter} THEN substr({period}, 1, 5) "
            f"|| printf('%02d', substr({period}, 7) * 3) || '-31' ELSE {period} || '-31' END)")
    return first, last


_THREE = "(VALUES (1), (2), (3)) k"


def _upsert(table: str, key: tuple[str, ...], select: str) -> str:
    """INSERT the rows of `select` (key, then 1, the counts, the date) into a roll-up, added to the rows there are."""
    cols = [*key, "visits", *COUNTS, "last_date"]
    sums = ", ".join(f"{c} = {c} + excluded.{c}" for c in COUNTS)
    return (f"INSERT INTO {table} ({', '.join(cols)}) {select} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET visits = visits + 1, {sums}, "
            "last_date = max(last_date, excluded.last_date);")


def _take_out(table: str, key: tuple[str, ...], rows: str, latest: str) -> str:
    """Take the rows of `rows` (a subquery `x` of the key, the counts and `date`) out of a roll-up: subtract, find the
    latest date again where the visit leaving held it, and delete what no visit is left in."""
    subtract = ", ".join(f"{c} = {table}.{c} - x.{c}" for c in COUNTS)
    match = " AND ".join(f"{table}.{c} = x.{c}" for c in key)
    keys = ", ".join(f"x.{c}" for c in key)
    return (f"UPDATE {table} SET visits = {table}.visits - 1, {subtract} FROM {rows} WHERE {match}; "
            f"UPDATE {table} SET last_date = {latest} FROM {rows} WHERE {match} AND {table}.last_date = x.date "
            f"AND {table}.visits > 0; "
            f"DELETE FROM {table} WHERE visits = 0 AND ({', '.join(key)}) IN (SELECT {keys} FROM {rows});")


def _visit_triggers() -> list[str]:
    """visit_rollups: a visit counts while it is submitted."""
    table, key = "visit_rollups", KEYS["visit"]
    counts = ", ".join(f"{{row}}.{c}" for c in COUNTS)
    add = _upsert(table, key, f"SELECT {_period('{row}.date', 'k.column1')}, {{row}}.school_code, "
                              f"{{row}}.checklist_hash, 1, {counts}, {{row}}.date FROM {_THREE} "
                              "WHERE {row}.status = 'submitted'")
    first, last = _bounds(f"{table}.period")
    latest = (f"(SELECT max(v.date) FROM visits v WHERE v.school_code = {table}.school_code "
              f"AND v.checklist_hash = {table}.checklist_hash AND v.status = 'submitted' "
              f"AND v.date BETWEEN {first} AND {last})")
    rows = (f"(SELECT {_period('{row}.date', 'k.column1')} AS period, {{row}}.school_code AS school_code, "
            f"{{row}}.checklist_hash AS checklist_hash, {', '.join(f'{{row}}.{c} AS {c}' for c in COUNTS)}, "
            f"{{row}}.date AS date FROM {_THREE} WHERE {{row}}.status = 'submitted') x")
    remove = _take_out(table, key, rows, latest)
    watched = ", ".join(["status", "date", "school_code", "checklist_hash", *COUNTS])
    return [
        f"CREATE TRIGGER rollup_visit_inserted AFTER INSERT ON visits WHEN NEW.status = 'submitted' "
        f"BEGIN {add.format(row='NEW')} END",
        f"CREATE TRIGGER rollup_visit_updated AFTER UPDATE OF {watched} ON visits "
        f"WHEN OLD.status = 'submitted' OR NEW.status = 'submitted' "
        f"BEGIN {remove.format(row='OLD')} {add.format(row='NEW')} END",
        f"CREATE TRIGGER rollup_visit_deleted AFTER DELETE ON visits WHEN OLD.status = 'submitted' "
        f"BEGIN {remove.format(row='OLD')} END",
    ]


def _plan_triggers() -> list[str]:
    """plan_rollups: the plan counts of a visit that starts or stops counting, moves, or is deleted. (Rows added to
    or taken from `visit_plan_counts` are added to or taken from the roll-up by the store functions that write them,
    a batch at a time: store/rollups.py.)"""
    table, key = "plan_rollups", KEYS["plan"]
    first, last = _bounds(f"{table}.period")
    latest = (f"(SELECT max(v2.date) FROM visits v2 JOIN visit_plan_counts p2 ON p2.visit_seq = v2.seq "
              f"AND p2.plan_item = {table}.plan_item WHERE v2.school_code = {table}.school_code "
              f"AND v2.checklist_id = {table}.checklist_id AND v2.status = 'submitted' "
              f"AND v2.date BETWEEN {first} AND {last})")

    def select(visit: str, plan: str, source: str) -> str:
        """Rows (key, 1, counts, date) of the plan counts `plan` of visit `visit` for its three periods."""
        counts = ", ".join(f"{plan}.{c}" for c in COUNTS)
        return (f"SELECT {_period(f'{visit}.date', 'k.column1')}, {visit}.school_code, {plan}.plan_item, "
                f"{visit}.checklist_id, 1, {counts}, {visit}.date FROM {source}")

    def rows(visit: str, plan: str, source: str) -> str:
        counts = ", ".join(f"{plan}.{c} AS {c}" for c in COUNTS)
        return (f"(SELECT {_period(f'{visit}.date', 'k.column1')} AS period, {visit}.school_code AS school_code, "
                f"{plan}.plan_item AS plan_item, {visit}.checklist_id AS checklist_id, {counts}, {visit}.date AS date "
                f"FROM {source}) x")

    # a visit that starts or stops counting, or moves: its rows are taken out under the old values, put back under
    # the new
    moved_out = _take_out(table, key, rows("OLD", "p", f"visit_plan_counts p, {_THREE} WHERE p.visit_seq = OLD.seq "
                                                       "AND OLD.status = 'submitted'"), latest)
    moved_in = _upsert(table, key, select("NEW", "p", f"visit_plan_counts p, {_THREE} WHERE p.visit_seq = NEW.seq "
                                                      "AND NEW.status = 'submitted'"))
    return [
        "CREATE TRIGGER rollup_plan_visit_updated AFTER UPDATE OF status, date, school_code, checklist_id ON visits "
        "WHEN (OLD.status = 'submitted' OR NEW.status = 'submitted') AND (OLD.status IS NOT NEW.status "
        "OR OLD.date IS NOT NEW.date OR OLD.school_code IS NOT NEW.school_code "
        f"OR OLD.checklist_id IS NOT NEW.checklist_id) BEGIN {moved_out} {moved_in} END",
        f"CREATE TRIGGER rollup_plan_visit_deleted AFTER DELETE ON visits WHEN OLD.status = 'submitted' "
        f"BEGIN {moved_out} END",
    ]


def recount_sql(kind: str) -> str:
    """What `{kind}_rollups` must hold, recounted from the submitted visits, in the table's column and key order (the
    migration fills the tables with it; the tests compare)."""
    if kind == "visit":
        sums = ", ".join(f"sum(v.{c})" for c in COUNTS)
        return (f"SELECT {_period('v.date', 'k.column1')} AS period, v.school_code, v.checklist_hash, count(*), "
                f"{sums}, max(v.date) FROM visits v, {_THREE} WHERE v.status = 'submitted' "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
    sums = ", ".join(f"sum(p.{c})" for c in COUNTS)
    return (f"SELECT {_period('v.date', 'k.column1')} AS period, v.school_code, p.plan_item, v.checklist_id, "
            f"count(*), {sums}, max(v.date) FROM visits v JOIN visit_plan_counts p ON p.visit_seq = v.seq, {_THREE} "
            "WHERE v.status = 'submitted' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")


def _fill_sql(kind: str) -> list[str]:
    """The statements that fill an empty roll-up: the months from the visits, then the quarters and years from the
    months (the same sums, a third of the work)."""
    key = KEYS[kind]
    rest = ", ".join(key[1:])
    if kind == "visit":
        months = (f"SELECT substr(v.date, 1, 7), {', '.join('v.' + c for c in key[1:])}, count(*), "
                  f"{', '.join(f'sum(v.{c})' for c in COUNTS)}, max(v.date) FROM visits v WHERE v.status = 'submitted' "
                  "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
    else:
        months = (f"SELECT substr(v.date, 1, 7), v.school_code, p.plan_item, v.checklist_id, count(*), "
                  f"{', '.join(f'sum(p.{c})' for c in COUNTS)}, max(v.date) FROM visits v "
                  "JOIN visit_plan_counts p ON p.visit_seq = v.seq WHERE v.status = 'submitted' "
                  "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
    out = [f"INSERT INTO {kind}_rollups {months}"]
    _, quarter, year = periods_of("period || '-01'")
    order = ", ".join(str(n) for n in range(1, len(key) + 1))
    for coarser in (quarter, year):
        out.append(f"INSERT INTO {kind}_rollups SELECT {coarser}, {rest}, sum(visits), "
                   f"{', '.join(f'sum({c})' for c in COUNTS)}, max(last_date) FROM {kind}_rollups "
                   f"WHERE length(period) = 7 AND substr(period, 6, 1) != 'Q' GROUP BY {order} ORDER BY {order}")
    return out


@migration
def m012_rollups(db) -> None:
    counts = ", ".join(f"{c} {_TYPES.get(c, 'INTEGER')} NOT NULL" for c in COUNTS)
    for kind, key in KEYS.items():
        columns = ", ".join(f"{c} {_KEY_TYPES.get(c, 'TEXT')} NOT NULL" for c in key)
        db.execute(f"CREATE TABLE {kind}_rollups ({columns}, visits INTEGER NOT NULL, {counts}, "
                   f"last_date TEXT NOT NULL, PRIMARY KEY ({', '.join(key)})) WITHOUT ROWID")
        for sql in _fill_sql(kind):
            db.execute(sql)
    for sql in (*_visit_triggers(), *_plan_triggers()):
        db.execute(sql)
