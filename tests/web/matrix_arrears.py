"""Authorisation-matrix entries of web/api/arrears.py (清理拖欠民营企业中小企业账款, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
