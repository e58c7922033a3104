"""The bundled checklists and the plan: valid, complete, and covering all 21 plan items."""

from __future__ import annotations

import json

import pytest

from nanxian_cli.core.applicability import applies
from nanxian_cli.core.vocab import STAGES
from nanxian_cli.files.checklist_file import load_plan
from nanxian_cli.files.checklist_folder import load_all


@pytest.fixture(scope="module")
def bundled():
    from nanxian_cli.config import bundled_checklists_dir

    return load_all(bundled_checklists_dir())


def test_every_bundled_checklist_validates(cli):
    result = cli("checklist", "validate")
    assert result.exit_code == 0, result.output
    assert "OK: 23 checklist(s)" in result.stdout


def test_required_checklists_exist(bundled):
    ids = {loaded.checklist.id for loaded in bundled}
    assert {"routine-monthly", "special-school-opening", "special-campus-safety", "assessment-kindergarten"} <= ids
    assert sum(1 for i in ids if i.startswith("plan-")) == 5


def test_at_least_120_points(bundled):
    assert sum(len(loaded.checklist.items) for loaded in bundled) >= 120


def test_no_two_checklists_reuse_an_item_id(bundled):
    """Findings are keyed by school + point key: `checklist-id/item-id`, or the library id of a `ref` point. So a
    point id belongs to one checklist (whose versions share it) unless it is a library point used by `ref`."""
    owners: dict[str, set[str]] = {}
    for loaded in bundled:
        for item in loaded.checklist.items:
            owners.setdefault(item.id, set()).add(f"library:{item.ref}" if item.ref else loaded.checklist.id)
    assert [item_id for item_id, owner in owners.items() if len(owner) > 1] == []


def test_every_point_has_both_languages_guidance_and_plan_refs(bundled):
    for loaded in bundled:
        for item in loaded.checklist.items:
            assert item.text.zh.strip() and item.text.en.strip(), item.id
            assert item.guidance is not None, f"{loaded.checklist.id}:{item.id} has no guidance"
            assert item.guidance.zh.strip() and item.guidance.en.strip(), item.id
            assert all(1 <= n <= 21 for n in item.plan), item.id


def test_applies_to_stages_exist(bundled):
    for loaded in bundled:
        rules = [loaded.checklist.applies_to] + [item.applies_to for item in loaded.checklist.items]
        for rule in rules:
            if rule is not None:
                assert set(rule.stages) <= set(STAGES)


def test_coverage_is_21_of_21_with_at_least_3_points_each(cli):
    result = cli("checklist", "coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["covered"] == 21 and data["total"] == 21
    assert [i["number"] for i in data["items"]] == list(range(1, 22))
    thin = {i["number"]: i["points"] for i in data["items"] if i["points"] < 3}
    assert thin == {}


def test_coverage_table_says_21_of_21(cli):
    result = cli("checklist", "coverage")
    assert result.exit_code == 0
    assert "21/21" in result.stdout


def test_plan_has_five_sections_and_21_items():
    plan = load_plan()
    assert [s.number for s in plan.sections] == [1, 2, 3, 4, 5]
    numbers = [i.number for s in plan.sections for i in s.items]
    assert numbers == list(range(1, 22))
    for section in plan.sections:
        for item in section.items:
            assert item.title.zh and item.title.en and item.text and item.targets, item.number


def test_kindergarten_point_does_not_apply_to_a_senior_high_school(bundled):
    senior = {"stages": ["senior"], "boarding": True, "canteen": True, "school_bus": False}
    kindergarten = {"stages": ["kindergarten"], "boarding": False, "canteen": True, "school_bus": False}
    kg = next(loaded.checklist for loaded in bundled if loaded.checklist.id == "assessment-kindergarten")
    assert not applies(kg, senior)
    assert applies(kg, kindergarten)
    kg_points = [item for loaded in bundled for item in loaded.checklist.items
                 if item.applies_to and item.applies_to.stages == ["kindergarten"]]
    assert kg_points, "expected kindergarten-only points"
    assert all(not applies(item, senior) for item in kg_points)


def test_canteen_points_skip_schools_without_a_canteen(bundled):
    no_canteen = {"stages": ["primary"], "boarding": False, "canteen": False, "school_bus": False}
    canteen_points = [item for loaded in bundled for item in loaded.checklist.items
                      if item.applies_to and "canteen" in item.applies_to.requires]
    assert canteen_points
    assert all(not applies(item, no_canteen) for item in canteen_points)


def test_checklist_show_lists_every_point(cli):
    result = cli("checklist", "show", "routine-monthly")
    assert result.exit_code == 0, result.output
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.checklist_folder import find_checklist

    cl = find_checklist(bundled_checklists_dir(), "routine-monthly").checklist
    for item in cl.items:
        assert item.id in result.stdout
