"""What changed between the facts a report stated and the facts rebuilt from today's data (same parameters):
per section, the rows added, removed and changed (by their stable ``key``, named by their ``title``), and the
基本信息 fields that differ. Only the two fact sets are compared: nothing else is read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

BASIC = "基本信息"


class SectionChange(BaseModel):
    """The differences in one section."""

    section: str = Field(description="栏目名称")
    added: list[str] = Field(default_factory=list, description="出具后新增的信息")
    removed: list[str] = Field(default_factory=list, description="出具后不再属于本栏目的信息")
    changed: list[str] = Field(default_factory=list, description="内容或状态有变化的信息")


def _basic_change(old: list[list[Any]], new: list[list[Any]]) -> SectionChange | None:
    before = {str(pair[0]): pair[1] for pair in old if len(pair) == 2}
    after = {str(pair[0]): pair[1] for pair in new if len(pair) == 2}
    labels = [label for label in {**before, **after} if before.get(label) != after.get(label)]
    return SectionChange(section=BASIC, changed=[f"{label}有变化" for label in labels]) if labels else None


def _rows(section: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(r["key"]): r for r in (section or {}).get("rows", [])}


def _section_change(label: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> SectionChange | None:
    before, after = _rows(old), _rows(new)
    change = SectionChange(
        section=label,
        added=[str(r["title"]) for k, r in after.items() if k not in before],
        removed=[str(r["title"]) for k, r in before.items() if k not in after],
        changed=[str(r["title"]) for k, r in after.items() if k in before and before[k] != r],
    )
    if old is None and new is not None and not change.added:
        change.changed.append("本栏目为新增栏目")
    elif new is None and old is not None and not change.removed:
        change.changed.append("本栏目已不再适用")
    elif (
        old
        and new
        and not (change.added or change.removed or change.changed)
        and (old.get("total"), old.get("summary")) != (new.get("total"), new.get("summary"))
    ):
        change.changed.append(f"统计有变化：{old.get('summary')} → {new.get('summary')}")
    return change if change.added or change.removed or change.changed else None


def diff_facts(old: dict[str, Any], new: dict[str, Any]) -> list[SectionChange]:
    """The sections whose rows or fields differ, in the new facts' order (then sections that disappeared)."""
    changes: list[SectionChange] = []
    basic = _basic_change(old.get("basic", []), new.get("basic", []))
    if basic:
        changes.append(basic)
    before = {str(s["id"]): s for s in old.get("sections", [])}
    after = {str(s["id"]): s for s in new.get("sections", [])}
    for section_id in [*after, *(k for k in before if k not in after)]:
        label = str((after.get(section_id) or before[section_id])["label"])
        change = _section_change(label, before.get(section_id), after.get(section_id))
        if change:
            changes.append(change)
    if not changes and old != new:
        changes.append(SectionChange(section="报告结论", changed=["报告结论或说明有变化"]))
    return changes
