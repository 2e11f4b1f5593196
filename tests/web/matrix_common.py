"""Columns, caller groups and ``Spec`` of the authorisation matrix, shared by its per-area tables
(``matrix_*.py``: one module per area, so areas are added without touching each other)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from principals import Seed

# --------------------------------------------------------------------------------------------- the table
COLUMNS: tuple[str, ...] = (
    "public",
    "subject",
    "subject_other",
    "department_officer",
    "department_other",
    "department_token",
    "credit_office_staff",
    "credit_office_admin",
    "regulator",
    "bank",
    "bank_unauthorised",
    "bank_token",
    "auditor",
    "provider",
    "provider_token",
)
COLUMN_ROLE = {
    "subject_other": "subject",
    "department_other": "department_officer",
    "department_token": "department_officer",
    "bank_unauthorised": "bank",
    "bank_token": "bank",
    "provider_token": "provider",
}

ALL = frozenset(COLUMNS)
LOGGED_IN = ALL - {"public"}
OFFICE = frozenset({"credit_office_staff", "credit_office_admin"})
ADMIN = frozenset({"credit_office_admin"})
# subjects.read: department officers (and their tokens), regulators and the credit office
STAFF_READERS = OFFICE | {"department_officer", "department_other", "department_token", "regulator"}
OWN_SUBJECT = OFFICE | {"subject"}  # the subject itself, or the credit office on a paper application
BANKS_AUTHORISED = frozenset({"bank", "bank_token"})
OWN_DEPARTMENT = OFFICE | {"department_officer", "department_token"}
AUDITORS = frozenset({"auditor"})
PROVIDERS = frozenset({"provider", "provider_token"})  # a registered incentive provider's account and token


@dataclass(frozen=True)
class Spec:
    """Who may call an operation, and a request the allowed callers would find valid."""

    allowed: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    body: Callable[[Seed], dict[str, Any]] | None = None
    path: dict[str, Callable[[Seed], object]] = field(default_factory=dict)


TODAY = date(2026, 11, 27)
