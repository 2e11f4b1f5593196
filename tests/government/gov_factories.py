"""Setup data for the government-integrity tests (issue #11): public bodies of the register, made through the
service as the console operator (setup only; rules are tested on the services)."""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.codes.uscc import make_uscc
from xinyong.government import bodies
from xinyong.government.models import PublicBody

SHIQIAO = "440113007"  # 市桥街道 (codes.divisions.PANYU_TOWNSHIPS)
DALONG = "440113016"  # 大龙街道


def body_uscc(n: int, kind: str = "organ") -> str:
    """A valid code of the n-th test body: authority 1 机构编制 type 1 机关 (organ) or 2 事业单位 (institution); an
    SOE is an enterprise (9 1)."""
    authority, org_type = {"organ": ("1", "1"), "institution": ("1", "2"), "soe": ("9", "1")}[kind]
    return make_uscc(authority, org_type, "440113", f"MB{n:06d}")


def body(ctx: Context, name: str, n: int, kind: str = "organ", unit: str = SHIQIAO) -> PublicBody:
    """Register ``name`` (the n-th test code of its kind) answered for by ``unit``."""
    return bodies.register_body(ctx, name, body_uscc(n, kind), kind, unit)


def town_office(ctx: Context, n: int = 1, unit: str = SHIQIAO) -> PublicBody:
    """A township office (街道办事处) answered for by its own township."""
    return body(ctx, f"广州市番禺区测试{n}街道办事处", n, "organ", unit)


def soe(ctx: Context, n: int = 101, unit: str = "czj") -> PublicBody:
    """A state-owned enterprise answered for by the department ``unit``."""
    return body(ctx, f"广州市番禺测试国有资产经营{n}有限公司", n, "soe", unit)
