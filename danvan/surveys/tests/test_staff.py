"""The survey staff pages: creating and editing surveys (input kept on error),
the options of every kind of question, the skip-logic editor and its refusals,
ordering sections and questions, duplicates and templates, publishing and the
other states, QR codes and sharing, invitation codes stored only as hashes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from danvan.surveys import builder, share
from danvan.surveys.forms_staff import publish_problems
from danvan.surveys.guards import code_hash
from danvan.surveys.logic import check_show_if
from danvan.surveys.models import (
    InvitationCode,
    Kind,
    Mode,
    OnePer,
    Question,
    Response,
    Section,
    Survey,
    SurveyStatus,
)
from danvan.surveys.services import today_vn
from danvan.surveys.tests import factories

DRAFT = SurveyStatus.DRAFT


pytestmark = pytest.mark.usefixtures("media_root")  # from the root conftest


@pytest.fixture
def admin(units: factories.Units) -> Any:
    return factories.board_admin(units.province, "qt.cantho", "Cán bộ quản trị")


def url(name: str, *args: Any) -> str:
    return reverse(f"surveys_staff:{name}", args=args)


def survey_data(units: factories.Units, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Lấy ý kiến về xây dựng nông thôn mới",
        "slug": "",
        "intro": "Xin ông/bà cho biết ý kiến.",
        "organization": units.organization.pk,
        "target_area": units.commune.pk,
        "opens_at": "2030-03-01T08:00",
        "closes_at": "2030-04-30T17:00",
        "mode": Mode.ANONYMOUS,
        "one_per": OnePer.BROWSER,
        "consent_text": "",
        "consent_version": "1",
        "one_section_per_page": "on",
        "template": "",
    }
    data.update(overrides)
    return data


def draft(units: factories.Units, kinds: list[str] | None = None, **kw: Any) -> Survey:
    kw.setdefault("sections", 1)
    return factories.make_survey(kinds=kinds or [], units=units, status=DRAFT, **kw)


def ordered(survey: Survey) -> list[Question]:
    return builder.ordered_questions(survey)


q_data = factories.question_post


def draft_with_condition(
    units: factories.Units, kinds: list[str], **condition: Any
) -> tuple[Survey, Question, Question]:
    """A draft of two questions of `kinds`, the second shown on `condition` about the first."""
    survey = draft(units, kinds)
    q1, q2 = ordered(survey)
    Question.objects.filter(pk=q2.pk).update(show_if={"question": q1.pk, **condition})
    return survey, q1, q2


def edit_data(question: Question, **overrides: Any) -> dict[str, Any]:
    """The question form's fields of a single-choice `question` as it is, with `overrides`."""
    choices = "\n".join(question.options["choices"])
    return q_data(question.section, text=question.text, choices=choices, **overrides)


# --- Creating and editing surveys -----------------------------------------------------------


def test_create_survey_makes_a_draft_with_a_slug(staff: Any, units: factories.Units) -> None:
    response = staff.post(url("survey_add"), survey_data(units))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("survey_detail", survey.pk)
    assert survey.status == DRAFT
    assert survey.slug == "lay-y-kien-ve-xay-dung-nong-thon-moi"
    assert survey.created_by is not None
    # The same title again gets a fresh slug.
    staff.post(url("survey_add"), survey_data(units))
    assert Survey.objects.filter(slug="lay-y-kien-ve-xay-dung-nong-thon-moi-2").exists()


def test_create_with_errors_keeps_the_input(staff: Any, units: factories.Units) -> None:
    data = survey_data(
        units,
        title="Ý kiến về chợ nông thôn",
        closes_at="2030-02-01T08:00",
        mode=Mode.IDENTIFIED,
        consent_text="   ",
        slug="Có Dấu",
    )
    response = staff.post(url("survey_add"), data)
    assert response.status_code == 200
    assert not Survey.objects.exists()
    form = response.context["form"]
    assert "Thời điểm đóng phải sau thời điểm mở." in form.errors["closes_at"]
    assert "nội dung đồng ý" in form.errors["consent_text"][0]
    assert "chữ thường không dấu" in form.errors["slug"][0]
    body = response.content.decode()
    assert 'value="Ý kiến về chợ nông thôn"' in body
    assert "Chưa lưu được." in body


