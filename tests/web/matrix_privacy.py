"""Authorisation-matrix entries of web/api/privacy.py."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
