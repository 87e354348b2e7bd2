"""`manage.py shuffle_survey_guards`: rewrite the one-response guards of open and
recently closed surveys in a random order (see services.shuffle_guards). Run it
nightly, so that the storage order of spent tokens and codes never lines up
with the order of the responses. It is the safety net: the app itself queues
a shuffle when staff close a survey and a few minutes after responses arrive
(danvan.surveys.tasks), which needs the task worker to be running."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from danvan.surveys.models import Survey
from danvan.surveys.services import shuffle_guards


class Command(BaseCommand):
    help = "Xáo trộn thứ tự lưu các mã, dấu vết đã dùng của khảo sát (bảo đảm ẩn danh)."

    def handle(self, *args: Any, **options: Any) -> None:
        since = timezone.now() - timedelta(days=7)
        total = 0
        surveys = Survey.objects.filter(closes_at__gte=since)
        for survey in surveys:
            total += shuffle_guards(survey)
        self.stdout.write(f"Đã xáo trộn {total} dòng của {surveys.count()} cuộc khảo sát.")
