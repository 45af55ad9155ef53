"""Running a definition's test cases, and the publishing gate.

A test case is a sample submission with its expected outcome: accepted, or
rejected with errors on exactly the listed data paths. Publishing is
refused unless there is at least one accepted case, every case passes, and
the render check passes on the first accepted sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forms_builder.errors import PublishRefused
from forms_builder.model import TestCase
from forms_builder.ports import RenderCheck
from forms_builder.submission import CompiledForm, validate_submission

__all__ = ["CaseResult", "publish_gate", "run_test_cases"]


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test case."""

    name: str
    passed: bool
    expected_accepted: bool
    expected_errors: tuple[str, ...]
    actual_errors: tuple[str, ...]
    """Data paths that carried an error (sorted)."""


def _run(compiled: CompiledForm, case: TestCase, today: date) -> CaseResult:
    outcome = validate_submission(compiled, case.data, today=today)
    actual = tuple(sorted(outcome.error_paths()))
    if case.accepted:
        passed = outcome.accepted
    else:
        passed = not outcome.accepted and (not case.errors or set(case.errors) == set(actual))
    return CaseResult(case.name, passed, case.accepted, case.errors, actual)


def run_test_cases(compiled: CompiledForm, *, today: date) -> list[CaseResult]:
    """Run every test case of the compiled definition."""
    return [_run(compiled, case, today) for case in compiled.definition.test_cases]


def publish_gate(
    compiled: CompiledForm, *, today: date, render_check: RenderCheck | None = None
) -> list[CaseResult]:
    """Raise :class:`PublishRefused` unless an accepted case exists and every case
    (and the render check on the first accepted sample) passes."""
    d = compiled.definition
    sample = next((c.data for c in d.test_cases if c.accepted), None)
    if sample is None:
        # The render check needs a sample the form accepts; without one the
        # PDF/A rendering would go unchecked.
        raise PublishRefused(
            f"Không thể ban hành {d.ref}: cần ít nhất một ca kiểm thử được chấp nhận "
            '(/test_cases, "expect": {"accepted": true}) để kiểm tra bản in PDF/A. '
            "Hãy nhập dữ liệu hợp lệ ở trang Xem trước rồi chọn Lưu làm ca kiểm thử.",
            f"Cannot publish {d.ref}: at least one accepted test case is needed "
            '(/test_cases, "expect": {"accepted": true}) so the PDF/A rendering is checked. '
            "Enter valid data on the Preview page and choose Save as a test case.",
            details={"form": d.ref, "pointer": "/test_cases", "test_cases": len(d.test_cases)},
        )
    results = run_test_cases(compiled, today=today)
    failed = [r.name for r in results if not r.passed]
    if failed:
        names = ", ".join(failed)
        raise PublishRefused(
            f"Không thể ban hành {d.ref}: ca kiểm thử không đạt: {names}.",
            f"Cannot publish {d.ref}: failing test cases: {names}.",
            details={"form": d.ref, "failed": failed},
        )
    if render_check is not None:
        problems = render_check(d, sample)
        if problems:
            raise PublishRefused(
                f"Không thể ban hành {d.ref}: bản in PDF/A không hợp lệ: {'; '.join(problems)}.",
                f"Cannot publish {d.ref}: the PDF/A rendering is not valid: {'; '.join(problems)}.",
                details={"form": d.ref, "render_problems": problems},
            )
    return results
