"""Upgrading keeps a message a sender may have posted before the upgrade looked for: a pulse DM claimed
under the previous schema is taken to have been tried when its claim began, so the next sender looks for
it in Slack around that moment before posting it again; one never claimed is simply posted."""

from alembic import command
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.pulse import outbox
from pulsebot.slack.publish import open_run
from pulsebot.store import migrate
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery
from tests.scheduling.conftest import apply, utc
from tests.scheduling.test_exactly_once import SURVEYS

NOW = utc(2027, 3, 23, 9)


def test_a_dm_claimed_before_the_upgrade_is_looked_for_around_its_claim(engine, sessions, settings, client):
    apply(sessions, SURVEYS)
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
    with transaction(sessions) as session:  # a sender claims one DM, and the process stops for the upgrade
        claimed = outbox.claim_due(session, now=NOW, run_id=run.run_id)
    config = migrate.alembic_config(engine)
    with engine.connect() as connection:  # back to the schema before, rows and all
        if engine.dialect.name == "sqlite":  # which copies pulse_run to drop a column: its rows are kept
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")

    migrate.upgrade(engine)

    with sessions() as session:
        attempts = {row.id: row.attempted_at for row in session.exec(select(Delivery))}
    assert attempts.pop(claimed.delivery_id) == NOW  # its claim, of the default 5 minutes, began then
    assert set(attempts.values()) == {None}
    with transaction(sessions) as session:
        again = outbox.claim_due(session, now=NOW + outbox.CLAIM_FOR, run_id=run.run_id)
    assert (again.delivery_id, again.retry, again.attempted_before) == (claimed.delivery_id, True, NOW)
