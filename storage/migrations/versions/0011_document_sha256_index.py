"""dossiers: index dossier documents by SHA-256 (public verification finds our results)

Revision ID: 0011_document_sha256_index
Revises: 0010_dossiers
"""

from alembic import op

revision = "0011_document_sha256_index"
down_revision = "0010_dossiers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_documents_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_documents_sha256"))
