"""`manage.py shuffle_survey_guards`: mix the pending anonymous responses and
rewrite the one-response guards of open and recently closed surveys in a random
order (see danvan.surveys.mixing and guards.shuffle_guards). Run it nightly:
it is the safety net. The app itself mixes at the end of each window in which
anonymous responses arrived and releases every pending response when staff
close a survey, and shuffles the guards likewise (danvan.surveys.tasks), which
needs the task worker to be running; a survey that closes by its date has its
last pending responses released here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from danvan.surveys import mixing
from danvan.surveys.guards import shuffle_guards
from danvan.surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Trộn các phiếu ẩn danh đang chờ và xáo trộn thứ tự lưu các mã, dấu vết đã dùng "
        "của khảo sát (bảo đảm ẩn danh)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        since = timezone.now() - timedelta(days=7)
        mixed = shuffled = 0
        # Every survey with pending responses, however long ago it closed.
        surveys = Survey.objects.filter(Q(closes_at__gte=since) | Q(pending__isnull=False))
        surveys = surveys.distinct()
        for survey in surveys:
            mixed += mixing.release(survey)
            shuffled += shuffle_guards(survey)
        self.stdout.write(
            f"Đã trộn {mixed} phiếu đang chờ; đã xáo trộn {shuffled} dòng "
            f"của {surveys.count()} cuộc khảo sát."
        )
