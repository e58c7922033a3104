"""`nanxian inspector add|list|assign|unassign|rename|remove`: supervisors and the schools they answer for (挂牌)."""

from __future__ import annotations

from typing import Annotated

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import FormatOption, OutputOption
from nanxian_cli.cli.runtime import open_db, today
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.i18n import tr

app = NanxianTyper(name="inspector", lazy=True, no_args_is_help=True, help=group_help("inspector"))


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The supervisor's name")],
    phone: Annotated[str | None, typer.Option("--phone", help="Contact number shown on the school's sign")] = None,
) -> None:
    """Add a supervisor (责任督学); for a name already registered, update the details given."""
    from nanxian_cli.services.people import add_inspector

    with open_db() as store:
        outcome = add_inspector(store, name, phone)
    name = name.strip()
    message = {
        "added": tr(f"已添加督学 {name}", f"Added inspector {name}"),
        "updated": tr(f"已更新督学 {name} 的电话：{phone}", f"Updated inspector {name}: phone {phone}"),
        "unchanged": tr(f"督学 {name} 已存在", f"Inspector {name} already exists"),
    }[outcome]
    console().print(message, markup=False, highlight=False)


@app.command("list")
def list_(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List supervisors and how many schools each answers for."""
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.schools import inspector_listing
    from nanxian_cli.store.schools import list_inspectors

    with open_db(create=False) as store:
        inspectors = list_inspectors(store)
    emit(inspector_listing(inspectors), fmt, output)


@app.command("assign")
def assign(
    name: Annotated[str, typer.Argument(help="The supervisor's name")],
    schools: Annotated[list[str], typer.Argument(help="Schools: code, name, part of the name or pinyin initials")],
) -> None:
    """Make NAME the responsible supervisor (责任督学) of the schools."""
    from nanxian_cli.services.people import assign as assign_schools
    from nanxian_cli.services.people import find_school

    with open_db() as store:
        resolved = [find_school(store, s) for s in schools]
        changes = assign_schools(store, name, [s["code"] for s in resolved], today().isoformat())
    out = console()
    names = {s["code"]: s["name"] for s in resolved}
    for code, previous in changes:
        if previous and previous != name:
            msg = tr(f"{names[code]}（{code}）：责任督学 {previous} → {name}",
                     f"{names[code]} ({code}): inspector {previous} → {name}")
        else:
            msg = tr(f"{names[code]}（{code}）：责任督学 {name}", f"{names[code]} ({code}): inspector {name}")
        out.print(msg, markup=False)


@app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help="The registered name")],
    new: Annotated[str, typer.Argument(help="The new name")],
) -> None:
    """Register a supervisor under a new name; their schools follow. Past visits keep the name they were
    recorded under."""
    from nanxian_cli.services.people import rename_inspector

    with open_db(create=False) as store:
        done = rename_inspector(store, old, new)
    out = console()
    out.print(tr(f"督学 {done['old']} 已改名为 {done['new']}；{done['schools']} 所学校的责任督学随之更新",
                 f"Renamed inspector {done['old']} to {done['new']}; {done['schools']} school(s) follow"),
              markup=False, highlight=False)
    if done["visits"]:
        out.print(tr(f"以往 {done['visits']} 次督导记录仍记在 {done['old']} 名下（记录不改写）",
                     f"{done['visits']} past visit(s) keep the name {done['old']} (records are never rewritten)"),
                  markup=False, highlight=False)


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The supervisor's name")],
    force: Annotated[bool, typer.Option("--force", help="Remove even if schools still have them as their "
                                                        "responsible supervisor (they are left with none)")] = False,
) -> None:
    """Take a supervisor off the register; their past visits are kept under their name."""
    from nanxian_cli.services.people import remove_inspector

    with open_db(create=False) as store:
        done = remove_inspector(store, name, force)
    out = console()
    out.print(tr(f"已删除督学 {done['name']}", f"Removed inspector {done['name']}"), markup=False, highlight=False)
    if done["unassigned"]:
        out.print(tr(f"{len(done['unassigned'])} 所学校暂无责任督学：{'、'.join(done['unassigned'])}",
                     f"{len(done['unassigned'])} school(s) now have no responsible supervisor: "
                     f"{', '.join(done['unassigned'])}"), markup=False, highlight=False)
    if done["visits"]:
        out.print(tr(f"以往 {done['visits']} 次督导记录保留在 {done['name']} 名下",
                     f"{done['visits']} past visit(s) are kept under {done['name']}"), markup=False, highlight=False)


@app.command("unassign")
def unassign(
    name: Annotated[str, typer.Argument(help="The supervisor's name")],
    schools: Annotated[list[str] | None,
                       typer.Argument(help="Schools: code, name, part of the name or pinyin initials")] = None,
    every: Annotated[bool, typer.Option("--all", help="All of this supervisor's schools")] = False,
) -> None:
    """End NAME's responsibility (责任督学) for the schools; they are left with no responsible supervisor."""
    from nanxian_cli.errors import InputError
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.people import unassign as unassign_schools

    if every and schools:
        raise InputError(tr("--all 与学校不能同时给出", "give either schools or --all, not both"))
    with open_db(create=False) as store:
        resolved = [find_school(store, s) for s in schools or []]
        codes = list(dict.fromkeys(s["code"] for s in resolved))
        done = unassign_schools(store, name, codes, every)
        names = {s["code"]: s["name"] for s in resolved}
        if every:
            from nanxian_cli.store.schools import school_names

            names = dict(school_names(store))
    out = console()
    if not done:
        out.print(tr(f"{name.strip()} 没有负责的学校；未做任何改动", f"{name.strip()} has no schools; nothing was "
                                                                  "changed"), markup=False, highlight=False)
    for code in done:
        out.print(tr(f"{names.get(code, code)}（{code}）：不再由 {name.strip()} 负责，暂无责任督学",
                     f"{names.get(code, code)} ({code}): no longer {name.strip()}'s; no responsible supervisor"),
                  markup=False, highlight=False)
