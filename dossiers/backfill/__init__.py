"""Offline backfill: dossiers handled while the system was down, entered afterwards.

A bundle is a directory or a zip with ``dossier.json`` and the files it
names (:mod:`~dossiers.backfill.bundle`). Everything is checked before
anything is written (:mod:`~dossiers.backfill.manifest`): the fields, the
dossier code (the configured format, a real date, the day of submission, the
procedure's agency, the importing officer's agency, not already used), every
date (ISO 8601 with offset, not in the future, in order), every step (a legal
transition from the previous status), every file (present, listed once,
content of the declared type, within the size limits). Then
:func:`import_backfill` stores the files and records the dossier, all or
nothing. The dossier, each step and the audit events are marked as backfilled.
"""

from dossiers.backfill.bundle import BackfillBundle, BundleLimits, read_bundle
from dossiers.backfill.documents import ALLOWED_TYPES
from dossiers.backfill.manifest import BackfillPlan, check_bundle
from dossiers.backfill.services import import_backfill

__all__ = [
    "ALLOWED_TYPES",
    "BackfillBundle",
    "BackfillPlan",
    "BundleLimits",
    "check_bundle",
    "import_backfill",
    "read_bundle",
]
