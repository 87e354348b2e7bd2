"""Keys for personal data (danvan.core.crypto): separate settings required in
production, rotation of the encryption key, a wrong key is an error."""

from __future__ import annotations

import base64
import gc
import hashlib
import hmac
import importlib.util
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import Client, override_settings
from django.urls import reverse

from danvan.contests import privacy
from danvan.contests.models import Participant
from danvan.contests.public_helpers import participant_key, verified_key
from danvan.contests.tests import factories
from danvan.core import crypto
from danvan.core.crypto import DecryptionError
from danvan.core.tests.factories import make_staff

CCCD = "092190001245"
OLD, NEW = "khoa-cu-" + "a" * 40, "khoa-moi-" + "b" * 40


def load_settings(monkeypatch: Any, tmp_path: Path, **env: str) -> Any:
    """danvan/settings.py read afresh with exactly this environment."""
    for name in ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("HASH_KEY", raising=False)
    monkeypatch.setenv("DANVAN_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = Path(settings.BASE_DIR) / "danvan" / "settings.py"
    spec = importlib.util.spec_from_file_location("danvan_settings_probe", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_production_has_no_keys_unless_set(monkeypatch: Any, tmp_path: Path) -> None:
    prod = load_settings(monkeypatch, tmp_path, DEBUG="0", SECRET_KEY="s" * 60)
    assert prod.FIELD_ENCRYPTION_KEYS == [] and prod.HASH_KEY == ""
    prod = load_settings(
        monkeypatch,
        tmp_path,
        DEBUG="0",
        SECRET_KEY="s" * 60,
        FIELD_ENCRYPTION_KEYS=f"{NEW}, {OLD}",
        HASH_KEY="h" * 40,
    )
    assert prod.FIELD_ENCRYPTION_KEYS == [NEW, OLD] and prod.HASH_KEY == "h" * 40


def test_development_derives_the_keys_from_the_secret_key_as_before(
    monkeypatch: Any, tmp_path: Path
) -> None:
    dev = load_settings(monkeypatch, tmp_path, DEBUG="1")
    assert dev.FIELD_ENCRYPTION_KEYS == [dev.SECRET_KEY] and dev.HASH_KEY == dev.SECRET_KEY
    # The older single FIELD_ENCRYPTION_KEY still serves both.
    legacy = load_settings(monkeypatch, tmp_path, DEBUG="0", SECRET_KEY="s" * 60,
                           FIELD_ENCRYPTION_KEY="f" * 40)  # fmt: skip
    assert legacy.FIELD_ENCRYPTION_KEYS == ["f" * 40] and legacy.HASH_KEY == "f" * 40


def _before(purpose: bytes, secret: str) -> bytes:
    """The key derivation of the code before this change."""
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


@override_settings(FIELD_ENCRYPTION_KEYS=[OLD], HASH_KEY=OLD)
def test_values_stored_before_still_read_and_match() -> None:
    old_token = Fernet(base64.urlsafe_b64encode(_before(b"danvan-cccd-encryption", OLD)))
    stored = old_token.encrypt(CCCD.encode()).decode()
    assert privacy.decrypt_cccd(stored) == CCCD
    old_hash = hmac.new(_before(b"danvan-cccd-hash", OLD), CCCD.encode(), hashlib.sha256)
    assert privacy.cccd_hash(CCCD) == old_hash.hexdigest()


@pytest.mark.django_db
def test_survey_hashes_use_the_hash_key(settings: Any) -> None:
    from types import SimpleNamespace

    from danvan.surveys import services

    survey: Any = SimpleNamespace(pk=7)
    settings.HASH_KEY = OLD
    before = hmac.new(_before(b"danvan-survey-code", OLD), b"7\x00ABCD1234", hashlib.sha256)
    assert services.code_hash(survey, "abcd-1234") == before.hexdigest()
    settings.HASH_KEY = NEW
    assert services.code_hash(survey, "abcd-1234") != before.hexdigest()


def test_missing_keys_are_an_error_of_the_checks(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.HASH_KEY = ""
    assert [e.id for e in crypto.check_keys()] == ["danvan.E001", "danvan.E002"]
    with pytest.raises(SystemCheckError) as exc:
        call_command("check", "--deploy")
    assert "FIELD_ENCRYPTION_KEYS" in str(exc.value) and "HASH_KEY" in str(exc.value)
    assert "cannot be rotated" in str(exc.value)
    # Nothing silently falls back to SECRET_KEY meanwhile.
    with pytest.raises(Exception, match="FIELD_ENCRYPTION_KEYS"):
        privacy.encrypt_cccd(CCCD)
    with pytest.raises(Exception, match="HASH_KEY"):
        privacy.cccd_hash(CCCD)


def test_keys_set_pass_the_checks(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    settings.HASH_KEY = "h" * 40
    assert crypto.check_keys() == []


def test_a_wrong_key_is_an_error_not_an_empty_value(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    stored = privacy.encrypt_cccd(CCCD)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(DecryptionError):
        privacy.decrypt_cccd(stored)
    assert privacy.cccd_or_notice(stored, masked=True) == privacy.CCCD_UNREADABLE
    assert privacy.decrypt_cccd("") == ""


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_field_key", "--batch-size", "2", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rotation_with_two_keys(settings: Any) -> None:
    world = factories.make_world()
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    people = [
        factories.make_participant(world.contest, world.hamlet, cccd=f"09219000{i:04d}")
        for i in range(5)
    ]
    factories.make_participant(world.contest, world.hamlet)  # no CCCD
    before = dict(Participant.objects.values_list("pk", "cccd_encrypted"))

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    for p in people:  # old data still reads
        assert privacy.decrypt_cccd(p.cccd_encrypted) == f"09219000{people.index(p):04d}"
    newest = factories.make_participant(world.contest, world.hamlet, cccd="092190009999")

    output = _rotate()
    assert "contests.Participant.cccd_encrypted: 6/6" in output
    assert "Đã mã hóa lại 5 giá trị; 1 giá trị đã dùng khóa mới nhất; 0" in output
    after = dict(Participant.objects.values_list("pk", "cccd_encrypted"))
    assert all(after[p.pk] != before[p.pk] for p in people)

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key dropped
    for i, p in enumerate(people):
        p.refresh_from_db()
        assert privacy.decrypt_cccd(p.cccd_encrypted) == f"09219000{i:04d}"
    assert privacy.decrypt_cccd(newest.cccd_encrypted) == "092190009999"
    # Idempotent: a second run changes nothing.
    assert "Đã mã hóa lại 0 giá trị; 6 giá trị đã dùng khóa mới nhất" in _rotate()
    assert dict(Participant.objects.values_list("pk", "cccd_encrypted")) == after


def participant_under_the_old_key(settings: Any, world: Any) -> Participant:
    """A participant of the world's contest whose CCCD was encrypted with OLD; the key
    in use is then NEW alone, which cannot read it."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    participant = factories.make_participant(world.contest, world.hamlet, cccd=CCCD)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    return participant


@pytest.mark.django_db
def test_rotation_reports_values_no_key_reads(settings: Any) -> None:
    world = factories.make_world()
    p = participant_under_the_old_key(settings, world)
    with pytest.raises(CommandError, match="1 giá trị không giải mã được"):
        call_command("rotate_field_key", stdout=StringIO(), stderr=StringIO())
    assert Participant.objects.get(pk=p.pk).cccd_encrypted == p.cccd_encrypted


@pytest.mark.django_db
def test_pages_showing_a_cccd_say_so_when_the_key_is_wrong(settings: Any) -> None:
    world = factories.make_world()
    p = participant_under_the_old_key(settings, world)
    client = Client()
    session = client.session
    session[participant_key(world.contest.pk)] = p.pk
    session[verified_key(world.contest.pk)] = True
    session.save()
    page = client.get(reverse("contests:my_data", args=[world.contest.slug]))
    assert page.status_code == 200
    assert privacy.CCCD_UNREADABLE in page.content.decode()
    data = client.get(reverse("contests:export", args=[world.contest.slug]))
    assert data.status_code == 200
    assert json.loads(data.content)["nguoi_du_thi"]["so_cccd"] == privacy.CCCD_UNREADABLE


# The export's half-written sheet is dropped when the job fails: openpyxl's
# writer then complains while being collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.django_db
def test_a_staff_export_fails_with_the_reason_when_the_key_is_wrong(
    settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from danvan.core.jobs import start_job
    from danvan.core.models import Job, JobStatus, Role

    settings.MEDIA_ROOT = tmp_path
    world = factories.make_world()
    admin = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
    participant_under_the_old_key(settings, world)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            admin, "export_participants", "Danh sách", params={"contest": world.contest.pk}
        )
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.message == DecryptionError.message
    gc.collect()  # while the warning filter applies
