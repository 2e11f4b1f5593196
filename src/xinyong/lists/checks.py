"""The joint check (联合奖惩一键查询) and its feedback (惩戒反馈): the actions.

* ``check``: a department officer (or a department's API token, a regulator, the credit office) asks, for one
  code and one scenario of the measures ledger, whether the subject is on a list in force on ``as_of`` (default
  today) and which measures apply: punishments of dishonesty and received lists, incentives of red lists; an
  abolished measure never (``MeasureLedger.applicable``). The code is checked first (``lists.active.normal_code``:
  a malformed code is 422 naming every problem) and found as ``lists.active.lookup_code`` finds it — a USCC by
  its column, a citizen ID number by its keyed hash — in ONE indexed query that also brings the entries in force
  (``lists.active.in_force``) with their departments. The ledger is held in memory (``measure_ledger`` is
  cached).
* **The check log.** Each answered check is written as one ``ListCheck`` row: the code as shown (a natural
  person's ID number masked, never in clear), the entries and measures returned, hit or not, the request id and
  the checking department. That row IS the record of the check (a data write in the caller's transaction) and
  its id is returned for feedback; no audit-chain event is appended per check — the chain serialises its
  appenders, and the log row carries everything an audit event would. Malformed codes are refused before
  anything is written. The row is written only while the acting API token is not revoked (the insert itself
  checks), so a token revoked a moment ago gets 401 even where its row was remembered (``web.check_lane``).
* ``check_batch``: up to ``MAX_BATCH`` codes in one scenario. A malformed code is reported at its position
  without failing the others; a code repeated in the batch is checked and logged once and every position that
  names it gets the answer (``duplicate_of`` = the first position). The rows share one ``batch_ref`` and are
  inserted in one bulk statement.
* ``record_feedback``: the checking department says whether it applied a measure the check returned (a reason
  is required when not), once per check and measure (409 on a second); audited. The credit office may record it
  on any check (e.g. from a paper return); a department only on its own department's checks.

The reads (one check, recent checks, feedback rates) live in ``lists.check_queries``.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from functools import cache, cached_property
from typing import Any, cast

from sqlalchemy import ARRAY, Date, Row, String, any_, bindparam, exists, insert, literal_column, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.audit import scrub_text
from xinyong.auth.context import Context
from xinyong.auth.credentials import CredentialRevoked
from xinyong.auth.models import ApiToken
from xinyong.auth.permissions import PermissionDenied, allowed, require
from xinyong.auth.pii import lookup_hash, mask_id
from xinyong.catalog.departments import load_departments
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.lists.active import in_force, normal_code
from xinyong.lists.check_schemas import (
    MAX_BATCH,
    REASON_MAX,
    BatchItemOut,
    BatchOut,
    CheckEntryOut,
    CheckMeasureOut,
    CheckOut,
    CheckSubjectOut,
    FeedbackOut,
)
from xinyong.lists.measures import KIND_LABELS, STATUS_LABELS, Measure, MeasureLedger, measure_ledger
from xinyong.lists.models import CheckFeedback, ListCheck, ListEntry
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Department, Subject

RUN = "checks.run"
FEEDBACK = "checks.feedback"
READ_ALL = "checks.read_all"
CHUNK = 2000  # codes per IN list (inside SQLite's bound-parameter limit)
REQUEST_ID_MAX = 32  # list_check.request_id
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a file of 10,000 codes with a name column fits easily


# --------------------------------------------------------------------------------------------- validation
def scenario_or_422(ledger: MeasureLedger, scenario: object) -> str:
    """``scenario`` if it is a scenario of the ledger; 422 listing the scenarios otherwise."""
    value = scenario.strip() if isinstance(scenario, str) else ""
    if value not in ledger.scenarios:
        known = "、".join(f"{code}（{label}）" for code, label in ledger.scenarios.items())
        shown = f"“{value[:32]}”" if value else "（未填写）"
        raise InvalidInput(f"应用场景{shown}不在措施台账中，可用的场景：{known}", field="scenario")
    return value


def as_of_or_422(ctx: Context, as_of: date | None) -> date:
    """The day the check answers for: today by default, never a day after today."""
    if as_of is None:
        return ctx.today
    if as_of > ctx.today:
        raise InvalidInput(
            f"查询基准日 {as_of.isoformat()} 晚于今天（{ctx.today.isoformat()}），只能查询今天或以前某日的名单状态",
            field="as_of",
        )
    return as_of


def _code_or_422(raw: object, day: date, field: str) -> tuple[str, str]:
    """(normal form, kind) of ``raw``; 422 with the reasons, any ID-number-shaped input masked in the message."""
    try:
        return normal_code(raw, day, field)
    except InvalidInput as exc:
        raise InvalidInput(scrub_text(exc.message), field=field) from None


def reads_all(ctx: Context) -> bool:
    """Whether the actor sees every department's checks (the credit office, the console)."""
    return allowed(ctx.role, READ_ALL) and (ctx.scopes is None or READ_ALL in ctx.scopes)


