"""What a record check finds (the result sheet of 录用、调任 checks, issue #11 item 1), as of a day.

Four sources, each as of ``as_of``:

* the person's integrity file: entries in force (happened on or before ``as_of``, not withdrawn by then), the
  adverse ones (rules/integrity.yaml ``adverse``) flagged;
* the person's credit records (``credit_record`` rows of the subject, current versions, decided on or before
  ``as_of``) with their publicity status on that day (``records.status.status_expr``); a record of a negative
  catalogue item (``negative``) that is in force (公示中 / 异议中) is adverse;
* list entries in force (``lists.active.entries_in_force``); entries of dishonesty and received lists are adverse,
  red lists are shown but not adverse;
* training hours in the configured period before ``as_of`` against the requirement (a shortfall is adverse only
  when ``training.shortfall_adverse``).

Conclusion: ``adverse`` when anything adverse was found, else ``no_file`` when the person has no file, else
``clear``. The sheet carries the masked ID number only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.items import load_catalog
from xinyong.government.integrity_queries import (
    CONCLUSION_LABELS,
    entries_of,
    entry_out,
    in_force,
    training_hours,
    training_window,
)
from xinyong.government.integrity_rules import IntegrityRules, integrity_rules
from xinyong.government.models import IntegrityFile, PublicBody
from xinyong.lists.active import entries_in_force
from xinyong.lists.types import ListTypeError, list_catalogue
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.records.status import IN_FORCE, STATUS_LABELS, status_expr
from xinyong.subjects.models import Department, Subject

ADVERSE_LIST_KINDS = frozenset({"dishonesty", "received"})


def _file_part(session: Session, found: IntegrityFile | None, as_of: date, rules: IntegrityRules) -> dict[str, Any]:
    if found is None:
        return {"file": None, "entries": [], "training": None}
    body = session.get(PublicBody, found.body_id) if found.body_id else None
    entries = entries_of(session, found.id)
    current = in_force(entries, as_of)
    start, end = training_window(as_of, rules)
    hours = training_hours(entries, start, end)
    required = rules.training.hours_required
    records = [entry_out(e, {}, rules).model_dump(mode="json") for e in current if e.kind == "record"]
    trainings = [entry_out(e, {}, rules).model_dump(mode="json") for e in current if e.kind == "training"]
    for part in (records, trainings):
        for row in part:
            row.pop("recorded_at", None)
            row.pop("withdrawn_by_id", None)
    return {
        "file": {
            "id": found.id,
            "body": body.name if body else None,
            "position": found.position,
            "opened_at": found.opened_at.date().isoformat(),
        },
        "entries": records,
        "trainings": [t for t in trainings if start <= date.fromisoformat(t["occurred_on"])],
        "training": {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "hours": str(hours),
            "required": str(required),
            "met": hours >= required,
            "adverse": hours < required and rules.training.shortfall_adverse,
        },
    }


def _credit_records(session: Session, subject_id: int, as_of: date) -> list[dict[str, Any]]:
    catalog = load_catalog()
    rows = session.execute(
        select(CreditRecord, Department.name, status_expr(as_of).label("status"))
        .join(Department, Department.id == CreditRecord.department_id)
        .where(CreditRecord.subject_id == subject_id, CreditRecord.decided_on <= as_of, current_version())
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
    ).all()
    out = []
    for record, department, code in rows:
        item = catalog.items.get(record.item_id)
        negative = bool(item and item.negative)
        out.append(
            {
                "id": record.id,
                "item": item.name if item else record.item_id,
                "doc_no": record.doc_no,
                "department": department,
                "decided_on": record.decided_on.isoformat(),
                "category": record.category or "",
                "status": code,
                "status_label": STATUS_LABELS.get(code, code),
                "adverse": negative and code in IN_FORCE,
            }
        )
    return out


def _list_entries(session: Session, subject_id: int, as_of: date) -> list[dict[str, Any]]:
    types = list_catalogue()
    out = []
    for entry in entries_in_force(session, [subject_id], as_of):
        try:
            name = types.get(entry.list_code).name
        except ListTypeError:
            name = entry.list_code
        out.append(
            {
                "id": entry.id,
                "list": name,
                "kind": entry.kind,
                "published_on": entry.published_on.isoformat() if entry.published_on else None,
                "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
                "decision_doc_no": entry.decision_doc_no or "",
                "adverse": entry.kind in ADVERSE_LIST_KINDS,
            }
        )
    return out


def gather(session: Session, person: Subject, found: IntegrityFile | None, as_of: date) -> dict[str, Any]:
    """The findings of a check on ``as_of`` and its conclusion (without number, purpose or reason)."""
    rules = integrity_rules()
    part = _file_part(session, found, as_of, rules)
    credit = _credit_records(session, person.id, as_of)
    listed = _list_entries(session, person.id, as_of)
    adverse = (
        sum(1 for e in part["entries"] if e["adverse"])
        + sum(1 for r in credit if r["adverse"])
        + sum(1 for e in listed if e["adverse"])
        + (1 if part["training"] and part["training"]["adverse"] else 0)
    )
    conclusion = "adverse" if adverse else ("no_file" if found is None else "clear")
    return {
        "person": {"subject_id": person.id, "name": person.name, "ric_masked": person.ric_masked},
        **part,
        "credit_records": credit,
        "list_entries": listed,
        "adverse_count": adverse,
        "conclusion": conclusion,
        "conclusion_label": CONCLUSION_LABELS[conclusion],
        "rules_source": rules.source,
    }
