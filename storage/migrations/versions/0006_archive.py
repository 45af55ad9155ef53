"""archive: packages, files, events, holds, disposals, tombstones, fixity runs

Revision ID: 0006_archive
Revises: 0001_foundation
Create Date: 2026-11-24 04:00:32.094067
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_archive"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("package_ids", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=150), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=150), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_ref", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_disposals")),
    )
    with op.batch_alter_table("archive_disposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_disposals_state"), ["state"], unique=False)

    op.create_table(
        "archive_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_events")),
    )
    with op.batch_alter_table("archive_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_events_package_id"), ["package_id"], unique=False
        )

    op.create_table(
        "archive_fixity_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("software_version", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_fixity_runs")),
    )
    with op.batch_alter_table("archive_fixity_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_fixity_runs_started_at"), ["started_at"], unique=False
        )

    op.create_table(
        "archive_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("mandate", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_by", sa.String(length=150), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_holds")),
    )
    op.create_table(
        "archive_packages",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("dossier_code", sa.String(length=100), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.String(length=255), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("applicant_id", sa.String(length=32), nullable=False),
        sa.Column("applicant_name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=False),
        sa.Column("retention_code", sa.String(length=2), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("schedule", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("access_mode", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("store_prefix", sa.String(length=255), nullable=False),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ingested_by", sa.String(length=150), nullable=False),
        sa.Column("last_fixity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_fixity_outcome", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_packages")),
    )
    with op.batch_alter_table("archive_packages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_packages_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_dossier_code"), ["dossier_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_end_date"), ["end_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_last_fixity_at"), ["last_fixity_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_procedure_code"), ["procedure_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_archive_packages_start_date"), ["start_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_archive_packages_state"), ["state"], unique=False)

    op.create_table(
        "archive_tombstones",
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("dossier_code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("disposal_id", sa.Integer(), nullable=False),
        sa.Column("decision_ref", sa.String(length=255), nullable=False),
        sa.Column("deleted_by", sa.String(length=150), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id", name=op.f("pk_archive_tombstones")),
    )
    with op.batch_alter_table("archive_tombstones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_tombstones_dossier_code"), ["dossier_code"], unique=False
        )

    op.create_table(
        "archive_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("object_key", sa.String(length=900), nullable=False),
        sa.Column("version_id", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["archive_packages.id"],
            name=op.f("fk_archive_files_package_id_archive_packages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_files")),
        sa.UniqueConstraint("package_id", "path", name=op.f("uq_archive_files_package_id")),
    )
    with op.batch_alter_table("archive_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_files_package_id"), ["package_id"], unique=False
        )

    op.create_table(
        "archive_hold_packages",
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["archive_holds.id"],
            name=op.f("fk_archive_hold_packages_hold_id_archive_holds"),
        ),
        sa.PrimaryKeyConstraint("hold_id", "package_id", name=op.f("pk_archive_hold_packages")),
    )


def downgrade() -> None:
    op.drop_table("archive_hold_packages")
    with op.batch_alter_table("archive_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_files_package_id"))

    op.drop_table("archive_files")
    with op.batch_alter_table("archive_tombstones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_tombstones_dossier_code"))

    op.drop_table("archive_tombstones")
    with op.batch_alter_table("archive_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_packages_state"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_start_date"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_procedure_code"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_last_fixity_at"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_expires_at"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_end_date"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_dossier_code"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_applicant_id"))
        batch_op.drop_index(batch_op.f("ix_archive_packages_agency_id"))

    op.drop_table("archive_packages")
    op.drop_table("archive_holds")
    with op.batch_alter_table("archive_fixity_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_fixity_runs_started_at"))

    op.drop_table("archive_fixity_runs")
    with op.batch_alter_table("archive_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_events_package_id"))

    op.drop_table("archive_events")
    with op.batch_alter_table("archive_disposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_disposals_state"))

    op.drop_table("archive_disposals")
