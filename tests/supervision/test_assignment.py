"""随机选派 as a pure function: two distinct inspectors per task, never of the subject's town (when configured) nor
with a recorded conflict, balanced loads, reproducible ties, and a clear error when a task cannot be staffed."""

from __future__ import annotations

import pytest

from xinyong.supervision.assignment import AssignmentError, PoolMember, TaskSlot, assign, tie_key

TOWNS = ("440113007", "440113008", "440113009")


def tasks(n: int, town: str | None = None) -> list[TaskSlot]:
    return [TaskSlot(p, 100 + p, town or TOWNS[p % 3]) for p in range(1, n + 1)]


def members(n: int) -> list[PoolMember]:
    return [PoolMember(i, TOWNS[i % 3]) for i in range(1, n + 1)]


def test_two_distinct_inspectors_never_of_the_subjects_town() -> None:
    pool = members(6)
    town = {m.id: m.township_code for m in pool}
    slots = tasks(30)
    chosen = assign(slots, pool, seed="s")
    for slot in slots:
        pair = chosen[slot.position]
        assert len(pair) == 2 and pair[0] != pair[1]
        assert all(town[i] != slot.township_code for i in pair)


def test_town_rule_can_be_switched_off() -> None:
    pool = [PoolMember(1, TOWNS[0]), PoolMember(2, TOWNS[0])]
    with pytest.raises(AssignmentError):
        assign(tasks(1, TOWNS[0]), pool, seed="s")
    assert set(assign(tasks(1, TOWNS[0]), pool, seed="s", avoid_same_township=False)[1]) == {1, 2}


def test_loads_are_balanced_within_one_without_constraints() -> None:
    for n_tasks in (1, 5, 7, 23):
        chosen = assign(tasks(n_tasks), members(7), seed="balance", avoid_same_township=False)
        loads = {i: 0 for i in range(1, 8)}
        for pair in chosen.values():
            for i in pair:
                loads[i] += 1
        assert max(loads.values()) - min(loads.values()) <= 1


def test_existing_open_tasks_count_towards_the_load() -> None:
    pool = members(4)
    chosen = assign(tasks(1), pool, seed="s", avoid_same_township=False, open_tasks={1: 5, 2: 5})
    assert set(chosen[1]) == {3, 4}


def test_conflicts_exclude_the_inspector() -> None:
    pool = members(4)
    slot = TaskSlot(1, 500, None)
    chosen = assign([slot], pool, seed="s", conflicts=[(1, 500), (2, 500)])
    assert set(chosen[1]) == {3, 4}


def test_ties_are_broken_by_the_seeded_key_reproducibly() -> None:
    pool = members(9)
    one = assign(tasks(1, "000000000"), pool, seed="abc")
    assert one == assign(tasks(1, "000000000"), list(reversed(pool)), seed="abc")
    expected = tuple(sorted(range(1, 10), key=lambda i: tie_key("abc", 1, i))[:2])
    assert one[1] == expected


def test_too_few_eligible_inspectors_names_the_task() -> None:
    pool = [PoolMember(1, TOWNS[0]), PoolMember(2, TOWNS[1]), PoolMember(3, TOWNS[1])]
    with pytest.raises(AssignmentError) as caught:
        assign([TaskSlot(1, 10, TOWNS[2]), TaskSlot(2, 11, TOWNS[1])], pool, seed="s")
    assert (caught.value.position, caught.value.subject_id, caught.value.eligible, caught.value.excluded) == (
        2,
        11,
        1,
        2,
    )
    with pytest.raises(AssignmentError) as empty:
        assign(tasks(1), [], seed="s")
    assert empty.value.position is None
