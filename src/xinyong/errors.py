"""Errors the service layer raises; web, API and CLI turn them into Chinese messages and status codes."""

from __future__ import annotations


class XinyongError(Exception):
    """Base of expected, user-facing errors. ``message`` is Chinese and shown to the user."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(XinyongError):
    """Input that fails validation (bad code, missing field, out-of-range value)."""

    status = 422
    code = "invalid"


class NotFound(XinyongError):
    """The requested object does not exist."""

    status = 404
    code = "not_found"


class Conflict(XinyongError):
    """The change conflicts with stored data (e.g. a duplicate code)."""

    status = 409
    code = "conflict"
