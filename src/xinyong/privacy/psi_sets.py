"""Compiled PSI server sets (issue #10 item 1): each scope of ``rules/privacy.yaml`` compiled from current data.

A scope's codes are one set-based query as of a day (the USCCs of the subjects on its lists in force that day, or
graded as it names in the newest evaluation run of its model up to that day). A build encrypts them under a fresh
server key (ECDH, openmined-psi), builds the setup message (GCS or Bloom filter sized for the policy's largest
request at its false-positive rate) and stores it as a new version with the key encrypted at rest
(``xinyong.auth.pii``). The setup is computed before anything is written; the old version loses ``current`` and
the new one is inserted in one transaction, so a reader sees the old set or the new one, never neither nor half.
A build whose codes and policy did not change (same digest) is skipped. Each build rotates the key: requests made
against an older version are refused (409) and the client fetches the new setup.

Natural persons are not in the sets: their ID numbers are only stored encrypted and keyed-hashed, and a bank's
portfolio of enterprises is matched by USCC (docs/privacy.md).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import zlib
from dataclasses import dataclass
from datetime import date

import private_set_intersection.python as psi
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.lists.active import in_force
from xinyong.lists.models import ListEntry
from xinyong.privacy.models import PsiSet
from xinyong.privacy.policy import ScopePolicy, load_policy, scope_policy
from xinyong.subjects.models import Subject

MANAGE = "privacy.manage"
READ = "privacy.read"
STRUCTURES = {"GCS": psi.DataStructure.GCS, "BLOOM_FILTER": psi.DataStructure.BLOOM_FILTER}
STORED = {"GCS": "GCS", "BLOOM_FILTER": "BLOOM"}  # psi_set.data_structure is String(8)
REASON_MAX = 200


@dataclass(frozen=True)
class BuildResult:
    """What a rebuild did: ``built`` False when the digest had not changed (the current version stays)."""

    scope: str
    version: int
    elements: int
    built: bool
    digest: str
    previous_version: int | None


# --------------------------------------------------------------------------------------------- the codes
def scope_codes(session: Session, policy: ScopePolicy, as_of: date) -> list[str]:
    """The sorted distinct USCCs of the scope on ``as_of`` (one query)."""
    if policy.kind == "lists":
        stmt = (
            select(Subject.uscc)
            .join(ListEntry, ListEntry.subject_id == Subject.id)
            .where(ListEntry.list_code.in_(policy.lists), in_force(as_of), Subject.uscc.is_not(None))
            .distinct()
            .order_by(Subject.uscc)
        )
    else:
        run_id = (
            select(EvaluationRun.id)
            .where(
                EvaluationRun.model == policy.model,
                EvaluationRun.as_of <= as_of,
                EvaluationRun.finished_at.is_not(None),
            )
            .order_by(EvaluationRun.as_of.desc(), EvaluationRun.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        stmt = (
            select(Subject.uscc)
            .join(EvaluationResult, EvaluationResult.subject_id == Subject.id)
            .where(EvaluationResult.run_id == run_id, EvaluationResult.grade.in_(policy.grades))
            .where(Subject.uscc.is_not(None))
            .distinct()
            .order_by(Subject.uscc)
        )
    return [code for code in session.scalars(stmt) if code]


def digest_of(policy: ScopePolicy, codes: list[str]) -> str:
    """SHA-256 of the policy's fingerprint and the sorted codes: equal digests mean an identical set."""
    h = hashlib.sha256(policy.fingerprint().encode())
    for code in codes:
        h.update(b"\n" + code.encode())
    return h.hexdigest()


# --------------------------------------------------------------------------------------------- reads
def current_set(session: Session, scope: str) -> PsiSet | None:
    """The current version of ``scope``, or None before its first build."""
    return session.scalar(select(PsiSet).where(PsiSet.scope == scope, PsiSet.current.is_(True)).limit(1))


def set_version(session: Session, scope: str, version: int) -> PsiSet | None:
    """Version ``version`` of ``scope``."""
    return session.scalar(select(PsiSet).where(PsiSet.scope == scope, PsiSet.version == version))


_servers: dict[tuple[int, str], psi.server] = {}
_servers_lock = threading.Lock()
SERVER_CACHE = 16


def server_key(row: PsiSet) -> bytes:
    """The set's server key, decrypted (never leaves the platform)."""
    return base64.b64decode(pii.decrypt(row.key_enc))


