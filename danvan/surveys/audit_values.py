"""How the audit page shows a survey question's structured fields (core's
audit_display): its options and its skip logic, in the words of the builder."""

from __future__ import annotations

from typing import Any

from danvan.core.audit_display import plain

OPTION_LABELS = {
    "choices": "Phương án",
    "other": "Có ô “Khác”",
    "min": "Từ",
    "max": "Đến",
    "min_label": "Nhãn mức thấp",
    "max_label": "Nhãn mức cao",
    "rows": "Các dòng",
}

OP_LABELS = {
    "equals": "trả lời là",
    "not_equals": "trả lời khác",
    "any_of": "trả lời là một trong",
    "answered": "đã trả lời",
}


def options_text(value: Any) -> str:
    """{"choices": ["Có", "Không"], "other": true} -> "Phương án: Có; Không. Có ô “Khác”: Có"."""
    if not isinstance(value, dict):
        return plain(value)
    parts = [
        f"{OPTION_LABELS.get(key, key)}: {plain(item)}"
        for key, item in value.items()
        if item not in (None, "", [])
    ]
    return ". ".join(parts) or "—"


def show_if_text(value: Any) -> str:
    """{"question": 12, "op": "equals", "value": "Có"} -> "Hiện khi câu “…” trả lời là Có"."""
    if not isinstance(value, dict) or not value:
        return "Luôn hiện"
    from danvan.surveys.models import Question

    pk = value.get("question")
    question = (
        Question.objects.filter(pk=pk).only("text", "options").first()
        if isinstance(pk, int)
        else None
    )
    about = f"câu “{question.text[:80]}”" if question else "một câu đã xóa"
    op = value.get("op", "")
    said = f"Hiện khi {about} {OP_LABELS.get(op, op)}"
    if op == "answered":
        return said
    choices = list((question.options or {}).get("choices") or []) if question else []
    wanted = value.get("value")
    values = wanted if isinstance(wanted, list) else [wanted]
    return f"{said} {'; '.join(_choice(v, choices) for v in values)}"


def _choice(value: Any, choices: list[str]) -> str:
    """A choice by its label (the skip logic stores its index; -1 is "Khác")."""
    if isinstance(value, int) and not isinstance(value, bool) and choices:
        if value == -1:
            return "Khác"
        if 0 <= value < len(choices):
            return str(choices[value])
    return plain(value)
