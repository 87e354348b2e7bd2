"""The boundaries between the apps (docs/architecture.md, "Adding an app"):
core imports no app; the apps do not import each other; nobody imports
another app's private names. Tests that exercise several apps together live
in core/tests and are exempt from the first rule."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the danvan package
APPS = ("core", "contests", "surveys", "practices", "plans", "reports")
# (plans is named so that the others may not import it; its own imports are not
# checked yet: its models import core.scope._prefix_q and a test the practices demo.)


def _modules(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in the file, nested ones included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "danvan" and parts[1] in APPS else None


def _offences(app: str, *, allowed: set[str], skip_tests: bool = False) -> list[str]:
    out = []
    for path in _modules(app):
        if skip_tests and "tests" in path.parts:
            continue
        for module, names in _imports(path):
            other = _app_of(module)
            if other is None or other == app:
                continue
            where = path.relative_to(ROOT.parent)
            if other not in allowed:
                out.append(f"{where}: {module}")
            out.extend(f"{where}: {module}.{n} (private)" for n in names if n.startswith("_"))
    return out


def test_core_imports_no_app() -> None:
    assert _offences("core", allowed=set(), skip_tests=True) == []


def test_the_apps_do_not_import_each_other() -> None:
    assert _offences("contests", allowed={"core"}) == []
    assert _offences("surveys", allowed={"core"}) == []
    assert _offences("practices", allowed={"core"}) == []
    assert _offences("reports", allowed={"core"}) == []
