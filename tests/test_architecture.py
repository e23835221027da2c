"""The layout the architecture doc promises: stages know nothing of the command line, and every command is
one module of the cli package."""

from __future__ import annotations

import ast
from pathlib import Path

from newserrata import cli

PACKAGE = Path(__file__).resolve().parents[1] / "builder" / "newserrata"


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    return names | {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_no_stage_parses_arguments() -> None:
    stages = [p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts]
    assert stages
    assert [str(p.relative_to(PACKAGE)) for p in stages if "argparse" in imported(p)] == []


def test_every_command_is_one_module_of_the_cli_package() -> None:
    modules = {m.__name__.rsplit(".", 1)[-1] for m in cli.COMMANDS}
    on_disk = {p.stem for p in (PACKAGE / "cli").glob("*.py")} - {"__init__", "output", "options"}
    assert modules == on_disk
    assert all(hasattr(m, "add_parser") for m in cli.COMMANDS)
    names = set(cli.parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"build", "import", "score", "compare", "convert", "report", "lm-eval"} <= names


def test_the_source_kinds_do_not_import_the_release_recipe() -> None:
    """release.py reads the recipe and asks the registered kinds for their options; a kind that imported
    release.py back would make the two one tangle."""
    modules = sorted((PACKAGE / "sources").glob("*.py"))
    assert modules
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "newserrata.release" not in found, path.name
