"""Authorisation-matrix entries of web/api/gov_overview.py (政务诚信与专项治理综合看板, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
