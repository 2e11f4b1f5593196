"""Synthetic 行政许可 and 行政处罚 records of the demo district, with a known share of late, bad and omitted ones.

Issue #4: "the demo district gains realistic licence and penalty records with a known share of late and bad ones".
``RecordGenerator`` is pure (no database, no clock): from the subjects it is given (``Party``), the departments
(``Authority``), a working-day calendar, a window of dates and a seed it makes every decision and decides its fate:

* ``on_time`` — reported in the department's next regular batch: a department reports an item every ``n`` working
  days, ``n`` being the item's deadline for it (7, or 20 for market-supervision penalties), the least frequent
  schedule that keeps every decision on time;
* ``late`` — reported ``k`` working days after the deadline (``1 ≤ k ≤ MAX_LATE_WORKDAYS``), in the regular batch
  on or after that day; the deadline is ``calendar.deadline(decided_on, item.deadline_for(department))`` (rules.md §3);
* ``bad`` — reported on time but with exactly one error of ``BAD_KINDS`` (invalid USCC check character, a blank
  required field, an end date before its start, a decision date after the reporting day, a value outside an
  enumeration), and never corrected;
* ``omitted`` — never reported, but on the department's reference list (案件/许可台账), so the omission check has
  something to find; its deadline falls before the window's last day, so it is already overdue there.

Counts are exact: of ``D`` decisions of an item, ``round(D × share)`` are late, bad and omitted (disjoint), the rest
on time; every ``Decision`` carries its fate, so tests and the scorecard can be checked against the truth. The
reference list of a department holds its omitted and its loaded (on-time and late) decisions; the bad ones are left
out, so the scorecard's omissions are exactly the omitted ones and a rejected row counts against validity only.
Expected-but-optional fields (catalogue ``expected``) are left blank in a known number of cells (``blank_expected``)
— 公示截止期 on ``PUBLICITY_END_BLANK`` of penalties, 许可编号 on ``LICENCE_NO_BLANK`` of licences.

``load_demo_records(ctx, ...)`` picks the parties from the demo registry, then loads every batch through the real
intake pipeline (``intake.service.submit_rows``, ``partial=True``, ``channel="demo"``) with the context's clock set
to the reporting day, so ``credit_record.reported_on`` is that day, and each department's reference list through
``quality.reference.load_reference``. Every choice comes from ``random.Random`` instances seeded from the demo seed
(one for the subjects drawn from the registry, one for the decisions), so a seed reproduces the records.
"""

from __future__ import annotations

import bisect
import random
import time as time_mod
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.calendar import WorkCalendar, load_calendar
from xinyong.catalog.items import DataItem, load_catalog
from xinyong.codes.uscc import ALPHABET, PLACEHOLDER
from xinyong.demo import casebook as C
from xinyong.errors import InvalidInput
from xinyong.subjects.models import Department, Subject

ITEMS: tuple[str, ...] = ("penalty", "licence")
FATES: tuple[str, ...] = ("on_time", "late", "bad", "omitted")
BAD_KINDS: tuple[str, ...] = ("invalid_uscc", "missing_required", "end_before_start", "future_decision", "unknown_enum")
DEFAULT_LATE_SHARE = 0.08
DEFAULT_BAD_SHARE = 0.03
DEFAULT_OMITTED_SHARE = 0.02
SUBJECTS_PER_PENALTY = 20  # at scale 1.0: one penalty per 20 subjects
SUBJECTS_PER_LICENCE = 10  # and one licence per 10
MAX_LATE_WORKDAYS = 15
MIN_WINDOW_WORKDAYS = 40  # a year with fewer working days up to today is skipped for the one before
HINT_SHARE = 0.85  # decisions of a kind with name hints that go to a subject whose name fits
PUBLICITY_END_BLANK = 0.10
LICENCE_NO_BLANK = 0.05
LONG_VALID = date(2099, 12, 31)  # 有效期至 of an open-ended licence (catalogue help: 长期有效的填写 2099/12/31)
GROUP_WEIGHTS: dict[str, float] = {C.ORG: 0.72, C.IND: 0.24, C.PERSON: 0.04}
CATEGORY_OF_GROUP: dict[str, str] = {C.ORG: "法人及非法人组织", C.IND: "个体工商户", C.PERSON: "自然人"}
GROUP_OF_KIND: dict[str, str] = {
    "legal_person": C.ORG,
    "unincorporated_org": C.ORG,
    "individual_business": C.IND,
    "natural_person": C.PERSON,
}
REPORT_HOUR = time(10, 0)  # batches are sent at 10:00 Beijing time on the reporting day

