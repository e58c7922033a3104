"""`nanxian inspector add|list|assign`: supervisors and the schools they answer for (挂牌)."""

from __future__ import annotations

from typing import Annotated

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.options import FormatOption, OutputOption
from nanxian_cli.cli.runtime import NanxianTyper, open_db, today
from nanxian_cli.i18n import tr

app = NanxianTyper(name="inspector", no_args_is_help=True, help="Supervisors (责任督学) and their schools")


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
