"""The closed set of roles and what each one may do in general."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles of DOMAIN.md; each grant is scoped to one agency."""

    AUTHOR = "author"
    CITIZEN = "citizen"
    OFFICER = "officer"
    LEADER = "leader"
    ARCHIVIST = "archivist"
    AUDITOR = "auditor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi


_LABELS = {
    Role.AUTHOR: ("Cán bộ xây dựng biểu mẫu", "Form author"),
    Role.CITIZEN: ("Công dân / Tổ chức", "Citizen / enterprise"),
    Role.OFFICER: ("Cán bộ tiếp nhận, xử lý", "Officer"),
    Role.LEADER: ("Lãnh đạo", "Leader"),
    Role.ARCHIVIST: ("Lưu trữ viên", "Archivist"),
    Role.AUDITOR: ("Kiểm tra viên", "Auditor"),
    Role.SUPERVISOR: ("Giám sát", "Supervisor"),
    Role.ADMIN: ("Quản trị hệ thống", "Administrator"),
}

#: Order in which a user's home page is chosen when they hold several roles.
HOME_PRIORITY = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICER,
    Role.AUTHOR,
    Role.ARCHIVIST,
    Role.AUDITOR,
    Role.SUPERVISOR,
    Role.CITIZEN,
)
