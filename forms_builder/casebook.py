"""Running a definition's test cases, and the publishing gate.

A test case is a sample submission with its expected outcome: accepted, or
rejected with errors on exactly the listed data paths. Publishing is
refused unless every case passes and, once the rendering issue provides it,
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
    """Raise :class:`PublishRefused` unless every test case (and the render check) passes."""
    d = compiled.definition
    if not d.test_cases:
        raise PublishRefused(
            "Biểu mẫu chưa có ca kiểm thử nào; cần ít nhất một ca được chấp nhận.",
            "The form has no test cases; at least one accepted case is needed.",
            details={"form": d.ref},
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
    sample = next((c.data for c in d.test_cases if c.accepted), None)
    if render_check is not None and sample is not None:
        problems = render_check(d, sample)
        if problems:
            raise PublishRefused(
                f"Không thể ban hành {d.ref}: bản in PDF/A không hợp lệ: {'; '.join(problems)}.",
                f"Cannot publish {d.ref}: the PDF/A rendering is not valid: {'; '.join(problems)}.",
                details={"form": d.ref, "render_problems": problems},
            )
    return results
