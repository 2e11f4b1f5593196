"""Authorisation-matrix entries of web/api/notifications.py (issue #5)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
