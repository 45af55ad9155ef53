"""The dossier status machine: statuses, actions and the transitions between them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a dossier is in its processing."""

    SUBMITTED = "submitted"
    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENTED = "supplemented"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    RESULT_ISSUED = "result_issued"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    def label(self, lang: str = "vi") -> str:
        vi, en = _STATUS_LABELS[self]
        return en if lang == "en" else vi

    @property
    def is_open(self) -> bool:
        """Still being handled (counts towards the queue and overdue figures)."""
        return self not in (
            Status.RESULT_ISSUED,
            Status.CLOSED,
            Status.REJECTED,
            Status.WITHDRAWN,
        )


_STATUS_LABELS = {
    Status.SUBMITTED: ("Đã nộp", "Submitted"),
    Status.RECEIVED: ("Đã tiếp nhận", "Received"),
    Status.IN_PROCESSING: ("Đang xử lý", "In processing"),
    Status.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung", "Supplement requested"),
    Status.SUPPLEMENTED: ("Đã bổ sung", "Supplemented"),
    Status.AWAITING_APPROVAL: ("Chờ phê duyệt", "Awaiting approval"),
    Status.APPROVED: ("Đã phê duyệt", "Approved"),
    Status.RESULT_ISSUED: ("Đã trả kết quả", "Result issued"),
    Status.CLOSED: ("Đã kết thúc", "Closed"),
    Status.REJECTED: ("Từ chối", "Rejected"),
    Status.WITHDRAWN: ("Đã rút", "Withdrawn"),
}


class Action(StrEnum):
    """What a person does to a dossier."""

    RECEIVE = "receive"
    START_PROCESSING = "start_processing"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    RESUME = "resume"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    RETURN_FOR_REWORK = "return_for_rework"
    APPROVE = "approve"
    ISSUE_RESULT = "issue_result"
    CLOSE = "close"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    """Who may take an action: the applicant, the agency's officer or leader."""

    APPLICANT = "applicant"
    OFFICER = "officer"
    LEADER = "leader"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    needs_note: bool = False
    """A reason or message is required (rejection, supplement request)."""


def _t(
    action: Action,
    sources: tuple[Status, ...],
    target: Status,
    actors: tuple[Actor, ...],
    *,
    needs_note: bool = False,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), needs_note)


S, A, R = Status, Action, Actor
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(A.RECEIVE, (S.SUBMITTED,), S.RECEIVED, (R.OFFICER,)),
        _t(A.START_PROCESSING, (S.RECEIVED,), S.IN_PROCESSING, (R.OFFICER,)),
        _t(
            A.REQUEST_SUPPLEMENT,
            (S.RECEIVED, S.IN_PROCESSING),
            S.SUPPLEMENT_REQUESTED,
            (R.OFFICER,),
            needs_note=True,
        ),
        _t(A.SUPPLEMENT, (S.SUPPLEMENT_REQUESTED,), S.SUPPLEMENTED, (R.APPLICANT,)),
        _t(A.RESUME, (S.SUPPLEMENTED,), S.IN_PROCESSING, (R.OFFICER,)),
        _t(A.SUBMIT_FOR_APPROVAL, (S.IN_PROCESSING,), S.AWAITING_APPROVAL, (R.OFFICER,)),
        _t(
            A.RETURN_FOR_REWORK,
            (S.AWAITING_APPROVAL,),
            S.IN_PROCESSING,
            (R.LEADER,),
            needs_note=True,
        ),
        _t(A.APPROVE, (S.AWAITING_APPROVAL,), S.APPROVED, (R.LEADER,)),
        _t(A.ISSUE_RESULT, (S.APPROVED,), S.RESULT_ISSUED, (R.LEADER, R.SYSTEM)),
        _t(
            A.CLOSE,
            (S.RESULT_ISSUED, S.REJECTED, S.WITHDRAWN),
            S.CLOSED,
            (R.OFFICER, R.SYSTEM),
        ),
        _t(
            A.REJECT,
            (S.SUBMITTED, S.RECEIVED, S.IN_PROCESSING, S.SUPPLEMENTED, S.AWAITING_APPROVAL),
            S.REJECTED,
            (R.OFFICER, R.LEADER),
            needs_note=True,
        ),
        _t(
            A.WITHDRAW,
            (S.SUBMITTED, S.RECEIVED, S.IN_PROCESSING, S.SUPPLEMENT_REQUESTED),
            S.WITHDRAWN,
            (R.APPLICANT,),
        ),
    )
}


def allowed_actions(status: Status, actor: Actor) -> list[Action]:
    """Actions ``actor`` may take on a dossier in ``status``, in a stable order."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources and actor in t.actors]
