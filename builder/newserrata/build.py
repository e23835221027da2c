"""`newserrata build`: release recipe and raw sources in, one immutable version folder out.

sources -> aggregate -> validate -> split -> write -> card, datasheet, report, manifest, all in one
place. Records stream through; the version folder is assembled beside dist/ and renamed into
place only when everything succeeded, so a failed or interrupted build leaves nothing behind.
"""

from __future__ import annotations

import glob
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from newserrata import download
from newserrata.aggregate import aggregate
from newserrata.atomic import write_bytes
from newserrata.baselines import Table
from newserrata.card import SplitFiles, card, datasheet, people
from newserrata.checks import Level, check_record
from newserrata.collector import fewer_collections
from newserrata.croissant import write_croissant
from newserrata.errors import InputError, Problem, Problems
from newserrata.manifest import (
    Digest,
    check_lock,
    file_digest,
    lock_data,
    read_lock,
    tree_digest,
    write_lock,
    write_manifest,
)
from newserrata.records import Record
from newserrata.release import Release
from newserrata.release import load as load_release
from newserrata.report import LIMIT, write_build_report
from newserrata.sources import MAIN, Pin, Source, SourceLog
from newserrata.sources.base import artifacts
from newserrata.split import Duplicate, LeakCheck, assign
from newserrata.stats import Sample, Stats, id_key
from newserrata.write import ShardWriter, SortedSplit, merge_runs

DEFAULT_RELEASE = Path("data/release.toml")
DEFAULT_OUT = Path("dist")


@dataclass
class BuildResult:
    folder: Path
    version: str
    partial: bool
    missing_sources: dict[str, str]
    records: int
    spans: int
    counts: dict[str, dict[str, int]]
    statistics: dict[str, Any]
    importers: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    unchanged: bool = False
    locked: bool = False
    notes: list[str] = field(default_factory=list)
    annotators: int = 0
    """Distinct annotators over the sources whose annotator ids are people (per-item slots are not)."""
    ids_not_people: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"folder": str(self.folder)}


@dataclass
class Stream:
    """One present source: its release entry, where it was read from, and its records."""

    source: Source
    location: str
    records: Iterable[Record]
    log: SourceLog = field(default_factory=SourceLog)


