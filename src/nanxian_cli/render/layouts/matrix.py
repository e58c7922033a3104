"""The layout of `report matrix`: the heat map and the county's rate per plan item."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.document import Column, Document, Section, filters_meta, period_text
from nanxian_cli.render.labels import shown_filters


def layout(data: dict) -> Document:
    titles = data["column_titles"]
    plan_cols = [Column(str(n), str(n), "rate", title=titles[str(n)]) for n in data["columns"]]
    # rank: the mean of the row's plan-item rates, which picks the worst schools when a terminal shows only some
    flat = [{"code": r["code"], "name": r["name"], "town": r["town"], **r["cells"], "rank": _mean(r["cells"])}
            for r in data["rows"]]
    grid = Section(
        "matrix", tr("学校 × 工作要点 合格率", "Compliance by school and plan item"),
        [Column("code", tr("代码", "code")), Column("name", tr("学校", "school")), Column("town", tr("乡镇", "town"))]
        + plan_cols,
        flat, layout="matrix", empty=tr("没有学校", "No schools"), sheet=tr("热力图", "Matrix"), rank="rank",
    )
    county = Section(
        "county", tr("全县各工作要点合格率", "County compliance by plan item"),
        [Column("number", tr("要点", "no."), "int"), Column("title", tr("工作要点", "plan item")),
         Column("compliance_rate", tr("合格率", "compliance"), "rate")],
        [{"number": n, "title": titles[str(n)], "compliance_rate": data["county"][str(n)]} for n in data["columns"]],
        sheet=tr("全县", "County"),
    )
    return Document(
        kind="matrix", title=tr("督导热力图：学校 × 21项工作要点", "Heat map: schools x the 21 plan items"),
        meta=[(tr("期间", "Period"), period_text(data["period"]))] + filters_meta(shown_filters(data["filters"])),
        sections=[grid, county], csv_sections=["matrix"], landscape=True,
    )


def _mean(cells: dict) -> float | None:
    rates = [v for v in cells.values() if v is not None]
    return sum(rates) / len(rates) if rates else None
