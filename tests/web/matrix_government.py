"""Authorisation-matrix entries of web/api/government.py (公共机构名录、政府合同与政务失信记录, issue #11)."""

from __future__ import annotations

from matrix_common import Spec

ENTRIES: dict[tuple[str, str], Spec] = {}
