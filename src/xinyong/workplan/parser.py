"""Parse a district work-plan text (社会信用体系建设工作要点) into items, sub-tasks, units, deadlines and targets.

Structure recognised (one paragraph per line, as the plan is written):

* the title (first non-empty line, e.g. ``2021年番禺区社会信用体系建设工作要点``; its year must match the year
  being loaded) and the preamble (lines before the first heading);
* chapter headings ``一、…``; items ``（一）title。body`` numbered 一, 二 … in order;
* an item body is a run of sub-tasks, each closed by a unit parenthesis whose clauses end in a role phrase of
  ``rules/workplan.yaml`` (``（区发改局牵头，各镇街、各部门负责）``); units are separated by 、 (also 及, 等);
  a clause without a role phrase takes the next clause's role (``各镇街，区科工商信局等行业主管部门负责``);
* annex lines ``附件：…``; Word bookmark artefacts ``[bookmark: …]`` are removed.

Every other line, an item whose text does not end in a unit parenthesis, a clause whose units have no role, or an
item out of sequence is an *error* with its line number (the plan is not loaded); a unit name that does not
resolve (``workplan.units``) is a *warning* (kept by name).

Deadlines (in the plan's year unless the text names one): ``YYYY年M月D日前``, ``YYYY年底``, ``M月底前``,
``M月D日前``, ``上半年`` (30 June), ``年底前`` / ``年内`` / ``年底`` (31 December). An item's deadline is the earliest
one its text names, else 31 December of the plan's year (工作要点 are annual).

Targets: ``<metric>不超过|不高于|低于|不低于|高于|达到|超过<number><unit>`` and ``<metric>清零|为零`` (value 0).
"""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass, field
from datetime import date

from xinyong.workplan.units import resolve, workplan_rules

DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL = "一二三四五六七八九十"
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_TITLE_YEAR = re.compile(r"(\d{4})年")
_CHAPTER = re.compile(rf"^([{NUMERAL}]+)、(.+)$")
_ITEM = re.compile(rf"^（([{NUMERAL}]+)）(.*)$")
_ANNEX = re.compile(r"^附件[：:](.+)$")
_PAREN = re.compile(r"（([^（）]*)）")
_NAME_SPLIT = re.compile(r"[、及]|等")
COMPARATORS = {"不超过": "<=", "不高于": "<=", "低于": "<", "不低于": ">=", "高于": ">", "达到": ">=", "超过": ">"}
_TARGET = re.compile(
    r"(?P<metric>[^，。；、]*?)(?P<cmp>不超过|不高于|不低于|低于|高于|达到|超过)"
    r"(?P<value>\d+(?:\.\d+)?)(?P<unit>%|‰|个百分点|家|个|项|件|天|日)?"
)
_ZERO = re.compile(r"(?P<metric>[^，。；、]*?)(?:清零|为零)")
_METRIC_NOISE = re.compile(r"^(?:确保|力争|实现|推动)|\d{4}年底|年底前|年底|年内")


def cn_number(text: str) -> int:
    """一 … 九十九 as an int (ValueError otherwise)."""
    if not text or any(c not in NUMERAL for c in text) or text.count("十") > 1:
        raise ValueError(text)
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(text)
        return DIGITS[text]
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        raise ValueError(text)
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def cn_numeral(n: int) -> str:
    """1 … 99 as 一 … 九十九."""
    names = " 一二三四五六七八九"
    if n < 10:
        return names[n]
    tens, ones = divmod(n, 10)
    return f"{names[tens] if tens > 1 else ''}十{names[ones] if ones else ''}"


@dataclass(frozen=True)
class Problem:
    """A line the parser could not place (error) or a unit it could not resolve (warning)."""

    line: int
    item: str  # the item numeral, "" outside items
    message: str

    @property
    def row(self) -> int:  # the shape commands.operator prints row errors in
        return self.line

    field = ""

    @property
    def reason(self) -> str:
        return self.message


@dataclass(frozen=True)
class ParsedUnit:
    """A unit as written, with its role and resolution."""

    role: str
    name: str
    code: str | None
    kind: str
    label: str


