"""Migrations build exactly the schema the models declare."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.db.migrate import upgrade
from xinyong.db.models import metadata
from xinyong.db.session import make_engine


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_0016_gives_linked_contracts_their_counterpartys_code(tmp_path: Path) -> None:
    """Contracts registered before 0016 kept only the link to the counterparty's subject: the upgrade copies that
    subject's code; an unlinked contract gets ''."""
    engine = make_engine(f"sqlite:///{tmp_path / 'before-0016.db'}")
    upgrade(engine, "0015")
    with Session(engine) as session:
        ctx = Context(session=session, actor="tester", role="system")
        office = g.town_office(ctx)
        firm = factories.company(ctx, "广州市番禺建设工程有限公司", 3)
        code = firm.uscc
        for number, party in (("PY-1", firm.id), ("PY-2", None)):
            session.execute(
                text(
                    "INSERT INTO gov_contract (contract_no, title, body_id, counterparty_id, counterparty_name, "
                    "amount, signed_on, status, registered_by, registered_at, note) "
                    "VALUES (:no, '道路养护', :body, :party, '承接方', 1000, '2026-01-05', 'performing', 'tester', "
                    "'2026-01-05 09:00:00', '')"
                ),
                {"no": number, "body": office.id, "party": party},
            )
        session.commit()
    upgrade(engine)
    with engine.connect() as conn:
        codes = {no: uscc for no, uscc in conn.execute(text("SELECT contract_no, counterparty_uscc FROM gov_contract"))}
    engine.dispose()
    assert code and codes == {"PY-1": code, "PY-2": ""}