Progress = Callable[[int, int], None]  # (batches done, batches in all)


class RecordWindowError(InvalidInput):
    """No usable window of working days for the demo records (the calendar covers no recent year)."""


# ------------------------------------------------------------------------------------------------ data


@dataclass(frozen=True)
class Party:
    """A subject as a department names it in a record (``ric`` is the plaintext ID number of a natural person)."""

    subject_id: int | None
    kind: str
    name: str
    uscc: str | None = None
    reg_no: str | None = None
    ric: str | None = None
    legal_representative: str | None = None

    @property
    def group(self) -> str:
        """``org``, ``ind`` or ``person`` (casebook groups)."""
        return GROUP_OF_KIND[self.kind]

    @property
    def code(self) -> str:
        """The USCC, or the 工商注册号 when the subject only has the placeholder; '' for a natural person."""
        if self.uscc and self.uscc != PLACEHOLDER:
            return self.uscc
        return self.reg_no or ""


@dataclass(frozen=True)
class Authority:
    """A department as it signs its decisions."""

    code: str
    name: str
    uscc: str


@dataclass(frozen=True)
class Shares:
    """Shares of an item's decisions that are late, bad and omitted (disjoint; the rest are on time)."""

    late: float = DEFAULT_LATE_SHARE
    bad: float = DEFAULT_BAD_SHARE
    omitted: float = DEFAULT_OMITTED_SHARE

    def __post_init__(self) -> None:
        for name, label in (("late", "迟报"), ("bad", "错误"), ("omitted", "漏报")):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise InvalidInput(f"{label}比例应在 0 至 1 之间（收到 {value}）", field=name)
        if self.late + self.bad + self.omitted > 1:
            raise InvalidInput("迟报、错误、漏报比例之和不能超过 1", field="shares")

    def counts(self, decisions: int) -> dict[str, int]:
        """Exact number of decisions of each fate among ``decisions``."""
        late, bad, omitted = (round(decisions * s) for s in (self.late, self.bad, self.omitted))
        while late + bad + omitted > decisions:  # rounding up three times can overshoot by at most 2
            late -= 1
        return {"on_time": decisions - late - bad - omitted, "late": late, "bad": bad, "omitted": omitted}


@dataclass
class Decision:
    """One decision of a department and what happened to it. ``row`` is what the department sends (field key →
    text); ``reported_on`` is the reporting day (None when omitted)."""

    item_id: str
    department: str
    doc_no: str
    decided_on: date
    deadline: date
    reported_on: date | None
    fate: str
    bad_kind: str | None
    subject_id: int | None
    group: str
    row: dict[str, str]

    @property
    def submitted(self) -> bool:
        return self.fate != "omitted"

    @property
    def loaded(self) -> bool:
        """Whether the intake pipeline should load it (reported, no error)."""
        return self.fate in ("on_time", "late")


