"""Row checks of intake (校核): a file's columns mapped to catalogue fields, each row normalised and validated.

Every rule comes from the catalogue (``xinyong.catalog.items``, the item YAML cites its sources): required and
``required_when``, ``max_length``, enumeration values and codes, ``not_future``, ``date_order`` and the field
types (``xinyong.intake.normalise``). Codes are checked by ``xinyong.codes`` (rules.md §1): a USCC by all of
GB 32100-2015 (the Fujian pilot codes and unlisted divisions are warnings), an ID number as a resident ID
(GB 11643) when its 证件类型 is 身份证, else only for length and characters. The USCC placeholder
``00000000000000000X`` (rules.md §1) is accepted where a ``required_when`` condition refers to it (the
subject's code, which then makes 工商注册号 required) but never where the code itself is required.

Speed (the benchmark target: 1,000,000 rows end to end at ≥ 50,000 rows/s): everything that depends only on
the item is compiled once in :class:`RowChecker`; per row, text fields take a tight inline loop, ISO dates a
slice test, ASCII codes skip NFKC and USCC verdicts are cached (the same codes repeat in a batch).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from xinyong.catalog.items import DataItem, FieldSpec
from xinyong.codes.result import PROBLEM_MESSAGES, WARNING_MESSAGES
from xinyong.codes.ric import ric_check_char, ric_findings
from xinyong.codes.uscc import ALPHABET, PLACEHOLDER, org_check_char, uscc_check_char, uscc_problems
from xinyong.intake import normalise
from xinyong.intake.normalise import PADDING, EnumValues, NormaliseError
from xinyong.intake.parse import FileProblem, RawRow

ERROR = "error"
WARNING = "warning"
#: The 证件类型 whose numbers are resident ID numbers checked by GB 11643 (rules.md §1).
RESIDENT_ID_TYPE = "身份证"
#: Other identity documents (passports, 通行证, ...): letters, digits, brackets; at least this long.
_OTHER_ID = re.compile(r"[0-9A-Z()]+", re.ASCII)
_OTHER_ID_MIN = 5
# Markers a template or a department adds to a header: "*", "(必填)", ... (after NFKC).
_HEADER_MARKS = ("*", "(必填)", "(选填)", "(条件必填)", "(非必填)")
_REQUIRED = "为必填项，不能为空"
_VERDICT_CACHE_SIZE = 1 << 18  # distinct codes remembered (~30 MB at most): a large batch repeats its subjects
_verdicts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_CLEAN: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # the verdict of every valid code without warnings


# --- columns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds which field: ``index_by_key`` field key → column index, ``label_by_key`` field key →
    the header as the file wrote it, ``ignored`` headers that match no field, ``headers`` every header in order."""

    index_by_key: dict[str, int]
    label_by_key: dict[str, str]
    ignored: tuple[str, ...]
    headers: tuple[str, ...] = ()


def header_key(text: str) -> str:
    """The form headers are compared in: half-width, no spaces, no ``*`` / ``（必填）`` markers, lower-case."""
    s = "".join(unicodedata.normalize("NFKC", text).split())
    changed = True
    while changed and s:
        changed = False
        for mark in _HEADER_MARKS:
            if s.endswith(mark):
                s, changed = s[: -len(mark)], True
            if s.startswith(mark):
                s, changed = s[len(mark) :], True
    return s.lower()


def _needs_column(spec: FieldSpec) -> bool:
    """Only unconditionally required fields need a column: a file of companies alone may leave out 证件号码;
    a missing conditionally required column reads as blank, so a row that needs it gets its own error."""
    return spec.required


