"""``/officer/backfill``: an officer enters a dossier handled while the system was down.

The upload is the same zip ``eforms dossiers import`` reads
(:mod:`dossiers.backfill`). The officer may only enter dossiers of the
agencies they are an officer of; a refused bundle changes nothing and is
audited (``dossier.backfill``, failure or denied) with the reason.
"""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dossiers import BackfillError
from dossiers.backfill import BundleLimits, import_backfill, read_bundle
from eforms.errors import EformsError
from portal.accounts import Role
from portal.auth.session import audit, current_account, require_role
from portal.services import services
from storage.audit import Outcome

bp = Blueprint("backfill", __name__)


@bp.get("/officer/backfill")
@require_role(Role.OFFICER)
def form() -> str:
    return render_template("dossiers/backfill.html", error=None, limits=BundleLimits())


@bp.post("/officer/backfill")
@require_role(Role.OFFICER)
def upload() -> Response | tuple[str, int]:
    account = current_account()
    assert account is not None
    upload = request.files.get("bundle")
    name = (upload.filename or "") if upload else ""
    svc = services()
    try:
        if upload is None or not name:
            raise BackfillError(
                "Chưa chọn tệp: chọn tệp zip của hồ sơ nhập bù rồi bấm 'Nhập bù'.",
                "No file chosen: choose the backfill zip, then press 'Backfill'.",
                code="dossiers.backfill_no_file",
            )
        dossier = import_backfill(
            svc.db,
            svc.object_store,
            read_bundle(io.BytesIO(upload.read())),
            policy=svc.dossier_policy,
            actor=account.username,
            agency_ids=account.agencies_for(Role.OFFICER),
        )
    except EformsError as exc:
        audit(
            "dossier.backfill",
            outcome=Outcome.DENIED if exc.http_status == 403 else Outcome.FAILURE,
            object_type="file",
            object_id=name[:200] or None,
            details={"reason": exc.code, **exc.details},
        )
        page = render_template("dossiers/backfill.html", error=exc, limits=BundleLimits())
        return page, exc.http_status
    flash(_("Đã nhập bù hồ sơ %(code)s.", code=dossier.code), "success")
    return redirect(url_for("dossiers.show", code=dossier.code))
