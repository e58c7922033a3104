"""The roster for people: `school list|show` and `inspector list` (Rich, cells are `Text`, never markup)."""

from __future__ import annotations

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.emit import Listing, Record


def _school_rows(schools: list[dict]) -> tuple[list[str], list[list]]:
    columns = ["code", tr("名称", "name"), tr("乡镇", "town"), tr("学段", "stages"), tr("寄宿", "boarding"),
               tr("食堂", "canteen"), tr("校车", "school bus"), tr("性质", "ownership"), tr("集团", "group"),
               tr("责任督学", "inspector"), tr("普惠", "inclusive")]  # a new column goes last: CSV readers keep theirs
    rows = [[s["code"], s["name"], s["town"], " ".join(s["stages"]), s["boarding"], s["canteen"], s["school_bus"],
             s["ownership"], s["group"], s["inspector"], s.get("inclusive", False)] for s in schools]
    return columns, rows


def school_listing(schools: list[dict]) -> Listing:
    """`school list`: JSON is the list; CSV every field; the table keeps codes and names whole."""
    columns, rows = _school_rows(schools)
    return Listing(schools, columns, rows, lambda limit=None: _school_table(schools[:limit]))


def _school_table(schools: list[dict]):
    """The terminal view: attributes in one column so an 80-column terminal keeps codes and names whole."""
    from nanxian_cli.core.vocab import STAGE_LABELS
    from nanxian_cli.render.table import simple_table

    attr_labels = {"boarding": tr("寄宿", "boarding"), "canteen": tr("食堂", "canteen"),
                   "school_bus": tr("校车", "school bus")}
    columns = [tr("代码", "code"), tr("名称", "name"), tr("乡镇", "town"), tr("学段", "stages"),
               tr("条件", "attributes"), tr("集团", "group"), tr("责任督学", "inspector")]
    rows = []
    for s in schools:
        attrs = [text for key, text in attr_labels.items() if s[key]]
        if s["ownership"] == "private":
            attrs.append(tr("民办", "private"))
        if s.get("inclusive"):
            attrs.append(tr("普惠", "inclusive"))
        # Chinese readers get 小学 初中; English keeps the keys that `--stage` accepts
        stages = " ".join(STAGE_LABELS[st][0] if get_lang() == "zh" and st in STAGE_LABELS else st
                          for st in s["stages"])
        rows.append([s["code"], s["name"], s["town"], stages, " ".join(attrs), s["group"], s["inspector"]])
    # Codes, names, towns and inspectors stay on one line; a name longer than the cap still folds.
    return simple_table(None, columns, rows, keep_whole={0: 40, 1: 30, 2: 12, 6: 12})


def school_record(school: dict) -> Record:
    """`school show`: every field as a label/value line."""
    return Record(school, lambda: [_school_fields(school)])


def _school_fields(school: dict):
    from rich.table import Table
    from rich.text import Text

    from nanxian_cli.core.vocab import OWNERSHIP_LABELS, STAGE_LABELS
    from nanxian_cli.i18n import pick
    from nanxian_cli.render.table import printable

    columns, rows = _school_rows([school])
    columns[0] = tr("代码", "code")
    # Chinese readers get 小学 初中 and 公办; English keeps the keys that `--stage` and the roster take (JSON and
    # CSV always keep them)
    if get_lang() == "zh":
        rows[0][3] = " ".join(pick(STAGE_LABELS[st]) if st in STAGE_LABELS else st for st in school["stages"])
        if school["ownership"] in OWNERSHIP_LABELS:
            rows[0][7] = pick(OWNERSHIP_LABELS[school["ownership"]])
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for col, value in zip(columns, rows[0], strict=True):
        if isinstance(value, bool):
            value = tr("是", "yes") if value else tr("否", "no")
        table.add_row(Text(col), Text("—" if value in (None, "") else printable(str(value))))
    return table


def inspector_listing(inspectors: list[dict]) -> Listing:
    """`inspector list`: each supervisor, their phone and the schools they answer for."""
    columns = [tr("姓名", "name"), tr("电话", "phone"), tr("学校数", "schools"), tr("学校", "school names")]
    rows = [[i["name"], i["phone"], i["schools"], "、".join(i["school_names"])] for i in inspectors]
    return Listing(inspectors, columns, rows)
