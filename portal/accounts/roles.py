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

#: Roles whose pages read the data of every agency, whatever agency the grant
#: names: supervisors (accounts, dossiers, statistics, the audit trail),
#: auditors (every dossier, the audit trail, signature verification of any
#: dossier's documents) and archivists (archive search, retrieval and the
#: disposal lists are not scoped by agency). See ``docs/security.md``.
PROVINCE_WIDE_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ARCHIVIST})

#: Roles that only the system (the command line) or an administrator whose
#: units cover every agency may grant: the province-wide roles, and the
#: administrator role itself (it creates accounts and grants roles).
RESERVED_ROLES = PROVINCE_WIDE_ROLES | {Role.ADMIN}

#: Roles whose holder is staff: an account holding any of them never opens
#: through OpenID Connect (citizen login).
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}

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