def test_identified_survey_with_consent_is_accepted(staff: Any, units: factories.Units) -> None:
    data = survey_data(
        units,
        mode=Mode.IDENTIFIED,
        one_per=OnePer.PHONE,
        consent_text="Tôi đồng ý để Ban Dân vận lưu họ tên, số điện thoại để liên hệ lại.",
    )
    assert staff.post(url("survey_add"), data).status_code == 302
    assert Survey.objects.get().mode == Mode.IDENTIFIED


def test_code_policy_reminds_to_make_codes(staff: Any, units: factories.Units) -> None:
    response = staff.post(url("survey_add"), survey_data(units, one_per=OnePer.CODE), follow=True)
    assert "nhớ tạo và phát mã mời" in response.content.decode()


def test_share_image_over_2_mb_is_refused(staff: Any, units: factories.Units) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 630), "red").save(buf, "PNG")
    big = buf.getvalue() + b"\0" * (2 * 1024 * 1024)
    upload = SimpleUploadedFile("anh.png", big, content_type="image/png")
    response = staff.post(url("survey_add"), {**survey_data(units), "share_image": upload})
    assert response.status_code == 200
    assert "tối đa 2 MB" in response.context["form"].errors["share_image"][0]


def test_edit_survey_and_lock_mode_once_answered(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    data = survey_data(units, title="Tên mới", slug=survey.slug, mode=Mode.IDENTIFIED)
    data["consent_text"] = "Đồng ý."
    assert staff.post(url("survey_edit", survey.pk), data).status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.mode) == ("Tên mới", Mode.IDENTIFIED)

    Response.objects.create(survey=survey, received_on=today_vn())
    data.update(mode=Mode.ANONYMOUS, title="Tên khác")
    assert staff.post(url("survey_edit", survey.pk), data).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Tên khác"
    assert survey.mode == Mode.IDENTIFIED  # disabled field: the posted value is ignored


def test_list_search_ignores_diacritics(staff: Any, units: factories.Units) -> None:
    draft(units, title="Đánh giá tiếp xúc, đối thoại")
    draft(units, title="Ý kiến về chợ quê")
    body = staff.get(url("survey_list") + "?q=danh gia doi thoai").content.decode()
    assert "Đánh giá tiếp xúc, đối thoại" in body
    assert "Ý kiến về chợ quê" not in body
    body = staff.get(url("survey_list") + "?status=published").content.decode()
    assert "Chưa có" in body or "Không có cuộc khảo sát nào phù hợp" in body


# --- Questions of every kind ----------------------------------------------------------------

KIND_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        Kind.SINGLE,
        {"choices": " Có \n\nKhông\nChưa rõ ", "other": "on"},
        {"choices": ["Có", "Không", "Chưa rõ"], "other": True},
    ),
    (
        Kind.MULTIPLE,
        {"choices": "Lúa\nCây ăn trái"},
        {"choices": ["Lúa", "Cây ăn trái"], "other": False},
    ),
    (Kind.DROPDOWN, {"choices": "A\nB\nC"}, {"choices": ["A", "B", "C"], "other": False}),
    (
        Kind.RATING,
        {"scale": "10", "min_label": "Rất kém", "max_label": "Rất tốt"},
        {"min": 1, "max": 10, "min_label": "Rất kém", "max_label": "Rất tốt"},
    ),
    (Kind.AGREEMENT, {}, {}),
    (
        Kind.GRID,
        {"rows": "Cán bộ tận tình\nThủ tục nhanh"},
        {"rows": ["Cán bộ tận tình", "Thủ tục nhanh"]},
    ),
    (Kind.NUMBER, {"number_min": "0", "number_max": "100"}, {"min": 0, "max": 100}),
    (Kind.SHORT_TEXT, {}, {}),
    (Kind.LONG_TEXT, {}, {}),
    (Kind.DATE, {}, {}),
    (Kind.UNIT, {}, {}),
]


