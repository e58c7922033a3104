"""Migration m013: indexes in the orders a terminal's listings show, so that the first 50 rows of a county decade
(141,000 visits, 156,000 findings) are read without sorting every row: the visits newest first (`inspect list`),
the findings critical first, then by deadline (`finding list`, store.finding_lists.SEVERITY_ORDER: an index on the
same expression). Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration


@migration
def m013_visit_order(db) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS idx_visits_date_created ON visits (date, created_at)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_findings_listed ON findings "
               "(CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, due, id)")