def server_for(row: PsiSet) -> psi.server:
    """The protocol server of a stored set (its key decrypted once, kept for the newest few sets)."""
    key = (row.id, row.key_enc)
    with _servers_lock:
        found = _servers.get(key)
        if found is None:
            found = psi.server.CreateFromKey(server_key(row), row.reveal_intersection)
            if len(_servers) >= SERVER_CACHE:
                _servers.pop(next(iter(_servers)))
            _servers[key] = found
        return found


# --------------------------------------------------------------------------------------------- builds
def _lock_scope(session: Session, scope: str) -> None:
    """PostgreSQL: one build of a scope at a time (the version number is max + 1)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(f"psi_set:{scope}".encode())})


def build_setup(policy: ScopePolicy, codes: list[str]) -> tuple[bytes, bytes, str]:
    """(serialised setup message, server key, data structure used) of ``codes`` under a fresh key.

    openmined-psi 2.0.6 cannot build a GCS for a set much smaller than the largest request at a tiny fpr (its
    Golomb parameter overflows: ``basic_string::_M_replace_aux``); such a set is built as a Bloom filter, which
    is small for few elements anyway. The structure used is stored with the version (``GCS`` or ``BLOOM``)."""
    server = psi.server.CreateWithNewKey(policy.reveal_intersection)
    structure = policy.data_structure
    try:
        message = server.CreateSetupMessage(policy.fpr, policy.max_client_elements, codes, STRUCTURES[structure])
    except ValueError:
        if structure != "GCS":
            raise
        structure = "BLOOM_FILTER"
        message = server.CreateSetupMessage(policy.fpr, policy.max_client_elements, codes, STRUCTURES[structure])
    return message.SerializeToString(), server.GetPrivateKeyBytes(), STORED[structure]


def rebuild(
    ctx: Context, scope: str, as_of: date | None = None, *, reason: str = "", force: bool = False
) -> BuildResult:
    """Compile ``scope`` as of ``as_of`` (default today); store a new current version unless nothing changed."""
    require(ctx, MANAGE)
    policy = scope_policy(scope)
    day = as_of or ctx.today
    session = ctx.session
    _lock_scope(session, scope)
    codes = scope_codes(session, policy, day)
    digest = digest_of(policy, codes)
    current = current_set(session, scope)
    previous = current.version if current is not None else None
    if current is not None and current.digest == digest and not force:
        return BuildResult(scope, current.version, current.elements, False, digest, previous)
    setup, key, structure = build_setup(policy, codes)
    note = " ".join("".join(ch if ch.isprintable() else " " for ch in reason).split())[:REASON_MAX]
    with session.begin_nested():
        version = (session.scalar(select(func.max(PsiSet.version)).where(PsiSet.scope == scope)) or 0) + 1
        session.execute(
            update(PsiSet).where(PsiSet.scope == scope, PsiSet.current.is_(True)).values(current=False),
            execution_options={"synchronize_session": "fetch"},
        )
        row = PsiSet(
            scope=scope,
            version=version,
            current=True,
            elements=len(codes),
            data_structure=structure,
            fpr=policy.fpr,
            reveal_intersection=policy.reveal_intersection,
            setup=setup,
            key_enc=pii.encrypt(base64.b64encode(key).decode()),
            digest=digest,
            reason=note,
            built_by=ctx.actor[:128],
            built_at=ctx.at,
        )
        session.add(row)
        session.flush()
        detail = {
            "scope": scope,
            "version": version,
            "previous_version": previous,
            "elements": len(codes),
            "as_of": day.isoformat(),
            "reason": note,
            "forced": force,
        }
        audit.record(ctx, "privacy.rebuild", "psi_set", row.id, detail)
    return BuildResult(scope, version, len(codes), True, digest, previous)


def rebuild_all(ctx: Context, as_of: date | None = None, *, reason: str = "") -> list[BuildResult]:
    """Rebuild every scope of the policy (the daily job: list changes, repairs, removals and expiries, and new
    evaluation runs take effect; unchanged scopes are skipped)."""
    require(ctx, MANAGE)
    return [rebuild(ctx, scope, as_of, reason=reason or "daily") for scope in load_policy().scopes]


def daily_step(ctx: Context, as_of: date) -> int:
    """The daily job's step (``records.jobs.STEPS``, after ``lists_expire``): the number of scopes rebuilt."""
    return sum(1 for r in rebuild_all(ctx, as_of) if r.built)
