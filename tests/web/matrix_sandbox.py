"""Authorisation-matrix entries of web/api/sandbox.py."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
