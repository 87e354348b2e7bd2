from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from danvan.surveys.models import SpentToken
from danvan.surveys.services import submit_response
from danvan.surveys.tests.factories import make_survey, valid_answers


@pytest.mark.django_db
def test_shuffle_command_rewrites_guards_and_keeps_them(settings: Any) -> None:
    survey = make_survey(mode="anonymous", one_per="browser")
    for i in range(5):
        submit_response(survey, valid_answers(survey), browser_token=f"token-{i}")
    before = set(SpentToken.objects.values_list("token_hash", flat=True))
    old_ids = set(SpentToken.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("shuffle_survey_guards", stdout=out)
    assert set(SpentToken.objects.values_list("token_hash", flat=True)) == before
    assert not old_ids & set(SpentToken.objects.values_list("pk", flat=True))
    assert "Đã xáo trộn 5 dòng" in out.getvalue()
