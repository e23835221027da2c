"""Parquet output: one explicit schema, records sorted by id, fixed row groups, fixed compression.

Rows arrive in any order and memory must not grow with their number, so each (config, split)
writes straight to its final file while ids keep ascending (the usual case: importers read
sorted inputs) and otherwise falls back to an external sort: sorted runs spilled to disk,
then a k-way merge. Both paths cut the same row groups from the same sorted rows, so the
bytes depend only on the records.
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features, List, Value

from newserrata.schemas import load_schema

ROW_GROUP = 1000
SHARD_ROWS = 50 * ROW_GROUP
RUN_BYTES = 64 * 2**20
MERGE_BATCH = 64
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": ["id", "group_id", "source", "domain", "language", "source_language", "process", "system",
                       "license"],
    "write_statistics": False,
    "data_page_size": 1 << 20,
}


JSON_TYPES = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


@cache
def features() -> Features:
    """The published columns, derived from schema/record.schema.json in its property order: the card's
    dataset_info and every parquet file's metadata come from here, and `pyarrow.Table.from_pylist` drops any
    key missing from them, so a field can only be added in one place."""
    record = load_schema("record")
    return Features({name: _feature(record, prop) for name, prop in record["properties"].items()})


def _feature(schema: dict[str, Any], prop: dict[str, Any]) -> Any:
    """One property as a `datasets` feature; null alternatives drop out (every Arrow column is nullable)."""
    if "$ref" in prop:
        file, _, path = prop["$ref"].partition("#")
        base = load_schema(file.removesuffix(".schema.json")) if file else schema
        target = base
        for part in path.strip("/").split("/"):
            target = target[part]
        return _feature(base, target)
    if "anyOf" in prop:
        (only,) = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return _feature(schema, only)
    kind = prop["type"]
    if isinstance(kind, list):
        (kind,) = [k for k in kind if k != "null"]
    if kind == "array":
        return List(_feature(schema, prop["items"]))
    if kind == "object":
        return {name: _feature(schema, p) for name, p in prop["properties"].items()}
    return Value(JSON_TYPES[kind])


@cache
def schema() -> pa.Schema:
    """Arrow schema with the `datasets` features in its metadata, so loaders see exactly the card's features."""
    return features().arrow_schema


def to_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema())


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


class ShardWriter:
    """Sorted rows in; row groups of exactly ROW_GROUP rows (the last may be shorter) and shards of SHARD_ROWS."""

    def __init__(self, folder: Path, split: str) -> None:
        self.folder, self.split = folder, split
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.shards: list[Path] = []
        self.shard_rows = 0
        self.rows = 0
        self.writer: Any = None

    def write(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.pending_rows += table.num_rows
        while self.pending_rows >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, count: int) -> None:
        table = pa.concat_tables(self.pending)
        group, rest = table.slice(0, count), table.slice(count)
        self.pending = [rest] if rest.num_rows else []
        self.pending_rows = rest.num_rows
        if self.writer is None or self.shard_rows >= SHARD_ROWS:
            self._close_shard()
            path = self.folder / f".{self.split}-{len(self.shards):05d}.parquet.part"
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(path, schema(), **PARQUET_OPTIONS)
            self.shards.append(path)
            self.shard_rows = 0
        self.writer.write_table(group.combine_chunks(), row_group_size=ROW_GROUP)
        self.shard_rows += count
        self.rows += count

    def _close_shard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def close(self) -> list[Path]:
        """Final shard files, named <split>-NNNNN-of-NNNNN.parquet; none for an empty split, which loaders
        cannot represent (the card leaves it out)."""
        if self.pending_rows:
            self._flush(self.pending_rows)
        self._close_shard()
        final = []
        for i, path in enumerate(self.shards):
            target = self.folder / shard_name(self.split, i, len(self.shards))
            path.rename(target)
            final.append(target)
        return final


