"""Alembic environment: runs on the engine the caller put in the config."""

from __future__ import annotations

from alembic import context

import storage.schema  # noqa: F401  (registers every table on the metadata)
from storage.schema.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        raise RuntimeError("Run migrations through storage.db.Database.upgrade()")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
