"""Authorisation-matrix entries of web/api/lists.py (issue #7)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