@dataclass(frozen=True)
class Target:
    """A measurable target: ``metric comparator value unit`` (value as written, e.g. ``0.005``)."""

    metric: str
    comparator: str
    value: str
    unit: str
    text: str


@dataclass
class Subtask:
    """One sentence group of an item and the units the parenthesis closing it names."""

    text: str
    units: list[ParsedUnit]
    deadline: date | None
    targets: list[Target]


@dataclass
class ParsedItem:
    """One item (一 … 十八) of the plan."""

    number: int
    numeral: str
    chapter: str
    title: str
    body: str
    line: int
    subtasks: list[Subtask] = field(default_factory=list)

    @property
    def units(self) -> list[ParsedUnit]:
        """Every unit once per role, in order of appearance."""
        seen: dict[tuple[str, str], ParsedUnit] = {}
        for task in self.subtasks:
            for u in task.units:
                seen.setdefault((u.role, u.code or u.name), u)
        return list(seen.values())

    @property
    def targets(self) -> list[Target]:
        return [t for task in self.subtasks for t in task.targets]

    def deadline(self, year: int) -> date:
        """The earliest deadline the text names, else the plan year's 31 December."""
        named = [t.deadline for t in self.subtasks if t.deadline is not None]
        return min(named) if named else date(year, 12, 31)

    @property
    def deadline_named(self) -> bool:
        return any(t.deadline is not None for t in self.subtasks)


@dataclass
class ParsedPlan:
    """The outcome: items, plus errors (blocking) and warnings (not blocking), each with a line number."""

    year: int
    title: str = ""
    preamble: str = ""
    annexes: list[str] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def find_deadline(text: str, year: int) -> date | None:
    """The earliest deadline ``text`` names (rules in the module docstring), None if none."""
    found: list[date] = []
    for m in re.finditer(r"(\d{4})年(\d{1,2})月(\d{1,2})日前", text):
        found.append(_safe_date(int(m[1]), int(m[2]), int(m[3])))
    rest = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日前", "", text)
    for m in re.finditer(r"(\d{4})年底", rest):
        found.append(date(int(m[1]), 12, 31))
    rest = re.sub(r"\d{4}年底", "", rest)
    for m in re.finditer(r"(\d{1,2})月(\d{1,2})日前", rest):
        found.append(_safe_date(year, int(m[1]), int(m[2])))
    for m in re.finditer(r"(\d{1,2})月底前", rest):
        month = int(m[1])
        if 1 <= month <= 12:
            found.append(date(year, month, _cal.monthrange(year, month)[1]))
    if "上半年" in rest:
        found.append(date(year, 6, 30))
    if re.search(r"年底前|年内|年底", rest):
        found.append(date(year, 12, 31))
    return min((d for d in found if d is not None), default=None)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_targets(text: str) -> list[Target]:
    """Measurable targets in ``text`` (rules in the module docstring)."""
    out: list[Target] = []
    for m in _TARGET.finditer(text):
        metric = _METRIC_NOISE.sub("", m["metric"]).strip()
        if metric:
            out.append(Target(metric, COMPARATORS[m["cmp"]], m["value"], m["unit"] or "", m[0].strip()))
    for m in _ZERO.finditer(text):
        metric = _METRIC_NOISE.sub("", m["metric"]).strip()
        if metric:
            out.append(Target(metric, "=", "0", "", m[0].strip()))
    return out


def _role_phrases() -> list[tuple[str, str]]:
    return sorted(((r.phrase, r.role) for r in workplan_rules().roles), key=lambda p: -len(p[0]))


def _is_unit_paren(content: str, phrases: list[tuple[str, str]]) -> bool:
    return any(content.endswith(p) for p, _ in phrases)


