"""The signing key: created 0600 on first use and registered by its key id; signatures verify only with the right
key and payload; rotation keeps reports signed before it verifiable."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from reports.world import World
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict
from xinyong.reports import service, signing
from xinyong.reports.models import ReportSigningKey


def test_the_key_is_created_private_and_registered(world: World, report_key: Path) -> None:
    assert not report_key.exists()
    signer = signing.current_signer(world.db)
    assert stat.S_IMODE(report_key.stat().st_mode) == 0o600
    assert signer.key_id == hashlib.sha256(signer.public_raw).hexdigest()[:16]
    row = world.db.get(ReportSigningKey, signer.key_id)
    assert row is not None and base64.b64decode(row.public_key) == signer.public_raw and row.retired_at is None
    assert signing.current_signer(world.db).key_id == signer.key_id  # the same key on the next use


def test_a_loose_key_file_is_tightened(world: World, report_key: Path) -> None:
    signing.load_or_create_key()
    report_key.chmod(0o644)
    signing.load_or_create_key()
    assert stat.S_IMODE(report_key.stat().st_mode) == 0o600


def test_signatures_verify_only_for_their_payload_and_key(world: World) -> None:
    signer = signing.current_signer(world.db)
    signature = signer.sign(b"payload")
    assert signing.verify_signature(world.db, signer.key_id, b"payload", signature)
    assert not signing.verify_signature(world.db, signer.key_id, b"payload!", signature)
    assert not signing.verify_signature(world.db, "0000000000000000", b"payload", signature)
    assert not signing.verify_signature(world.db, signer.key_id, b"payload", "not base64!")


def test_rotation_keeps_earlier_reports_verifiable(world: World, report_key: Path) -> None:
    before = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    old, new = signing.rotate_key(world.ctx)
    assert old == before.key_id and new != old
    retired = world.db.get(ReportSigningKey, old)
    assert retired is not None and retired.retired_at is not None
    after = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    assert after.key_id == new
    public = Context(session=world.db, actor="public", role="public")
    for report in (before, after):
        assert service.verify_report(public, report.number, service.report_check_code(report)).authentic
    event = world.db.scalar(select(AuditEvent).where(AuditEvent.action == "reports.rotate_key"))
    assert event is not None and event.detail["retired"] == old


def test_only_the_console_rotates_the_key(world: World) -> None:
    with pytest.raises(PermissionDenied):
        signing.rotate_key(world.office_ctx())


def test_a_restored_retired_key_is_refused(world: World, report_key: Path) -> None:
    signing.current_signer(world.db)
    saved = report_key.read_bytes()
    signing.rotate_key(world.ctx)
    report_key.write_bytes(saved)
    with pytest.raises(Conflict, match="已于轮换时停用"):
        signing.current_signer(world.db)
