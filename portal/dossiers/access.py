"""Who may see a dossier and in which capacity an account acts on it."""

from __future__ import annotations

from dossiers import ActingUser, Action, Actor, Dossier
from dossiers.status import TRANSITIONS
from portal.accounts import Account, Role


def capacities(account: Account, dossier: Dossier) -> list[Actor]:
    """The capacities ``account`` holds for ``dossier`` (applicant, officer, leader)."""
    found = []
    if dossier.applicant.user_id is not None and dossier.applicant.user_id == account.id:
        found.append(Actor.APPLICANT)
    if account.has_role(Role.OFFICER, dossier.agency_id):
        found.append(Actor.OFFICER)
    if account.has_role(Role.LEADER, dossier.agency_id):
        found.append(Actor.LEADER)
    return found


def can_view(account: Account, dossier: Dossier) -> bool:
    """Applicant, staff of the owning agency, auditors and supervisors."""
    if capacities(account, dossier):
        return True
    if account.has_role(Role.ARCHIVIST, dossier.agency_id):
        return True
    return account.has_role(Role.SUPERVISOR) or account.has_role(Role.AUDITOR)


def acting_user(account: Account, dossier: Dossier, action: Action) -> ActingUser | None:
    """The capacity in which ``account`` may take ``action``, or None."""
    allowed = TRANSITIONS[action].actors
    for actor in capacities(account, dossier):
        if actor in allowed:
            return ActingUser(
                username=account.username,
                actor=actor,
                agency_ids=account.agencies_for(Role.OFFICER) | account.agencies_for(Role.LEADER),
                user_id=account.id,
            )
    return None
