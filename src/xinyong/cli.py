"""The ``xinyong`` command line."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import OperationalError

from xinyong.db.session import DatabaseConfigError

app = typer.Typer(help="xinyong 公共信用信息平台", no_args_is_help=True, add_completion=False)


def _register() -> None:
    from xinyong.commands import (
        arrears,
        audit,
        calendar,
        campaigns,
        cases,
        catalog,
        codes,
        commitments,
        db,
        demo,
        departments,
        enforcement,
        evaluate,
        government,
        incentives,
        inspect,
        intake,
        integrity,
        jobs,
        lending,
        lists,
        monitoring,
        objections,
        pii,
        portal,
        privacy,
        quality,
        repairs,
        reports,
        rules,
        sandbox,
        scores,
        serve,
        subjects,
        tokens,
        users,
        workplan,
    )

    app.add_typer(db.app, name="db")
    app.add_typer(codes.app, name="codes")
    app.add_typer(calendar.app, name="calendar")
    app.add_typer(subjects.app, name="subjects")
    app.add_typer(users.app, name="users")
    app.add_typer(tokens.app, name="tokens")
    app.add_typer(audit.app, name="audit")
    app.add_typer(pii.app, name="pii")
    app.add_typer(catalog.app, name="catalog")
    app.add_typer(departments.app, name="departments")
    app.add_typer(intake.app, name="intake")
    app.add_typer(quality.app, name="quality")
    app.add_typer(rules.app, name="rules")
    app.add_typer(jobs.app, name="jobs")
    app.add_typer(objections.app, name="objections")
    app.add_typer(repairs.app, name="repairs")
    app.add_typer(commitments.app, name="commitments")
    app.add_typer(lists.app, name="lists")
    app.add_typer(cases.app, name="cases")
    app.add_typer(reports.app, name="reports")
    app.add_typer(portal.app, name="portal")
    app.add_typer(evaluate.app, name="evaluate")
    app.add_typer(inspect.app, name="inspect")
    app.add_typer(workplan.app, name="workplan")
    app.add_typer(monitoring.app, name="monitoring")
    app.add_typer(lending.app, name="lending")
    app.add_typer(incentives.app, name="incentives")
    app.add_typer(scores.app, name="scores")
    app.add_typer(privacy.app, name="privacy")
    app.add_typer(sandbox.app, name="sandbox")
    app.add_typer(government.app, name="government")
    app.add_typer(integrity.app, name="integrity")
    app.add_typer(arrears.app, name="arrears")
    app.add_typer(enforcement.app, name="enforcement")
    app.add_typer(campaigns.app, name="campaigns")
    app.command("demo")(demo.demo)
    app.command("serve")(serve.serve)


_register()


def _unmigrated(reason: str) -> bool:
    """Whether a database error means the schema is missing (SQLite and PostgreSQL wording)."""
    return "no such table" in reason or ("relation" in reason and "does not exist" in reason)


def main() -> None:
    """Entry point: run the app, turning configuration errors into one clear line."""
    try:
        app()
    except DatabaseConfigError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        hint = "（数据库尚未迁移，请先运行 xinyong db upgrade）" if _unmigrated(reason) else ""
        print(f"错误: 无法连接或操作数据库 (database error): {reason}{hint}", file=sys.stderr)
        raise SystemExit(2) from None
