"""Stored files sent to the browser: the ``Content-Disposition`` of a (Chinese) file name and the response for a
case file (objections, list entries, verification cases; API and pages alike)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from xinyong.records.models import CaseFile


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value for a (Chinese) file name (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def case_file_response(row: CaseFile) -> Response:
    """A case file as a download (its stored content type, never rendered inline)."""
    return Response(row.content, media_type=row.content_type, headers={"Content-Disposition": attachment(row.filename)})