class SortedSplit:
    """Rows of one (config, split) in any order, written sorted by id with bounded memory."""

    def __init__(self, folder: Path, split: str, work: Path) -> None:
        self.folder, self.split, self.work = folder, split, work / f"{folder.name}-{split}"
        self.out = ShardWriter(folder, split)
        self.direct = True
        self.last_id: str | None = None
        self.rows: list[dict[str, Any]] = []
        self.runs: list[list[Path]] = []
        self.spill: list[pa.Table] = []
        self.spill_bytes = 0

    def add(self, row: dict[str, Any]) -> None:
        if self.direct and self.last_id is not None and row["id"] < self.last_id:
            self._start_sorting()
        self.last_id = row["id"]
        self.rows.append(row)
        if len(self.rows) >= ROW_GROUP:
            self._convert()

    def _convert(self) -> None:
        if not self.rows:
            return
        table = to_table(self.rows)
        self.rows = []
        if self.direct:
            self.out.write(table)
            return
        self.spill.append(table)
        self.spill_bytes += table.nbytes
        if self.spill_bytes >= RUN_BYTES:
            self._spill()

    def _start_sorting(self) -> None:
        """What was written so far is sorted: it becomes the first run of an external merge sort."""
        self.direct = False
        if self.out.rows or self.out.pending_rows:
            run_dir = self.work / "direct"
            run_dir.mkdir(parents=True)
            files = self.out.close()
            moved = []
            for path in files:
                moved.append(run_dir / path.name)
                shutil.move(path, moved[-1])
            self.runs.append(moved)
        self.out = ShardWriter(self.folder, self.split)

    def _spill(self) -> None:
        """A sorted run as an Arrow IPC file in small batches: no encoding to pay for, and the merge reads
        back one small batch per run at a time."""
        if not self.spill:
            return
        table = pa.concat_tables(self.spill).sort_by("id")
        self.spill, self.spill_bytes = [], 0
        path = self.work / f"run-{len(self.runs):05d}.arrow"
        self.work.mkdir(parents=True, exist_ok=True)
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=MERGE_BATCH)
        self.runs.append([path])

    def close(self) -> list[Path]:
        self._convert()
        if self.direct:
            return self.out.close()
        if len(self.runs) == 0:
            self.out.write(_sorted(self.spill))
            return self.out.close()
        self._spill()
        merge_runs(self.runs, self.out)
        shutil.rmtree(self.work)
        return self.out.close()


def _sorted(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).sort_by("id") if tables else to_table([])


def _batches(files: list[Path]) -> Iterator[pa.RecordBatch]:
    for path in files:
        if path.suffix == ".arrow":
            with pa.OSFile(str(path)) as source:
                reader = pa.ipc.open_file(source)
                for i in range(reader.num_record_batches):
                    yield reader.get_batch(i)
        else:
            with pq.ParquetFile(path) as parquet:
                yield from parquet.iter_batches(batch_size=MERGE_BATCH)


class _Cursor:
    def __init__(self, files: list[Path]) -> None:
        self.batches = _batches(files)
        self.batch: pa.RecordBatch | None = None
        self.ids: list[str] = []
        self.position = 0
        self._next_batch()

    def _next_batch(self) -> None:
        self.batch = next(self.batches, None)
        while self.batch is not None and not self.batch.num_rows:
            self.batch = next(self.batches, None)
        self.ids = self.batch.column("id").to_pylist() if self.batch is not None else []
        self.position = 0

    def advance(self) -> None:
        self.position += 1
        if self.position == len(self.ids):
            self._next_batch()


def merge_runs(runs: list[list[Path]], out: ShardWriter) -> None:
    """k-way merge of sorted runs by id; consecutive rows of one batch travel as one slice."""
    cursors = [_Cursor(files) for files in runs]
    heap = [(c.ids[0], k) for k, c in enumerate(cursors) if c.batch is not None]
    heapq.heapify(heap)
    pieces: list[list[Any]] = []
    count = 0
    while heap:
        _, k = heapq.heappop(heap)
        cursor = cursors[k]
        if pieces and pieces[-1][0] is cursor.batch and pieces[-1][1] + pieces[-1][2] == cursor.position:
            pieces[-1][2] += 1
        else:
            pieces.append([cursor.batch, cursor.position, 1])
        count += 1
        cursor.advance()
        if cursor.batch is not None:
            heapq.heappush(heap, (cursor.ids[cursor.position], k))
        if count >= ROW_GROUP:
            out.write(pa.Table.from_batches([b.slice(s, n) for b, s, n in pieces], schema=schema()))
            pieces, count = [], 0
    if pieces:
        out.write(pa.Table.from_batches([b.slice(s, n) for b, s, n in pieces], schema=schema()))
