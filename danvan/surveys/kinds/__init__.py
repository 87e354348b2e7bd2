"""Survey question kinds as objects: one class per `Kind`, registered in `KINDS`.

A kind holds what differs from one kind of question to another:

* cleaning a raw answer into its cleaned value (`clean`; the formats are in the
  docstring of `danvan.surveys.services`) and the `Answer` rows of that value
  (`rows`, `column`);
* what the public page needs to draw it (`fill_view`, `is_group`, `raw_from_post`)
  and the template of its inputs (`template`, under `surveys/public/kinds/`,
  included by `surveys/public/_question.html`);
* how the results count and show it (`column`, `fill`, `labels`, `chart`) and
  what a crosstab can do with it (`category`, `breaks_down`);
* how the exports write it (`export_value`, `table_head`, `average_note`);
* what the staff pages say of it (`help`, `summary`, `publish_problem`), its
  option fields on the question form (`options_template`, `form_initial`,
  `form_options`) and how skip logic may test it (`compares`, `condition_values`).

The base class and the registry are in `base`; the kinds by group in `choices`
(single, dropdown, multiple), `scales` (agreement, grid), `typed` (number,
rating, texts, date) and `units`. Adding a kind: a value of `Kind`, a class
with `@register` in the module of its group (or a new module imported below),
its templates, and its cases in `tests/test_kinds.py` (a new option field is
declared on `forms_question.QuestionForm`).

Kinds are stateless singletons: the hot path of a submit looks one up in a dict.

`cleaning` and `results` use this package inside their functions only
(``from danvan.surveys import kinds``), and the kinds use them inside their
methods only, so any of them may be imported first.
"""

from danvan.surveys.kinds import choices, scales, typed, units  # noqa: F401  (they register)
from danvan.surveys.kinds.base import (
    KINDS,
    AnswerCell,
    Figures,
    Option,
    QuestionKind,
    UnitChoices,
    register,
)
from danvan.surveys.models import Kind, Question

__all__ = [
    "KINDS",
    "UNKNOWN",
    "AnswerCell",
    "Figures",
    "Option",
    "QuestionKind",
    "UnitChoices",
    "kind_of",
    "kinds_where",
    "of",
    "options_groups",
    "register",
]

UNKNOWN = QuestionKind()


def kind_of(kind: str) -> QuestionKind:
    """The kind object of a `Question.kind` value (`UNKNOWN` for none)."""
    return KINDS.get(kind, UNKNOWN)


def of(question: Question) -> QuestionKind:
    return KINDS.get(question.kind, UNKNOWN)


def kinds_where(flag: str) -> tuple[str, ...]:
    """The `Kind` values whose kind object has `flag` set, in the order of `Kind`."""
    return tuple(k for k in Kind.values if getattr(KINDS[k], flag))


def options_groups() -> list[tuple[str, str]]:
    """The option fields of the staff question form: (the `Kind` values that use
    them, separated by spaces; their template), in the order of `Kind`."""
    groups: dict[str, list[str]] = {}
    for value in Kind.values:
        template = KINDS[value].options_template
        if template:
            groups.setdefault(template, []).append(value)
    return [(" ".join(values), template) for template, values in groups.items()]
