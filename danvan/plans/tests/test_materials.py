"""Briefing materials: a library per topic and audience, with Vietnamese and
Khmer versions checked by content, validity dates, and the units each was sent
to, who can then read it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import make_org, make_staff, make_two_communes
from danvan.plans.models import Dispatch, Material, MaterialFile

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def place(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    province, a, b = make_two_communes()
    board = make_org(province, "Ban Tuyên giáo và Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD)
    return type("Place", (), dict(
        a=a, b=b, board=board,
        writer=make_staff("bdv.tp", Role.BOARD_ADMIN, area=province),
        reader_a=make_staff("xem.a", Role.VIEWER, area=a),
        reader_b=make_staff("xem.b", Role.VIEWER, area=b),
    ))  # fmt: skip


def test_a_material_in_two_languages_sent_to_a_commune(place: Any, client: Any) -> None:
    client.force_login(place.writer)
    add = reverse("plans_staff:material_add")
    typed = {
        "title": "Hỏi đáp Luật Đất đai 2024", "topic": "Luật Đất đai năm 2024",
        "audience": "ethnic", "organization": place.board.pk, "language": "vi",
        "valid_from": "2025-07-01", "valid_to": "",
    }  # fmt: skip
    fake = client.post(add, {**typed, "file": SimpleUploadedFile("hoi-dap.pdf", b"MZ\x90\x00")})
    assert fake.status_code == 200 and not Material.objects.exists()
    assert 'value="Hỏi đáp Luật Đất đai 2024"' in fake.content.decode()
    done = client.post(add, {**typed, "file": SimpleUploadedFile("hoi-dap.pdf", PDF)})
    material = Material.objects.get()
    assert done["Location"] == material.get_absolute_url()
    khmer = client.post(
        material.get_absolute_url(),
        {"tep-language": "km", "tep-file": SimpleUploadedFile("hoi-dap-km.pdf", PDF)},
    )
    assert khmer.status_code == 302
    twice = client.post(
        material.get_absolute_url(),
        {"tep-language": "km", "tep-file": SimpleUploadedFile("lan-2.pdf", PDF)},
    )
    assert "đã có bản bằng ngôn ngữ này" in twice.content.decode()
    assert sorted(MaterialFile.objects.values_list("language", flat=True)) == ["km", "vi"]
    assert len(list(default_storage.listdir("plans/materials")[1])) == 2  # the refused one went
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    refused = client.post(
        material.get_absolute_url(), {"gui-areas": [place.a.pk], "gui-sent_on": future}
    )
    assert "không được sau hôm nay" in refused.content.decode()
    sent = client.post(
        material.get_absolute_url(), {"gui-areas": [place.a.pk], "gui-sent_on": "2025-07-05"}
    )
    assert sent.status_code == 302 and Dispatch.objects.get().area == place.a
    listed = client.get(reverse("plans_staff:material_list"), {"q": "dat dai", "ngon_ngu": "km"})
    assert "Hỏi đáp Luật Đất đai 2024" in listed.content.decode()

    # The commune it was sent to reads it and downloads it; the other does not see it.
    file = material.files.get(language="km")
    url = reverse("plans_staff:material_download", args=[material.pk, file.pk])
    client.force_login(place.reader_a)
    assert client.get(material.get_absolute_url()).status_code == 200
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert client.post(material.get_absolute_url(), {"gui-areas": [place.a.pk]}).status_code == 404
    client.force_login(place.reader_b)
    assert client.get(material.get_absolute_url()).status_code == 404
    assert client.get(url).status_code == 404
    assert date(2025, 7, 1) == material.valid_from
