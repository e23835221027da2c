"""`newserrata lm-eval`: run the lm-evaluation-harness task on a pinned Hub version or a local build.

The task lives in the repository (integrations/lm_eval/), not in the package, because lm-eval finds tasks
by directory. This command writes a one-file task that includes ours and points it at the chosen data,
registers the `newserrata-heuristic` model, and hands every other option to `lm-eval run` in-process.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from newserrata.errors import Problems

TASK_DIR = Path(__file__).resolve().parents[2] / "integrations" / "lm_eval"
TASK = "newserrata"
OWN_OPTIONS = ("--tasks", "-t", "--include_path")


def task_config(gold: str | None, split: str, config: str, problems: Problems) -> dict[str, Any]:
    """Our task with its data replaced: a build folder's parquet files, another Hub pin, or the task's own pin."""
    task: dict[str, Any] = {"include": str(TASK_DIR / f"{TASK}.yaml"), "task": TASK, "test_split": split,
                            "dataset_name": config}
    if gold is None:
        return task
    folder = Path(gold)
    if folder.is_dir():
        files = sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
        if not files:
            problems.add(gold, None, f"data/{config}/{split}-*.parquet", "no parquet file for this config and split",
                         "pass a folder written by `newserrata build` (dist/<version>) and an existing --split")
        return task | {"dataset_path": "parquet", "dataset_name": None,
                       "dataset_kwargs": {"data_files": {split: [str(f.resolve()) for f in files]}}}
    repo, at, revision = gold.partition("@")
    if not at or not revision or repo.count("/") != 1:
        problems.add(gold, None, "--gold", "neither a build folder nor ORG/NAME@REVISION",
                     "pass dist/<version> or a pinned Hub dataset such as newserrata/newserrata@v1.0.0")
    return task | {"dataset_path": repo, "dataset_kwargs": {"revision": revision}}


def _load(name: str) -> None:
    """Import one file of the task folder by path, so no other `models` module on sys.path can shadow it."""
    spec = importlib.util.spec_from_file_location(f"newserrata_lm_eval_{name}", TASK_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
