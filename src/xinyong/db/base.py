"""Declarative base and shared column types."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Session

from xinyong.errors import NotFound

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


MAX_ID = 2**63 - 1  # largest BIGINT: ids beyond it match nothing and overflow the drivers' parameters

T = TypeVar("T", bound=Base)


def fetch(session: Session, model: type[T], ident: int) -> T | None:
    """``session.get`` for an id typed by a user: None, not a driver overflow, when it is out of range."""
    return session.get(model, ident) if 0 < ident <= MAX_ID else None


def fetch_or_404(session: Session, model: type[T], ident: int, message: str, field: str | None = None) -> T:
    """``fetch``, or ``NotFound`` with the user's ``message`` (in Chinese) naming ``field``."""
    found = fetch(session, model, ident)
    if found is None:
        raise NotFound(message, field=field)
    return found
