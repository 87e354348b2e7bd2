"""The database ranks a round exactly as `bank.rank_key` orders it in Python,
for every tie-break order, with missing predictions, durations and times."""

from __future__ import annotations

from itertools import permutations
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan.contests.bank import rank_key
from danvan.contests.closing import _noop, rank_round
from danvan.contests.models import Attempt
from danvan.contests.tests.test_closing import finished, people

ORDERS = [",".join(p) for p in permutations(["score", "prediction", "duration", "submitted"])]

attempt_values = st.tuples(
    st.integers(0, 3),  # score: few values, many ties
    st.one_of(st.none(), st.integers(0, 6)),  # prediction
    st.sampled_from([10, 20, 30]),  # seconds
    st.integers(0, 2),  # minutes after opening
    st.booleans(),  # duration missing
    st.booleans(),  # submitted time missing
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(attempt_values, min_size=1, max_size=9),
    order=st.sampled_from(ORDERS),
    actual=st.one_of(st.none(), st.integers(0, 6)),
)
def test_sql_ranks_equal_the_python_order(
    world: Any, values: list[Any], order: str, actual: int | None
) -> None:
    rnd = world.round
    rnd.tie_break = order
    Attempt.objects.filter(round=rnd).delete()
    made = []
    for person, (score, prediction, seconds, at, no_duration, no_time) in zip(
        people(world, len(values)), values, strict=True
    ):
        attempt = finished(rnd, person, score, prediction=prediction, seconds=seconds, at=at)
        fields: dict[str, Any] = {}
        if no_duration:
            fields["duration_ms"] = None
        if no_time:
            fields["submitted_at"] = None
        if fields:
            Attempt.objects.filter(pk=attempt.pk).update(**fields)
        made.append(attempt.pk)
    ranking = rank_round(rnd, actual, _noop, top=3)
    rows = list(
        Attempt.objects.filter(pk__in=made).values_list(
            "pk", "participant_id", "score", "prediction", "duration_ms", "submitted_at", named=True
        )
    )
    expected = [r.pk for r in sorted(rows, key=lambda r: rank_key(r, rnd.tie_break_keys(), actual))]
    stored = list(Attempt.objects.filter(pk__in=made).order_by("rank").values_list("pk", flat=True))
    assert stored == expected
    assert ranking.total == len(made)
    assert [a.pk for a in ranking.top] == expected[:3]