@dataclass
class RecordSet:
    """The decisions of one generation, with the parameters that made them."""

    seed: int
    start: date
    end: date
    shares: Shares
    decisions: list[Decision]

    def select(self, item_id: str | None = None, department: str | None = None) -> list[Decision]:
        """Decisions of one item and/or department."""
        return [
            d
            for d in self.decisions
            if (item_id is None or d.item_id == item_id) and (department is None or d.department == department)
        ]

    def counts(self, item_id: str | None = None, department: str | None = None) -> dict[str, int]:
        """Number of decisions by fate, plus ``decisions``, ``submitted``, ``loaded`` and ``blank_expected`` (blank
        expected-field cells among the loaded rows, from the catalogue's ``expected`` flags)."""
        chosen = self.select(item_id, department)
        fates = Counter(d.fate for d in chosen)
        catalog = load_catalog()
        blank = 0
        for d in chosen:
            if d.loaded:
                item = catalog.item(d.item_id)
                blank += sum(1 for f in item.fields if f.expected and not d.row.get(f.key))
        return {
            "decisions": len(chosen),
            **{fate: fates.get(fate, 0) for fate in FATES},
            "submitted": sum(1 for d in chosen if d.submitted),
            "loaded": sum(1 for d in chosen if d.loaded),
            "blank_expected": blank,
        }

    def bad_kinds(self, item_id: str | None = None) -> dict[str, int]:
        """Number of bad rows by kind of error."""
        found = Counter(d.bad_kind for d in self.select(item_id) if d.bad_kind)
        return {kind: found.get(kind, 0) for kind in BAD_KINDS}

    def batches(self) -> list[tuple[date, str, str, list[Decision]]]:
        """(reporting day, department, item, decisions) of every batch, in the order they were sent."""
        groups: dict[tuple[date, str, str], list[Decision]] = defaultdict(list)
        for d in self.decisions:
            if d.reported_on is not None:
                groups[(d.reported_on, d.department, d.item_id)].append(d)
        return [(day, dept, item, groups[(day, dept, item)]) for day, dept, item in sorted(groups)]

    def reference_lists(self) -> dict[tuple[str, str], list[Decision]]:
        """(item, department) → the decisions on that department's reference list (omitted and loaded ones)."""
        lists: dict[tuple[str, str], list[Decision]] = defaultdict(list)
        for d in self.decisions:
            if d.fate != "bad":
                lists[(d.item_id, d.department)].append(d)
        return dict(sorted(lists.items()))


# ------------------------------------------------------------------------------------------------ dates


def record_window(calendar: WorkCalendar, today: date) -> tuple[date, date]:
    """(first, last) day of the decisions: 1 January of the latest year the calendar covers up to ``today``, to
    ``today`` (or 31 December); the year before when that leaves fewer than ``MIN_WINDOW_WORKDAYS``."""
    for year in range(today.year, today.year - 6, -1):
        if not calendar.covers(year):
            continue
        start, end = date(year, 1, 1), min(today, date(year, 12, 31))
        if end >= start and calendar.workdays_between(start, end) >= MIN_WINDOW_WORKDAYS:
            return start, end
    raise RecordWindowError(f"工作日历未覆盖 {today.year} 年及此前五年中可用的年份，无法生成演示许可、处罚记录")


def _plus_years(day: date, years: int) -> date:
    """The day before the same date ``years`` later (a validity of whole years)."""
    try:
        same = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        same = day.replace(year=day.year + years, day=28)
    return same - timedelta(days=1)