def test_every_kind_is_covered() -> None:
    assert {k for k, _, _ in KIND_CASES} == set(Kind.values)


@pytest.mark.parametrize("kind,posted,stored", KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_question_options_of_every_kind(
    kind: str, posted: dict[str, Any], stored: dict[str, Any], staff: Any, units: factories.Units
) -> None:
    survey = draft(units, [Kind.DATE if kind != Kind.DATE else Kind.UNIT])
    section = survey.sections.get()
    data = q_data(section, kind, help_text="Chọn một.", required="on")
    data.update({"choices": "", **posted})
    response = staff.post(url("question_add", survey.pk), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    q = Question.objects.get(survey=survey, kind=kind)
    assert q.options == stored
    assert (q.section, q.position, q.required, q.help_text) == (section, 2, True, "Chọn một.")
    # The edit form shows what was stored.
    body = staff.get(url("question_edit", q.pk)).content.decode()
    for value in posted.values():
        if value not in ("on", "10"):
            assert value.strip().split("\n")[0].strip() in body


@pytest.mark.parametrize(
    "kind,posted,field,message",
    [
        (Kind.SINGLE, {"choices": "Chỉ một"}, "choices", "ít nhất hai phương án"),
        (Kind.MULTIPLE, {"choices": "Có\ncó"}, "choices", "bị trùng"),
        (Kind.GRID, {"rows": "  "}, "rows", "ít nhất một ý"),
        (Kind.NUMBER, {"number_min": "10", "number_max": "5"}, "number_max", "lớn hơn"),
        (Kind.SINGLE, {"text": "   "}, "text", "nội dung câu hỏi"),
    ],
)
def test_question_errors_keep_the_input(
    kind: str, posted: dict[str, Any], field: str, message: str, staff: Any, units: factories.Units
) -> None:
    survey = draft(units, [Kind.SHORT_TEXT])
    section = survey.sections.get()
    data = q_data(section, kind, help_text="Giữ lại hướng dẫn này", **posted)
    response = staff.post(url("question_add", survey.pk), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Giữ lại hướng dẫn này" in response.content.decode()
    assert survey.questions.count() == 1


def test_add_and_continue_returns_to_a_blank_form(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SHORT_TEXT])
    section = survey.sections.get()
    response = staff.post(url("question_add", survey.pk), {**q_data(section), "them_tiep": "1"})
    assert response["Location"] == (
        url("question_add", survey.pk) + f"?phan={section.pk}&loai={Kind.SINGLE}"
    )


def test_first_question_of_an_empty_survey_gets_a_section(
    staff: Any, units: factories.Units
) -> None:
    survey = draft(units, [])
    survey.sections.all().delete()
    assert staff.get(url("question_add", survey.pk)).status_code == 200
    assert not survey.sections.exists()  # opening the form writes nothing
    data = q_data(Section(pk=None))
    data.pop("section")
    staff.post(url("question_add", survey.pk), data)
    section = survey.sections.get()
    assert list(survey.questions.values_list("section", flat=True)) == [section.pk]


# --- Skip logic -----------------------------------------------------------------------------


def test_show_if_on_an_earlier_choice(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.NUMBER])
    q1, q2 = ordered(survey)
    section = survey.sections.get()
    data = q_data(
        section,
        Kind.LONG_TEXT,
        text="Vì sao?",
        show_if_question=str(q1.pk),
        show_if_op="equals",
        show_if_values=[f"{q1.pk}:1"],
    )
    assert staff.post(url("question_add", survey.pk), data).status_code == 302
    q3 = ordered(survey)[2]
    assert q3.show_if == {"question": q1.pk, "op": "equals", "value": 1}

    # "any of" several choices, and a number compared as a number.
    data.update(show_if_op="any_of", show_if_values=[f"{q1.pk}:0", f"{q1.pk}:-1"])
    assert staff.post(url("question_edit", q3.pk), data).status_code == 302
    q3.refresh_from_db()
    assert q3.show_if == {"question": q1.pk, "op": "any_of", "value": [0, -1]}
    data.update(show_if_question=str(q2.pk), show_if_op="equals", show_if_text="5")
    assert staff.post(url("question_edit", q3.pk), data).status_code == 302
    q3.refresh_from_db()
    assert q3.show_if == {"question": q2.pk, "op": "equals", "value": 5}
    assert check_show_if(ordered(survey)) == []
    # The questionnaire page says it in words.
    body = staff.get(url("survey_detail", survey.pk)).content.decode()
    assert "Chỉ hiện khi Câu 2 bằng “5”" in body


def test_show_if_needs_a_value(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    (q1,) = ordered(survey)
    data = q_data(survey.sections.get(), show_if_question=str(q1.pk), show_if_op="equals")
    response = staff.post(url("question_add", survey.pk), data)
    assert response.status_code == 200
    assert "Hãy đánh dấu giá trị" in response.context["form"].errors["show_if_values"][0]
    data.update(show_if_values=[f"{q1.pk}:0", f"{q1.pk}:1"])
    response = staff.post(url("question_add", survey.pk), data)
    assert "là một trong" in response.context["form"].errors["show_if_values"][0]


def test_show_if_refuses_a_later_question(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.SINGLE])
    q1, q2 = ordered(survey)
    data = edit_data(
        q1, show_if_question=str(q2.pk), show_if_op="equals", show_if_values=[f"{q2.pk}:0"]
    )
    response = staff.post(url("question_edit", q1.pk), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["show_if_question"]
    assert any("phải căn cứ vào một câu hỏi đứng trước" in e for e in errors)
    assert "Câu 2 đứng sau" in " ".join(errors)
    # The message sits beside the field, and the later question is not even offered.
    body = response.content.decode()
    assert body.index("đứng sau") > body.index("Điều kiện hiển thị")
    assert f'<option value="{q2.pk}"' not in body
    q1.refresh_from_db()
    assert q1.show_if == {}


def test_show_if_refuses_a_cycle_and_itself(staff: Any, units: factories.Units) -> None:
    _survey, q1, q2 = draft_with_condition(units, [Kind.SINGLE, Kind.SINGLE], op="equals", value=0)
    data = edit_data(q1, show_if_question=str(q2.pk), show_if_op="answered")
    response = staff.post(url("question_edit", q1.pk), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["show_if_question"])
    assert "vòng tròn" in errors
    q1.refresh_from_db()
    assert q1.show_if == {}

    data["show_if_question"] = str(q1.pk)
    response = staff.post(url("question_edit", q1.pk), data)
    assert "chính câu này" in " ".join(response.context["form"].errors["show_if_question"])


def test_answered_is_the_only_condition_on_a_free_text(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.LONG_TEXT])
    (q1,) = ordered(survey)
    data = q_data(q1.section, show_if_question=str(q1.pk), show_if_op="equals", show_if_text="x")
    response = staff.post(url("question_add", survey.pk), data)
    assert "đã được trả lời" in response.context["form"].errors["show_if_op"][0]
    data["show_if_op"] = "answered"
    assert staff.post(url("question_add", survey.pk), data).status_code == 302


def test_changing_choices_that_a_condition_uses_is_refused(
    staff: Any, units: factories.Units
) -> None:
    _survey, q1, _q2 = draft_with_condition(
        units, [Kind.SINGLE, Kind.SHORT_TEXT], op="equals", value=2
    )
    data = q_data(q1.section, text=q1.text, choices="Chỉ còn\nhai phương án")
    response = staff.post(url("question_edit", q1.pk), data)
    assert response.status_code == 200
    assert "Câu 2" in " ".join(response.context["form"].errors["choices"])


def test_deleting_a_question_drops_the_conditions_on_it(staff: Any, units: factories.Units) -> None:
    _survey, q1, q2 = draft_with_condition(units, [Kind.SINGLE, Kind.SHORT_TEXT], op="answered")
    body = staff.get(url("question_delete", q1.pk)).content.decode()
    assert "điều kiện của chúng sẽ bị bỏ" in body
    assert staff.post(url("question_delete", q1.pk)).status_code == 302
    q2.refresh_from_db()
    assert (q2.show_if, q2.position) == ({}, 1)


def test_delete_section_with_its_questions(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.SHORT_TEXT, Kind.DATE], sections=3)
    first = survey.sections.order_by("position").first()
    assert first is not None
    staff.post(url("section_delete", first.pk))
    assert list(survey.sections.values_list("position", flat=True).order_by("position")) == [1, 2]
    assert survey.questions.count() == 2


