"""The evaluation council: weighted totals on 100, the average, scoring only
while proposed, every criterion, 0 to 10; the page keeps what was typed."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_province, make_staff
from danvan.practices.evaluation import criteria, evaluation_of, score_practice
from danvan.practices.models import Criterion, Score
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_criteria(db: Any) -> None:
    """The default criteria, as the migration writes them: a transactional test
    that ran earlier in the worker ended with a flush, which empties them."""
    from django.apps import apps

    importlib.import_module("danvan.practices.migrations.0003_default_criteria").load(apps, None)


@pytest.fixture
def proposed(db: Any) -> Any:
    commune = make_commune(make_province())
    return move(make_practice(commune), "start", "propose")


def test_the_default_criteria_weigh_100() -> None:
    assert sum(c.weight for c in criteria()) == 100
    assert len(criteria()) == 5


def test_totals_and_average(proposed: Any) -> None:
    a = make_staff("hd.mot", Role.BOARD_ADMIN, area=proposed.area)
    b = make_staff("hd.hai", Role.BOARD_ADMIN, area=proposed.area)
    items = criteria()
    score_practice(proposed, a, {c.pk: 10 for c in items})
    score_practice(proposed, b, {c.pk: 5 for c in items})
    # A member scores again: their scores are replaced, not added.
    score_practice(proposed, b, {c.pk: (8 if c.weight == 30 else 5) for c in items})
    result = evaluation_of(proposed)
    assert [round(m.total, 1) for m in result.members] == [100.0, 59.0]
    assert result.average == pytest.approx(79.5)
    assert Score.objects.filter(practice=proposed, member=b).count() == len(items)


def test_refused_scores_change_nothing(proposed: Any) -> None:
    member = make_staff("hd.ba", Role.BOARD_ADMIN, area=proposed.area)
    items = criteria()
    with pytest.raises(ValidationError, match="đủ các tiêu chí"):
        score_practice(proposed, member, {items[0].pk: 5})
    with pytest.raises(ValidationError, match="từ 0 đến 10"):
        score_practice(proposed, member, {c.pk: 11 for c in items})
    move(proposed, "recognise")
    with pytest.raises(ValidationError, match="đang được đề nghị"):
        score_practice(proposed, member, {c.pk: 5 for c in items})
    assert not Score.objects.exists()
    Criterion.objects.filter(pk=items[0].pk).update(active=False)
    assert len(criteria()) == 4  # the set is data


def test_the_page_scores_and_keeps_what_was_typed(proposed: Any, client: Any) -> None:
    member = make_staff("hd.bon", Role.BOARD_ADMIN, area=proposed.area)
    client.force_login(member)
    url = reverse("practices_staff:practice_evaluate", args=[proposed.pk])
    items = criteria()
    data = {f"tc_{c.pk}": "7" for c in items}
    data[f"tc_{items[1].pk}"] = ""
    page = client.post(url, data)
    assert page.status_code == 200 and "Chưa chấm" in page.content.decode()
    assert 'value="7"' in page.content.decode()
    assert not Score.objects.exists()
    data[f"tc_{items[1].pk}"] = "9"
    assert client.post(url, data)["Location"] == url
    body = client.get(url).content.decode()
    assert 'id="binh-quan">76,0<' in body
