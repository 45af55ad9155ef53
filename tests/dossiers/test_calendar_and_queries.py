"""Working days, the officers' queue and the statistics queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dossiers import ActingUser, Action, Actor, DossierPolicy, Status, WorkingCalendar, act, submit
from dossiers.queries import QueueFilter, list_queue, statistics
from storage.db import Database
from tests.dossiers.conftest import HOME, MONDAY, OTHER, birth_submission

OFFICER = ActingUser("officer", Actor.OFFICER, frozenset({HOME}))


def test_working_days_skip_weekends_and_holidays() -> None:
    cal = WorkingCalendar.from_iso(["2026-09-02"])
    assert cal.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon
    assert cal.add_working_days(date(2026, 9, 1), 1) == date(2026, 9, 3)  # skips 2/9
    assert cal.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5


def test_bad_holiday_is_named() -> None:
    with pytest.raises(ValueError, match="2026-13-01"):
        WorkingCalendar.from_iso(["2026-13-01"])


def test_queue_orders_by_due_date_and_filters(db: Database) -> None:
    policy = DossierPolicy()
    codes = []
    for i in range(3):
        with db.unit_of_work() as s:
            d = submit(
                s,
                birth_submission(f"k{i}"),
                policy=policy,
                actor="c",
                now=MONDAY + timedelta(days=i),
            )
            codes.append(d.code)
    # Receive in reverse order: the last received is due last.
    for i, code in enumerate(reversed(codes)):
        with db.unit_of_work() as s:
            act(
                s, code, Action.RECEIVE, user=OFFICER, policy=policy, now=MONDAY + timedelta(days=i)
            )
    now = MONDAY + timedelta(days=10)
    with db.unit_of_work() as s:
        queue, total = list_queue(s, QueueFilter(frozenset({HOME})), now=now)
        assert total == 3 and [d.code for d in queue] == list(reversed(codes))
        overdue, n = list_queue(s, QueueFilter(frozenset({HOME}), overdue_only=True), now=now)
        assert n == 3 and all(d.is_overdue(now) for d in overdue)
        _, n = list_queue(s, QueueFilter(frozenset({OTHER})), now=now)
        assert n == 0
        _, n = list_queue(s, QueueFilter(frozenset({HOME}), statuses=(Status.SUBMITTED,)), now=now)
        assert n == 0


def test_statistics_count_channels_and_timeliness(db: Database) -> None:
    policy = DossierPolicy()
    with db.unit_of_work() as s:
        for i in range(4):
            submit(s, birth_submission(f"s{i}"), policy=policy, actor="c", now=MONDAY)
    with db.unit_of_work() as s:
        act(s, f"{HOME}-261123-0001", Action.RECEIVE, user=OFFICER, policy=policy, now=MONDAY)
        act(
            s,
            f"{HOME}-261123-0001",
            Action.REJECT,
            user=OFFICER,
            policy=policy,
            note="Sai thẩm quyền",
            now=MONDAY,
        )
        act(s, f"{HOME}-261123-0002", Action.RECEIVE, user=OFFICER, policy=policy, now=MONDAY)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    with db.unit_of_work() as s:
        stats = statistics(s, start=start, end=end, now=MONDAY + timedelta(days=30))
    [row] = stats.rows
    assert row.received_online == 4 and row.received == 4
    assert row.in_progress == 3 and row.overdue == 1
    assert stats.total().received == 4
