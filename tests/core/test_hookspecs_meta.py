"""The plugin contract documents itself: every hook is documented, tested and in the docs."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from core import PROJECT_NAME, hookspecs
from core.plugin_docs import hook_functions, render_reference

ROOT = Path(__file__).resolve().parents[2]
SPECS: list[Callable[..., object]] = [
    value
    for value in vars(hookspecs).values()
    if inspect.isfunction(value) and hasattr(value, f"{PROJECT_NAME}_spec")
]
SPEC_IDS = [spec.__name__ for spec in SPECS]


def documented_arguments(doc: str) -> list[str]:
    """Names listed in the Google-style ``Args:`` section of a dedented docstring."""
    lines = doc.splitlines()
    if "Args:" not in lines:
        return []
    names = []
    for line in lines[lines.index("Args:") + 1 :]:
        if line and not line.startswith(" "):
            break
        match = re.match(r"^    (\w+): \S", line)
        if match:
            names.append(match.group(1))
    return names


def test_the_contract_has_every_hook_family() -> None:
    assert set(SPEC_IDS) == {
        "register_marketplaces",
        "register_collectors",
        "register_translators",
        "register_carriers",
        "register_storage_backends",
        "register_jobs",
        "register_routes",
        "register_menu_links",
        "register_template_dirs",
        "register_event_listeners",
        "register_commands",
    }
    assert [func.__name__ for func in hook_functions()] == SPEC_IDS


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_hook_documents_when_it_runs_each_argument_and_its_result(
    spec: Callable[..., object],
) -> None:
    doc = inspect.getdoc(spec) or ""
    assert "Called " in doc, "say when the hook is called"
    assert documented_arguments(doc) == list(inspect.signature(spec).parameters)
    assert "\nReturns:\n" in doc


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_hook_is_implemented_in_some_test(spec: Callable[..., object]) -> None:
    pattern = re.compile(rf"\bdef {spec.__name__}\(")
    sources = [path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py")]
    assert any(pattern.search(source) for source in sources), f"no test implements {spec.__name__}"


def test_the_plugin_guide_carries_the_current_hook_reference() -> None:
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name in SPEC_IDS:
        assert f"`{name}(" in guide
    assert render_reference() in guide, "run: uv run python -m core.plugin_docs docs/plugins.md"