def map_columns(item: DataItem, headers: Sequence[str], *, defaulted: Collection[str] = ()) -> ColumnMap:
    """Match headers to the item's fields by Chinese label or English key (markers and width ignored).

    Raises :class:`FileProblem` naming every missing column of a required field
    (except the ``defaulted`` keys, which the checker fills from its defaults) and for two columns of one
    field. Headers that match no field are returned in ``ignored``.
    """
    wanted: dict[str, str] = {}
    for spec in item.fields:
        wanted[header_key(spec.label)] = spec.key
    for spec in item.fields:
        wanted.setdefault(header_key(spec.key), spec.key)
    index_by_key: dict[str, int] = {}
    label_by_key: dict[str, str] = {}
    ignored: list[str] = []
    clashes: list[str] = []
    for i, header in enumerate(headers):
        key = wanted.get(header_key(header))
        if key is None:
            if header.strip(PADDING):
                ignored.append(header)
        elif key in index_by_key:
            first = index_by_key[key]
            clashes.append(
                f"第 {first + 1} 列“{headers[first]}”和第 {i + 1} 列“{header}”都对应字段“{item.field(key).label}”"
            )
        else:
            index_by_key[key] = i
            label_by_key[key] = header
    if clashes:
        raise FileProblem(f"表头重复：{'；'.join(clashes)}")
    missing = [
        s.label for s in item.fields if _needs_column(s) and s.key not in index_by_key and s.key not in defaulted
    ]
    if missing:
        raise FileProblem(f"缺少必填列：{'、'.join(missing)}。请使用“{item.name}”的报送模板，表头须与模板一致")
    return ColumnMap(index_by_key, label_by_key, tuple(ignored), tuple(headers))


# --- results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem of a row: ``field`` is the field's Chinese label ('' for the row as a whole)."""

    field: str
    reason: str
    level: str  # 'error' | 'warning'


class CheckedRow:
    """A checked row: ``values`` field key → normalised text (``None`` when blank or invalid), ``issues``, and
    ``raw`` header → the cell text as sent.

    Constructed like a dataclass (``CheckedRow(row_no, values, issues, raw)``) and compared by those four; the
    checker passes the headers and cells instead of ``raw``, which is then built on first use: only rejected
    rows need it, and building it for every row cost a sixth of the check.
    """

    __slots__ = ("_cells", "_headers", "_raw", "issues", "row_no", "values")

    def __init__(
        self,
        row_no: int,
        values: dict[str, str | None],
        issues: list[Issue],
        raw: dict[str, str] | None = None,
        *,
        headers: Sequence[str] = (),
        cells: Sequence[str] = (),
    ) -> None:
        self.row_no = row_no
        self.values = values
        self.issues = issues
        self._raw = raw
        self._headers = headers
        self._cells = cells

    @property
    def raw(self) -> dict[str, str]:
        """Header → the cell text as sent."""
        if self._raw is None:
            self._raw = dict(zip(self._headers, self._cells, strict=False))
        return self._raw

    @raw.setter
    def raw(self, value: dict[str, str]) -> None:
        self._raw = value

    @property
    def ok(self) -> bool:
        """No error-level issue (warnings allowed)."""
        return not any(issue.level == ERROR for issue in self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == WARNING]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckedRow):
            return NotImplemented
        mine = (self.row_no, self.values, self.issues, self.raw)
        return mine == (other.row_no, other.values, other.issues, other.raw)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        return f"CheckedRow(row_no={self.row_no!r}, values={self.values!r}, issues={self.issues!r}, raw={self.raw!r})"


# --- code checks -------------------------------------------------------------------------------------------


def _uscc_reason(label: str, code: str, problems: Sequence[str]) -> str:
    """Specific Chinese sentences for USCC problem tokens (rules.md §1)."""
    parts: list[str] = []
    for token in problems:
        if token == "length":
            parts.append(f"{label}应为18位，实为{len(code)}位")
        elif token == "charset":
            parts.append(f"{label}含有不允许的字符（只能用数字和大写字母，不含 I、O、Z、S、V）")
        elif token == "authority_type":
            parts.append(f"{label}第1–2位“{code[:2]}”不是有效的登记管理部门和机构类别组合（GB 32100-2015）")
        elif token == "division":
            parts.append(f"{label}第3–8位行政区划代码 {code[2:8]} 不存在（GB/T 2260）")
        elif token == "org_check_char" and all(c in ALPHABET for c in code[8:16]):
            parts.append(f"{label}第17位校验码错误（应为 {org_check_char(code[8:16])}）")
        elif token == "check_char" and all(c in ALPHABET for c in code[:17]):
            parts.append(f"{label}校验位错误（第18位应为 {uscc_check_char(code[:17])}）")
        elif token == "placeholder":
            parts.append(f"{label}不能填写占位代码 {PLACEHOLDER}")
        else:
            parts.append(f"{label}：{PROBLEM_MESSAGES.get(token, token)}")
    return "；".join(parts)


