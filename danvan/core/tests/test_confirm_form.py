"""The confirmation form partial (templates/staff/_confirm_form.html)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory


def _form(**context: object) -> str:
    request = RequestFactory().get("/")
    return render_to_string("staff/_confirm_form.html", context, request=request)


def test_a_danger_button_and_the_way_back() -> None:
    html = _form(label="Xóa phần", back="/quan-ly/khao-sat/5/")
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert '<button type="submit" class="btn btn-danger">Xóa phần</button>' in html
    assert 'href="/quan-ly/khao-sat/5/">Không, quay lại</a>' in html


def test_another_button_class_and_an_anchor_to_come_back_to() -> None:
    html = _form(
        label="Nhân bản",
        button="btn-primary",
        back="/quan-ly/khao-sat/5/",
        anchor="cau-",
        anchor_id=42,
    )
    assert 'class="btn btn-primary">Nhân bản</button>' in html
    assert 'href="/quan-ly/khao-sat/5/#cau-42">Không, quay lại</a>' in html


def test_the_label_is_escaped() -> None:
    assert "&lt;b&gt;" in _form(label="<b>", back="/")
