"""Roles and the permissions they grant, in one place; every service function calls ``require``."""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.errors import XinyongError


class PermissionDenied(XinyongError, PermissionError):
    """The acting role lacks the permission."""

    status = 403
    code = "forbidden"

    def __init__(self, role: str, permission: str) -> None:
        super().__init__(f"角色 {role} 无权执行 {permission}")
        self.role = role
        self.permission = permission


# Permission names are "<area>.<verb>". The security issue (#3) extends roles and scoping;
# the table stays the single source.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "public": frozenset({"subjects.search_public"}),
    "subject": frozenset({"subjects.search_public"}),
    "department_officer": frozenset({"subjects.search_public", "subjects.read"}),
    "regulator": frozenset({"subjects.search_public", "subjects.read"}),
    "bank": frozenset({"subjects.search_public"}),
    "auditor": frozenset({"subjects.search_public", "audit.read"}),
    "credit_office_staff": frozenset(
        {
            "subjects.search_public",
            "subjects.read",
            "subjects.write",
            "subjects.correct_code",
            "calendar.write",
            "audit.read",
        }
    ),
    "credit_office_admin": frozenset(
        {
            "subjects.search_public",
            "subjects.read",
            "subjects.write",
            "subjects.correct_code",
            "calendar.write",
            "audit.read",
            "demo.load",
        }
    ),
}
# The operator at the console (CLI, scheduled jobs) may do everything an admin may.
ROLE_PERMISSIONS["system"] = ROLE_PERMISSIONS["credit_office_admin"]


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def require(ctx: Context, permission: str) -> None:
    """Raise ``PermissionDenied`` unless the context's role grants ``permission``."""
    if not allowed(ctx.role, permission):
        raise PermissionDenied(ctx.role, permission)
