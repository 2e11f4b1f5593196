"""Authorisation-matrix entries of web/api/integrity.py (公务员诚信档案与录用调任核查, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