def _wan(yuan: int) -> str:
    """An amount in 元 as 万元 text without trailing zeros: 5000 → '0.5', 100000 → '10'."""
    text = format(Decimal(yuan) / Decimal(10000), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------------------------------------------------------ generator


@dataclass
class _Draft:
    """Everything drawn for one decision before documents are numbered."""

    index: int
    item_id: str
    profile: C.DepartmentProfile
    kind: C.ViolationKind | C.LicenceKind
    party: Party
    fate: str
    bad_kind: str | None
    decided_on: date
    deadline: date
    reported_on: date | None
    draws: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


class RecordGenerator:
    """Decisions of the demo district for the given parties and departments (see the module docstring)."""

    def __init__(
        self,
        parties: Sequence[Party],
        authorities: Iterable[Authority],
        *,
        seed: int,
        penalties: int,
        licences: int,
        calendar: WorkCalendar,
        start: date,
        end: date,
        shares: Shares | None = None,
    ) -> None:
        if penalties < 0 or licences < 0:
            raise ValueError("record counts must be ≥ 0")
        self.seed, self.calendar, self.start, self.end = seed, calendar, start, end
        self.shares = shares or Shares()
        self.counts = {"penalty": penalties, "licence": licences}
        self._rng = random.Random(f"xinyong-demo-records:{seed}")
        self._catalog = load_catalog()
        self._authorities = {a.code: a for a in authorities}
        self._pools: dict[str, list[Party]] = {g: [] for g in C.GROUPS}
        self._hinted: dict[tuple[int, str], list[Party]] = {}
        for party in parties:
            if party.group == C.PERSON and not party.ric:
                continue
            if party.group == C.ORG and not (party.uscc and party.uscc != PLACEHOLDER):
                continue
            self._pools[party.group].append(party)
        if (penalties or licences) and not self._pools[C.ORG]:
            raise ValueError("no organisation with a valid code among the parties")
        self._workdays = [
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if calendar.is_workday(start + timedelta(days=i))
        ]
        if not self._workdays:
            raise RecordWindowError(f"{start} 至 {end} 之间没有工作日")
        # Every deadline must lie in a year the calendar covers: decisions stop early enough before its end.
        year_end = date(end.year, 12, 31)
        self._last_decision = end
        if not calendar.covers(end.year + 1):
            longest = max(self._item(i).deadline_for(p.code) for i in ITEMS for p in C.PROFILES)
            self._last_decision = min(end, calendar.add_workdays(year_end, -longest))

    # -- small draws
    def _item(self, item_id: str) -> DataItem:
        return self._catalog.item(item_id)

    def _weighted(self, options: Sequence[Any], weights: Sequence[float]) -> Any:
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        return options[bisect.bisect_right(cum, self._rng.random() * total)]

    def _pick(self, options: Sequence[Any]) -> Any:
        return options[int(self._rng.random() * len(options))]

    def _workday(self, last: date) -> date:
        """A working day of the window, uniformly, not after ``last``."""
        n = bisect.bisect_right(self._workdays, last)
        if n == 0:
            raise RecordWindowError(f"{self.start} 至 {last} 之间没有可用的工作日（窗口过短）")
        return self._workdays[int(self._rng.random() * n)]

    def _report_day(self, day: date, cadence: int) -> date:
        """The first reporting day on or after working day ``day`` when a department reports every ``cadence``
        working days (the ``cadence``-th, 2×``cadence``-th … working day of the window), or the window's last
        working day. Reporting every deadline-length period keeps every decision on time, with the fewest
        batches."""
        i = bisect.bisect_left(self._workdays, day)
        j = (i // cadence + 1) * cadence - 1
        return self._workdays[min(j, len(self._workdays) - 1)]

    # -- decisions
    def _profiles(self, item_id: str) -> list[C.DepartmentProfile]:
        found = []
        for p in C.PROFILES:
            kinds = p.violations if item_id == "penalty" else p.licences
            weight = p.penalty_weight if item_id == "penalty" else p.licence_weight
            if kinds and weight > 0 and p.code in self._authorities:
                found.append(p)
        return found

    def _kind_and_party(
        self, item_id: str, profile: C.DepartmentProfile, need_code: bool
    ) -> tuple[C.ViolationKind | C.LicenceKind, Party]:
        kinds: Sequence[C.ViolationKind | C.LicenceKind] = (
            profile.violations if item_id == "penalty" else profile.licences
        )
        available = [g for g in C.GROUPS if self._pools[g]]
        if need_code:  # an invalid-USCC row needs a subject that has a code
            available = [C.ORG]
        usable = [k for k in kinds if set(k.groups) & set(available)]
        if not usable:  # no subject of this department's kinds of holder: an organisation instead
            kind = self._weighted(kinds, [k.weight for k in kinds])
            return kind, self._party(kind, C.ORG)
        kind = self._weighted(usable, [k.weight for k in usable])
        groups = [g for g in kind.groups if g in available]
        fitting = [g for g in groups if self._fitting(kind, g)]  # groups with subjects whose names fit the kind
        if fitting:
            groups = fitting
        group = self._weighted(groups, [GROUP_WEIGHTS[g] for g in groups])
        return kind, self._party(kind, group)

    def _fitting(self, kind: C.ViolationKind | C.LicenceKind, group: str) -> list[Party]:
        """Subjects of ``group`` whose names contain one of the kind's ``hints`` (a 餐饮 shop for a food licence)."""
        key = (id(kind), group)
        found = self._hinted.get(key)
        if found is None:
            hints = kind.hints
            found = [p for p in self._pools[group] if any(h in p.name for h in hints)] if hints else []
            self._hinted[key] = found
        return found

    def _party(self, kind: C.ViolationKind | C.LicenceKind, group: str) -> Party:
        """A subject of ``group``: with ``HINT_SHARE`` one whose name fits the kind, when there is one."""
        fitting = self._fitting(kind, group)
        if fitting and self._rng.random() < HINT_SHARE:
            return self._pick(fitting)
        return self._pick(self._pools[group])

    def _draft(self, index: int, item_id: str, fate: str, bad_kind: str | None, profiles: list) -> _Draft:
        rng, cal = self._rng, self.calendar
        weights = [p.penalty_weight if item_id == "penalty" else p.licence_weight for p in profiles]
        profile = self._weighted(profiles, weights)
        kind, party = self._kind_and_party(item_id, profile, bad_kind == "invalid_uscc")
        workdays = self._item(item_id).deadline_for(profile.code)
        if fate == "late":
            k = 1 + int(rng.random() * MAX_LATE_WORKDAYS)
            decided = self._workday(min(self._last_decision, cal.add_workdays(self.end, -(workdays + k))))
            deadline = cal.deadline(decided, workdays)
            reported: date | None = self._report_day(cal.add_workdays(deadline, k), workdays)
        elif fate == "omitted":  # due before the window's last day, so an omission check run then finds it
            decided = self._workday(min(self._last_decision, cal.add_workdays(self.end, -(workdays + 1))))
            deadline = cal.deadline(decided, workdays)
            reported = None
        else:
            decided = self._workday(self._last_decision)
            deadline = cal.deadline(decided, workdays)
            reported = min(self._report_day(decided, workdays), deadline)
        draws: dict[str, Any] = {
            "d1": decided - timedelta(days=10 + int(rng.random() * 50)),
            "n": 2 + int(rng.random() * 28),
            "v": (1 + int(rng.random() * 90)) * 100,
            "r": f"{int(rng.random() * 10000):04d}",
            "scope": self._pick(kind.scopes) if isinstance(kind, C.LicenceKind) else "",
            "blank_expected": rng.random(),
            "bad_offset": 1 + int(rng.random() * (len(ALPHABET) - 1)),
            "bad_days": 1 + int(rng.random() * 20),
        }
        if isinstance(kind, C.ViolationKind):
            draws["fine"] = self._pick(kind.fines) if kind.fines else None
            lo_hi = kind.confiscated
            draws["conf"] = (lo_hi[0] + int(rng.random() * (lo_hi[1] - lo_hi[0]))) if lo_hi else None
        return _Draft(index, item_id, profile, kind, party, fate, bad_kind, decided, deadline, reported, draws)

    def generate(self) -> RecordSet:
        """Every decision, numbered per department and item in date order."""
        drafts: list[_Draft] = []
        bad_seen = 0  # the kinds of error cycle over every bad row, across items
        for item_id in ITEMS:
            total = self.counts[item_id]
            profiles = self._profiles(item_id)
            if not total or not profiles:
                continue
            quota = self.shares.counts(total)
            fates = [fate for fate in FATES for _ in range(quota[fate])]
            self._rng.shuffle(fates)
            for fate in fates:
                bad_kind = None
                if fate == "bad":
                    bad_kind = BAD_KINDS[bad_seen % len(BAD_KINDS)]
                    bad_seen += 1
                drafts.append(self._draft(len(drafts), item_id, fate, bad_kind, profiles))
        by_key: dict[tuple[str, str], list[_Draft]] = defaultdict(list)
        for d in drafts:
            by_key[(d.item_id, d.profile.code)].append(d)
        for group in by_key.values():
            for seq, d in enumerate(sorted(group, key=lambda x: (x.decided_on, x.index)), start=1):
                d.seq = seq
        decisions = [self._decision(d) for d in drafts]
        return RecordSet(seed=self.seed, start=self.start, end=self.end, shares=self.shares, decisions=decisions)

    def stream(self, item_id: str, count: int) -> Iterator[dict[str, str]]:
        """``count`` valid, on-time rows of ``item_id``, numbered per department in the order they are made — one
        at a time, for files of any length (benchmarks); no fates, no truth kept."""
        profiles = self._profiles(item_id)
        if not profiles:
            raise ValueError(f"no department of the casebook issues {item_id}")
        seqs: Counter[str] = Counter()
        for index in range(count):
            draft = self._draft(index, item_id, "on_time", None, profiles)
            seqs[draft.profile.code] += 1
            draft.seq = seqs[draft.profile.code]
            yield self._decision(draft).row

    # -- rows
    def _decision(self, d: _Draft) -> Decision:
        authority = self._authorities[d.profile.code]
        prefix = d.profile.penalty_doc if d.item_id == "penalty" else d.profile.licence_doc
        doc_no = f"{prefix}〔{d.decided_on.year}〕{d.seq}号"
        party = d.party
        row: dict[str, str] = {
            "subject_name": party.name,
            "subject_category": CATEGORY_OF_GROUP[party.group],
            "uscc": party.uscc or "",
            "reg_no": (party.reg_no or "") if party.uscc == PLACEHOLDER else "",
            "legal_representative": (party.legal_representative or "") if party.group != C.PERSON else "",
            "id_type": "身份证" if party.group == C.PERSON else "",
            "id_number": (party.ric or "") if party.group == C.PERSON else "",
            "doc_no": doc_no,
        }
        text = {**d.draws, "d1": _cn_date(d.draws["d1"]), "year": d.decided_on.year, "seq": d.seq}
        if isinstance(d.kind, C.ViolationKind):
            row.update(self._penalty_fields(d, d.kind, text))
        else:
            row.update(self._licence_fields(d, d.kind, text, party))
        row.update(
            authority=authority.name,
            authority_uscc=authority.uscc,
            source_department=authority.name,
            source_department_uscc=authority.uscc,
            remarks="",
        )
        if d.bad_kind:
            self._spoil(row, d)
        return Decision(
            item_id=d.item_id,
            department=d.profile.code,
            doc_no=doc_no,
            decided_on=d.decided_on,
            deadline=d.deadline,
            reported_on=d.reported_on,
            fate=d.fate,
            bad_kind=d.bad_kind,
            subject_id=party.subject_id,
            group=party.group,
            row=row,
        )

    @staticmethod
    def _penalty_fields(d: _Draft, kind: C.ViolationKind, text: dict[str, Any]) -> dict[str, str]:
        fine, conf = d.draws["fine"], d.draws["conf"]
        publicity_end = d.decided_on + timedelta(days=kind.publicity_days)
        return {
            "violation_type": kind.violation,
            "violation_facts": kind.facts.format(**text),
            "legal_basis": kind.basis,
            "penalty_category": kind.category,
            "content": kind.content.format(**text),
            "fine_amount": _wan(fine) if fine else "",
            "confiscated_amount": _wan(conf) if conf else "",
            "licence_affected": kind.affected,
            "decided_on": d.decided_on.isoformat(),
            "valid_until": (d.decided_on + timedelta(days=kind.valid_days)).isoformat(),
            "publicity_end": "" if d.draws["blank_expected"] < PUBLICITY_END_BLANK else publicity_end.isoformat(),
        }

    @staticmethod
    def _licence_fields(d: _Draft, kind: C.LicenceKind, text: dict[str, Any], party: Party) -> dict[str, str]:
        valid_to = LONG_VALID if kind.years is None else _plus_years(d.decided_on, kind.years)
        number = kind.number.format(**text, code=party.code)
        content = kind.content.format(**text)
        if kind.basis:
            content += f"（许可依据：{kind.basis}）"
        return {
            "decision_title": kind.title,
            "licence_category": kind.category,
            "certificate_name": kind.certificate,
            "licence_no": "" if d.draws["blank_expected"] < LICENCE_NO_BLANK else number,
            "content": content,
            "decided_on": d.decided_on.isoformat(),
            "valid_from": d.decided_on.isoformat(),
            "valid_to": valid_to.isoformat(),
            "status": "有效",
        }

    def _spoil(self, row: dict[str, str], d: _Draft) -> None:
        """Plant exactly one error of kind ``d.bad_kind`` (field choices come from the catalogue)."""
        item = self._item(d.item_id)
        roles = item.roles
        if d.bad_kind == "invalid_uscc":
            code = row["uscc"]
            wrong = ALPHABET[(ALPHABET.index(code[17]) + d.draws["bad_offset"]) % len(ALPHABET)]
            row["uscc"] = code[:17] + wrong
        elif d.bad_kind == "missing_required":
            identity = {roles.subject_name, roles.document, roles.authority, roles.source_department}
            candidates = [f.key for f in item.fields if f.required and f.type == "text" and f.key not in identity]
            row[candidates[d.seq % len(candidates)]] = ""
        elif d.bad_kind == "end_before_start":
            order = item.date_order[0]
            start = date.fromisoformat(row[order.start])
            row[order.end] = (start - timedelta(days=30 + 10 * d.draws["bad_days"])).isoformat()
        elif d.bad_kind == "future_decision":
            assert d.reported_on is not None
            row[roles.decided_on] = (d.reported_on + timedelta(days=d.draws["bad_days"])).isoformat()
        elif d.bad_kind == "unknown_enum":
            key, value = C.BAD_ENUMS[d.item_id]
            spec = item.field(key)
            assert value not in spec.values and value not in spec.value_codes
            row[key] = value
        else:  # pragma: no cover - BAD_KINDS is closed
            raise ValueError(d.bad_kind)


# ------------------------------------------------------------------------------------------------ registry


def record_counts(subjects: int, scale: float = 1.0) -> tuple[int, int]:
    """(penalties, licences) for a registry of ``subjects`` at ``scale`` (1.0: one per 20 and one per 10)."""
    if scale < 0:
        raise InvalidInput("记录规模系数不能为负", field="scale")
    return round(subjects * scale / SUBJECTS_PER_PENALTY), round(subjects * scale / SUBJECTS_PER_LICENCE)


def authorities(session: Session) -> list[Authority]:
    """The registered departments that have a casebook profile, by code."""
    codes = [p.code for p in C.PROFILES]
    rows = session.execute(
        select(Department.code, Department.name, Department.uscc).where(Department.code.in_(codes))
    ).all()
    return sorted((Authority(code, name, uscc) for code, name, uscc in rows), key=lambda a: a.code)


def parties(session: Session, wanted: int, seed: int) -> list[Party]:
    """About ``wanted`` demo subjects drawn by id with ``seed``: 存续, with a valid code (or the placeholder and a
    registration number, or an ID number), and no code shared with another subject. ID numbers are decrypted."""
    lo, hi = session.execute(select(func.min(Subject.id), func.max(Subject.id)).where(Subject.source == "demo")).one()
    if lo is None or wanted <= 0:
        return []
    rng = random.Random(f"xinyong-demo-parties:{seed}")
    span = hi - lo + 1
    ids = sorted(rng.sample(range(lo, hi + 1), min(span, wanted)))
    found: list[Party] = []
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        rows = session.execute(
            select(
                Subject.id,
                Subject.kind,
                Subject.name,
                Subject.uscc,
                Subject.uscc_problems,
                Subject.reg_no,
                Subject.ric_cipher,
                Subject.legal_representative,
            )
            .where(Subject.id.in_(chunk), Subject.source == "demo", Subject.status == "存续")
            .where(Subject.kind.in_(tuple(GROUP_OF_KIND)))
            .order_by(Subject.id)
        ).all()
        codes = [r.uscc for r in rows if r.uscc and r.uscc != PLACEHOLDER]
        shared = set(
            session.scalars(
                select(Subject.uscc).where(Subject.uscc.in_(codes)).group_by(Subject.uscc).having(func.count() > 1)
            )
        )
        for r in rows:
            if r.kind == "natural_person":
                if r.ric_cipher:
                    found.append(Party(r.id, r.kind, r.name, ric=pii.decrypt(r.ric_cipher)))
                continue
            valid = r.uscc_problems == "" or (r.uscc == PLACEHOLDER and r.reg_no)
            if valid and r.uscc not in shared:
                found.append(Party(r.id, r.kind, r.name, r.uscc, r.reg_no, None, r.legal_representative))
    return found


def generate_for_registry(
    session: Session,
    seed: int,
    *,
    today: date,
    scale: float = 1.0,
    shares: Shares | None = None,
    subjects: int | None = None,
) -> RecordSet:
    """The record set for the demo subjects in the database (``subjects``: the registry size it scales with,
    default the number of demo subjects)."""
    if subjects is None:
        subjects = session.scalar(select(func.count()).select_from(Subject).where(Subject.source == "demo")) or 0
    penalties, licences = record_counts(subjects, scale)
    calendar = load_calendar(session)
    start, end = record_window(calendar, today)
    chosen = parties(session, penalties + licences + 100, seed) if penalties + licences else []
    if not chosen or not any(p.group == C.ORG for p in chosen):
        penalties = licences = 0
    generator = RecordGenerator(
        chosen,
        authorities(session),
        seed=seed,
        penalties=penalties,
        licences=licences,
        calendar=calendar,
        start=start,
        end=end,
        shares=shares,
    )
    return generator.generate()


# ------------------------------------------------------------------------------------------------ loading


@dataclass
class RecordSummary:
    """What ``load_demo_records`` did: the truth (``expected``, by item) beside what the pipeline reported."""

    seed: int
    start: date | None = None
    end: date | None = None
    decisions: int = 0
    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    held: int = 0
    warnings: int = 0
    reference_rows: int = 0
    expected: dict[str, dict[str, int]] = field(default_factory=dict)
    bad_kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _at(day: date) -> datetime:
    """10:00 in China on ``day``, as the aware UTC time a ``Context`` carries."""
    return datetime.combine(day, REPORT_HOUR, tzinfo=clock.CHINA_TZ).astimezone(UTC)


def reference_row(decision: Decision) -> dict[str, str]:
    """A reference-list entry for one decision (文书号, 决定日期, 相对人名称)."""
    return {
        "doc_no": decision.doc_no,
        "decided_on": decision.decided_on.isoformat(),
        "subject_name": decision.row["subject_name"],
    }


def load_record_set(ctx: Context, records: RecordSet, *, progress: Progress | None = None) -> RecordSummary:
    """Send every batch through the intake pipeline on its reporting day, then upload the reference lists."""
    from xinyong.intake.service import submit_rows  # the intake pipeline (issue #4)
    from xinyong.quality.reference import load_reference

    started = time_mod.perf_counter()
    ids: dict[str, int] = {}
    names: dict[str, str] = {}
    for code, dept_id, name in ctx.session.execute(select(Department.code, Department.id, Department.name)):
        ids[code], names[code] = dept_id, name
    summary = RecordSummary(seed=records.seed, start=records.start, end=records.end, decisions=len(records.decisions))
    batches = records.batches()
    for n, (day, dept, item_id, decisions) in enumerate(batches, start=1):
        batch_ctx = replace(ctx, at=_at(day), request_id=uuid.uuid4().hex)
        result = submit_rows(batch_ctx, item_id, ids[dept], [d.row for d in decisions], partial=True, channel="demo")
        summary.batches += 1
        summary.accepted += result.accepted
        summary.rejected += result.rejected
        summary.unchanged += result.unchanged
        summary.held += result.held
        summary.warnings += len(result.warnings)
        if progress:
            progress(n, len(batches))
    catalog = load_catalog()
    for (item_id, dept), decisions in records.reference_lists().items():
        list_name = f"{names[dept]}{records.start.year}年{catalog.item(item_id).name}台账（演示）"
        load_reference(ctx, item_id, ids[dept], [reference_row(d) for d in decisions], list_name=list_name)
        summary.reference_rows += len(decisions)
    summary.expected = {item_id: records.counts(item_id) for item_id in ITEMS}
    summary.bad_kinds = records.bad_kinds()
    summary.seconds = round(time_mod.perf_counter() - started, 3)
    return summary


def load_demo_records(
    ctx: Context,
    seed: int,
    *,
    scale: float = 1.0,
    shares: Shares | None = None,
    subjects: int | None = None,
    progress: Progress | None = None,
) -> RecordSummary:
    """Generate the demo district's licence and penalty records from ``seed`` and load them through the intake
    pipeline (see the module docstring). Needs ``demo.load``; one audit event records the seed and the truth.
    The caller commits."""
    require(ctx, "demo.load")
    records = generate_for_registry(ctx.session, seed, today=ctx.today, scale=scale, shares=shares, subjects=subjects)
    summary = load_record_set(ctx, records, progress=progress)
    audit.record(
        ctx,
        "demo.records",
        "registry",
        "demo",
        {
            "seed": seed,
            "scale": scale,
            "window": [records.start.isoformat(), records.end.isoformat()],
            "shares": {"late": records.shares.late, "bad": records.shares.bad, "omitted": records.shares.omitted},
            "expected": summary.expected,
            "bad_kinds": summary.bad_kinds,
            "batches": summary.batches,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "reference_rows": summary.reference_rows,
        },
    )
    return summary