def may_see(ctx: Context, found: ListCheck) -> bool:
    """The credit office sees every check; a department its own department's; an actor without one its own."""
    if reads_all(ctx):
        return True
    if ctx.department_id is not None:
        return found.department_id == ctx.department_id
    return found.department_id is None and found.actor == ctx.actor


# --------------------------------------------------------------------------------------------- names
def department_name(session: Session, department_id: int | None) -> str | None:
    """A department's name (one primary-key look-up on the session's connection)."""
    if department_id is None:
        return None
    found = session.connection().execute(_DEPARTMENT_NAME, {"id": department_id}).scalar()
    return found if found is not None else str(department_id)


@cache
def _catalogue_department_names() -> dict[str, str]:
    """Department code → name from ``catalog/departments.yaml`` (the measures' implementing departments)."""
    return {d.code: d.name for d in load_departments().departments}


def measure_out(ledger: MeasureLedger, measure: Measure, lists: Iterable[str]) -> CheckMeasureOut:
    """A measure as a check returns it (``lists``: the checked subject's lists it applies to)."""
    names = _catalogue_department_names()
    return CheckMeasureOut(
        id=measure.id,
        name=measure.name,
        kind=measure.kind,
        kind_label=KIND_LABELS[measure.kind],
        scenario=measure.scenario,
        scenario_label=ledger.scenarios[measure.scenario],
        lists=[code for code in measure.lists if code in set(lists)],
        department=measure.department,
        department_name=names.get(measure.department, measure.department),
        legal_basis=[f"{b.document}{b.article}" for b in measure.legal_basis],
        status=measure.status,
        status_label=STATUS_LABELS[measure.status],
        deadline=measure.deadline,
    )


# --------------------------------------------------------------------------------------------- the look-up
_COLUMNS = (
    Subject.id,
    Subject.name,
    Subject.kind,
    Subject.uscc,
    Subject.ric_hash,
    Subject.ric_masked,
    ListEntry.id,
    ListEntry.list_code,
    ListEntry.role,
    ListEntry.department_id,
    Department.name,
    ListEntry.source_authority,
    ListEntry.decision_on,
    ListEntry.published_on,
    ListEntry.expires_on,
    ListEntry.basis,
)