_RIC_REASONS = {
    "length": "身份证号码应为18位（或旧版15位）",
    "charset": "身份证号码只能由数字和末位 X 组成",
    "division": "身份证号码前6位行政区划代码不存在（GB/T 2260）",
    "birth_date": "身份证号码中的出生日期不存在或晚于今天",
}


def _ric_reason(code: str, problems: Sequence[str]) -> str:
    """Reasons for a resident ID number (the number itself is never echoed: personal data)."""
    parts = []
    for token in problems:
        if token == "check_char":
            parts.append(f"身份证号码校验位错误（第18位应为 {ric_check_char(code[:17])}）")
        else:
            parts.append(_RIC_REASONS.get(token, PROBLEM_MESSAGES.get(token, token)))
    return "；".join(parts)


# --- the checker -------------------------------------------------------------------------------------------

Simple = Callable[[str], "str | None"]
Rich = Callable[[str, list[Issue]], "str | None"]


def _enum_checker(spec: FieldSpec) -> Rich:
    values = EnumValues(spec.values, spec.value_codes)
    exact = values.by_text
    label, hint = spec.label, spec.help

    def check_enum(raw: str, issues: list[Issue]) -> str | None:
        found = exact.get(raw)
        if found is not None:
            return found
        try:
            return values(raw)
        except NormaliseError:
            first = values.first_of_many(raw)
            if first is None:
                raise
        reason = f"填写了多个取值（{raw.strip(PADDING)}），已按第一个“{first}”处理"
        issues.append(Issue(label, f"{reason}（{hint}）" if hint else reason, WARNING))
        return first

    return check_enum


