"""Flask-WTF forms of the authoring screens (CSRF on every POST)."""

from __future__ import annotations

import json
import math
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from forms_builder.model import FieldType

IDENTIFIER = r"^[a-z][a-z0-9_]{0,63}$"

FIELD_TYPE_LABELS = {
    FieldType.TEXT: _l("Văn bản ngắn"),
    FieldType.LONG_TEXT: _l("Văn bản dài"),
    FieldType.NUMBER: _l("Số"),
    FieldType.DATE: _l("Ngày"),
    FieldType.PARTIAL_DATE: _l("Ngày không đầy đủ (ngày/tháng/năm, tháng/năm, năm)"),
    FieldType.CHOICE: _l("Lựa chọn từ danh mục"),
    FieldType.YES_NO: _l("Có/Không"),
    FieldType.PERSONAL_ID: _l("Số định danh cá nhân"),
    FieldType.TAX_CODE: _l("Mã số doanh nghiệp/thuế"),
    FieldType.PHONE: _l("Số điện thoại"),
    FieldType.EMAIL: _l("Thư điện tử"),
    FieldType.ADDRESS: _l("Địa chỉ (tỉnh, xã, số nhà)"),
    FieldType.GROUP: _l("Nhóm trường"),
    FieldType.REPEAT: _l("Bảng (nhóm lặp lại)"),
    FieldType.ATTACHMENT: _l("Tệp đính kèm"),
    FieldType.SIGNATURE: _l("Ô chữ ký"),
}


def parse_number(text: str) -> float:
    """``text`` as a finite number; ``ValueError`` otherwise (``inf``, ``nan``, ``1e400``)."""
    value = float(text.strip())
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def finite_number(_form: Any, field: Field) -> None:
    """A finite decimal number (a definition is JSON, which has no infinity)."""
    if not field.data:
        return
    try:
        parse_number(field.data)
    except ValueError as exc:
        message = _l("Cần một số hữu hạn, ví dụ 0, 18 hoặc 2.5 (không nhận '%(value)s').")
        raise ValidationError(message % {"value": field.data}) from exc


def json_logic(_form: Any, field: Field) -> None:
    """A JSON object (a JSON Logic rule); what it may contain is checked with the definition."""
    if not field.data:
        return
    try:
        value = json.loads(field.data, parse_constant=parse_number, parse_float=parse_number)
    except ValueError as exc:
        raise ValidationError(_l("Cần JSON hợp lệ (%(error)s).", error=str(exc))) from exc
    if not isinstance(value, dict):
        raise ValidationError(_l("Cần một đối tượng JSON (bắt đầu bằng {)."))


class NewFormForm(FlaskForm):
    code = StringField(
        _l("Mã biểu mẫu (mã TTHC.ký hiệu mẫu)"),
        validators=[DataRequired(), Regexp(r"^[1-9]\.\d{6}\.[A-Z0-9][A-Z0-9_-]{0,31}$")],
    )
    procedure_vi = StringField(_l("Tên thủ tục (tiếng Việt)"), validators=[DataRequired()])
    procedure_en = StringField(_l("Tên thủ tục (tiếng Anh)"), validators=[DataRequired()])
    title_vi = StringField(_l("Tên biểu mẫu (tiếng Việt)"), validators=[DataRequired()])
    title_en = StringField(_l("Tên biểu mẫu (tiếng Anh)"), validators=[DataRequired()])
    legal_document = StringField(
        _l("Số, ký hiệu văn bản ban hành mẫu"), validators=[DataRequired(), Length(3, 64)]
    )
    legal_title = StringField(_l("Trích yếu văn bản"), validators=[DataRequired()])
    issued_on = DateField(_l("Ngày ban hành"), validators=[DataRequired()])
    effective_from = DateField(_l("Ngày có hiệu lực"), validators=[DataRequired()])


class LegalBasisForm(FlaskForm):
    """The legal document a version follows (edited without the raw JSON)."""

    document = StringField(
        _l("Số, ký hiệu văn bản ban hành mẫu"), validators=[DataRequired(), Length(3, 64)]
    )
    title = StringField(_l("Trích yếu văn bản"), validators=[DataRequired()])
    issued_on = DateField(_l("Ngày ban hành"), validators=[DataRequired()])
    effective_from = DateField(_l("Ngày có hiệu lực"), validators=[DataRequired()])
    scheduled_from = DateField(
        _l("Phiên bản áp dụng từ ngày (nếu muộn hơn ngày có hiệu lực)"), validators=[Optional()]
    )


class AddFieldForm(FlaskForm):
    parent = SelectField(_l("Thêm vào"), validators=[DataRequired()])
    type = SelectField(
        _l("Loại trường"),
        choices=[SelectChoice(str(t), label) for t, label in FIELD_TYPE_LABELS.items()],
        validators=[DataRequired()],
    )
    key = StringField(_l("Khóa dữ liệu"), validators=[DataRequired(), Regexp(IDENTIFIER)])
    label_vi = StringField(_l("Nhãn (tiếng Việt)"), validators=[DataRequired()])
    label_en = StringField(_l("Nhãn (tiếng Anh)"), validators=[DataRequired()])
    required = BooleanField(_l("Bắt buộc"))
    code_list = SelectField(_l("Danh mục (cho trường lựa chọn)"), validators=[Optional()])


class FieldPropertiesForm(FlaskForm):
    label_vi = StringField(_l("Nhãn (tiếng Việt)"), validators=[DataRequired()])
    label_en = StringField(_l("Nhãn (tiếng Anh)"), validators=[DataRequired()])
    help_vi = StringField(_l("Hướng dẫn (tiếng Việt)"), validators=[Optional()])
    help_en = StringField(_l("Hướng dẫn (tiếng Anh)"), validators=[Optional()])
    key = StringField(_l("Khóa dữ liệu"), validators=[DataRequired(), Regexp(IDENTIFIER)])
    required = BooleanField(_l("Bắt buộc"))
    sensitive = BooleanField(_l("Dữ liệu cá nhân (nhạy cảm)"))
    max_length = StringField(_l("Độ dài tối đa"), validators=[Optional(), Regexp(r"^\d+$")])
    pattern = StringField(_l("Mẫu định dạng (biểu thức chính quy)"), validators=[Optional()])
    minimum = StringField(_l("Giá trị nhỏ nhất"), validators=[Optional(), finite_number])
    maximum = StringField(_l("Giá trị lớn nhất"), validators=[Optional(), finite_number])
    code_list = SelectField(_l("Danh mục"), validators=[Optional()])
    prefill_source = SelectField(_l("Nguồn điền sẵn"), validators=[Optional()])
    prefill_path = StringField(_l("Đường dẫn dữ liệu nguồn"), validators=[Optional()])
    prefill_subject = StringField(
        _l("Tra cứu theo người (applicant, mother, father…)"),
        validators=[Optional(), Regexp(r"^[a-z][a-z0-9_]*$")],
    )
    prefill_locked = BooleanField(_l("Không cho sửa giá trị điền sẵn"))
    visible_when = TextAreaField(
        _l("Điều kiện hiển thị (JSON Logic)"),
        validators=[Optional(), Length(max=4000), json_logic],
    )


class JsonForm(FlaskForm):
    document = TextAreaField(_l("Định nghĩa (JSON)"), validators=[DataRequired()])


class CopyForm(FlaskForm):
    new_code = StringField(
        _l("Mã biểu mẫu mới"),
        validators=[DataRequired(), Regexp(r"^[1-9]\.\d{6}\.[A-Z0-9][A-Z0-9_-]{0,31}$")],
    )


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token (publish, retire, new version, move, delete)."""