# The statements are built once (bound parameters for the codes and the day): building and caching a statement
# per call costs more than running it.
_DAY = bindparam("day", type_=Date())
_BASE = (
    select(*_COLUMNS)
    .outerjoin(ListEntry, (ListEntry.subject_id == Subject.id) & in_force(cast(date, _DAY)))
    .outerjoin(Department, Department.id == ListEntry.department_id)
    .order_by(Subject.id, ListEntry.list_code, ListEntry.id)
)
_ONE = {"uscc": _BASE.where(Subject.uscc == bindparam("key")), "ric": _BASE.where(Subject.ric_hash == bindparam("key"))}
_MANY = {
    "uscc": _BASE.where(Subject.uscc.in_(bindparam("keys", expanding=True))),
    "ric": _BASE.where(Subject.ric_hash.in_(bindparam("keys", expanding=True))),
}
# PostgreSQL: the keys as ONE array parameter (``= ANY``), not thousands of placeholders that the driver parses
# per statement (that parsing cost more than the queries themselves).
_KEYS = bindparam("keys", type_=ARRAY(String()))
_MANY_PG = {"uscc": _BASE.where(Subject.uscc == any_(_KEYS)), "ric": _BASE.where(Subject.ric_hash == any_(_KEYS))}
# PostgreSQL bulk insert of a batch: ids taken from the table's sequence first, then one INSERT … SELECT FROM
# unnest(arrays) — the columns that differ per code as arrays, the ones the batch shares as single values.
_PG_IDS = text("SELECT nextval(pg_get_serial_sequence('list_check', 'id')) FROM generate_series(1, :n)")
_PG_INSERT = text(
    "INSERT INTO list_check (id, at, checked_on, department_id, actor, scenario, code, subject_id, entry_ids, "
    "measure_ids, hit, batch_ref, request_id) "
    "SELECT u.id, :at, :checked_on, :department_id, :actor, :scenario, u.code, u.subject_id, "
    "CAST(u.entry_ids AS json), CAST(u.measure_ids AS json), u.hit, :batch_ref, :request_id "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:codes AS varchar[]), CAST(:subject_ids AS bigint[]), "
    "CAST(:entry_ids AS text[]), CAST(:measure_ids AS text[]), CAST(:hits AS boolean[])) "
    "AS u(id, code, subject_id, entry_ids, measure_ids, hit)"
)
_LOG = ListCheck.__table__
_LOGGED = [c for c in _LOG.c if c.name != "id"]
# One check's log row, written only while the acting API token is not revoked (``token_id`` NULL for other
# actors: always written); RETURNING its id and the checking department's name. The guard makes revocation take
# effect at once even where the token's row was remembered rather than read (``web.check_lane``).
_INSERT_ONE = (
    insert(_LOG)
    .from_select(
        [c.name for c in _LOGGED],
        select(*(bindparam(c.name, type_=c.type) for c in _LOGGED)).where(
            ~exists().where(ApiToken.id == bindparam("token_id"), ApiToken.revoked_at.is_not(None))
        ),
    )
    .returning(
        _LOG.c.id,
        literal_column("(SELECT department.name FROM department WHERE department.id = list_check.department_id)"),
    )
)
_INSERT_MANY = insert(_LOG).returning(_LOG.c.id, sort_by_parameter_order=True)
_DEPARTMENT_NAME = select(Department.name).where(Department.id == bindparam("id"))


def _lookup(session: Session, keys: dict[str, list[str]], day: date) -> list[Row[Any]]:
    """Subjects named by the keys (``uscc``: codes, ``ric``: keyed hashes of ID numbers), each with its entries
    in force on ``day`` (one row per entry, or one row with NULL entry columns): one indexed query per kind of
    key (per chunk of ``CHUNK`` keys in a batch), on the session's connection."""
    conn = session.connection()
    many = _MANY_PG if conn.dialect.name == "postgresql" else _MANY
    rows: list[Row[Any]] = []
    for kind, values in keys.items():
        if len(values) == 1:
            rows += conn.execute(_ONE[kind], {"key": values[0], "day": day}).all()
            continue
        for start in range(0, len(values), CHUNK):
            rows += conn.execute(many[kind], {"keys": values[start : start + CHUNK], "day": day}).all()
    return rows


