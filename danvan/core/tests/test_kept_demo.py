"""The root conftest keeps the demo loaded between the tests that ask for it
(_KeptDemo), and the contest and survey demos on top of it for the tests that
ask for them (`full_demo`): what one test writes is gone for the next, and a
test that does not ask for the demo never sees it. In one worker the demo tests run in this
order, and the other after them (the conftest runs the tests the kept demo
serves first); under pytest-xdist a test may land on the other worker, where
it holds all the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from danvan.core.demo import DEMO_MARKER_CODE
from danvan.core.models import Area, User

pytestmark = pytest.mark.django_db

RENAMED = "Tên do một phép thử đặt"


def test_no_demo_unless_asked() -> None:
    # Listed first; runs after the demo tests below, once the kept demo is rolled back.
    from danvan.contests.models import Contest

    assert not Area.objects.filter(code=DEMO_MARKER_CODE).exists()
    assert not User.objects.exists() and not Contest.objects.exists()


def test_a_test_may_change_the_demo(demo: Any) -> None:
    area = Area.objects.get(code=DEMO_MARKER_CODE)
    area.name = RENAMED
    area.save(update_fields=["name"])
    User.objects.filter(username=demo.logins[0].username).delete()


def test_the_next_test_gets_it_as_loaded(demo: Any) -> None:
    from danvan.contests.models import Contest

    assert not Contest.objects.exists()  # the contest demo only where asked for
    assert Area.objects.get(code=DEMO_MARKER_CODE).name != RENAMED
    assert User.objects.filter(username=demo.logins[0].username).exists()


def test_a_test_may_change_the_contest_demo(full_demo: Any) -> None:
    from danvan.contests.models import Contest

    Contest.objects.update(title=RENAMED)
    User.objects.filter(username=full_demo.logins[0].username).delete()


def test_the_next_gets_the_contest_demo_as_loaded(full_demo: Any) -> None:
    from danvan.contests.models import Contest
    from danvan.surveys.models import Survey

    assert Contest.objects.exists() and not Contest.objects.filter(title=RENAMED).exists()
    assert Survey.objects.exists()
    assert User.objects.filter(username=full_demo.logins[0].username).exists()


def test_a_test_with_a_folder_of_its_own_runs_inside_the_kept_demo(
    demo: Any, media_root: Path, settings: Any
) -> None:
    assert Area.objects.get(code=DEMO_MARKER_CODE).name != RENAMED
    assert Path(settings.MEDIA_ROOT) == media_root and not media_root.exists()


def test_no_test_writes_files_into_the_checkout(settings: Any) -> None:
    checkout = Path(__file__).resolve().parents[3]
    assert not Path(settings.MEDIA_ROOT).resolve().is_relative_to(checkout)