# --- Order ----------------------------------------------------------------------------------


def test_questions_move_up_and_down(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.NUMBER, Kind.DATE])
    q1, q2, q3 = ordered(survey)
    response = staff.post(url("question_move", q3.pk), {"direction": "up"})
    assert response["Location"] == url("survey_detail", survey.pk) + f"#cau-{q3.pk}"
    assert [q.pk for q in ordered(survey)] == [q1.pk, q3.pk, q2.pk]
    staff.post(url("question_move", q1.pk), {"direction": "down"})
    assert [q.pk for q in ordered(survey)] == [q3.pk, q1.pk, q2.pk]
    # Already first: nothing moves, a message says so.
    response = staff.post(url("question_move", q3.pk), {"direction": "up"}, follow=True)
    assert "đã ở đầu" in response.content.decode()
    assert [q.position for q in ordered(survey)] == [1, 2, 3]


def test_question_crosses_into_the_next_section(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.NUMBER, Kind.DATE, Kind.UNIT], sections=2)
    s1, s2 = survey.sections.order_by("position")
    q1, q2, q3, q4 = ordered(survey)
    staff.post(url("question_move", q2.pk), {"direction": "down"})
    q2.refresh_from_db()
    assert q2.section == s2
    assert [q.pk for q in ordered(survey)] == [q1.pk, q2.pk, q3.pk, q4.pk]
    assert [q.pk for q in s2.questions.order_by("position")] == [q2.pk, q3.pk, q4.pk]
    # And to any section with the select.
    staff.post(url("question_move", q4.pk), {"section": s1.pk})
    assert [q.pk for q in s1.questions.order_by("position")] == [q1.pk, q4.pk]


