"""The database-free part of loading a batch: check each chunk of rows, apply the checks across rows, and make
every valid row ready to load (its canonical JSON and content hash, its subject, its record columns with the
publicity window of ``records.periods.record_window``, a pure function of the row).

A :class:`Preparer` is built from a picklable :class:`PrepareSpec`, so the same code runs in the service's own
process or, for a large file, in a worker process beside the database writes (``intake.worker``). Nothing here
reads the clock, the settings or the database: ``today`` and the department come in the spec, and personal
data (ID numbers) is only encrypted or hashed by the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from xinyong.catalog.items import SUBJECT_CATEGORY_KINDS, DataItem, load_catalog
from xinyong.codes.normalize import normalize_code
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.intake import check, load
from xinyong.intake.parse import RawRow
from xinyong.records.periods import record_window, window_inputs

#: Windows a :class:`Preparer` remembers (by decision date and ``window_inputs``) before it starts afresh.
WINDOW_MEMO = 1 << 16


@dataclass(frozen=True)
class PrepareSpec:
    """Everything a :class:`Preparer` depends on (picklable): the item (by id and version), the file's column
    map, the day of submission and the submitting department's name and registered code."""

    item_id: str
    item_version: int
    columns: check.ColumnMap
    today: date
    department_name: str
    department_uscc: str


#: What a row says about its subject, for the registry link: (kind, name, USCC, 工商注册号, 法定代表人, 证件类型,
#: 证件号码). ``verify.Candidate`` is made from it by the service, which alone hashes and encrypts ID numbers.
Subject = tuple[str, str, str | None, str | None, str | None, str | None, str | None]
ID_NUMBER = 6  # the ID number's place in a Subject


class Ready(NamedTuple):
    """A valid row, ready to load: its ``issues`` (warnings; the service adds registry warnings), its subject,
    ``digest`` (SHA-256 of its canonical JSON), ``data`` (that JSON without the ID number), ``columns`` (the
    ``credit_record`` columns from ``subject_name`` to ``publishable``, ``load.RECORD_COLUMNS``) and, for an
    item with personal fields to seal inside ``data``, its ``values`` (else None)."""

    row_no: int
    doc_no: str
    digest: str
    issues: list[check.Issue]
    subject: Subject
    data: str
    columns: tuple[object, ...]
    values: dict[str, str | None] | None


class Prepared(NamedTuple):
    """One chunk: how many rows it had, its valid rows ready to load and its rows with errors, each in order."""

    rows: int
    ready: list[Ready]
    bad: list[check.CheckedRow]

    def __reduce__(self) -> tuple[object, ...]:
        # Rows as plain tuples: unpickling a named tuple calls its Python-level __new__ (a sixth of the cost).
        return (_prepared, (self.rows, [tuple(r) for r in self.ready], self.bad))


def _prepared(rows: int, ready: list[tuple[object, ...]], bad: list[check.CheckedRow]) -> Prepared:
    new = tuple.__new__  # what ``Ready._make`` does, without a Python call per row
    return Prepared(rows, [new(Ready, r) for r in ready], bad)  # type: ignore[call-overload]


def ok(row: check.CheckedRow) -> bool:
    """No error-level issue (warnings allowed)."""
    return not any(issue.level == check.ERROR for issue in row.issues)


