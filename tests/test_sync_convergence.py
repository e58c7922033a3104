"""Convergence: databases that make random visits, amendments, voids and finding resolutions and exchange
bundles in random orders (repeats and out-of-order delivery included) end with the same facts and the same
report numbers once every bundle has reached every database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_counts import assert_rollups_match
from test_sync import export, facts, import_, reports
from visit_helpers import FULL, answers_file, vdir  # noqa: F401

SCHOOLS = ("NX-001", "NX-002", "NX-005")
VALUES = {"t-drill": ("yes", "no"), "t-class": (40, 50, 58, 62), "t-homework": ("light", "heavy"),
          "t-morale": (2, 3, 4)}

op = st.one_of(
    st.tuples(st.just("visit"), st.integers(0, 2), st.integers(0, 2),
              st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()})),
    st.tuples(st.just("amend"), st.integers(0, 2), st.integers(0, 50), st.sampled_from(sorted(VALUES)),
              st.integers(0, 3)),
    st.tuples(st.just("void"), st.integers(0, 2), st.integers(0, 50)),
    st.tuples(st.just("resolve"), st.integers(0, 2), st.integers(0, 50)),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2), st.sampled_from(("last", "all", "again"))),
)


def _pick(db: Path, sql: str, n: int):
    conn = sqlite3.connect(db)
    try:
        found = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return found[n % len(found)] if found else None


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(op, min_size=4, max_size=14))
def test_bundles_exchanged_in_any_order_converge(cli, vdir, db_path, tmp_path_factory, ops):  # noqa: F811
    tmp = tmp_path_factory.mktemp("mesh")
    dbs = [db_path.with_name(f"{tmp.name}-a.db"), tmp / "b.db", tmp / "c.db"]
    # the bureau's roster and supervisors (the fixture's database), copied into a fresh first database
    ref = tmp / "ref.nxb"
    export(cli, db_path, ref, "--reference")
    for db in dbs:
        import_(cli, db, ref)
    sent: list[Path] = []
    day = 0
    for number, (kind, who, *args) in enumerate(ops):
        db = dbs[who]
        if kind == "visit":
            school, answers = args
            day += 1
            path = answers_file(tmp, {**FULL, **answers}, name=f"v{number}.yaml", school=SCHOOLS[school],
                                date=f"2020-10-{day:02d}")
            result = cli("--db", str(db), "inspect", "visit", "--answers", str(path), "--again")
            assert result.exit_code == 0, result.output
        elif kind == "amend":
            pick, item, value = args
            found = _pick(db, "SELECT id FROM visits WHERE status = 'submitted' ORDER BY id", pick)
            if found:
                choices = VALUES[item]
                result = cli("--db", str(db), "inspect", "amend", found[0][:8], item,
                             str(choices[value % len(choices)]), "--reason", f"op {number}", "--by", "李明")
                assert result.exit_code in (0, 2), result.output
        elif kind == "void":
            found = _pick(db, "SELECT id FROM visits WHERE status = 'submitted' ORDER BY id", args[0])
            if found:
                result = cli("--db", str(db), "inspect", "void", found[0][:8], "--reason", f"op {number}",
                             "--by", "李明")
                assert result.exit_code == 0, result.output
        elif kind == "resolve":
            found = _pick(db, "SELECT id, opened FROM findings WHERE status IN ('open', 'reported') ORDER BY uid",
                          args[0])
            if found:
                result = cli("--db", str(db), "finding", "resolve", str(found[0]), "--note", f"op {number}",
                             "--date", "2020-12-20", "--by", "李明")
                assert result.exit_code == 0, result.output
        else:
            target, mode = args
            if mode == "again" and sent:
                import_(cli, dbs[target], sent[number % len(sent)])  # a repeat, possibly out of order
                continue
            out = tmp / f"s{number}.nxb"
            export(cli, db, out, *(["--since", "all"] if mode == "all" else []))
            sent.append(out)
            import_(cli, dbs[target], out)
    # every database finally hears from every other (twice: what was held in the first round is released)
    for round_ in range(2):
        bundles = []
        for i, db in enumerate(dbs):
            out = tmp / f"final{round_}-{i}.nxb"
            export(cli, db, out, "--since", "all")
            bundles.append(out)
        for i, db in enumerate(dbs):
            for j, bundle in enumerate(bundles):
                if i != j:
                    import_(cli, db, bundle)
    first = facts(dbs[0])
    for db in dbs[1:]:
        assert facts(db) == first
    numbers = reports(cli, dbs[0])
    for db in dbs[1:]:
        assert reports(cli, db) == numbers
    for db in dbs:
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("SELECT count(*) FROM sync_held").fetchone() == (0,)
            assert_rollups_match(conn)  # merged bundles keep the monthly and yearly roll-ups equal to a recount
        finally:
            conn.close()
    json.dumps(numbers)  # plain data