def test_move_that_breaks_a_condition_is_refused(staff: Any, units: factories.Units) -> None:
    survey, q1, q2 = draft_with_condition(units, [Kind.SINGLE, Kind.SHORT_TEXT], op="answered")
    response = staff.post(url("question_move", q2.pk), {"direction": "up"}, follow=True)
    assert "Không đổi được thứ tự" in response.content.decode()
    assert [q.pk for q in ordered(survey)] == [q1.pk, q2.pk]


def test_sections_move_up_and_down(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.NUMBER, Kind.DATE], sections=3)
    s1, s2, s3 = survey.sections.order_by("position")
    staff.post(url("section_move", s3.pk), {"direction": "up"})
    assert list(survey.sections.order_by("position")) == [s1, s3, s2]
    staff.post(url("section_move", s1.pk), {"direction": "down"})
    assert list(survey.sections.order_by("position")) == [s3, s1, s2]
    assert [q.kind for q in ordered(survey)] == [Kind.DATE, Kind.SINGLE, Kind.NUMBER]


def test_sections_add_and_edit(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    response = staff.post(url("section_add", survey.pk), {"title": "", "description": "x"})
    assert response.status_code == 200
    assert 'value=""' in response.content.decode() or "x</textarea>" in response.content.decode()
    staff.post(url("section_add", survey.pk), {"title": "Ý kiến khác", "description": ""})
    section = survey.sections.get(title="Ý kiến khác")
    assert section.position == 2
    staff.post(url("section_edit", section.pk), {"title": "Góp ý", "description": "Tùy chọn"})
    section.refresh_from_db()
    assert (section.title, section.description) == ("Góp ý", "Tùy chọn")


def test_questionnaire_changes_only_in_draft(staff: Any, units: factories.Units) -> None:
    survey = factories.make_survey(kinds=[Kind.SINGLE], units=units)  # published
    q = survey.questions.get()
    for name, obj in (("question_add", survey), ("question_edit", q), ("section_add", survey)):
        response = staff.get(url(name, obj.pk), follow=True)
        assert "chỉ sửa được phần và câu hỏi khi khảo sát là bản nháp" in response.content.decode()
    staff.post(url("question_delete", q.pk))
    assert Question.objects.filter(pk=q.pk).exists()


# --- Duplicates and templates ---------------------------------------------------------------


def test_duplicate_remaps_show_if(staff: Any, units: factories.Units) -> None:
    survey = factories.make_survey(
        kinds=[Kind.SINGLE, Kind.MULTIPLE, Kind.LONG_TEXT], units=units, one_per=OnePer.CODE
    )
    q1, q2, q3 = ordered(survey)
    Question.objects.filter(pk=q3.pk).update(
        show_if={"question": q2.pk, "op": "any_of", "value": [0, 2]}
    )
    InvitationCode.objects.create(survey=survey, code_hash="x" * 64)
    response = staff.post(url("survey_duplicate", survey.pk))
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response["Location"] == url("survey_detail", copy.pk)
    assert copy.status == DRAFT
    assert copy.slug != survey.slug
    assert copy.title.endswith("(bản sao)")
    assert not copy.codes.exists()
    c1, c2, c3 = ordered(copy)
    assert {c.pk for c in (c1, c2, c3)}.isdisjoint({q1.pk, q2.pk, q3.pk})
    assert c3.show_if == {"question": c2.pk, "op": "any_of", "value": [0, 2]}
    assert [c.options for c in (c1, c2, c3)] == [q.options for q in (q1, q2, q3)]
    assert copy.sections.count() == survey.sections.count()
    assert check_show_if(ordered(copy)) == []


def test_templates_build_sound_surveys(units: factories.Units) -> None:
    assert len(builder.TEMPLATES) >= 2
    titles = {t.title for t in builder.TEMPLATES.values()}
    assert "Đánh giá tiếp xúc, đối thoại của người đứng đầu" in titles
    assert "Nhu cầu của nông dân" in titles
    for key, template in builder.TEMPLATES.items():
        survey = builder.create_from_template(key, organization=units.organization)
        questions = ordered(survey)
        assert len(questions) == template.question_count
        assert check_show_if(questions) == []
        assert any(q.show_if for q in questions)
        assert publish_problems(survey).problems == []


def test_start_from_a_template(staff: Any, units: factories.Units) -> None:
    page = staff.get(url("survey_add") + "?mau=nong-dan").content.decode()
    assert 'value="Nhu cầu của nông dân"' in page
    data = survey_data(units, title="Nhu cầu của nông dân xã Phụng Hiệp", template="nong-dan")
    assert staff.post(url("survey_add"), data).status_code == 302
    survey = Survey.objects.get()
    assert survey.questions.count() == builder.TEMPLATES["nong-dan"].question_count
    needs = survey.questions.get(text__startswith="Gia đình cần được hỗ trợ")
    loan = survey.questions.get(text__startswith="Số vốn")
    assert loan.show_if == {"question": needs.pk, "op": "any_of", "value": [0]}


# --- States ---------------------------------------------------------------------------------


def test_publish_refused_without_questions(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [])
    body = staff.get(url("survey_publish", survey.pk)).content.decode()
    assert "chưa có câu hỏi nào" in body
    staff.post(url("survey_publish", survey.pk))
    survey.refresh_from_db()
    assert survey.status == DRAFT


def test_publish_refused_with_broken_conditions(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE, Kind.SHORT_TEXT])
    q1, _q2 = ordered(survey)
    Question.objects.filter(pk=q1.pk).update(show_if={"question": 10**9, "op": "answered"})
    response = staff.post(url("survey_publish", survey.pk))
    assert response.status_code == 200
    assert "không có trong phiếu" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == DRAFT


