"""Alembic environment: uses the connection handed over by kaigai.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kaigai.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Command-line use: `alembic -x url=... upgrade head` from this folder.
    engine = create_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.begin() as c:
        context.configure(connection=c, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
