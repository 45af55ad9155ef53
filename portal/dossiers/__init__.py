"""Dossier pages: officers' queue, leaders' approvals, the applicant's list,
one dossier with its history and actions, offline backfill, and the public lookup."""

from portal.dossiers.backfill import bp as backfill_bp
from portal.dossiers.batch import bp as batch_bp
from portal.dossiers.external import bp as external_sign_bp
from portal.dossiers.results import bp as results_bp
from portal.dossiers.stats import bp as stats_bp
from portal.dossiers.views import bp, lookup_bp

__all__ = [
    "backfill_bp",
    "batch_bp",
    "bp",
    "external_sign_bp",
    "lookup_bp",
    "results_bp",
    "stats_bp",
]
