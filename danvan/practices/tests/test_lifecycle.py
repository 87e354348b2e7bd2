"""The lifecycle of a practice: every move, every refused one (a clear message,
nothing changed), each step recorded with who, when and why."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_province, make_staff
from danvan.practices import services
from danvan.practices.models import Practice, Status, Step
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune(db: Any) -> Any:
    return make_commune(make_province())


@pytest.fixture
def officer(commune: Any) -> Any:
    return make_staff("bdv.xa", Role.BOARD_ADMIN, area=commune)


PATHS = {
    "start": Status.IN_PROGRESS,
    "propose": Status.PROPOSED,
    "recognise": Status.RECOGNISED,
}


def test_the_whole_path_is_recorded(commune: Any, officer: Any) -> None:
    practice = make_practice(commune, by=officer)
    assert practice.status == Status.REGISTERED
    for action, status in PATHS.items():
        practice = move(practice, action, by=officer)
        assert Practice.objects.get(pk=practice.pk).status == status
    practice.refresh_from_db()
    assert practice.decision_number == "12/QĐ-UBND"
    assert practice.decision_date == date(2025, 11, 20)
    steps = list(practice.steps.values_list("action", "to_status", "by"))
    assert steps == [
        ("register", Status.REGISTERED, officer.pk),
        ("start", Status.IN_PROGRESS, officer.pk),
        ("propose", Status.PROPOSED, officer.pk),
        ("recognise", Status.RECOGNISED, officer.pk),
    ]


@pytest.mark.parametrize(
    "before,action",
    [
        ((), "propose"),
        ((), "recognise"),
        ((), "refuse"),
        (("start",), "recognise"),
        (("start", "propose", "recognise"), "start"),
        (("start", "propose", "recognise"), "stop"),
        (("stop",), "start"),
        (("start", "propose", "refuse"), "propose"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(
    commune: Any, officer: Any, before: tuple[str, ...], action: str
) -> None:
    practice = move(make_practice(commune, by=officer), *before, by=officer)
    status, steps = practice.status, Step.objects.count()
    with pytest.raises(ValidationError) as refused:
        move(practice, action, by=officer)
    assert "đang ở trạng thái" in refused.value.messages[0]
    assert Practice.objects.get(pk=practice.pk).status == status
    assert Step.objects.count() == steps


def test_refusing_and_stopping_need_a_reason(commune: Any, officer: Any) -> None:
    practice = move(make_practice(commune, by=officer), "start", "propose", by=officer)
    for action in ("refuse", "stop"):
        with pytest.raises(ValidationError, match="Hãy ghi lý do"):
            services.advance(practice, action, by=officer, reason="  ")
    services.advance(practice, "refuse", by=officer, reason="Chưa có kết quả cụ thể.")
    practice.refresh_from_db()
    assert practice.status == Status.NOT_RECOGNISED
    assert practice.steps.last().reason == "Chưa có kết quả cụ thể."  # type: ignore[union-attr]


def test_recognition_needs_the_whole_decision(commune: Any, officer: Any) -> None:
    practice = move(make_practice(commune, by=officer), "start", "propose", by=officer)
    with pytest.raises(ValidationError) as refused:
        services.advance(practice, "recognise", by=officer, decision_number="5/QĐ")
    message = refused.value.messages[0]
    assert "cấp công nhận" in message and "ngày quyết định" in message
    assert Practice.objects.get(pk=practice.pk).status == Status.PROPOSED


def test_replication_links_the_copy_and_marks_the_original(commune: Any, officer: Any) -> None:
    original = move(make_practice(commune, by=officer), "start", "propose", "recognise", by=officer)
    copy = make_practice(commune, by=officer, title="Học tập mô hình của xã bạn")
    services.replicate_practice(original, copy, by=officer)
    original.refresh_from_db()
    copy.refresh_from_db()
    assert original.status == Status.REPLICATED
    assert copy.replicated_from == original
    assert list(original.replicas.all()) == [copy]
    # Not before recognition, and never from itself.
    draft = make_practice(commune, by=officer, title="Mô hình mới")
    with pytest.raises(ValidationError, match="đã được công nhận"):
        services.replicate_practice(draft, copy, by=officer)
    with pytest.raises(ValidationError):
        services.replicate_practice(original, original, by=officer)
