"""Authorisation-matrix entries of web/api/enforcement.py (涉党政机关和国有企业执行案件, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
