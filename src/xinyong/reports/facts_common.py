"""Shapes shared by the report builders: a section (a titled table with a stable key per row) and the cells of a
credit record as the public may see them.

Every value is a string, an integer, a boolean or None (``reports.canonical`` refuses floats), dates are ISO
strings, so the facts digest is the same on every database. Each row carries a ``key`` (stable across rebuilds:
the record's natural key, an entry's or commitment's id) and a one-line ``title``, which is what "facts changed
since issue" compares and lists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xinyong.catalog.items import DataItem
from xinyong.records.models import CreditRecord
from xinyong.records.status import STATUS_LABELS
from xinyong.records.visibility import PUBLIC_LEVELS, field_value

Row = dict[str, Any]
Section = dict[str, Any]
# How a status reads in a report (records.status codes; 异议中 spelt out for a reader of the report).
REPORT_STATUS_LABELS: dict[str, str] = STATUS_LABELS | {"objected": "异议处理中"}


def iso(day: date | None) -> str | None:
    """A date as ``YYYY-MM-DD`` (None stays None)."""
    return day.isoformat() if day else None


def section(section_id: str, label: str, columns: list[str], rows: list[Row], total: int, **extra: Any) -> Section:
    """A report section: ``rows`` (at most the shown ones) of ``total``."""
    return {"id": section_id, "label": label, "columns": columns, "rows": rows, "total": total, **extra}


def row(key: str, title: str, cells: list[str | None], status: str, status_label: str, **extra: Any) -> Row:
    """One row of a section."""
    return {"key": key, "title": title, "cells": cells, "status": status, "status_label": status_label, **extra}


def record_key(record: CreditRecord) -> str:
    """The natural key of a record (the same for all its versions)."""
    return f"{record.item_id}:{record.department_id}:{record.doc_no}"


def public_value(item: DataItem, record: CreditRecord, key: str | None, *, unmask: bool) -> str | None:
    """The value of field ``key`` when the catalogue marks it public (masked as the public sees it, or as the
    natural person themself sees it when ``unmask``); None for a field that is not public or empty."""
    if not key or key not in {f.key for f in item.fields}:
        return None
    spec = item.field(key)
    if spec.sharing not in PUBLIC_LEVELS:
        return None
    return field_value(spec, record, unmask_personal=unmask)


def public_doc_no(item: DataItem, record: CreditRecord) -> str | None:
    """The document number when the catalogue publishes it."""
    return record.doc_no if item.field(item.roles.document).sharing in PUBLIC_LEVELS else None


def record_title(item: DataItem, record: CreditRecord) -> str:
    """``行政处罚信息 番市监罚〔2026〕1号（2026-05-01）``: what a changes list names a record by."""
    doc = public_doc_no(item, record)
    return f"{item.name} {doc or '（文书号不公开）'}（{record.decided_on.isoformat()}）"
