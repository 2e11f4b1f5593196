"""The intake action (归集): a department submits a batch of one data item; check, verify, load, give feedback.

Pipeline (glossary: 清洗、校核、入库、核查): ``parse.open_table`` streams the file, ``check.map_columns`` maps
its headers to the item's fields, then per chunk of ``CHUNK_ROWS`` rows: ``prepare.Preparer`` normalises and
validates each row (``check.RowChecker``), applies the batch-level checks (the row's 数据来源单位统一社会信用代码
must be the submitting department's; a document number may appear once per batch) and makes each valid row
ready (content hash, stored JSON, record columns); then current-version look-up by natural key (an identical
re-send is ``unchanged``), registry verification (``verify.link_subjects``, remembering the subjects met in
``verify.Registry``) and bulk inserts (``load.insert_rows``). For a CSV file of ``PARALLEL_MIN_BYTES`` or
more, the preparing runs in a worker process (``intake.worker``) while this one verifies and writes the
previous chunk. Memory stays bounded by the chunk size, whatever the file's length, apart from the batch's
set of document numbers and its bounded registry memo.

All-or-nothing by default: the record and subject writes run in a SAVEPOINT; when a row error turns up after
some chunks were written, the savepoint is rolled back and the batch is read again to store every row as
rejected (erroneous) or held (valid, ``IntakeRejectedRow.valid``), with every issue. With ``partial`` the
valid rows load and the erroneous ones are stored as rejected. A file that cannot be read gives a rejected
batch with ``file_error`` and nothing else. The batch, its issues and one audit event (``intake.submit``,
no personal data) are written in the caller's transaction: this module flushes, the caller commits. On
PostgreSQL one batch per (item, department) runs at a time (``load.xact_lock``), so versions never fork.

A record's ``content_hash`` is the SHA-256 of the canonical JSON of its normalised values (ID number
included, in clear only there); ``data`` is the same JSON without the ID number (blank values kept as null)
and with the item's other personal fields (phone numbers) sealed with ``pii.seal``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import IO, Any, BinaryIO

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require_department
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.db.base import fetch
from xinyong.errors import NotFound
from xinyong.intake import check, load, parse, prepare, verify, worker
from xinyong.intake.collection import batch_collection
from xinyong.intake.models import IntakeBatch
from xinyong.intake.schemas import MAX_MESSAGES, BatchSummary, RowMessage
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

SUBMIT = "intake.submit"
# Rows per chunk: each chunk is one look-up per key kind and one bulk insert per table.
CHUNK_ROWS = 5000
# A CSV file at least this large is read and checked in a worker process (``intake.worker``) while this one
# writes: starting it costs about a second, and a file this size (~50,000 penalty rows) takes several.
PARALLEL_MIN_BYTES = 32 << 20
_READ_BLOCK = 1 << 20

Progress = Callable[[int], None]


def max_upload_bytes() -> int:
    """Largest file ``submit_file`` reads, on every channel (``XINYONG_INTAKE_MAX_FILE_MB``)."""
    return get_settings().intake_max_file_bytes


def submit_file(
    ctx: Context,
    item_id: str,
    department_id: int,
    source: BinaryIO,
    filename: str,
    *,
    partial: bool = False,
    channel: str = "upload",
    progress: Progress | None = None,
) -> BatchSummary:
    """Submit a CSV or XLSX file of ``item_id`` for ``department_id``; ``progress(rows_done)`` is called after
    each chunk. A file over ``max_upload_bytes()`` is a rejected batch. Raises ``PermissionDenied`` /
    ``NotFound``; every data problem is in the summary."""
    department, item = _prepare(ctx, item_id, department_id)
    limit = max_upload_bytes()
    stream, digest, owned = _hashed(source, limit)
    start = stream.tell()

    def open_table() -> parse.Table:
        stream.seek(start)
        return parse.open_table(stream, filename, max_bytes=limit)

    def prepared(table: parse.Table, spec: prepare.PrepareSpec) -> Iterator[prepare.Prepared] | None:
        reading = stream.tell()  # the table reads on from here
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(reading)
        if table.format != "csv" or size < PARALLEL_MIN_BYTES or size > limit:
            return None
        return _worker_chunks(stream, start, filename, limit, spec)

    try:
        return _submit(ctx, item, department, open_table, filename, digest, partial, channel, progress, prepared)
    finally:
        if owned:
            stream.close()


def _worker_chunks(
    stream: IO[bytes], start: int, filename: str, limit: int, spec: prepare.PrepareSpec
) -> Iterator[prepare.Prepared]:
    """The file's chunks prepared by a worker process (``intake.worker``), which reads the file by its path: a
    stream that has none is copied to a temporary file first."""
    path = getattr(stream, "name", None)
    copy = None
    if not (isinstance(path, str) and os.path.isfile(path)):
        copy = tempfile.NamedTemporaryFile(prefix="xinyong-intake-", suffix=".csv", delete=False)  # noqa: SIM115
        with copy:
            stream.seek(start)
            shutil.copyfileobj(stream, copy, _READ_BLOCK)
        path, start = copy.name, 0
    try:
        job = worker.Job(spec, path, start, filename, limit, CHUNK_ROWS)
        yield from worker.prepared_chunks(job)
    finally:
        if copy is not None:
            os.unlink(copy.name)


def submit_rows(
    ctx: Context,
    item_id: str,
    department_id: int,
    rows: Sequence[Mapping[str, object]],
    *,
    partial: bool = False,
    channel: str = "api",
) -> BatchSummary:
    """Submit records given as mappings (header or field key → value), e.g. a JSON API push."""
    department, item = _prepare(ctx, item_id, department_id)
    digest = hashlib.sha256(json.dumps(list(rows), ensure_ascii=False, default=str).encode()).hexdigest()
    table = lambda: parse.table_from_records(rows)  # noqa: E731
    return _submit(ctx, item, department, table, "", digest, partial, channel, None, None)


def _prepare(ctx: Context, item_id: str, department_id: int) -> tuple[Department, DataItem]:
    require_department(ctx, department_id, SUBMIT)
    try:
        item = load_catalog().item(item_id)
    except UnknownItem as exc:
        raise NotFound(str(exc), field="item_id") from None
    department = fetch(ctx.session, Department, department_id)
    if department is None:
        raise NotFound(f"部门 {department_id} 未登记，请先运行 xinyong departments add 登记该部门", field="department")
    return department, item


def _hashed(source: BinaryIO, limit: int) -> tuple[IO[bytes], str, bool]:
    """(a seekable stream at the data's start, its SHA-256 — "" past ``limit`` bytes —, whether we own it).

    Reading stops past ``limit``: ``parse.open_table`` then refuses the file by its size."""
    digest = hashlib.sha256()
    size = 0
    seekable = bool(getattr(source, "seekable", lambda: False)())
    target: IO[bytes] = source if seekable else tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    start = source.tell() if seekable else 0
    while size <= limit and (block := source.read(_READ_BLOCK)):
        size += len(block)
        digest.update(block)
        if not seekable:
            target.write(block)
    target.seek(start)
    return target, (digest.hexdigest() if size <= limit else ""), not seekable


def _submit(
    ctx: Context,
    item: DataItem,
    department: Department,
    open_table: Callable[[], parse.Table],
    filename: str,
    digest: str,
    partial: bool,
    channel: str,
    progress: Progress | None,
    prepared: Callable[[parse.Table, prepare.PrepareSpec], Iterator[prepare.Prepared] | None] | None,
) -> BatchSummary:
    session = ctx.session
    batch = IntakeBatch(
        item_id=item.id,
        item_version=item.version,
        department_id=department.id,
        channel=channel,
        filename=filename[-255:],
        file_sha256=digest,
        partial=partial,
        status="rejected",
        headers=[],
        submitted_on=ctx.today,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    session.add(batch)
    session.flush()
    # One batch at a time per (item, department): versions of a key never fork.
    busy = f"{department.name}的另一批“{item.name}”正在入库，请稍后重试"
    load.xact_lock(session, f"intake:{item.id}:{department.id}", busy)
    load.no_jit(session)
    defaulted = [k for k in (item.roles.source_department, item.roles.source_department_uscc) if k]
    try:
        table = open_table()
        batch.headers = list(table.headers)
        columns = check.map_columns(item, table.headers, defaulted=defaulted)
    except parse.FileProblem as exc:
        return _finish(ctx, item, department, batch, None, exc.message)
    session.flush()
    run = _Run(ctx, item, department, batch, columns, table.headers, partial=partial, progress=progress)
    # A large CSV file is read and checked by a worker process while this one writes (see ``intake.worker``).
    chunks = prepared(table, run.spec) if prepared else None
    savepoint = session.begin_nested()
    try:
        with batch_collection():
            with load.write_cache(session):
                try:
                    completed = run.process(table.rows, chunks)
                finally:
                    if chunks is not None:
                        chunks.close()  # type: ignore[attr-defined]  # a generator: stops the worker
            if not completed:  # an error after chunks were loaded: undo them, then store every row as rejected/held
                savepoint.rollback()
                savepoint = session.begin_nested()
                table = open_table()
                run = _Run(ctx, item, department, batch, columns, table.headers, partial=False, progress=progress)
                run.loading = False
                run.process(table.rows)
    except parse.FileProblem as exc:  # found while streaming (e.g. a corrupt sheet): nothing of the batch stays
        savepoint.rollback()
        return _finish(ctx, item, department, batch, None, exc.message)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return _finish(ctx, item, department, batch, run, None)


class _Messages:
    """Errors or warnings of one level for the summary: the first ``MAX_MESSAGES``, and how many more."""

    def __init__(self) -> None:
        self.items: list[RowMessage] = []
        self.count = 0

    def add(self, row: int, field: str, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_MESSAGES:
            self.items.append(RowMessage(row=row, field=field, reason=reason))

    def listed(self, level: str) -> list[RowMessage]:
        more = self.count - len(self.items)
        if more <= 0:
            return self.items
        note = f"另有 {more} 条{level}未在此列出，完整清单见该批次的反馈表"
        return [*self.items, RowMessage(row=0, field="", reason=note)]


def _chunks(rows: Iterator[parse.RawRow], size: int) -> Iterator[list[parse.RawRow]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


class _Run:
    """One pass over a batch's rows: loading (``loading``) or storing every row as rejected/held."""

    def __init__(
        self,
        ctx: Context,
        item: DataItem,
        department: Department,
        batch: IntakeBatch,
        columns: check.ColumnMap,
        headers: Sequence[str],
        *,
        partial: bool,
        progress: Progress | None,
    ) -> None:
        self.ctx, self.item, self.department, self.batch = ctx, item, department, batch
        self.columns, self.headers, self.partial, self.progress = columns, list(headers), partial, progress
        self.loading = True
        # Only records of earlier batches can make a row unchanged or superseded (this batch's own document
        # numbers are unique): with none, the look-ups are skipped.
        self.resend_possible = load.has_records(ctx.session, item.id, department.id)
        roles = item.roles
        self.today = ctx.today  # a new date object per access: fetched once
        self.spec = prepare.PrepareSpec(item.id, item.version, columns, self.today, department.name, department.uscc)
        self.preparer = prepare.Preparer(self.spec, item)
        # Personal fields other than the ID number (which has its own columns): sealed inside ``data``.
        self.sealed_keys = tuple(
            f.key for f in item.fields if f.personal in ("phone", "id_number") and f.key != item.roles.id_number
        )
        self.labels = {f.key: f.label for f in item.fields}
        self.doc_key = roles.document
        self.role_keys: dict[str, str | None] = roles.model_dump()
        self.keys = roles  # the field keys of the roles, read per row
        self.batch_id = batch.id
        self.record_head = (item.id, item.version, department.id)  # the first columns of every record
        self.record_tail = (self.today, ctx.at)  # its last ones: reporting day and load time
        # Raw-cell headers of personal identifiers: masked in stored rejected rows.
        self.masked_headers = {
            self.headers[i]: (pii.mask_phone if item.field(k).personal == "phone" else pii.mask_id)
            for k, i in columns.index_by_key.items()
            if item.field(k).personal in ("id_number", "phone") and i < len(self.headers)
        }
        self.source = verify.NewSubjects(f"{department.name}报送（{item.name}）", ctx.at)
        self.registry = verify.Registry()  # subjects met so far in this pass
        self.rows = self.accepted = self.superseded = self.unchanged = self.rejected = 0
        self.errors, self.warnings = _Messages(), _Messages()

    # --- the pass ---------------------------------------------------------------------------------------

    def process(self, rows: Iterator[parse.RawRow], prepared: Iterator[prepare.Prepared] | None = None) -> bool:
        """Go through every row; False when an all-or-nothing batch met an error after chunks were loaded.

        ``prepared``: the same rows already prepared by a worker process (loading only). An error row in an
        all-or-nothing batch then also returns False, so that the caller reads the batch again without it."""
        issues: list[tuple[Any, ...]] = []
        if self.columns.ignored:
            self._issue(
                issues,
                0,
                "",
                "warning",
                f"以下列不属于数据项“{self.item.name}”，已忽略：{'、'.join(self.columns.ignored)}",
            )
        if prepared is not None and self.loading:
            for chunk in prepared:
                if chunk.bad and not self.partial:
                    return False
                self._load(chunk, issues)
                self._chunk_done(chunk.rows, issues)
                issues = []
        else:
            loaded_any = False
            for raw in _chunks(rows, CHUNK_ROWS):
                checked = self.preparer.check(raw)
                if self.loading and not self.partial and not all(map(prepare.ok, checked)):
                    if loaded_any:
                        return False
                    self.loading = False
                if self.loading:
                    self._load(self.preparer.ready(checked), issues)
                    loaded_any = True
                else:
                    self._hold(checked, issues)
                self._chunk_done(len(checked), issues)
                issues = []
        if not self.rows:
            self._issue(issues, 0, "", "warning", "文件中没有数据行")
        load.insert_rows(self.ctx.session, load.ISSUES, load.ISSUE_COLUMNS, issues)
        self.registry.index_names(self.ctx.session)  # the new subjects' names, in one pass
        return True

    def _chunk_done(self, rows: int, issues: list[tuple[Any, ...]]) -> None:
        load.insert_rows(self.ctx.session, load.ISSUES, load.ISSUE_COLUMNS, issues)
        self.rows += rows
        if self.progress:
            self.progress(self.rows)

    # --- loading ----------------------------------------------------------------------------------------

    def _load(self, prepared: prepare.Prepared, issues: list[tuple[Any, ...]]) -> None:
        ctx, item = self.ctx, self.item
        ready = prepared.ready
        current = (
            load.current_versions(ctx.session, item.id, self.department.id, [r.doc_no for r in ready])
            if self.resend_possible
            else {}
        )
        fresh: list[tuple[prepare.Ready, load.Current | None]] = []
        for row in ready:
            before = current.get(row.doc_no) if current else None
            if before is not None and before.content_hash == row.digest:
                self.unchanged += 1
            else:
                fresh.append((row, before))
        secrets = [self._identity(row.subject[prepare.ID_NUMBER]) for row, _ in fresh]
        candidates = [self._candidate(row.subject, secret) for (row, _), secret in zip(fresh, secrets, strict=True)]
        links = verify.link_subjects(ctx.session, candidates, create=self.source, known=self.registry)
        records = []
        for (row, before), secret, link in zip(fresh, secrets, links, strict=True):
            if link.warnings:
                self._link_warnings(row.issues, link)
            records.append(self._record(row, before, secret, link.subject_id))
        self.accepted += len(records)
        self.superseded += sum(1 for f in fresh if f[1] is not None)
        load.insert_rows(ctx.session, load.RECORDS, load.RECORD_COLUMNS, records)
        bad = prepared.bad
        if bad:
            self._store_rejected(bad, valid=False)
        # Every row's issues, rows in file order.
        noted = [(r.row_no, r.issues) for r in ready if r.issues]
        if bad:
            noted = sorted(noted + [(r.row_no, r.issues) for r in bad if r.issues], key=itemgetter(0))
        for row_no, row_issues in noted:
            for issue in row_issues:
                self._issue(issues, row_no, issue.field, issue.level, issue.reason)

    def _record(
        self,
        row: prepare.Ready,
        before: load.Current | None,
        secret: tuple[str, str, str] | None,
        subject_id: int | None,
    ) -> tuple[Any, ...]:
        """The ``credit_record`` row (``load.RECORD_COLUMNS``) of a row ready to load."""
        data = row.data
        if row.values is not None and any(row.values.get(k) for k in self.sealed_keys):
            # Phone numbers and other personal values are kept encrypted inside ``data`` (the hash was taken
            # over the clear values, so an identical re-send is still recognised).
            id_key = self.keys.id_number
            sealed = {k: v for k, v in row.values.items() if k != id_key}
            for key in self.sealed_keys:
                if sealed.get(key):
                    sealed[key] = pii.seal(sealed[key])  # type: ignore[arg-type]
            data = load.canonical_json(sealed)
        cipher, id_hash, masked = secret or (None, None, None)
        return (
            *self.record_head,
            subject_id,
            self.batch_id,
            row.row_no,
            row.doc_no,
            before.version + 1 if before else 1,
            before.id if before else None,
            *row.columns,
            data,
            cipher,
            id_hash,
            masked[:64] if masked else None,
            row.digest,
            *self.record_tail,
        )

    def _identity(self, number: str | None) -> tuple[str, str, str] | None:
        """(ciphertext, look-up hash, masked) of the row's ID number; the number itself is not kept."""
        if not number:
            return None
        return pii.encrypt(number), pii.lookup_hash(number), pii.mask_id(number)

    def _candidate(self, subject: prepare.Subject, secret: tuple[str, str, str] | None) -> verify.Candidate:
        kind, name, code, reg_no, legal, id_type, _ = subject
        if kind == "natural_person":
            if secret and id_type not in (None, check.RESIDENT_ID_TYPE):
                reason = f"证件类型为{id_type}：主体库只按身份证号码关联自然人，本行未关联主体"
                return verify.Candidate(name=name, kind=kind, unlinkable=reason)
            cipher, digest, masked = secret or (None, None, None)
            return verify.Candidate(name=name, kind=kind, ric_hash=digest, ric_cipher=cipher, ric_masked=masked)
        placeholder = code == PLACEHOLDER
        return verify.Candidate(
            name=name,
            kind=kind,
            uscc=None if placeholder else code,
            placeholder=placeholder,
            reg_no=reg_no,
            legal_representative=legal,
        )

    def _link_warnings(self, issues: list[check.Issue], link: verify.Link) -> None:
        for role, reason in link.warnings:
            key = self.role_keys.get(role) if role else None
            issues.append(check.Issue(field=self.labels.get(key or "", ""), reason=reason, level="warning"))

    # --- rejected and held rows -------------------------------------------------------------------------

    def _hold(self, checked: list[check.CheckedRow], issues: list[tuple[Any, ...]]) -> None:
        """Store every row as rejected (errors) or held (valid); registry warnings read-only."""
        good = [row for row in checked if prepare.ok(row)]
        subjects = [self.preparer.subject(row.values) for row in good]
        candidates = [self._candidate(s, self._lookup_only(s[prepare.ID_NUMBER])) for s in subjects]
        links = verify.link_subjects(self.ctx.session, candidates, create=None, known=self.registry)
        for row, link in zip(good, links, strict=True):
            self._link_warnings(row.issues, link)
        self._store_rejected([row for row in checked if not prepare.ok(row)], valid=False)
        self._store_rejected(good, valid=True)
        for row in checked:
            self._row_issues(issues, row)

    def _lookup_only(self, number: str | None) -> tuple[str, str, str] | None:
        return ("", pii.lookup_hash(number), "") if number else None

    def _store_rejected(self, rows: Iterable[check.CheckedRow], *, valid: bool) -> None:
        stored = []
        for row in rows:
            raw = {
                h: (self.masked_headers[h](v.strip()) if h in self.masked_headers and v.strip() else v)
                for h, v in row.raw.items()
            }
            doc = row.values.get(self.doc_key) or (self._raw_doc(row) or None)
            stored.append(
                (
                    self.batch.id,
                    row.row_no,
                    self.item.id,
                    self.department.id,
                    doc[:64] if doc else None,
                    valid,
                    load.canonical_json(raw),
                    self.today,
                )
            )
            self.rejected += not valid
        load.insert_rows(self.ctx.session, load.REJECTED, load.REJECTED_COLUMNS, stored)

    def _raw_doc(self, row: check.CheckedRow) -> str:
        index = self.columns.index_by_key.get(self.doc_key)
        return row.raw.get(self.headers[index], "").strip() if index is not None and index < len(self.headers) else ""

    # --- issues -------------------------------------------------------------------------------------------

    def _row_issues(self, issues: list[tuple[Any, ...]], row: check.CheckedRow) -> None:
        for issue in row.issues:
            self._issue(issues, row.row_no, issue.field, issue.level, issue.reason)

    def _issue(self, issues: list[tuple[Any, ...]], row_no: int, field: str, level: str, reason: str) -> None:
        reason = audit.scrub_text(reason)[:500]
        issues.append((self.batch.id, row_no, field[:40], level, reason))
        (self.errors if level == "error" else self.warnings).add(row_no, field, reason)


def _finish(
    ctx: Context,
    item: DataItem,
    department: Department,
    batch: IntakeBatch,
    run: _Run | None,
    file_error: str | None,
) -> BatchSummary:
    """Store the batch's counts and status, write the audit event, return the summary."""
    if run is None:
        message = (file_error or "")[:500]
        batch.file_error = message
        batch.status = "rejected"
        load.insert_rows(ctx.session, load.ISSUES, load.ISSUE_COLUMNS, [(batch.id, 0, "", "error", message)])
        errors, warnings = [RowMessage(row=0, field="", reason=message)], []
        rows = accepted = rejected = unchanged = superseded = held = warning_count = 0
    else:
        rows, accepted, rejected = run.rows, run.accepted, run.rejected
        unchanged, superseded = run.unchanged, run.superseded
        held = rows - accepted - unchanged - rejected
        errors, warnings = run.errors.listed("错误"), run.warnings.listed("警告")
        warning_count = run.warnings.count
        nothing_loaded = rejected and not (accepted or unchanged)
        batch.status = "rejected" if nothing_loaded or not run.loading else "loaded"
    batch.rows, batch.accepted, batch.rejected = rows, accepted, rejected
    batch.unchanged, batch.superseded, batch.warnings = unchanged, superseded, warning_count
    ctx.session.flush()
    detail = {
        "item": item.id,
        "item_version": item.version,
        "department": department.code,
        "channel": batch.channel,
        "filename": batch.filename,
        "partial": batch.partial,
        "status": batch.status,
        "rows": rows,
        "accepted": accepted,
        "superseded": superseded,
        "unchanged": unchanged,
        "rejected": rejected,
        "held": held,
        "warnings": warning_count,
        "file_error": batch.file_error,
    }
    audit.record(
        ctx, SUBMIT, "intake_batch", batch.id, detail, outcome="ok" if batch.status == "loaded" else "rejected"
    )
    return BatchSummary(
        batch_id=batch.id,
        item=item.id,
        department=department.name,
        status=batch.status,
        rows=rows,
        accepted=accepted,
        rejected=rejected,
        unchanged=unchanged,
        superseded=superseded,
        held=held,
        warnings=warnings,
        errors=errors,
        file_error=batch.file_error,
    )
