"""Skip logic ("show this question only if ...") for surveys. Pure Python, no database.

A question's `show_if` refers to an EARLIER question:
``{"question": id, "op": "equals"|"not_equals"|"any_of"|"answered", "value": ...}``.
An empty `show_if` means the question is always shown.

Questions are evaluated in order. A question is visible when it has no
condition, or when the question it refers to is itself visible (and earlier)
and the condition holds on that question's answer. So a question whose
condition refers to a hidden, later or unknown question is hidden too.

Answers are the cleaned values of `danvan.surveys.cleaning.clean_answer`:
``{"choice": i}`` (single, dropdown; -1 for "other"), ``{"choices": [...]}``
(multiple), a number, a list (grid), a text, an ISO date or an area id;
``None`` (or absent) when not answered. The operators compare the *value*:

- ``answered``: the question has an answer (any value).
- ``equals``: the answer equals ``value``; for a multiple choice or a grid,
  ``value`` is one of the chosen values.
- ``not_equals``: the question was answered and ``equals`` does not hold.
- ``any_of``: ``value`` is a list and the answer (or one of the chosen values)
  is in it.

Numbers compare as numbers, ``"2"`` equals ``2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

OPS = ("equals", "not_equals", "any_of", "answered")


class QuestionLike(Protocol):
    """What skip logic needs of a question (a `Question` or any simple object)."""

    @property
    def pk(self) -> Any: ...

    @property
    def show_if(self) -> Any: ...


def answer_value(answer: Any) -> Any:
    """The comparable value of a cleaned answer (the choice of a single choice...)."""
    if isinstance(answer, Mapping):
        if "choices" in answer:
            return list(answer["choices"])
        if "choice" in answer:
            return answer["choice"]
    return answer


def is_answered(answer: Any) -> bool:
    value = answer_value(answer)
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(v is not None and v != "" for v in value)
    return True


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return str(a).strip() == str(b).strip()


def _values(answer: Any) -> list[Any]:
    value = answer_value(answer)
    if isinstance(value, list | tuple):
        return [v for v in value if v is not None]
    return [value]


def condition_holds(condition: Mapping[str, Any], answer: Any) -> bool:
    """Whether `condition` holds on the answer of the question it refers to."""
    op = condition.get("op")
    if not is_answered(answer):
        return False
    if op == "answered":
        return True
    target = condition.get("value")
    if op == "equals":
        return any(_same(v, target) for v in _values(answer))
    if op == "not_equals":
        return not any(_same(v, target) for v in _values(answer))
    if op == "any_of":
        if not isinstance(target, list | tuple):
            return False
        return any(_same(v, t) for v in _values(answer) for t in target)
    return False  # an unknown operator never shows the question


def referenced_id(condition: Any) -> int | None:
    if not isinstance(condition, Mapping) or not condition:
        return None
    ref: Any = condition.get("question")
    try:
        return int(ref)
    except (TypeError, ValueError):
        return None


def visible_question_ids(questions: Iterable[QuestionLike], answers: Mapping[int, Any]) -> set[int]:
    """The ids of the questions shown, given the answers so far (keyed by question id)."""
    visible: set[int] = set()
    for question in questions:
        condition = question.show_if
        if not condition:
            visible.add(int(question.pk))
            continue
        ref = referenced_id(condition)
        if ref is None or ref not in visible:
            continue  # malformed, or refers to a hidden / later / unknown question
        if condition_holds(condition, answers.get(ref)):
            visible.add(int(question.pk))
    return visible


def _label(index: int) -> str:
    return f"Câu {index + 1}"


def check_show_if(questions: Sequence[QuestionLike]) -> list[str]:
    """Problems in the skip logic of `questions` (in survey order), in Vietnamese.
    An empty list means the logic is sound."""
    errors: list[str] = []
    position = {int(q.pk): i for i, q in enumerate(questions)}
    edges: dict[int, int] = {}
    for i, question in enumerate(questions):
        condition = question.show_if
        if not condition:
            continue
        label = _label(i)
        if not isinstance(condition, Mapping):
            errors.append(f"{label}: điều kiện hiển thị không hợp lệ.")
            continue
        ref = referenced_id(condition)
        op = condition.get("op")
        if ref is None:
            errors.append(f"{label}: điều kiện hiển thị chưa chọn câu hỏi căn cứ.")
            continue
        if op not in OPS:
            errors.append(
                f"{label}: phép so sánh “{op}” không hợp lệ "
                "(chọn: bằng, khác, là một trong, đã trả lời)."
            )
        elif op == "any_of" and not (
            isinstance(condition.get("value"), list | tuple) and condition.get("value")
        ):
            errors.append(f"{label}: điều kiện “là một trong” cần ít nhất một giá trị.")
        elif op in ("equals", "not_equals") and condition.get("value") in (None, ""):
            errors.append(f"{label}: điều kiện hiển thị chưa có giá trị để so sánh.")
        if ref == int(question.pk):
            errors.append(f"{label}: điều kiện hiển thị không được căn cứ vào chính câu này.")
            continue
        if ref not in position:
            errors.append(
                f"{label}: điều kiện hiển thị căn cứ vào một câu hỏi không có trong phiếu."
            )
            continue
        edges[int(question.pk)] = ref
        if position[ref] > i:
            errors.append(
                f"{label}: điều kiện hiển thị phải căn cứ vào một câu hỏi đứng trước "
                f"({_label(position[ref])} đứng sau)."
            )
    # Cycles: every question has at most one reference, so follow the chain.
    reported: set[int] = set()
    for start in edges:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in chain and node not in reported:
            chain.append(node)
            node = edges.get(node)
        if node is not None and node in chain:
            cycle = chain[chain.index(node) :]
            if len(cycle) > 1 and not reported.intersection(cycle):
                ordered = sorted(cycle, key=lambda pk: position[pk])
                names = ", ".join(_label(position[pk]) for pk in ordered)
                errors.append(
                    f"Các câu {names} có điều kiện hiển thị vòng tròn (phụ thuộc lẫn nhau)."
                )
            reported.update(cycle)
        reported.update(chain)
    return errors
