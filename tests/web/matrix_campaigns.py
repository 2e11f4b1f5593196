"""Authorisation-matrix entries of web/api/campaigns.py (专项治理与屡禁不止、屡罚不改主体, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