class Preparer:
    """Checks the rows of one batch, chunk after chunk (it remembers the batch's document numbers)."""

    def __init__(self, spec: PrepareSpec, item: DataItem | None = None) -> None:
        item = item or load_catalog().item(spec.item_id)
        if item.version != spec.item_version:
            raise RuntimeError(f"data item {item.id} is at version {item.version}, not {spec.item_version}")
        self.item = item
        roles = item.roles
        defaults = {k: v for k, v in ((roles.source_department, spec.department_name),) if k}
        if roles.source_department_uscc:
            defaults[roles.source_department_uscc] = spec.department_uscc
        self.dept_uscc = normalize_code(spec.department_uscc)
        self.checker = check.RowChecker(
            item, spec.columns, today=spec.today, defaults=defaults, trusted_codes=(self.dept_uscc,)
        )
        self.spec = spec
        self.labels = {f.key: f.label for f in item.fields}
        self.doc_key = roles.document
        self.doc_rows: dict[str, int] = {}
        self.canonical = load.CanonicalForm((f.key for f in item.fields), roles.id_number)
        # Personal fields other than the ID number (which has its own columns) are sealed inside ``data`` by the
        # service: it needs the row's values for that.
        self.sealed = any(f.personal in ("phone", "id_number") and f.key != roles.id_number for f in item.fields)
        # The publicity window depends on the decision date and a few fields only, which repeat across a batch.
        self.window_keys = window_inputs(item)
        self.windows: dict[tuple[str | None, ...], tuple[object, ...]] = {}

    def check(self, raw: Sequence[RawRow]) -> list[check.CheckedRow]:
        """Check a chunk: every row on its own, then the checks across rows (:meth:`batch_checks`)."""
        checked = self.checker.check_many(raw)
        self.batch_checks(checked)
        return checked

    def batch_checks(self, checked: list[check.CheckedRow]) -> None:
        """Checks across rows: the source department's code, document numbers unique within the batch."""
        key = self.item.roles.source_department_uscc
        spec, doc_key, doc_rows = self.spec, self.doc_key, self.doc_rows
        for row in checked:
            if key and (code := row.values.get(key)) and normalize_code(code) != self.dept_uscc:
                reason = (
                    f"数据来源单位统一社会信用代码 {code} 与报送部门“{spec.department_name}”的代码 "
                    f"{spec.department_uscc} 不一致：只能报送本部门的数据"
                )
                row.issues.append(check.Issue(field=self.labels[key], reason=reason, level=check.ERROR))
            doc = row.values.get(doc_key)
            if doc is None:
                continue
            first = doc_rows.setdefault(doc, row.row_no)
            if first != row.row_no:
                label = self.labels[doc_key]
                reason = f"{label} {doc} 与第 {first} 行重复（同一批次内不得重复报送同一文书）"
                row.issues.append(check.Issue(field=label, reason=reason, level=check.ERROR))

    def ready(self, checked: list[check.CheckedRow]) -> Prepared:
        """The chunk's valid rows made ready to load, and its rows with errors."""
        ready: list[Ready] = []
        bad: list[check.CheckedRow] = []
        hashed, subject_of, columns_of = self.canonical.hashed, self.subject, self.columns
        doc_key, keep_values = self.doc_key, self.sealed
        for row in checked:
            if ok(row):
                values = row.values
                digest, data = hashed(values)  # content hash; canonical JSON without the ID number
                subject = subject_of(values)
                ready.append(
                    Ready(
                        row.row_no,
                        values[doc_key] or "",
                        digest,
                        row.issues,
                        subject,
                        data,
                        columns_of(values, subject),
                        values if keep_values else None,
                    )
                )
            else:
                bad.append(row)
        return Prepared(len(checked), ready, bad)

    def kind(self, values: Mapping[str, str | None]) -> str:
        """The subject's kind: by its category, else a natural person when an ID number is given."""
        roles = self.item.roles
        category = values.get(roles.subject_category) if roles.subject_category else None
        if category in SUBJECT_CATEGORY_KINDS:
            return SUBJECT_CATEGORY_KINDS[category]
        return "natural_person" if roles.id_number and values.get(roles.id_number) else "legal_person"

    def subject(self, values: Mapping[str, str | None]) -> Subject:
        """What the row says about its subject."""
        roles = self.item.roles
        return (
            self.kind(values),
            values.get(roles.subject_name) or "",
            values.get(roles.uscc) if roles.uscc else None,
            values.get(roles.reg_no) if roles.reg_no else None,
            values.get(roles.legal_representative) if roles.legal_representative else None,
            values.get(roles.id_type) if roles.id_type else None,
            values.get(roles.id_number) if roles.id_number else None,
        )

    def columns(self, values: dict[str, str | None], subject: Subject) -> tuple[object, ...]:
        """The ``credit_record`` columns ``subject_name`` … ``publishable`` of a valid row (the publicity window
        from ``records.periods.record_window``). Dates as ISO text (what both databases store them from)."""
        roles = self.item.roles
        decided = values[roles.decided_on] or ""
        kind, name, code = subject[:3]
        category = values.get(roles.category) if roles.category else None
        key = (decided, *[values.get(k) for k in self.window_keys])
        window = self.windows.get(key)
        if window is None:
            found = record_window(self.item, values, date.fromisoformat(decided))
            window = tuple([v.isoformat() if type(v) is date else v for v in found])
            if len(self.windows) >= WINDOW_MEMO:
                self.windows.clear()
            self.windows[key] = window
        return (
            name[:200],
            kind,
            code if code and code != PLACEHOLDER and len(code) <= 18 else None,
            category[:64] if category else None,
            decided,
            *window,
        )
