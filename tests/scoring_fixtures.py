"""Small gold records and predictions for the scorer, baseline and lm-eval tests.

Records are made the way a build makes them (annotations -> aggregate -> to_dict), so the
gold spans, soft labels and MQM scores are the real derived values, not typed-in numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import write_native_data, write_release

from newserrata.aggregate import aggregate
from newserrata.records import Annotation, Record, Span, Verdict
from newserrata.sources import native

Mark = tuple[int, int, str, str]


def record(rid: str, text: str, annotators: list[list[Mark]], source: str = "native", **extra: Any
           ) -> dict[str, Any]:
    """A published record whose annotators marked the given (start, end, category, severity) spans."""
    annotations = [
        Annotation(f"ann-{i}", "maintainer", [Span(s, e, text[s:e], c, sev) for s, e, c, sev in marks],
                   no_errors=not marks)
        for i, marks in enumerate(annotators)
    ]
    base = Record(id=rid, group_id=f"group-{rid}", source=source, language="en", text=text,
                  annotations=annotations, license="CC-BY-4.0", **{"process": "machine-translation", **extra})
    return aggregate(base).to_dict()


def native_records(tmp_path: Path) -> list[dict[str, Any]]:
    """The shared native fixture folder, loaded and aggregated as a build would."""
    folder = write_native_data(tmp_path / "data")
    return [aggregate(r).to_dict() for r in native.load(folder, "native")]


def harness_records(tmp_path: Path) -> list[dict[str, Any]]:
    """The native fixture plus a repetition loop, a swapped entity, a source-script fragment and a rewrite
    judged wrong without a place for its error (no span metric applies to it): what the harness tests run a
    model on."""
    loop = "Prices of gas and gas and gas rose, and Putin met with Vladimir Putin."
    script = "The minister said 中国 would reply,, soon."
    return [
        *native_records(tmp_path),
        record("loop-en", loop, [[(loop.index(" and gas"), loop.index(" rose"), "fluency/repetition", "major"),
                                  (loop.index("Vladimir"), len(loop) - 1, "accuracy/entity", "major")]]),
        record("script-en", script, [[(18, 20, "accuracy/untranslated", "major")]]),
        record("verdict-en", "The council voted to close the harbour.", [[]], process="llm-rewrite",
               localised=False, verdicts=[Verdict("judge", True, "0")]),
    ]


def gold_predictions(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A perfect prediction: the gold spans themselves."""
    return [{"id": r["id"], "spans": [{k: s[k] for k in ("start", "end", "severity", "category")}
                                      for s in r["spans"]]} for r in records]


def write_jsonl(path: Path, values: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values), encoding="utf-8")
    return path


def write_parquet(path: Path, records: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records), path)
    return path


def write_build(root: Path, splits: dict[str, list[dict[str, Any]]], config: str = "default") -> Path:
    """The parquet layout of a build folder (dist/<version>/data/<config>/<split>-00000-of-00001.parquet)."""
    for split, records in splits.items():
        write_parquet(root / "data" / config / f"{split}-00000-of-00001.parquet", records)
    return root


def built_release(root: Path) -> Path:
    """A real `newserrata build` of the shared native fixture: dist/1.0.0 with parquet, card and manifest."""
    from newserrata.build import build

    write_native_data(root / "data")
    release = write_release(root / "release.toml", salt="scoring-tests-salt-0001", validation=0.5)
    return build(release, root / "dist", progress=False).folder


def split_records(folder: Path, split: str) -> list[dict[str, Any]]:
    from newserrata.errors import Problems
    from newserrata.records_io import iter_records

    return [r for _, _, r in iter_records(folder, Problems(), "default", split)]
