from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from danvan.surveys.models import PendingResponse, Response, SpentToken, Survey
from danvan.surveys.services import submit_response
from danvan.surveys.tests.factories import make_survey, valid_answers


@pytest.mark.django_db
def test_shuffle_command_rewrites_guards_and_keeps_them(settings: Any) -> None:
    settings.SURVEY_MIX_BATCH = 10
    survey = make_survey(mode="anonymous", one_per="browser")
    for i in range(5):
        submit_response(survey, valid_answers(survey), browser_token=f"token-{i}")
    before = set(SpentToken.objects.values_list("token_hash", flat=True))
    old_ids = set(SpentToken.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("shuffle_survey_guards", stdout=out)
    assert set(SpentToken.objects.values_list("token_hash", flat=True)) == before
    assert not old_ids & set(SpentToken.objects.values_list("pk", flat=True))
    assert "Đã trộn 0 phiếu đang chờ; đã xáo trộn 5 dòng" in out.getvalue()
    # Fewer than K pending while the survey is open: they keep waiting.
    assert PendingResponse.objects.filter(survey=survey).count() == 5

    # Once the survey has closed by its date (long ago), the command releases them all.
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - timedelta(days=40), closes_at=timezone.now() - timedelta(days=30)
    )
    out = StringIO()
    call_command("shuffle_survey_guards", stdout=out)
    assert "Đã trộn 5 phiếu đang chờ" in out.getvalue()
    assert not PendingResponse.objects.exists()
    assert Response.objects.filter(survey=survey).count() == 5