def _parse_units(content: str, phrases: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str | None]:
    """``[(role, name)]`` of a unit parenthesis, or an error message."""
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for clause in re.split(r"[，；,;]", content):
        clause = clause.strip()
        if not clause:
            continue
        role = next(((p, r) for p, r in phrases if clause.endswith(p)), None)
        names_part = clause[: -len(role[0])] if role else clause
        names = [n.strip() for n in _NAME_SPLIT.split(names_part) if n.strip()]
        if role is None:
            pending.extend(names)
            continue
        names = pending + names
        pending = []
        if not names:
            return [], f"“{clause}”没有写明单位"
        out.extend((role[1], n) for n in names)
    if pending:
        return [], f"单位“{'、'.join(pending)}”没有写明牵头、负责或配合"
    return out, None


def _parse_item(item: ParsedItem, rest: str, plan: ParsedPlan, phrases: list[tuple[str, str]]) -> None:
    head, sep, body = rest.partition("。")
    if not sep or not head.strip():
        plan.errors.append(Problem(item.line, item.numeral, f"条目（{item.numeral}）没有以“。”结束的标题"))
        return
    item.title, item.body = head.strip(), body.strip()
    pos = 0
    for m in _PAREN.finditer(body):
        if not _is_unit_paren(m[1], phrases):
            continue
        text = body[pos : m.start()].strip() or item.title
        pos = m.end()
        pairs, error = _parse_units(m[1], phrases)
        if error:
            plan.errors.append(Problem(item.line, item.numeral, f"条目（{item.numeral}）“（{m[1]}）”：{error}"))
            continue
        units = []
        for role, name in pairs:
            unit = resolve(name)
            if unit.code is None:
                plan.warnings.append(
                    Problem(item.line, item.numeral, f"条目（{item.numeral}）的单位“{name}”未能识别，已按名称保留")
                )
            units.append(ParsedUnit(role, name, unit.code, unit.kind, unit.label))
        item.subtasks.append(Subtask(text, units, find_deadline(text, plan.year), find_targets(text)))
    tail = body[pos:].strip()
    if tail:
        shown = tail if len(tail) <= 40 else tail[:40] + "…"
        plan.errors.append(
            Problem(item.line, item.numeral, f"条目（{item.numeral}）的“{shown}”没有标明责任单位（牵头/负责/配合）")
        )
    elif not item.subtasks and not any(p.item == item.numeral for p in plan.errors):
        plan.errors.append(Problem(item.line, item.numeral, f"条目（{item.numeral}）没有内容和责任单位"))


def parse_plan(text: str, year: int) -> ParsedPlan:
    """Parse ``text`` as the plan of ``year``; problems are collected, never raised."""
    plan = ParsedPlan(year=year)
    phrases = _role_phrases()
    chapter = ""
    seen_heading = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BOOKMARK.sub("", raw).strip()
        if not line:
            continue
        if not plan.title:
            plan.title = line
            m = _TITLE_YEAR.search(line)
            if m and int(m[1]) != year:
                plan.errors.append(Problem(number, "", f"标题中的年份 {m[1]} 与载入年份 {year} 不符"))
            continue
        if m := _ITEM.match(line):
            seen_heading = True
            try:
                n = cn_number(m[1])
            except ValueError:
                plan.errors.append(Problem(number, m[1], f"条目编号（{m[1][:8]}）无法识别"))
                continue
            expected = len(plan.items) + 1
            item = ParsedItem(n, m[1], chapter, "", "", number)
            if n != expected:
                plan.errors.append(
                    Problem(number, m[1], f"条目编号（{m[1]}）不连续：此处应为（{cn_numeral(expected)}）")
                )
            _parse_item(item, m[2], plan, phrases)
            plan.items.append(item)
            continue
        if m := _CHAPTER.match(line):
            seen_heading = True
            chapter = m[2].strip()
            continue
        if m := _ANNEX.match(line):
            plan.annexes.append(m[1].strip())
            continue
        if not seen_heading:
            plan.preamble = f"{plan.preamble}\n{line}".strip()
            continue
        shown = line if len(line) <= 40 else line[:40] + "…"
        plan.errors.append(Problem(number, "", f"无法归入任何条目：“{shown}”"))
    if not plan.items:
        plan.errors.append(Problem(0, "", "文本中没有找到任何“（一）…”形式的条目"))
    return plan