def _verdict(code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """USCC problem and warning tokens, cached (bounded): the same codes repeat throughout a batch."""
    found = _verdicts.get(code)
    if found is None:
        problems, warnings = uscc_problems(code)
        found = (tuple(problems), tuple(warnings)) if problems or warnings else _CLEAN
        if len(_verdicts) >= _VERDICT_CACHE_SIZE:
            _verdicts.clear()
        _verdicts[code] = found
    return found


def _uscc_checker(spec: FieldSpec, allow_placeholder: bool, trusted: frozenset[str] = frozenset()) -> Rich:
    label = spec.label
    cache, to_code = _verdicts, normalise.uscc

    def check_uscc(raw: str, issues: list[Issue]) -> str | None:
        code = raw.upper() if raw.isalnum() and raw.isascii() else to_code(raw)
        if code is None:
            return None
        problems, warnings = cache.get(code) or _verdict(code)
        if problems:
            if allow_placeholder and code == PLACEHOLDER:
                return code
            if code in trusted:
                note = "（该代码为报送部门登记的代码，已按登记代码接受，请核实）"
                issues.append(Issue(label, _uscc_reason(label, code, problems) + note, WARNING))
                return code
            raise NormaliseError(_uscc_reason(label, code, problems))
        for token in warnings:
            issues.append(Issue(label, f"{label}：{WARNING_MESSAGES[token]}", WARNING))
        return code

    return check_uscc


def _with_help(fn: Simple, spec: FieldSpec) -> Simple:
    """A date normaliser whose format errors also show the field's help (e.g. “长期有效的填写 2099/12/31”)."""
    if not spec.help:
        return fn

    def helped(raw: str) -> str | None:
        try:
            return fn(raw)
        except NormaliseError as exc:
            raise NormaliseError(f"{exc.reason}（{spec.help}）") from None

    return helped


_SIMPLE: dict[str, Simple] = {
    "date": normalise.iso_date,
    "amount": normalise.amount,
    "integer": normalise.integer,
    "phone": normalise.phone,
    "reg_code": normalise.code,
    "id_number": normalise.uscc,  # checked against its 证件类型 after the row is read
}


class RowChecker:
    """Normalise and validate rows of one item against a :class:`ColumnMap` (row-level only, no database).

    ``defaults`` (field key → value) fill blank cells, and columns the file lacks, before validation (used for
    数据来源单位 and its code). ``today`` bounds ``not_future`` dates and birth dates in ID numbers.
    """

    def __init__(
        self,
        item: DataItem,
        columns: ColumnMap,
        *,
        today: date,
        defaults: Mapping[str, str] | None = None,
        trusted_codes: Collection[str] = (),
    ) -> None:
        """``trusted_codes``: USCCs accepted despite failed check characters, with a warning (the submitting
        department's own registered code: ``departments add`` refuses a malformed code and only warns about its
        check characters, so the credit office has already accepted it)."""
        self.item = item
        self.columns = columns
        self.today = today
        self._today_iso = today.isoformat()
        defaults = dict(defaults or {})
        trusted = frozenset(trusted_codes)
        index = columns.index_by_key
        headers = list(columns.headers)
        if not headers:  # a hand-made ColumnMap: name the columns it knows
            headers = [""] * (max(index.values(), default=-1) + 1)
            for key, i in index.items():
                headers[i] = columns.label_by_key.get(key) or item.field(key).label
        self._headers = tuple(headers)
        self._width = max([len(headers), *(i + 1 for i in index.values())])
        self._blank_values: dict[str, str | None] = dict.fromkeys(f.key for f in item.fields)
        self._label_at = {i: item.field(k).label for k, i in index.items()}
        placeholder_keys = {c.field for f in item.fields for c in f.required_when if c.equals_placeholder}

        # Every field as (key, column or -1, checker, max length, label, required, default): the general path,
        # taken by rows with parse problems. Rows without take the fast path: the same fields split by type
        # into tight loops (text inline, enum and USCC look-ups and ISO dates before any call).
        self._all: list[tuple[str, int, Rich, int, str, bool, str | None]] = []
        self._texts: list[tuple[str, int, int, str, bool]] = []
        self._enums: list[tuple[str, int, dict[str, str], Rich, int, str, bool]] = []
        self._usccs: list[tuple[str, int, Rich, int, str, bool]] = []
        self._dates: list[tuple[str, int, Simple, int, str, bool]] = []
        self._simple: list[tuple[str, int, Simple, int, str, bool]] = []
        self._general: list[tuple[str, int, Rich, int, str, bool, str | None]] = []
        for spec in item.fields:
            key, label, column, required = spec.key, spec.label, index.get(spec.key, -1), spec.required
            max_length, default = spec.max_length, defaults.get(spec.key)
            simple: Simple | None = None
            if spec.type == "enum":
                rich = _enum_checker(spec)
            elif spec.type == "uscc":
                rich = _uscc_checker(spec, spec.key in placeholder_keys, trusted)
            else:
                simple = normalise.text if spec.type == "text" else _SIMPLE[spec.type]
                if spec.type == "date":
                    simple = _with_help(simple, spec)
                rich = _as_rich(simple)
            entry = (key, column, rich, max_length, label, required, default)
            self._all.append(entry)
            if column < 0 or default is not None:
                self._general.append(entry)
            elif spec.type == "text":
                self._texts.append((key, column, max_length, label, required))
            elif spec.type == "enum":
                exact = EnumValues(spec.values, spec.value_codes).by_text
                self._enums.append((key, column, exact, rich, max_length, label, required))
            elif spec.type == "uscc":
                self._usccs.append((key, column, rich, max_length, label, required))
            elif spec.type == "date" and max_length >= 10:
                assert simple is not None
                self._dates.append((key, column, simple, max_length, label, required))
            else:
                assert simple is not None
                self._simple.append((key, column, simple, max_length, label, required))

        # required_when, grouped by the field the condition looks at: one look-up per row and condition field.
        when_in: dict[str, dict[str, list[_Target]]] = {}
        when_placeholder: dict[str, list[_Target]] = {}
        when_filled: dict[str, list[_Target]] = {}
        for spec in item.fields:
            for cond in spec.required_when:
                cond_label = item.field(cond.field).label
                if cond.equals_placeholder:
                    why = f"{cond_label}填写占位代码 {PLACEHOLDER} 时"
                    when_placeholder.setdefault(cond.field, []).append((spec.key, spec.label, why))
                elif cond.in_:
                    for value in cond.in_:
                        why = f"{cond_label}为“{value}”时"
                        when_in.setdefault(cond.field, {}).setdefault(value, []).append((spec.key, spec.label, why))
                else:  # neither ``in`` nor ``equals_placeholder``: required when the other field is filled
                    why = f"填写了{cond_label}时"
                    when_filled.setdefault(cond.field, []).append((spec.key, spec.label, why))
        self._when_in = list(when_in.items())
        self._when_placeholder = list(when_placeholder.items())
        self._when_filled = list(when_filled.items())
        # A code field that may hold the placeholder but is itself required: the placeholder does not count.
        self._placeholder_required = [
            (k, item.field(k).label) for k in sorted(placeholder_keys) if item.field(k).required
        ]
        self._not_future = [(f.key, f.label) for f in item.fields if f.type == "date" and f.not_future]
        self._date_order = [
            (o.start, item.field(o.start).label, o.end, item.field(o.end).label) for o in item.date_order
        ]
        id_type = item.roles.id_type
        self._id_numbers = [
            (f.key, f.label, id_type if id_type and id_type != f.key else None)
            for f in item.fields
            if f.type == "id_number"
        ]

    def check(self, row: RawRow) -> CheckedRow:
        """Normalise and validate one row."""
        cells = row.cells
        if len(cells) < self._width:
            cells = (*cells, *("",) * (self._width - len(cells)))
        values = self._blank_values.copy()
        issues: list[Issue] = []
        if row.problems:
            self._fields_with_problems(cells, row.problems, values, issues)
        else:
            self._fields(cells, values, issues)
        self._cross_checks(values, issues)
        return CheckedRow(row.row_no, values, issues, headers=self._headers, cells=cells)

    def check_many(self, rows: Iterable[RawRow]) -> list[CheckedRow]:
        """:meth:`check` of every row, in order (the loading service checks a chunk at a time)."""
        check = self.check
        return [check(row) for row in rows]

    def _fields(self, cells: Sequence[str], values: dict[str, str | None], issues: list[Issue]) -> None:
        """The fast path (no parse problems in the row): per field type, the common case first."""
        for key, column, max_length, label, required in self._texts:
            value = cells[column]
            if value:
                value = value.strip(PADDING)
            if value:
                if len(value) > max_length:
                    issues.append(Issue(label, _too_long(max_length, value), ERROR))
                else:
                    values[key] = value
            elif required:
                issues.append(Issue(label, label + _REQUIRED, ERROR))
        for key, column, exact, rich, max_length, label, required in self._enums:
            raw = cells[column]
            found = exact.get(raw) if raw else None
            if found is None:
                _checked(values, issues, key, raw, rich, max_length, label, required)
            else:
                values[key] = found
        cache = _verdicts
        for key, column, rich, max_length, label, required in self._usccs:
            raw = cells[column]
            if cache.get(raw) is _CLEAN and len(raw) <= max_length:  # a known valid code, already normalised
                values[key] = raw
            else:
                _checked(values, issues, key, raw, rich, max_length, label, required)
        parse_iso = date.fromisoformat
        for key, column, simple, max_length, label, required in self._dates:
            raw = cells[column]
            if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
                try:
                    parse_iso(raw)
                except ValueError:
                    pass
                else:
                    values[key] = raw
                    continue
            _checked_simple(values, issues, key, raw, simple, max_length, label, required)
        for key, column, simple, max_length, label, required in self._simple:
            raw = cells[column]
            if raw:
                _checked_simple(values, issues, key, raw, simple, max_length, label, required)
            elif required:
                issues.append(Issue(label, label + _REQUIRED, ERROR))
        for key, column, rich, max_length, label, required, default in self._general:
            raw = cells[column] if column >= 0 else ""
            if default is not None and not raw.strip(PADDING):
                raw = default
            _checked(values, issues, key, raw, rich, max_length, label, required)

    def _fields_with_problems(
        self, cells: Sequence[str], problems: Mapping[int, str], values: dict[str, str | None], issues: list[Issue]
    ) -> None:
        """The general path: a parse problem (formula, error value, merged cell) is its cell's only error."""
        for key, column, rich, max_length, label, required, default in self._all:
            if column in problems:
                issues.append(Issue(label, problems[column], ERROR))
                continue
            raw = cells[column] if column >= 0 else ""
            if default is not None and not raw.strip(PADDING):
                raw = default
            _checked(values, issues, key, raw, rich, max_length, label, required)

    def _cross_checks(self, values: dict[str, str | None], issues: list[Issue]) -> None:
        for key, label in self._placeholder_required:
            if values[key] == PLACEHOLDER:
                issues.append(Issue(label, f"{label}为必填项，不能填写占位代码 {PLACEHOLDER}", ERROR))
                values[key] = None
        for cond_key, by_value in self._when_in:
            value = values[cond_key]
            if value is not None and (targets := by_value.get(value)):
                _require(values, issues, targets)
        for cond_key, targets in self._when_placeholder:
            if values[cond_key] == PLACEHOLDER:
                _require(values, issues, targets)
        for cond_key, targets in self._when_filled:
            if values[cond_key] is not None:
                _require(values, issues, targets)
        for key, label, id_type in self._id_numbers:
            number = values[key]
            if number is not None:
                self._check_id_number(values, issues, key, label, number, id_type)
        today = self._today_iso
        for key, label in self._not_future:
            value = values[key]
            if value is not None and value > today:
                issues.append(Issue(label, f"{label}（{value}）晚于今天（{today}）", ERROR))
        for start, start_label, end, end_label in self._date_order:
            first, last = values[start], values[end]
            if first is not None and last is not None and last < first:
                issues.append(Issue(end_label, f"{end_label}（{last}）早于{start_label}（{first}）", ERROR))

    def _check_id_number(
        self,
        values: dict[str, str | None],
        issues: list[Issue],
        key: str,
        label: str,
        number: str,
        id_type: str | None,
    ) -> None:
        if id_type is not None and values[id_type] == RESIDENT_ID_TYPE:
            found = ric_findings(number, self.today)
            if found.problems:
                issues.append(Issue(label, _ric_reason(number, found.problems), ERROR))
                values[key] = None
                return
            for token in found.warnings:
                issues.append(Issue(label, WARNING_MESSAGES[token], WARNING))
            if found.converted:
                values[key] = found.converted
            return
        if not _OTHER_ID.fullmatch(number):
            issues.append(Issue(label, f"{label}只能由字母、数字和括号组成", ERROR))
            values[key] = None
        elif len(number) < _OTHER_ID_MIN:
            issues.append(Issue(label, f"{label}长度不正确（至少{_OTHER_ID_MIN}位）", ERROR))
            values[key] = None


_Target = tuple[str, str, str]  # field key, label, the condition in words


def _checked(
    values: dict[str, str | None],
    issues: list[Issue],
    key: str,
    raw: str,
    rich: Rich,
    max_length: int,
    label: str,
    required: bool,
) -> None:
    """Normalise one cell with its checker and record the value or the error (blank + required → error)."""
    try:
        value = rich(raw, issues) if raw else None
    except NormaliseError as exc:
        issues.append(Issue(label, exc.reason, ERROR))
        return
    _store(values, issues, key, value, max_length, label, required)


def _store(
    values: dict[str, str | None],
    issues: list[Issue],
    key: str,
    value: str | None,
    max_length: int,
    label: str,
    required: bool,
) -> None:
    """Record a normalised cell, or the error of a blank required cell or an over-long value."""
    if value is None:
        if required:
            issues.append(Issue(label, label + _REQUIRED, ERROR))
    elif len(value) > max_length:
        issues.append(Issue(label, _too_long(max_length, value), ERROR))
    else:
        values[key] = value


def _checked_simple(
    values: dict[str, str | None],
    issues: list[Issue],
    key: str,
    raw: str,
    simple: Simple,
    max_length: int,
    label: str,
    required: bool,
) -> None:
    """:func:`_checked` for a normaliser without warnings."""
    try:
        value = simple(raw) if raw else None
    except NormaliseError as exc:
        issues.append(Issue(label, exc.reason, ERROR))
        return
    _store(values, issues, key, value, max_length, label, required)


def _require(values: dict[str, str | None], issues: list[Issue], targets: Sequence[tuple[str, str, str]]) -> None:
    """Errors for conditionally required fields that are blank, or hold the USCC placeholder, while required."""
    for key, label, why in targets:
        value = values[key]
        if value is None:
            if not _has_issue(issues, label):
                issues.append(Issue(label, f"{label}为必填项（{why}）", ERROR))
        elif value == PLACEHOLDER:
            issues.append(Issue(label, f"{label}为必填项（{why}），不能填写占位代码 {PLACEHOLDER}", ERROR))
            values[key] = None


def _as_rich(fn: Simple) -> Rich:
    def rich(raw: str, issues: list[Issue]) -> str | None:
        return fn(raw)

    return rich


def _too_long(max_length: int, value: str) -> str:
    return f"超过最大长度 {max_length} 个字符（实为 {len(value)} 个）"


def _has_issue(issues: list[Issue], label: str) -> bool:
    return any(issue.field == label for issue in issues)
