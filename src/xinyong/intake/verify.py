"""Registry verification (核查) of intake rows: link each row to its subject, set-based per chunk of rows.

* An organisation with a (non-placeholder) USCC is looked up by code: one holder → linked (a different name is a
  warning); several holders (重码) → a warning and no link; none → a new subject marked unverified (待核实).
* A natural person is looked up by the keyed hash of the 身份证 number (``pii.lookup_hash``), never in clear.
  Other ID documents are not in the registry: such rows stay unlinked, with a warning.
* A subject with the placeholder code (rules.md §1) or no code is matched by name and 工商注册号, or created.

Each kind of key is resolved with one query per chunk (never one per row), and only for keys the batch has
not met before: a :class:`Registry` passed along remembers, for the rest of the batch (one transaction), what
each key looked up found and the subjects the batch created, so a subject repeated across chunks costs one
look-up. New subjects go in through ``subjects.bulk.insert_subjects``; their names are indexed for search
at once, or with a ``Registry`` once at the end of the batch (``Registry.index_names``: one sorted pass).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.auth.pii import mask_name
from xinyong.codes.uscc import PLACEHOLDER, uscc_problem_string
from xinyong.intake.load import KeyedQuery, select_in, xact_lock
from xinyong.subjects.bulk import index_names, insert_subjects, next_subject_id
from xinyong.subjects.names import normalize_name

# Serialises subject-id assignment between concurrent batches on PostgreSQL (bulk inserts assign ids
# themselves); released at commit. SQLite serialises writers anyway.
SUBJECT_ID_LOCK = "subject.ids"

CREATED = "主体库中无此主体，已按报送信息新建并标记为待核实"
WOULD_CREATE = "主体库中无此主体，入库时将按报送信息新建并标记为待核实"


@dataclass(slots=True)
class Candidate:
    """What a row says about its subject (normalised values; the ID number only as hash and ciphertext)."""

    name: str
    kind: str
    uscc: str | None = None  # a real code, never the placeholder
    placeholder: bool = False
    reg_no: str | None = None
    ric_hash: str | None = None
    ric_cipher: str | None = None
    ric_masked: str | None = None
    legal_representative: str | None = None
    unlinkable: str | None = None  # why the row cannot be linked (e.g. a passport number)


@dataclass(slots=True)
class Link:
    """The subject a row is linked to (None: unlinked) and warnings as (role, reason); role names the
    catalogue role (``subject_name``, ``uscc``, ``id_number``, ``id_type``) of the cell, "" for the row."""

    subject_id: int | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class NewSubjects:
    """How to create unknown subjects: the ``source`` text they carry and their creation time."""

    source: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Hit:
    id: int
    name: str
    name_key: str
    kind: str
    reg_no: str | None = None


class Registry:
    """What one batch has learnt of the subject registry inside its transaction: key → the subjects a look-up
    of that key returns (as the query would return them now: the batch's own new subjects included), and the
    id ranges of subjects created but not yet indexed for name search. Bounded: past ``limit`` keys it forgets
    them all and looks them up again."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self.limit = limit
        self.by_uscc: dict[str, list[_Hit]] = {}
        self.by_ric: dict[str, list[_Hit]] = {}
        self.by_name: dict[str, list[_Hit]] = {}
        self.unindexed: list[list[int]] = []  # [first id, last id] of subjects whose names are not indexed

    def _room(self) -> None:
        if len(self.by_uscc) + len(self.by_ric) + len(self.by_name) > self.limit:
            self.by_uscc.clear()
            self.by_ric.clear()
            self.by_name.clear()

    def _created(self, first: int, last: int) -> None:
        if self.unindexed and self.unindexed[-1][1] + 1 == first:
            self.unindexed[-1][1] = last
        else:
            self.unindexed.append([first, last])

    def index_names(self, session: Session) -> None:
        """Index the names of the subjects created so far (``subjects.bulk.index_names``, per id range)."""
        for first, last in self.unindexed:
            index_names(session, first, last)
        self.unindexed.clear()


def link_subjects(
    session: Session,
    candidates: Sequence[Candidate],
    *,
    create: NewSubjects | None,
    known: Registry | None = None,
) -> list[Link]:
    """Link every candidate; with ``create``, unknown subjects are created (unverified), else only warned about.

    With ``known`` (the batch's :class:`Registry`), keys met earlier in the batch are not looked up again and
    the new subjects' names are left for ``known.index_names``."""
    if known is not None:
        known._room()
    links = [Link() for _ in candidates]
    by_uscc: dict[str, list[int]] = defaultdict(list)
    by_ric: dict[str, list[int]] = defaultdict(list)
    by_name: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        if c.unlinkable:
            links[i].warnings.append(("id_type", c.unlinkable))
        elif c.ric_hash:
            by_ric[c.ric_hash].append(i)
        elif c.kind == "natural_person":
            links[i].warnings.append(("id_number", "自然人未提供身份证号码，未关联主体库"))
        elif c.uscc:
            by_uscc[c.uscc].append(i)
        else:
            by_name[(normalize_name(c.name), c.reg_no)].append(i)
    # (rows, subjects found, role, duplicate warning, the cache list the key's new subject joins)
    groups: list[tuple[list[int], list[_Hit], str, str, list[_Hit] | None]] = []
    if by_uscc:
        hits = _cached(session, _by_uscc, by_uscc, known.by_uscc if known else None)
        for code, idxs in by_uscc.items():
            dup = f"统一社会信用代码 {code} 在主体库中对应多个主体（重码），未关联主体，请核实"
            groups.append((idxs, hits.get(code, []), "uscc", dup, known.by_uscc.get(code) if known else None))
    if by_ric:
        hits = _cached(session, _by_ric, by_ric, known.by_ric if known else None)
        dup = "身份证号码在主体库中对应多个主体，未关联主体，请核实"
        for digest, idxs in by_ric.items():
            groups.append((idxs, hits.get(digest, []), "id_number", dup, known.by_ric.get(digest) if known else None))
    if by_name:
        hits = _cached(session, _by_name, {name: [] for name, _ in by_name}, known.by_name if known else None)
        for (name, reg_no), idxs in by_name.items():
            same = [h for h in hits.get(name, []) if h.reg_no == reg_no]
            dup = f"主体库中有多个同名{'且工商注册号相同' if reg_no else '且无代码'}的主体，未关联主体，请核实"
            groups.append((idxs, same, "subject_name", dup, known.by_name.get(name) if known else None))
    new_rows: list[dict[str, Any]] = []
    new_hits: list[tuple[list[int], dict[str, Any], list[_Hit] | None]] = []
    for idxs, hits, role, duplicate, cached in groups:
        if len(hits) > 1:
            for i in idxs:
                links[i].warnings.append((role, duplicate))
            continue
        if hits:
            _link(links, candidates, idxs, hits[0])
            continue
        for i in idxs:
            links[i].warnings.append(("", CREATED if create else WOULD_CREATE))
        if create:
            row = _new_subject(candidates[idxs[0]], create)
            new_rows.append(row)
            new_hits.append((idxs, row, cached))
    if new_rows:
        _insert(session, new_rows, known)
        for idxs, row, cached in new_hits:
            hit = _Hit(row["id"], row["name"], row["name_key"], row["kind"], row["reg_no"])
            _link(links, candidates, idxs, hit)
            if cached is not None:  # what a look-up of the key returns from now on
                cached.append(hit)
    return links


def _cached(
    session: Session,
    query: Callable[[Session, list[str]], dict[str, list[_Hit]]],
    keys: Mapping[str, object],
    cache: dict[str, list[_Hit]] | None,
) -> dict[str, list[_Hit]]:
    """Subjects by key for ``keys``: from ``cache`` where known, else by ``query`` (then remembered)."""
    if cache is None:
        return query(session, list(keys))
    missing = [key for key in keys if key not in cache]
    if missing:
        found = query(session, missing)
        for key in missing:
            cache[key] = found.get(key, [])
    return cache


def _link(links: list[Link], candidates: Sequence[Candidate], idxs: list[int], hit: _Hit) -> None:
    registered = mask_name(hit.name) if hit.kind == "natural_person" else hit.name
    for i in idxs:
        links[i].subject_id = hit.id
        name = candidates[i].name
        if name != hit.name and normalize_name(name) != hit.name_key:
            links[i].warnings.append(("subject_name", f"主体名称与主体库不一致（主体库：{registered}）"))


def _by_column(column: str) -> KeyedQuery:
    """Subjects whose ``column`` is one of the keys (ix_subject_uscc, ix_subject_ric_hash)."""
    return KeyedQuery(
        postgresql=(
            f"SELECT s.id, s.name, s.name_key, s.kind, s.{column} FROM unnest(%s::text[]) AS k(value) "
            f"CROSS JOIN LATERAL (SELECT * FROM subject x WHERE x.{column} = k.value OFFSET 0) s"
        ),
        sqlite=(
            f"SELECT s.id, s.name, s.name_key, s.kind, s.{column} FROM json_each(?) AS k "
            f"CROSS JOIN subject s ON s.{column} = k.value"
        ),
    )


_BY_USCC = _by_column("uscc")
_BY_RIC = _by_column("ric_hash")
# Subjects without a real code (the placeholder or none): name_key has no index, the code conditions narrow it.
_NAME_CONDITION = "(s.uscc = {p} OR s.uscc IS NULL) AND s.kind <> {p}"
_BY_NAME = KeyedQuery(
    postgresql=(
        "SELECT s.id, s.name, s.name_key, s.kind, s.reg_no FROM subject s "
        "WHERE s.name_key = ANY(%s::text[]) AND " + _NAME_CONDITION.format(p="%s")
    ),
    sqlite=(
        "SELECT s.id, s.name, s.name_key, s.kind, s.reg_no FROM subject s "
        "WHERE s.name_key IN (SELECT value FROM json_each(?)) AND " + _NAME_CONDITION.format(p="?")
    ),
)


def _hits(session: Session, sql: KeyedQuery, keys: list[str], params: Sequence[str] = ()) -> dict[str, list[_Hit]]:
    """Subjects by the last selected column (code, hash or name key)."""
    found: dict[str, list[_Hit]] = defaultdict(list)
    for ident, name, name_key, kind, key in select_in(session, sql, keys, params):
        found[key].append(_Hit(ident, name, name_key, kind))
    return found


def _by_uscc(session: Session, codes: list[str]) -> dict[str, list[_Hit]]:
    return _hits(session, _BY_USCC, codes)


def _by_ric(session: Session, digests: list[str]) -> dict[str, list[_Hit]]:
    return _hits(session, _BY_RIC, digests)


def _by_name(session: Session, names: list[str]) -> dict[str, list[_Hit]]:
    found: dict[str, list[_Hit]] = defaultdict(list)
    for ident, name, name_key, kind, reg_no in select_in(
        session, _BY_NAME, sorted(names), (PLACEHOLDER, "natural_person")
    ):
        found[name_key].append(_Hit(ident, name, name_key, kind, reg_no))
    return found


def _new_subject(c: Candidate, how: NewSubjects) -> dict[str, Any]:
    code = c.uscc or (PLACEHOLDER if c.placeholder else None)
    return {
        "kind": c.kind,
        "name": c.name[:200],  # insert_subjects adds name_key
        "uscc": code,
        "uscc_problems": uscc_problem_string(code) if code else None,
        "reg_no": c.reg_no[:32] if c.reg_no else None,
        "ric_cipher": c.ric_cipher,
        "ric_hash": c.ric_hash,
        "ric_masked": c.ric_masked,
        "legal_representative": c.legal_representative[:64] if c.legal_representative else None,
        "organisation_type": None,
        "township_code": None,
        "address": None,
        "registered_on": None,
        "status": "存续",
        "source": how.source[:64],
        "created_at": how.at,
    }


def _insert(session: Session, rows: list[dict[str, Any]], known: Registry | None) -> None:
    """Insert new subjects with consecutive ids, marked unverified (待核实); their names are indexed for search
    now, or by ``known.index_names``."""
    xact_lock(session, SUBJECT_ID_LOCK, "其他批次正在向主体库新增主体，请稍后重试")
    first = next_subject_id(session)
    for offset, row in enumerate(rows):
        row["id"] = first + offset
        row["verified"] = False
    insert_subjects(session, rows, index=known is None)
    if known is not None:
        known._created(first, first + len(rows) - 1)
