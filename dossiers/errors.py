"""Errors of the dossier (case) package."""

from __future__ import annotations

from eforms.errors import EformsError


class DossierError(EformsError):
    """Base of every dossier error."""

    code = "dossiers.error"
    http_status = 400


class DossierNotFoundError(DossierError):
    code = "dossiers.not_found"
    http_status = 404


class IllegalTransitionError(DossierError):
    """The action is not allowed from the dossier's current status."""

    code = "dossiers.illegal_transition"
    http_status = 409


class DossierPermissionError(DossierError):
    """The actor may not act on this dossier (wrong role or agency)."""

    code = "dossiers.permission_denied"
    http_status = 403


class ProcedureError(DossierError):
    """Unknown procedure or a malformed procedure entry."""

    code = "dossiers.procedure"
    http_status = 404


class BackfillError(DossierError):
    """A backfill (offline dossier) file cannot be imported."""

    code = "dossiers.backfill"
    http_status = 400


class DraftNotFoundError(DossierError):
    """No such draft for this citizen (another citizen's draft is not shown either)."""

    code = "dossiers.draft_not_found"
    http_status = 404
