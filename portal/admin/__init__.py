"""Administrators manage accounts and roles inside their own unit."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts import (
    AccountError,
    PermissionDeniedError,
    Role,
    create_user,
    grant_role,
    grantable_roles,
    list_users,
)
from portal.auth.session import audit, client_ip, current_account, require_role
from portal.i18n import current_lang, error_message
from portal.services import services
from storage.audit import Outcome
from storage.schema import AgencyRow

bp = Blueprint("admin", __name__, url_prefix="/admin")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(3, 64)])
    full_name = StringField(_l("Họ, chữ đệm và tên"), validators=[DataRequired(), Length(1, 255)])
    email = StringField(
        _l("Thư điện tử"),
        validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), Length(max=255)],
    )
    password = PasswordField(_l("Mật khẩu ban đầu"), validators=[DataRequired(), Length(8, 256)])
    agency_id = SelectField(_l("Cơ quan"), validators=[DataRequired()])
    roles = MultiCheckboxField(_l("Vai trò"), validators=[DataRequired()])


class GrantForm(FlaskForm):
    role = SelectField(_l("Vai trò"), validators=[DataRequired()])
    agency_id = SelectField(_l("Cơ quan"), validators=[DataRequired()])


def _agency_choices() -> list[tuple[str, str]]:
    lang = current_lang()
    with services().db.unit_of_work() as session:
        rows = session.scalars(select(AgencyRow).order_by(AgencyRow.id)).all()
    return [(r.id, f"{r.id} – {r.name_en if lang == 'en' else r.name_vi}") for r in rows]


def _role_choices(roles: tuple[Role, ...] = tuple(Role)) -> list[tuple[str, str]]:
    lang = current_lang()
    return [(str(r), r.label(lang)) for r in roles]


def _grantable_choices() -> list[tuple[str, str]]:
    """The roles the logged-in administrator may give: the only ones the forms offer.

    A posted role outside them still passes the form and is refused (403,
    audited) by the service, so a forged request leaves a trace.
    """
    with services().db.unit_of_work() as session:
        roles = grantable_roles(session, current_account())
    return _role_choices(roles)


@bp.get("/")
@require_role(Role.ADMIN, Role.SUPERVISOR)
def users() -> str:
    account = current_account()
    agency = request.args.get("agency") or None
    with services().db.unit_of_work() as session:
        accounts = list_users(session, actor=account, agency_id=agency)
    return render_template(
        "admin/users.html", accounts=accounts, agencies=_agency_choices(), selected=agency
    )


@bp.route("/users/new", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def new_user() -> str | Response:
    account = current_account()
    form = UserForm()
    form.agency_id.choices = _agency_choices()
    form.roles.choices = _role_choices()
    if request.method == "GET":
        form.agency_id.data = account.agency_id if account else None
    status = 200
    if form.validate_on_submit():
        try:
            with services().db.unit_of_work() as session:
                created = create_user(
                    session,
                    actor=account,
                    username=form.username.data or "",
                    full_name=form.full_name.data or "",
                    email=form.email.data or None,
                    password=form.password.data,
                    agency_id=form.agency_id.data or "",
                    roles=tuple(Role(r) for r in form.roles.data or ()),
                    source_ip=client_ip(),
                )
        except PermissionDeniedError as exc:
            audit(
                "users.create",
                outcome=Outcome.DENIED,
                object_type="user",
                object_id=form.username.data,
                agency_id=form.agency_id.data,
                details={"reason": exc.code, "roles": list(form.roles.data or ())},
            )
            flash(error_message(exc), "error")
            status = 403
        except AccountError as exc:
            flash(error_message(exc), "error")
            status = exc.http_status
        else:
            flash(_("Đã tạo tài khoản %(name)s.", name=created.username), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    form.roles.choices = _grantable_choices()
    return make_response(render_template("admin/user_form.html", form=form), status)


@bp.route("/users/<username>/grant", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def grant(username: str) -> str | Response:
    account = current_account()
    form = GrantForm()
    form.agency_id.choices = _agency_choices()
    form.role.choices = _role_choices()
    status = 200
    if form.validate_on_submit():
        try:
            with services().db.unit_of_work() as session:
                grant_role(
                    session,
                    actor=account,
                    username=username,
                    role=Role(form.role.data),
                    agency_id=form.agency_id.data or "",
                    source_ip=client_ip(),
                )
        except PermissionDeniedError as exc:
            audit(
                "users.grant",
                outcome=Outcome.DENIED,
                object_type="user",
                object_id=username,
                agency_id=form.agency_id.data,
                details={"role": form.role.data, "reason": exc.code},
            )
            flash(error_message(exc), "error")
            status = 403
        except AccountError as exc:
            flash(error_message(exc), "error")
            status = exc.http_status
        else:
            flash(_("Đã cấp vai trò cho %(name)s.", name=username), "success")
            return redirect(url_for("admin.users"))
    form.role.choices = _grantable_choices()
    return make_response(
        render_template("admin/grant_form.html", form=form, username=username), status
    )


from portal.admin import jobs as _jobs  # noqa: E402,F401  (registers the job pages on bp)
