"""Reading published records from wherever they are: JSONL, parquet, or a build folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newserrata.errors import Problems
from newserrata.jsonl import read_lines
from newserrata.paths import refused

Located = tuple[str, int, dict[str, Any]]


def parquet_rows(path: Path, problems: Problems) -> Iterator[Located]:
    """Rows of a parquet file, streamed in batches; 'line' is the 1-based row number."""
    if refused(path, problems):
        return
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        problems.add(str(path), None, "", f"not a readable parquet file: {exc}",
                     "point at a parquet file written by `newserrata build`")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            number += 1
            yield str(path), number, row


def split_files(folder: Path, config: str = "default", split: str | None = None) -> list[Path]:
    """Parquet shards of a build folder (dist/<version>), for one config and optionally one split."""
    base = Path(folder) / "data" / config
    pattern = f"{split}-*.parquet" if split else "*.parquet"
    return sorted(base.glob(pattern))


def layout(folder: Path) -> dict[str, list[str]]:
    """The configs of a build folder and the splits each has shards for."""
    found: dict[str, set[str]] = {}
    for shard in sorted(Path(folder).glob("data/*/*-*.parquet")):
        found.setdefault(shard.parent.name, set()).add(shard.name.split("-", 1)[0])
    return {config: sorted(splits) for config, splits in sorted(found.items())}


def check_layout(folder: Path, config: str, split: str | None, problems: Problems) -> None:
    """A config or split the build folder lacks stops the command at once, naming the ones it has: reading on
    would report every prediction as unknown instead of the one wrong flag."""
    have = layout(folder)
    if config not in have:
        problems.add(str(folder), None, "", f"no config {config!r}; configs: {', '.join(have) or 'none'}",
                     "pass --config with one of them" if have else "point at dist/<version> of a finished build")
    elif split is not None and split not in have[config]:
        problems.add(str(folder), None, "", f"no split {split!r} in config {config!r}; splits: "
                     f"{', '.join(have[config])}", "pass --split with one of them")
    problems.raise_if_any()


def versions_beside(path: Path) -> list[str]:
    """Build folders next to a missing dist/<version>, to name a mistyped version's neighbours."""
    parent = Path(path).parent
    if not parent.is_dir():
        return []
    return sorted(p.name for p in parent.iterdir() if (p / "MANIFEST.json").is_file() or (p / "data").is_dir())


def iter_records(path: Path, problems: Problems, config: str = "default", split: str | None = None
                 ) -> Iterator[Located]:
    path = Path(path)
    if path.is_dir():
        files = split_files(path, config, split)
        if not files:
            problems.add(str(path), None, "", f"no parquet files for config {config!r}"
                         + (f" split {split!r}" if split else ""), "point at dist/<version> of a finished build")
        for file in files:
            yield from parquet_rows(file, problems)
    elif path.suffix == ".parquet":
        yield from parquet_rows(path, problems)
    else:
        for number, value in read_lines(path, problems):
            yield str(path), number, value