def test_publish_close_reopen_archive(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])

    def go(name: str) -> str:
        staff.post(url(name, survey.pk))
        survey.refresh_from_db()
        return survey.status

    assert go("survey_publish") == SurveyStatus.PUBLISHED
    assert go("survey_close") == SurveyStatus.CLOSED
    assert go("survey_publish") == SurveyStatus.PUBLISHED  # opened again
    assert go("survey_reopen") == DRAFT
    assert go("survey_archive") == SurveyStatus.ARCHIVED
    assert go("survey_close") == SurveyStatus.ARCHIVED  # not from archived
    assert staff.get(url("survey_edit", survey.pk)).status_code == 302  # archived: read only


def test_reopen_to_draft_refused_once_answered(staff: Any, units: factories.Units) -> None:
    survey = factories.make_survey(kinds=[Kind.SINGLE], units=units)
    Response.objects.create(survey=survey, received_on=today_vn())
    body = staff.get(url("survey_reopen", survey.pk)).content.decode()
    assert "đã có 1 phiếu trả lời" in body
    staff.post(url("survey_reopen", survey.pk))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PUBLISHED


# --- Sharing --------------------------------------------------------------------------------


def test_qr_png_and_svg(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    png = staff.get(url("survey_qr_png", survey.pk))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith("attachment;")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png.content))
    assert image.size[0] >= 600  # large enough for a poster
    svg = staff.get(url("survey_qr_svg", survey.pk) + "?xem=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"].startswith("inline;")
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert survey.slug.encode() in svg.content  # the link, in the SVG's description


