"""The command groups of the root, in the order of `nanxian --help`: the module whose `app` each one is, and the
help it is listed with. The groups' Typer apps take their help from here, so `nanxian --help` lists them without
importing any of them."""

GROUPS: dict[str, tuple[str, str]] = {
    "checklist": ("nanxian_cli.cli.checklist", "List, show, validate checklists; plan coverage"),
    "school": ("nanxian_cli.cli.school", "Import and look up the school roster"),
    "inspector": ("nanxian_cli.cli.inspector", "Supervisors (责任督学) and their schools"),
    "inspect": ("nanxian_cli.cli.inspect", "Record school visits (interactive or from an answers file); list, show, "
                                           "amend, void, discard a draft"),
    "finding": ("nanxian_cli.cli.finding", "Findings (整改项): list, show; record the 整改报告, resolve (销号), "
                                           "extend, escalate, withdraw, reopen"),
    "evidence": ("nanxian_cli.cli.evidence", "Photos and documents: add to a point of a visit, list, export, verify"),
    "report": ("nanxian_cli.cli.report", "Compliance reports: summary, school, item, matrix, visit, notice, digest"),
    "sync": ("nanxian_cli.cli.sync", "Bundles between laptops and the bureau: export, import, status, conflicts"),
    # a group of one command: listed with its command's first paragraph (the docstring of `demo`)
    "demo": ("nanxian_cli.cli.demo", "Build a demo county (sample schools, supervisors, synthetic visits and "
                                     "findings) and show its reports."),
}


def group_help(name: str) -> str:
    return GROUPS[name][1]
