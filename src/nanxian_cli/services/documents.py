"""What the documents for the school need besides the visit: the plan's section titles (主要成绩 is summarised by
section), read from the bundled plan; a plan that cannot be read leaves the sections numbered."""

from __future__ import annotations

from nanxian_cli.core.words import Words


def plan_sections() -> dict[int, Words]:
    """Section number -> its title in both languages ({} when the plan file cannot be read)."""
    from nanxian_cli.errors import NanxianError
    from nanxian_cli.files.checklist_file import load_plan

    try:
        plan = load_plan()
    except NanxianError:
        return {}
    numerals = "一二三四五六七八九十"
    return {s.number: Words(f"{numerals[s.number - 1]}、{s.title.zh}", f"{s.number}. {s.title.en}")
            for s in plan.sections}