def test_share_page_and_open_graph(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    body = staff.get(url("survey_share", survey.pk)).content.decode()
    link = f"http://testserver{share.survey_path(survey)}"
    assert f'value="{link}"' in body
    assert url("survey_qr_png", survey.pk) in body

    request = RequestFactory().get("/")
    og = share.og_context(survey, request)
    assert og["title"] == survey.title
    assert og["description"].startswith("Ý kiến của ông/bà")
    assert og["image"] == ""
    assert og["url"] == link
    survey.share_image.name = "surveys/anh.png"
    assert share.og_context(survey, request)["image"] == "http://testserver/media/surveys/anh.png"
    survey.intro = "Dài " * 200
    assert len(share.og_context(survey, request)["description"]) <= 200


# --- Invitation codes -----------------------------------------------------------------------


def test_codes_are_shown_once_and_stored_hashed(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE], one_per=OnePer.CODE)
    response = staff.post(url("survey_codes", survey.pk), {"count": "12"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = response.context["codes"]
    assert len(codes) == 12 == len(set(codes))
    body = response.content.decode()
    assert all(c in body for c in codes)
    assert survey.title in body

    rows = list(InvitationCode.objects.filter(survey=survey))
    assert len(rows) == 12
    stored = " ".join(f"{r.code_hash} {r}" for r in rows)
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert {r.code_hash for r in rows} == {code_hash(survey, c) for c in codes}

    # The Excel of the very same codes, posted back by the printable page.
    xlsx = staff.post(url("survey_codes_xlsx", survey.pk), {"codes": " ".join(codes)})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == share.XLSX_TYPE
    assert "no-store" in xlsx["Cache-Control"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    listed = [row[1] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert listed == codes

    # Counts on the codes page.
    page = staff.get(url("survey_codes", survey.pk)).content.decode()
    assert ">12<" in page


def test_excel_refuses_codes_that_were_not_generated(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE], one_per=OnePer.CODE)
    response = staff.post(url("survey_codes_xlsx", survey.pk), {"codes": "ABCD-EFGH"})
    assert response.status_code == 302
    response = staff.post(url("survey_codes_xlsx", survey.pk), {"codes": "=HYPERLINK(1)"})
    assert response.status_code == 302


def test_codes_count_is_checked(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE], one_per=OnePer.CODE)
    response = staff.post(url("survey_codes", survey.pk), {"count": "0"})
    assert "ít nhất 1 mã" in response.content.decode()
    response = staff.post(url("survey_codes", survey.pk), {"count": "5000"})
    assert "tối đa" in response.content.decode()
    assert not InvitationCode.objects.exists()


def test_no_codes_for_an_open_link_survey(staff: Any, units: factories.Units) -> None:
    survey = draft(units, [Kind.SINGLE])
    assert "không dùng mã mời" in staff.get(url("survey_codes", survey.pk)).content.decode()
    staff.post(url("survey_codes", survey.pk), {"count": "3"})
    assert not InvitationCode.objects.exists()
