"""The database: engine, units of work and migrations.

SQLite under the data directory by default; PostgreSQL when the URL says so.
Nothing connects at import time: a :class:`Database` is built by the app
factory (or a command) from the configured URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseConfigError, DatabaseUnavailableError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def parse_database_url(url: str, *, variable: str = "EFORMS_DATABASE_URL") -> URL:
    """Parse and check a database URL; raise naming ``variable`` when unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(
            f"{variable} không hợp lệ: {url!r}. Ví dụ đúng: sqlite:///var/eforms.db "
            "hoặc postgresql+psycopg://user:pass@host:5432/eforms",
            f"{variable} is not a valid database URL: {url!r}. Use for example "
            "sqlite:///var/eforms.db or postgresql+psycopg://user:pass@host:5432/eforms",
            details={"variable": variable},
        ) from exc
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise DatabaseConfigError(
            f"{variable} dùng hệ quản trị '{parsed.get_backend_name()}' không được hỗ trợ; "
            "chỉ hỗ trợ sqlite và postgresql.",
            f"{variable} names the unsupported backend '{parsed.get_backend_name()}'; "
            "use sqlite or postgresql.",
            details={"variable": variable},
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; the bare name would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def lock_for_write(session: Session) -> None:
    """Make the reads that follow see what the next writer can only see after us.

    PostgreSQL locks rows with ``SELECT ... FOR UPDATE``, which callers still
    use. SQLite ignores ``FOR UPDATE``, and its Python driver opens the
    transaction only at the first write: reads before it take no lock, so
    two writers could read the same counter and both add one. On SQLite this
    writes nothing, but as a write it opens the transaction and takes the
    database's write lock (waiting up to ``busy_timeout`` for another
    writer to commit); what is read after it stays current until commit.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_head SET id = id WHERE 0"))


class Database:
    """One database: an engine and a session factory.

    ``unit_of_work()`` is the way services write: it commits when the block
    ends normally and rolls back when it raises, so nothing is half-stored.
    """

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url = parse_database_url(url) if isinstance(url, str) else url
        self.engine: Engine = self._create_engine(echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _create_engine(self, *, echo: bool) -> Engine:
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                self.url, echo=echo, connect_args={"check_same_thread": False, "timeout": 15}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(self.url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise DatabaseUnavailableError(
                "Không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau.",
                "The database cannot be reached. Please try again later.",
            ) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """Run a trivial query; raise :class:`DatabaseUnavailableError` on failure."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except OperationalError as exc:
            raise DatabaseUnavailableError(
                "Không kết nối được cơ sở dữ liệu.", "The database cannot be reached."
            ) from exc

    def alembic_config(self) -> Config:
        """An Alembic configuration bound to this database's engine."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["engine"] = self.engine
        return config

    def upgrade(self) -> None:
        """Apply every migration not yet applied (all heads)."""
        command.upgrade(self.alembic_config(), "heads")

    def has_schema(self) -> bool:
        """Whether migrations have been applied at least once."""
        return inspect(self.engine).has_table("alembic_version")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
