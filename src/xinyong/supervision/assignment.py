"""随机选派: assign inspectors to drawn subjects. A pure function, no database.

For each task in draw order, the eligible inspectors are the active ones of the plan's department that have no
recorded conflict with the subject and — when the rule is on — are not of the subject's town. Of those, the
``per_task`` with the fewest open tasks (earlier tasks of this draw included) are chosen; ties are broken by
``SHA-256("<seed>|<task position>|<inspector id>")`` (hex, smallest first), so the same seed, pool and loads give
the same assignment on any machine. Without conflicts and town limits the loads end within one of each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PoolMember:
    """An active inspector: id and town (None: no town recorded, never excluded by the town rule)."""

    id: int
    township_code: str | None


@dataclass(frozen=True, slots=True)
class TaskSlot:
    """A drawn subject to staff: its position in the draw, id and town."""

    position: int
    subject_id: int
    township_code: str | None


class AssignmentError(ValueError):
    """Too few eligible inspectors for a task (``position``/``subject_id``), or a pool smaller than a task needs."""

    def __init__(self, position: int | None, subject_id: int | None, eligible: int, excluded: int) -> None:
        super().__init__(f"task {position} subject {subject_id}: {eligible} eligible inspectors")
        self.position = position
        self.subject_id = subject_id
        self.eligible = eligible
        self.excluded = excluded


def tie_key(seed: str, position: int, inspector_id: int) -> str:
    """The tie-breaking key of an inspector for a task."""
    return hashlib.sha256(f"{seed}|{position}|{inspector_id}".encode()).hexdigest()


def assign(
    tasks: Sequence[TaskSlot],
    pool: Sequence[PoolMember],
    *,
    seed: str,
    per_task: int = 2,
    avoid_same_township: bool = True,
    conflicts: Iterable[tuple[int, int]] = (),
    open_tasks: Mapping[int, int] | None = None,
) -> dict[int, tuple[int, ...]]:
    """Task position → the ids of its ``per_task`` inspectors (see the module docstring). ``conflicts`` are
    (inspector id, subject id) pairs; ``open_tasks`` the inspectors' current loads. ``AssignmentError`` for the
    first task with fewer than ``per_task`` eligible inspectors (nothing is assigned then)."""
    if len({m.id for m in pool}) < per_task:
        raise AssignmentError(None, None, len({m.id for m in pool}), 0)
    blocked: dict[int, set[int]] = {}
    for inspector_id, subject_id in conflicts:
        blocked.setdefault(subject_id, set()).add(inspector_id)
    load = {m.id: int((open_tasks or {}).get(m.id, 0)) for m in pool}
    chosen: dict[int, tuple[int, ...]] = {}
    for task in tasks:
        excluded = blocked.get(task.subject_id, set())
        eligible = [
            m
            for m in pool
            if m.id not in excluded
            and not (
                avoid_same_township
                and task.township_code is not None
                and m.township_code is not None
                and m.township_code == task.township_code
            )
        ]
        if len(eligible) < per_task:
            raise AssignmentError(task.position, task.subject_id, len(eligible), len(pool) - len(eligible))
        ranked = sorted(eligible, key=lambda m: (load[m.id], tie_key(seed, task.position, m.id)))
        picked = tuple(m.id for m in ranked[:per_task])
        for inspector_id in picked:
            load[inspector_id] += 1
        chosen[task.position] = picked
    return chosen