def _insert_many(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert a batch's log rows (which share time, day, department, actor, scenario, batch and request) and
    return their ids in order: one bulk ``INSERT … RETURNING`` (SQLite), or ids from the sequence and one
    ``INSERT … SELECT FROM unnest`` (PostgreSQL)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return list(conn.execute(_INSERT_MANY, rows).scalars())
    ids = list(conn.execute(_PG_IDS, {"n": len(rows)}).scalars())
    shared = {k: rows[0][k] for k in ("at", "checked_on", "department_id", "actor", "scenario", "batch_ref")}
    conn.execute(
        _PG_INSERT,
        shared
        | {
            "request_id": rows[0]["request_id"],
            "ids": ids,
            "codes": [r["code"] for r in rows],
            "subject_ids": [r["subject_id"] for r in rows],
            "entry_ids": [json.dumps(r["entry_ids"]) for r in rows],
            "measure_ids": [json.dumps(r["measure_ids"]) for r in rows],
            "hits": [r["hit"] for r in rows],
        },
    )
    return ids


@dataclass
class _Found:
    """What the look-up found for one code."""

    subjects: list[CheckSubjectOut] = field(default_factory=list)
    entries: list[CheckEntryOut] = field(default_factory=list)

    @cached_property
    def list_codes(self) -> frozenset[str]:
        return frozenset(e.list_code for e in self.entries)


def _collect(rows: Iterable[Row[Any]]) -> dict[str, _Found]:
    """The look-up rows grouped by the key they were found by (the USCC, or the ID number's keyed hash). The
    output models are built without re-validation (``model_construct``): the values are the database's."""
    catalogue = list_catalogue().types
    found: dict[str, _Found] = {}
    seen: set[tuple[str, int]] = set()
    for r in rows:
        sid, name, kind, uscc, ric_hash, ric_masked, eid = r[0], r[1], r[2], r[3], r[4], r[5], r[6]
        for key in (uscc, ric_hash):
            if key is None:
                continue
            bucket = found.setdefault(key, _Found())
            if (key, sid) not in seen:
                seen.add((key, sid))
                shown = uscc if key == uscc else (ric_masked or "")
                bucket.subjects.append(
                    CheckSubjectOut.model_construct(
                        id=sid, name=name, kind=kind, kind_label=SUBJECT_KIND_LABELS.get(kind, kind), code=shown
                    )
                )
            if eid is None:
                continue
            list_type = catalogue.get(r[7])
            list_kind = list_type.kind if list_type else "dishonesty"
            bucket.entries.append(
                CheckEntryOut.model_construct(
                    id=eid,
                    subject_id=sid,
                    list_code=r[7],
                    list_name=list_type.name if list_type else r[7],
                    list_kind=list_kind,
                    list_kind_label=LIST_KINDS.get(list_kind, list_kind),
                    role=r[8],
                    department_id=r[9],
                    department_name=r[10] or "",
                    source_authority=r[11] or "",
                    decision_on=r[12],
                    published_on=r[13],
                    expires_on=r[14],
                    basis=r[15],
                )
            )
    return found


def _key(code: str, kind: str) -> str:
    return lookup_hash(code) if kind == "ric" else code


def _shown(code: str, kind: str) -> str:
    return mask_id(code) if kind == "ric" else code


def _log_row(
    ctx: Context, day: date, scenario: str, shown: str, found: _Found, measures: list[Measure]
) -> dict[str, Any]:
    return {
        "at": ctx.at.astimezone(UTC),
        "checked_on": day,
        "department_id": ctx.department_id,
        "actor": ctx.actor[:128],
        "scenario": scenario,
        "code": shown,
        "subject_id": found.subjects[0].id if found.subjects else None,
        "entry_ids": [e.id for e in found.entries],
        "measure_ids": [m.id for m in measures],
        "hit": bool(found.entries),
        "batch_ref": None,
        "request_id": ctx.request_id[:REQUEST_ID_MAX],
    }


# --------------------------------------------------------------------------------------------- one check
def check(ctx: Context, code: object, scenario: object, as_of: date | None = None) -> CheckOut:
    """一键查询: the subject(s) ``code`` names, their entries in force on ``as_of`` (default today) and the measures
    of the ledger that apply in ``scenario``; logged as one ``ListCheck`` row whose id is returned for feedback.

    422 for an unknown scenario (listing the scenarios), a malformed code (with the reasons) or a future day.
    The check log row is the record of the check: no audit-chain event is appended (see the module docstring).
    """
    require(ctx, RUN)
    ledger = measure_ledger()
    chosen = scenario_or_422(ledger, scenario)
    day = as_of_or_422(ctx, as_of)
    normal, kind = _code_or_422(code, day, "code")
    key = _key(normal, kind)
    session = ctx.session
    # the reads and the log row on the session's connection, before anything pending in the session is flushed
    with session.no_autoflush:
        rows = _lookup(session, {kind: [key]}, day)
        found = _collect(rows).get(key, _Found())
        measures = ledger.applicable(set(found.list_codes), chosen) if found.entries else []
        shown = _shown(normal, kind)
        row = _log_row(ctx, day, chosen, shown, found, measures)
        conn = session.connection()
        written = conn.execute(_INSERT_ONE, row | {"token_id": ctx.token_id}).one_or_none()
    if written is None:
        raise CredentialRevoked("令牌已吊销")
    check_id, own_department = written
    assert check_id is not None
    return CheckOut(
        check_id=check_id,
        at=ctx.at,
        checked_on=day,
        scenario=chosen,
        scenario_label=ledger.scenarios[chosen],
        code=shown,
        code_kind=kind,
        department_id=ctx.department_id,
        department_name=own_department,
        actor=ctx.actor,
        found=bool(found.subjects),
        hit=bool(found.entries),
        subjects=found.subjects,
        entries=found.entries,
        measures=[measure_out(ledger, m, found.list_codes) for m in measures],
        ledger_version=ledger.version,
    )


# --------------------------------------------------------------------------------------------- a batch
def _batch_codes(codes: object) -> list[object]:
    if not isinstance(codes, list | tuple):
        raise InvalidInput("codes 应为代码清单（JSON 数组）", field="codes")
    if not codes:
        raise InvalidInput("请至少提交一个代码", field="codes")
    if len(codes) > MAX_BATCH:
        raise InvalidInput(f"一次最多查询 {MAX_BATCH:,} 个代码（收到 {len(codes):,} 个），请分批提交", field="codes")
    return list(codes)


def _raw_shown(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else repr(raw)
    return scrub_text(text[:40])


def check_batch(ctx: Context, codes: Sequence[object], scenario: object, as_of: date | None = None) -> BatchOut:
    """Check up to ``MAX_BATCH`` codes in ``scenario``: one item per position (a malformed code reported there,
    the others still checked; a repeated code checked and logged once), the rows sharing a ``batch_ref`` and
    inserted in one statement. 422 for more than ``MAX_BATCH`` codes, none, or an unknown scenario."""
    require(ctx, RUN)
    ledger = measure_ledger()
    chosen = scenario_or_422(ledger, scenario)
    day = as_of_or_422(ctx, as_of)
    submitted = _batch_codes(codes)
    items: list[BatchItemOut] = []
    first: dict[str, int] = {}  # normal code → index in ``items`` of its first position
    repeats: dict[int, int] = {}  # index in ``items`` of a repeated code → index of its first position
    distinct: list[tuple[str, str, str]] = []  # (normal, kind, key) in first-seen order
    for position, raw in enumerate(submitted, start=1):
        try:
            normal, kind = _code_or_422(raw, day, f"codes[{position}]")
        except InvalidInput as exc:
            items.append(BatchItemOut(position=position, code=_raw_shown(raw), check_id=None, error=exc.message))
            continue
        if normal in first:
            repeats[len(items)] = first[normal]
        else:
            first[normal] = len(items)
            distinct.append((normal, kind, _key(normal, kind)))
        items.append(BatchItemOut(position=position, code=_shown(normal, kind), check_id=None))
    session = ctx.session
    batch_ref = uuid.uuid4().hex
    applicable: dict[frozenset[str], list[Measure]] = {}
    met: dict[str, tuple[Measure, set[str]]] = {}
    with session.no_autoflush:
        keys: dict[str, list[str]] = {}
        for _, kind, key in distinct:
            keys.setdefault(kind, []).append(key)
        found_by_key = _collect(_lookup(session, keys, day))
        log_rows: list[dict[str, Any]] = []
        answers: list[tuple[_Found, list[Measure]]] = []
        for normal, kind, key in distinct:
            found = found_by_key.get(key, _Found())
            lists = found.list_codes
            if lists not in applicable:
                applicable[lists] = ledger.applicable(set(lists), chosen) if lists else []
            measures = applicable[lists]
            for m in measures:
                met.setdefault(m.id, (m, set()))[1].update(lists)
            row = _log_row(ctx, day, chosen, _shown(normal, kind), found, measures)
            row["batch_ref"] = batch_ref
            log_rows.append(row)
            answers.append((found, measures))
        ids: list[int] = []
        if log_rows:
            ids = _insert_many(session, log_rows)
    for (normal, _, _), check_id, (found, measures) in zip(distinct, ids, answers, strict=True):
        item = items[first[normal]]
        item.check_id = check_id
        item.found = bool(found.subjects)
        item.hit = bool(found.entries)
        item.subjects = found.subjects
        item.entries = found.entries
        item.measure_ids = [m.id for m in measures]
    for index, origin in repeats.items():
        source = items[origin]
        items[index] = source.model_copy(update={"position": items[index].position, "duplicate_of": source.position})
    return BatchOut(
        batch_ref=batch_ref,
        at=ctx.at,
        checked_on=day,
        scenario=chosen,
        scenario_label=ledger.scenarios[chosen],
        total=len(items),
        checked=len(ids),
        hits=sum(1 for i in items if i.hit),
        invalid=sum(1 for i in items if i.error),
        ledger_version=ledger.version,
        measures=[measure_out(ledger, m, lists) for m, lists in met.values()],
        items=items,
    )


def _is_header(cell: str) -> bool:
    """A first row naming its column (中文 or a word such as ``code``), not a code."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in cell) or (cell.isascii() and cell.isalpha())


def codes_from_file(content: bytes) -> list[str]:
    """The codes of an uploaded CSV or TXT file (the page's upload, the CLI's ``check-batch``): the first cell of
    every non-empty line (UTF-8 with or without BOM, or GBK), a header row skipped. 422 for an empty, oversized
    or undecodable file."""
    if not content.strip():
        raise InvalidInput("上传的文件是空的，请每行填写一个代码", field="file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"文件过大（最多 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）", field="file")
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV/TXT 文件", field="file")
    codes: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(text))):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        if number == 0 and _is_header(cells[0]):
            continue
        codes.append(cells[0])
    if not codes:
        raise InvalidInput("文件中没有代码，请每行填写一个代码（或放在第一列）", field="file")
    return codes


# --------------------------------------------------------------------------------------------- feedback
def check_or_404(ctx: Context, check_id: int) -> ListCheck:
    return fetch_or_404(ctx.session, ListCheck, check_id, "查询记录不存在", "check_id")


def record_feedback(ctx: Context, check_id: int, measure_id: str, applied: bool, reason: str = "") -> FeedbackOut:
    """惩戒反馈 on one measure a check returned: applied or not (then with a reason), once per check and measure.

    403 for a check of another department; 404 for an unknown check; 422 for a measure the check did not
    return or a missing reason; 409 when feedback on that measure was already recorded. Audited."""
    require(ctx, FEEDBACK)
    found = check_or_404(ctx, check_id)
    if not may_see(ctx, found):
        raise PermissionDenied(ctx.role, FEEDBACK, "只能对本部门的查询记录反馈措施实施情况")
    measure_id = (measure_id or "").strip()
    if measure_id not in found.measure_ids:
        returned = "、".join(found.measure_ids) or "无（该次查询未返回适用措施）"
        raise InvalidInput(
            f"措施“{measure_id[:48]}”不是该次查询返回的措施，可反馈的措施：{returned}", field="measure_id"
        )
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"原因过长（最多 {REASON_MAX} 个字）", field="reason")
    if not applied and not reason:
        raise InvalidInput("未实施该措施时须说明原因（如：依法依规审慎审核后不予限制的理由）", field="reason")
    exists = ctx.session.scalar(
        select(CheckFeedback.id).where(CheckFeedback.check_id == check_id, CheckFeedback.measure_id == measure_id)
    )
    if exists is not None:
        raise Conflict("该次查询的这项措施已反馈过，不能重复反馈", field="measure_id")
    row = CheckFeedback(
        check_id=check_id,
        measure_id=measure_id,
        applied=bool(applied),
        reason=reason,
        department_id=found.department_id,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at.astimezone(UTC),
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
            ctx.session.flush()
    except IntegrityError:  # someone recorded it between the look-up and the insert
        raise Conflict("该次查询的这项措施已反馈过，不能重复反馈", field="measure_id") from None
    audit.record(
        ctx,
        "checks.feedback",
        "list_check",
        check_id,
        {"measure_id": measure_id, "applied": bool(applied), "reason": reason, "department_id": found.department_id},
    )
    measures = {m.id: m for m in measure_ledger().measures}
    return FeedbackOut(
        id=row.id,
        check_id=check_id,
        measure_id=measure_id,
        measure_name=measures[measure_id].name if measure_id in measures else measure_id,
        applied=row.applied,
        reason=row.reason,
        department_id=row.department_id,
        recorded_by=row.recorded_by,
        recorded_at=ctx.at,
    )
