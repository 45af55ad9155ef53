"""Settings and commands of the storage capability."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings, SettingsError
from storage.fs_store import FsObjectStore
from storage.s3_store import S3ObjectStore
from storage.testing import S3Server


def test_settings_pick_the_store_and_refuse_half_s3_config(tmp_path: Path) -> None:
    settings = Settings.from_env({"EFORMS_DATA_DIR": str(tmp_path)})
    assert settings.resolved_objects_dir == tmp_path / "objects"
    assert settings.resolved_backup_target == tmp_path / "backups"
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"EFORMS_OBJECT_STORE": "s3", "EFORMS_S3_ENDPOINT": "h:1"})
    assert caught.value.details["variable"] == "EFORMS_S3_ACCESS_KEY"
    with pytest.raises(SettingsError):
        Settings.from_env({"EFORMS_OBJECT_STORE": "nfs"})
    s3 = Settings.from_env(
        {
            "EFORMS_OBJECT_STORE": "s3",
            "EFORMS_S3_ENDPOINT": "127.0.0.1:9000",
            "EFORMS_S3_ACCESS_KEY": "k",
            "EFORMS_S3_SECRET_KEY": "very-secret",
            "EFORMS_S3_SECURE": "false",
        }
    )
    assert "very-secret" not in repr(s3)


def test_storage_check_on_the_filesystem_store(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    assert isinstance(services(app).object_store, FsObjectStore)
    old = tmp_path / "objects" / ".tmp" / "blob-leftover"
    old.write_bytes(b"torn")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    fresh = tmp_path / "objects" / ".tmp" / "blob-streaming"
    fresh.write_bytes(b"a put still writing")
    result = CliRunner().invoke(cli, ["storage", "check", "--repair"], obj=app)
    assert result.exit_code == 0, result.output
    assert "Removed 1 leftover" in result.output
    assert fresh.exists() and not old.exists()
    assert "Object lock: yes" in result.output


@pytest.mark.integration
def test_storage_check_creates_an_object_locked_bucket(
    tmp_path: Path, moto_server: S3Server
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        object_store="s3",
        s3_endpoint=moto_server.endpoint,
        s3_bucket="eforms-cli-check",
        s3_access_key=moto_server.access_key,
        s3_secret_key=moto_server.secret_key,
        s3_secure=False,
    )
    app = create_app(settings)
    assert isinstance(services(app).object_store, S3ObjectStore)
    result = CliRunner().invoke(cli, ["storage", "check", "--create-bucket"], obj=app)
    assert result.exit_code == 0, result.output
    assert "Object lock: yes" in result.output and "Versioning: yes" in result.output
    services(app).object_store.put("a/b", io.BytesIO(b"x"))


def test_backup_runs_as_a_background_job(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "var"))
    built = services(app)
    built.db.upgrade()
    built.object_store.put("d/x", io.BytesIO(b"x"))
    job_id = built.jobs.submit("storage.backup", {"target": str(tmp_path / "b"), "full": True})
    done = built.jobs.wait(job_id, timeout=30)
    assert done.state == "succeeded", done.error_message
    assert done.result["objects"] == 1 and done.done == done.total == 1
    built.jobs.shutdown()


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (
        ["storage", "check"],
        ["backup"],
        ["backup", "verify"],
        ["backup", "list"],
        ["restore"],
        ["jobs", "list"],
        ["jobs", "show"],
        ["jobs", "worker"],
    ):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and len(result.output) > 80, args


def test_storage_check_names_the_unreachable_endpoint(tmp_path: Path) -> None:
    from storage.errors import StoreUnreachableError
    from storage.s3_store import S3Config
    from storage.testing import free_port

    app = create_app(Settings(data_dir=tmp_path))
    endpoint = f"127.0.0.1:{free_port()}"
    services(app).object_store = S3ObjectStore(
        S3Config(endpoint, "eforms", "k", "s", secure=False, retries=0)
    )
    result = CliRunner().invoke(cli, ["storage", "check"], obj=app)
    assert isinstance(result.exception, StoreUnreachableError)
    assert endpoint in result.exception.message_vi and endpoint in result.exception.message_en