class Clock:
    """Seconds and peak memory per build step, so a slow or large build says where its time and memory went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[step] = round(now - self.last, 3)
        self.cpu_seconds[step] = round(cpu - self.last_cpu, 3)
        self.peak_rss_mb[step] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        self.last, self.last_cpu = now, cpu


class Missing(Exception):
    """An enabled source that this build cannot read; the build goes on, marked partial."""


def _fetch(source: Source, pin: Pin, local: Path | None, offline: bool, progress: bool) -> Path:
    """A file the user supplied must be right (InputError); a failed download only makes the source missing."""
    try:
        return download.fetch(pin.url, pin.sha256, pin.size, offline=offline, local_file=local, progress=progress,
                              name=pin.key(source.name))
    except InputError as exc:
        if local is not None:
            raise
        raise Missing("; ".join(p.message for p in exc.problems)) from None


def supplied(name: str, pin: Pin, files: dict[str, Path], folder: Path | None) -> Path | None:
    """A local copy of a pinned file: `--source-file NAME[:ROLE]=PATH`, or the file of the pin's name in
    the `--sources-dir` folder or its sub-folders (its digest is checked all the same)."""
    given = files.get(pin.key(name))
    if given is not None:
        return given
    if folder is not None:
        return next((p for p in sorted(folder.rglob(pin.file_name)) if p.is_file()), None)
    return None


def _supply_hint(source: Source) -> str:
    pins = source.importer.pins(source)
    return "; supply " + ", ".join(
        f"--source-file {p.key(source.name)}=PATH (the file at {p.url})"
        for p in pins) + " or --sources-dir FOLDER holding them"


def open_sources(release: Release, names: list[str] | None, files: dict[str, Path], offline: bool,
                 progress: bool, folder: Path | None = None, strict: bool = False
                 ) -> tuple[list[Stream], dict[str, str], dict[str, Digest]]:
    """Present streams, missing sources with the reason, and the digest of every input. With `strict`,
    readers refuse upstream artifacts they would otherwise realign or drop and count."""
    problems = Problems()
    enabled = {s.name: s for s in release.enabled()}
    known = {s.name for s in release.sources}
    if names is not None and not names:
        problems.add("--sources", None, "", "names no source", f"name one or more of {', '.join(sorted(enabled))}, "
                     "separated by commas, or leave --sources out to build them all")
    for name in [*(names or []), *(f.split(":", 1)[0] for f in files)]:
        if name not in known:
            problems.add(str(release.file), None, "sources", f"no source named {name!r}",
                         f"known sources: {', '.join(sorted(known))}")
        elif name not in enabled:
            problems.add(str(release.file), None, "sources", f"source {name!r} is disabled",
                         "set enabled = true for it in the release file")
    for key in files:
        source = enabled.get(key.split(":", 1)[0])
        if source is None:
            continue
        pins = source.importer.pins(source) if source.importer.input == "file" else []
        keys = [p.key(source.name) for p in pins] or [source.name]
        if key not in keys:
            takes = " and ".join(f"{k}=PATH" for k in keys)
            problems.add("--source-file", None, "", f"{key!r} is not a file of source {source.name!r}",
                         f"source {source.name!r} ({source.kind}) takes --source-file {takes}")
    problems.raise_if_any()
    streams: list[Stream] = []
    missing: dict[str, str] = {}
    inputs = {"release.toml": file_digest(release.file)}
    for source in enabled.values():
        if names is not None and source.name not in names:
            missing[source.name] = "left out by --sources"
            continue
        importer = source.importer
        try:
            if importer.input == "file":
                paths: dict[str, Path] = {}
                for pin in importer.pins(source):
                    path = _fetch(source, pin, supplied(source.name, pin, files, folder), offline, progress)
                    paths[pin.role] = path
                    inputs[pin.key(source.name)] = file_digest(path)
            else:
                path = files.get(source.name) or source.path
                assert path is not None
                if not path.is_dir():
                    raise InputError([Problem(str(release.file), None, f"sources.{source.name}.path",
                                              f"{path} is not a folder", "point path at a data folder")])
                inputs[source.name] = tree_digest(importer.files(path))
                paths = {MAIN: path}
        except Missing as exc:
            missing[source.name] = f"{exc}{_supply_hint(source)}"
            continue
        log = SourceLog(strict=strict)
        streams.append(Stream(source, str(paths[MAIN]), importer.read(source, paths, log), log))
    return streams, missing, inputs


def _progress(records: Iterable[Record], name: str, enabled: bool) -> Iterable[Record]:
    if not enabled:
        return records

    return tqdm(records, desc=f"build {name}", unit=" records", file=sys.stderr, mininterval=0.5)


def _say(message: str, enabled: bool) -> None:
    if enabled:
        print(message, file=sys.stderr)


@dataclass
class Written:
    """What writing the records left for the card, datasheet, report and manifest."""

    stats: Stats
    sample: Sample
    layout: dict[str, dict[str, SplitFiles]]
    duplicates: list[Duplicate]
    baselines: Table


def write_records(release: Release, streams: list[Stream], folder: Path, progress: bool) -> Written:
    """Aggregate, validate, split and write every record; InputError before anything is kept. The
    statistics and the sample that the card, datasheet and report need are gathered on the way, so
    nothing reads the release back."""
    splits = list(release.splits)
    work = folder / ".work"
    problems, leaks, stats, sample, baselines = Problems(), LeakCheck(), Stats(), Sample(LIMIT), Table()
    duplicates: list[Duplicate] = []
    writers = {(s.source.name, split): SortedSplit(folder / "data" / s.source.name, split, work)
               for s in streams for split in splits}
    for stream in streams:
        name = stream.source.name
        count = 0
        for count, raw in enumerate(_progress(stream.records, name, progress), 1):  # noqa: B007
            record = aggregate(raw)
            row = record.to_dict()
            where = f"{stream.location} (record {record.id})"
            found = len(problems)
            if record.source != name:
                problems.add(where, None, "/source", f"importer set source {record.source!r}, expected {name!r}",
                             "the importer must pass the source name through")
            check_record(row, (where, None), problems, Level.BUILT)
            split = assign(release.salt, record.group_id, release.splits)
            kept = leaks.add(record.id, record.group_id, record.text, split, where, problems)
            if len(problems) > found:
                continue
            if kept is not None:
                duplicates.append(Duplicate(name, record.id, kept, record.group_id))
                continue
            stats.add(record, split)
            sample.add(id_key(row["id"]), (row, split))
            baselines.add(row, split)
            writers[(name, split)].add(row)
        if not count:
            problems.add(stream.location, None, f"sources.{name}", "this enabled source has no records",
                         "check that its path or file holds labelled data, or set enabled = false")
        if stream.log.strict and (said := artifacts(stream.log.counts)):
            problems.add(stream.location, None, f"sources.{name}", f"upstream artifacts: {said}",
                         "build without --strict to keep the rest of the source, each drop counted")
    problems.raise_if_any()
    files: dict[tuple[str, str], list[Path]] = {key: w.close() for key, w in writers.items()}
    _say("build: writing the default config", progress)
    for split in splits:
        with_rows = [files[(s.source.name, split)] for s in streams if stats.get(split, s.source.name).records]
        target = folder / "data" / "default"
        if not with_rows:
            continue
        if len(with_rows) == 1:
            target.mkdir(parents=True, exist_ok=True)
            for path in with_rows[0]:
                shutil.copyfile(path, target / path.name)
        else:
            out = ShardWriter(target, split)
            merge_runs(with_rows, out)
            out.close()
    shutil.rmtree(work, ignore_errors=True)
    layout: dict[str, dict[str, SplitFiles]] = {}
    for config in ["default", *(s.source.name for s in streams)]:
        present = {s: SplitFiles.on_disk(folder, config, s) for s in splits}
        if any(f.num_examples for f in present.values()):
            layout[config] = {s: f for s, f in present.items() if f.num_examples}
    return Written(stats, sample, layout, duplicates, baselines)


def _same_tree(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two folders (MANIFEST.json included)."""
    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): file_digest(p).sha256 for p in root.rglob("*") if p.is_file()}

    old, new = digests(a), digests(b)
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _readable(folder: Path) -> None:
    """Temporary files and folders are private; a published version folder is not."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _place(tmp: Path, final: Path, partial: bool) -> bool:
    """Move the finished folder into place; True when an identical folder was already there."""
    if final.exists():
        differing = _same_tree(final, tmp)
        if not differing:
            shutil.rmtree(tmp)
            return True
        if not partial:
            raise InputError([Problem(str(final), None, "", f"already exists with different content ({len(differing)} "
                                      f"file(s) differ, e.g. {', '.join(differing[:3])})",
                                      "a version folder is only replaced by identical content: bump the version "
                                      "in the release file, or delete the folder if it was never published")])
        trash = final.with_name(f".{final.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        final.rename(trash)
        tmp.rename(final)
        shutil.rmtree(trash)
        return False
    tmp.rename(final)
    return False


def _remove_stale(out: Path, name: str) -> None:
    """Temporary folders of this version whose build was killed (SIGKILL, power loss): their process is gone."""
    for path in out.glob(f".{glob.escape(name)}.*.tmp"):
        owner = path.name[len(name) + 2:].split(".", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def pipeline(release: Release, out: Path, streams: list[Stream], *, missing: dict[str, str] | None = None,
             inputs: dict[str, Digest] | None = None, lock: bool = False, progress: bool = True) -> BuildResult:
    """Everything after the sources are opened; the CLI, the Python API and the benchmark all run this."""
    missing = dict(missing or {})
    inputs = dict(inputs or {})
    if lock and missing:
        raise InputError([Problem(str(release.file), None, "sources", "a partial build cannot be locked (missing: "
                                  f"{', '.join(missing)})", "supply every enabled source, e.g. --source-file "
                                  "NAME=PATH, and build without --sources")])
    name = release.version + ("-partial" if missing else "")
    out = Path(out)
    out_existed = out.exists()
    out.mkdir(exist_ok=True)
    _remove_stale(out, name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=out))
    notes: list[str] = []
    clock = Clock()
    try:
        with fewer_collections():
            written = write_records(release, streams, tmp, progress)
            stats, sample, layout = written.stats, written.sample, written.layout
            logs = {s.source.name: s.log.as_dict() for s in streams}
            duplicates = [d.to_dict() for d in written.duplicates]
            clock.lap("records")
            present = [s.source for s in streams]
            gone = sorted(missing)
            _say("build: writing card, datasheet, report and manifest", progress)
            chosen = sorted(sample.items(), key=lambda pair: (pair[1], pair[0]["id"]))
            table = written.baselines
            baselines = f"{table.markdown()}\n\n{table.sentence()}" if "default" in layout else ""
            clock.lap("baselines table")
            write_bytes(tmp / "README.md", card(release, present, gone, layout, stats, baselines).encode("utf-8"))
            write_bytes(tmp / "DATASHEET.md",
                        datasheet(release, present, gone, stats, logs, written.duplicates).encode("utf-8"))
            write_croissant(tmp, release, present)
            clock.lap("card and datasheet")
            write_build_report(tmp, title=f"{release.name} {name}", stats=stats, sample=chosen)
            clock.lap("report")
            write_manifest(tmp, release.name, release.version, gone, inputs, duplicates, logs)
            built = lock_data(release.version, inputs, tmp)
            lock_path = release.lock_path()
            if not missing and (old := read_lock(lock_path)) is not None:
                notes += check_lock(lock_path, old, built)
            final = out / name
            _readable(tmp)
            unchanged = _place(tmp, final, bool(missing))
            if not missing:
                shutil.rmtree(out / f"{release.version}-partial", ignore_errors=True)
            clock.lap("manifest and placing")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if not out_existed and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise
    if lock:
        write_lock(lock_path, built)
    splits = list(release.splits)
    counts = {split: {s.source.name: stats.get(split, s.source.name).records for s in streams} for split in splits}
    counted, slots = people([s.source for s in streams], stats)
    return BuildResult(final, release.version, bool(missing), missing, stats.get().records,
                       sum(stats.get().spans.values()), counts,
                       stats.to_dict(splits, [s.source.name for s in streams]), logs, duplicates, unchanged, lock,
                       notes, counted, slots, clock.seconds, clock.cpu_seconds, clock.peak_rss_mb)


def build(release: Path, out: Path, *, sources: list[str] | None = None, source_files: dict[str, Path] | None = None,
          sources_dir: Path | None = None, offline: bool = False, lock: bool = False,
          progress: bool = True, strict: bool = False) -> BuildResult:
    """Build one version of the dataset from its release file; InputError (exit 2) on any bad input."""
    recipe = load_release(Path(release))
    if sources_dir is not None and not Path(sources_dir).is_dir():
        raise InputError([Problem(str(sources_dir), None, "--sources-dir", "not a folder",
                                  "name a folder that holds the pinned source files under their own names")])
    streams, missing, inputs = open_sources(recipe, sources, {k: Path(v) for k, v in (source_files or {}).items()},
                                            offline, progress, Path(sources_dir) if sources_dir else None, strict)
    return pipeline(recipe, out, streams, missing=missing, inputs=inputs, lock=lock, progress=progress)
