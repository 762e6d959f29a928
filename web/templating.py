"""The one Jinja environment: deployment overrides, then plugin folders, then ours."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from web import i18n

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


def make_environment(
    plugin_dirs: Sequence[Path] = (), override_dir: Path | None = None
) -> Environment:
    """Build the Jinja environment; earlier folders win, so deployments can override anything."""
    folders: list[Path] = []
    if override_dir is not None:
        folders.append(override_dir)
    folders.extend(plugin_dirs)
    folders.append(BUILTIN_TEMPLATES)
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(environment)  # gettext of the current request's language, format filters
    return environment
