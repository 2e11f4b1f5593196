"""Authorisation-matrix entries of web/api/portal.py (issue #8)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
