"""Privacy tables (issue #10): compiled PSI server sets (versioned, one current per scope), every protocol exchange,
sandbox queries and their releases, federated training runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID


class PsiSet(Base):
    """One compiled server set of a scope (e.g. the subjects on the dishonesty lists, or graded D): the protocol's
    setup message (GCS or Bloom filter of the encrypted codes), the server key encrypted at rest, the element count
    and a digest of the sorted codes. A rebuild adds a version and moves ``current`` in one transaction."""

    __tablename__ = "psi_set"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean)
    elements: Mapped[int] = mapped_column(Integer)
    data_structure: Mapped[str] = mapped_column(String(8))
    fpr: Mapped[float] = mapped_column(Float)
    reveal_intersection: Mapped[bool] = mapped_column(Boolean)
    setup: Mapped[bytes] = mapped_column(LargeBinary)
    key_enc: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    built_by: Mapped[str] = mapped_column(String(128))
    built_at: Mapped[datetime]

    __table_args__ = (Index("ix_psi_set_scope", "scope", "version", unique=True),)


class PsiExchange(Base):
    """One protocol exchange of an institution against a set version: what the platform saw (the number of the
    client's encrypted elements, a digest of its request to refuse replays) and the outcome."""

    __tablename__ = "psi_exchange"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    set_id: Mapped[int | None] = mapped_column(ForeignKey("psi_set.id"))
    institution: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    client_elements: Mapped[int | None] = mapped_column(Integer)
    request_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_psi_exchange_institution", "institution", "at"),)


class SandboxQuery(Base):
    """An analyst's aggregate query over an approved view of the data sandbox (数据安全屋) and what was released:
    ``released`` (every group ≥ k, noise added as the policy says), ``suppressed`` (groups under k withheld) or
    ``refused``; the raw rows never leave."""

    __tablename__ = "sandbox_query"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    view: Mapped[str] = mapped_column(String(40))
    spec: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    k: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[float | None] = mapped_column(Float)
    result: Mapped[list] = mapped_column(JSON, default=list)
    suppressed_groups: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    analyst: Mapped[str] = mapped_column(String(128))
    submitted_at: Mapped[datetime]

    __table_args__ = (Index("ix_sandbox_query_analyst", "analyst", "submitted_at"),)


class FederatedRun(Base):
    """A vertical federated logistic regression between the platform (credit features) and a bank (loan outcomes)
    under Paillier encryption: parameters, iterations, accuracy beside the centrally trained model, timing."""

    __tablename__ = "federated_run"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    institution: Mapped[str] = mapped_column(String(64))
    features: Mapped[list] = mapped_column(JSON, default=list)
    rows: Mapped[int] = mapped_column(Integer)
    iterations: Mapped[int] = mapped_column(Integer)
    key_bits: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    accuracy: Mapped[float | None] = mapped_column(Float)
    central_accuracy: Mapped[float | None] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    actor: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]
