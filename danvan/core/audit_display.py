"""An audit entry as an inspector reads it: each changed field by its Vietnamese
name, each value as the pages show it (choices by their labels, yes/no, a list
as a list, never raw JSON with \\u escapes or a Python repr), bookkeeping
columns (tree paths, folded search copies, database-owned versions) left out.

A field whose value is structured (a survey question's options, its skip
logic) is shown by the function its app registers, in AppConfig.ready::

    register_value_display(Question, "options", options_text)
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model

from danvan.core.audit import PASSWORD_CHANGED

# Columns kept for the machine (the trees' paths, search copies, versions the
# database raises): a change to them says nothing to a reader.
HIDDEN_FIELDS = {"path", "depth", "numchild", "bank_version", "revision"}

SHOWN = {"True": "Có", "False": "Không", "None": "—", "": "—", "[]": "—", "{}": "—"}
_MANAGER_REPR = re.compile(r"[a-z_]+\.[A-Za-z_]+\.None")  # "surveys.Answer.None"

ValueDisplay = Callable[[Any], str]
DISPLAYS: dict[tuple[type[Model], str], ValueDisplay] = {}


def register_value_display(model: type[Model], field: str, display: ValueDisplay) -> None:
    """Show `model.field`'s logged values (parsed from JSON) with `display`."""
    DISPLAYS[(model, field)] = display


def _field(model: type[Model] | None, name: str) -> Field[Any, Any] | bool | None:
    """The model's field of that name; None when unknown (a model or field
    removed since); False when it says nothing to a reader (the row's id, the
    other side of a relation, which a new row always logs as empty)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, Field) or field.auto_created or field.primary_key:
        return False
    return field


def _parsed(text: str) -> Any:
    """A logged JSON value (or a Python repr of one), parsed; the text when not."""
    if text[:1] not in "[{":
        return text
    try:
        return json.loads(text)
    except ValueError:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text


def plain(value: Any) -> str:
    """A parsed value in words: lists joined, mappings as "key: value", flags yes/no."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return "; ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    return str(value)


def _value(text: Any, field: Field[Any, Any] | None, display: ValueDisplay | None) -> str:
    text = "" if text is None else str(text)
    if text in SHOWN:
        return SHOWN[text]
    if _MANAGER_REPR.fullmatch(text):
        return "—"
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if text in labels:
            return labels[text]
    parsed = _parsed(text)
    if parsed is text:
        return text
    return display(parsed) if display else plain(parsed)


def change_rows(entry: LogEntry) -> list[tuple[str, str, str]]:
    """What an entry changed, as (field, before, after) rows in Vietnamese."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    try:
        display_values: dict[str, Any] = entry.changes_display_dict
    except Exception:  # a model removed since: the raw values
        display_values = {}
    rows = []
    for name, values in entry.changes_dict.items():
        if name in HIDDEN_FIELDS or name.endswith("_folded"):
            continue
        found = _field(model, name)
        if found is False:
            continue
        field = found if isinstance(found, Field) else None
        label = str(field.verbose_name) if field is not None else str(name)
        label = label[:1].upper() + label[1:]
        if values == PASSWORD_CHANGED["password"]:
            rows.append((label, "", "đã đổi (nhật ký không ghi mật khẩu)"))
            continue
        if isinstance(values, dict):  # many-to-many: {"operation": "add", "objects": [...]}
            verb = "thêm" if values.get("operation") == "add" else "bỏ"
            objects = ", ".join(map(str, values.get("objects", [])))
            rows.append((label, "", f"{verb}: {objects}"))
            continue
        display = DISPLAYS.get((model, name)) if model is not None else None
        # auditlog's own display (dates, related objects) unless the value is structured.
        shown = display_values.get(str(field.verbose_name)) if field is not None else None
        pair = values if display or shown is None or isinstance(shown, dict) else shown
        before, after = [*pair, "", ""][:2]
        was = "" if entry.action == LogEntry.Action.CREATE else _value(before, field, display)
        rows.append((label, was, _value(after, field, display)))
    return rows
