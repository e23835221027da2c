"""Paths that would destroy data or hang: an output that is an input, FIFOs, devices and symlinks where data is read.

Every refusal exits 2, names the file, says how to fix it and ends with the closing line every command shares.
A case that would hang before its fix runs under a deadline, so a regression fails instead of stalling the suite;
the devices read are /dev/null, which a regression would read as empty rather than forever.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import write_jsonl, write_native_data, write_release
from scoring_fixtures import native_records

from newserrata.cli import main, parser

FIXTURES = Path(__file__).parent / "fixtures"
HALLUCINATIONS = FIXTURES / "xsum" / "hallucination_annotations_xsum_summaries.csv"
FACTUALITY = FIXTURES / "xsum" / "factuality_annotations_xsum_summaries.csv"
MQM = FIXTURES / "mqm" / "sxs_mqm_fixture_zhen.tsv"
LABEL_STUDIO = FIXTURES / "labelstudio"
BUILDER = Path(__file__).resolve().parents[1] / "builder"
DEADLINE = 60


@contextmanager
def fifo_deadline(root: Path, seconds: float) -> Iterator[None]:
    """A command that opens a FIFO for reading waits for a writer forever, in C code no signal interrupts. After
    the deadline each FIFO under `root` gets a writer that leaves at once, so the blocked open returns (with no
    data), and the test fails here instead of hanging."""
    stop, fired = threading.Event(), threading.Event()

    def release() -> None:
        if stop.wait(seconds):
            return
        fired.set()
        while not stop.is_set():
            for fifo in [p for p in root.rglob("*") if p.is_fifo()]:
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass  # no reader waiting on this one
            stop.wait(0.1)

    watchdog = threading.Thread(target=release, daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        stop.set()
        watchdog.join()
    assert not fired.is_set(), f"opened a FIFO and waited for a writer for {seconds}s"


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], root: Path) -> str:
    """stderr of a command that must refuse: exit 2, no traceback, and the closing line last."""
    capsys.readouterr()
    with fifo_deadline(root, DEADLINE):
        status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"{argv[0]}: ") and last.endswith(" problem(s); nothing was written"), err
    return err


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a child process, killed (and the test failed) if it hangs."""
    return subprocess.run([sys.executable, "-m", "newserrata", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(BUILDER)}, timeout=DEADLINE)


# -- no output may be an input ---------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Gold records, predictions for them, and the XSum pair, each a file a command could be told to overwrite."""
    write_jsonl(tmp_path / "gold.jsonl", native_records(tmp_path))
    assert main(["baseline", "empty", "--gold", str(tmp_path / "gold.jsonl"), "--out", str(tmp_path / "p.jsonl")]) == 0
    shutil.copy(HALLUCINATIONS, tmp_path / "h.csv")
    shutil.copy(FACTUALITY, tmp_path / "f.csv")
    return tmp_path


def spellings(path: Path) -> list[Path]:
    """One file under three names: as given, through `.`, and through a symlink."""
    link = path.with_name(f"link-to-{path.name}")
    if not link.is_symlink():
        link.symlink_to(path.name)
    return [path, path.parent / "." / path.name, link]


OVERWRITES: dict[str, tuple[str, Callable[[Path, Path], list[str]]]] = {
    "a02_import_xsum_out_is_the_factuality_input": ("f.csv", lambda d, out: [
        "import", "xsum-hallucinations", str(d / "h.csv"), "--factuality", str(d / "f.csv"), "--out", str(out)]),
    "a02_import_json_summary_is_the_input": ("h.csv", lambda d, out: [
        "import", "xsum-hallucinations", str(d / "h.csv"), "--out", str(d / "r.jsonl"), "--json", str(out)]),
    "a02_convert_out_is_its_input": ("p.jsonl", lambda d, out: [
        "convert", "predictions-to-mushroom", str(d / "p.jsonl"), "--out", str(out)]),
    "a02_score_json_is_the_predictions_file": ("p.jsonl", lambda d, out: [
        "score", "--gold", str(d / "gold.jsonl"), "--predictions", str(d / "p.jsonl"), "--json", str(out)]),
    "a02_baseline_out_is_the_gold_records_file": ("gold.jsonl", lambda d, out: [
        "baseline", "empty", "--gold", str(d / "gold.jsonl"), "--out", str(out)]),
    "a02_report_out_is_the_records_file": ("gold.jsonl", lambda d, out: [
        "report", str(d / "gold.jsonl"), "--out", str(out)]),
    "validate_json_is_a_checked_file": ("p.jsonl", lambda d, out: ["validate", str(d / "p.jsonl"), "--json", str(out)]),
}


@pytest.mark.parametrize("case", sorted(OVERWRITES))
def test_an_output_that_is_an_input_is_refused_under_every_spelling(case: str, files: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    name, argv = OVERWRITES[case]
    target = files / name
    before = target.read_bytes()
    for out in spellings(target):
        err = refused(argv(files, out), capsys, files)
        assert f"{out} is the input " in err and "writing it would destroy that input" in err, err
        assert "(fix: write the output elsewhere)" in err
        assert target.read_bytes() == before and out.resolve() == target
    assert not (files / "r.jsonl").exists(), "nothing else was written either"


def test_an_output_inside_an_input_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_native_data(tmp_path / "data")
    inside = data / "labels" / "result.json"
    err = refused(["validate", str(data), "--json", str(inside)], capsys, tmp_path)
    assert f"--json: /: {inside} is inside the input {data} (paths)" in err
    assert not inside.exists()


def test_two_outputs_of_one_command_may_not_be_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(LABEL_STUDIO / "articles", tmp_path / "articles")
    out = tmp_path / "tasks.json"
    err = refused(["annotate", "export", "--articles", str(tmp_path / "articles"), "--out", str(out),
                   "--config-out", str(tmp_path / "." / "tasks.json")], capsys, tmp_path)
    assert "is also the output of --out: one would overwrite the other" in err
    assert not out.exists()


def test_b04_compare_the_same_file_by_two_spellings(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(files / "p.jsonl", files / "q.jsonl")
    for twin in spellings(files / "p.jsonl")[1:]:
        err = refused(["compare", str(files / "p.jsonl"), str(twin), "--gold", str(files / "gold.jsonl")], capsys,
                      files)
        assert f"{twin}: /: the same file as {files / 'p.jsonl'}: a system would be compared with itself" in err
        err = refused(["compare", str(files / "p.jsonl"), str(files / "q.jsonl"), str(twin), "--gold",
                       str(files / "gold.jsonl")], capsys, files)
        assert "compare: 1 problem(s)" in err, "a third file does not hide the twin"
    assert main(["compare", str(files / "p.jsonl"), str(files / "q.jsonl"), "--gold", str(files / "gold.jsonl"),
                 "--bootstrap", "0"]) == 0


def leaves(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers of every (sub-)sub-command, each once (aliases share a parser)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
    for sub in subs:
        for child in dict.fromkeys(sub.choices.values()):
            yield from leaves(child)


def test_every_command_declares_its_inputs_and_outputs() -> None:
    """The rule is checked from the declarations, so a command that forgot them would escape it: every command
    declares what it reads, and every argument that names a written file is an output."""
    found = list(leaves(parser()))
    assert len(found) >= 12
    for leaf in found:
        inputs, outputs = leaf.get_default("inputs"), leaf.get_default("outputs")
        assert inputs and outputs is not None, leaf.prog
        written = {a.dest for a in leaf._actions if a.dest in ("out", "json", "config_out")}
        assert written == {dest for _, dest, _ in outputs}, leaf.prog


# -- FIFOs, devices and symlinks where data is read ------------------------------------------------------------------


@pytest.fixture
def label_data(tmp_path: Path) -> Path:
    shutil.copytree(LABEL_STUDIO / "articles", tmp_path / "data" / "articles")
    (tmp_path / "data" / "labels").mkdir()
    return tmp_path / "data"


def test_a06_annotate_export_does_not_follow_symlinked_articles(label_data: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    secret = label_data.parent / "secret.txt"
    secret.write_text("A file outside the data folder.\n", encoding="utf-8")
    text = label_data / "articles" / "lsx-budget-3.txt"
    text.unlink()
    text.symlink_to(secret)
    out = label_data.parent / "tasks.json"
    err = refused(["annotate", "export", "--articles", str(label_data / "articles"), "--out", str(out),
                   "--config-out", str(label_data.parent / "config.xml")], capsys, label_data.parent)
    assert f"{text}: /: leads out of {label_data / 'articles'}" in err and "copy the file into the folder" in err
    assert not out.exists() and "outside the data folder" not in err


def with_fifos(data: Path) -> list[Path]:
    """An article text replaced by a FIFO, and a FIFO posing as an article's metadata."""
    text = data / "articles" / "lsx-minister-1.txt"
    text.unlink()
    fifos = [text, data / "articles" / "fifo.json"]
    for fifo in fifos:
        os.mkfifo(fifo)
    return fifos


@pytest.mark.parametrize("step", ["export", "import"])
def test_a06_annotate_with_a_fifo_in_articles_does_not_hang(label_data: Path, step: str) -> None:
    fifos = with_fifos(label_data)
    out = label_data / "labels" / "batch.jsonl"
    args = {"export": ["annotate", "export", "--articles", str(label_data / "articles"), "--out", str(out),
                       "--config-out", str(label_data.parent / "config.xml")],
            "import": ["annotate", "import", str(LABEL_STUDIO / "export.json"), "--annotator-kind", "maintainer",
                       "--out", str(out), "--articles", str(label_data / "articles")]}[step]
    done = run_cli(args, label_data.parent)
    assert done.returncode == 2, done.stderr
    for fifo in fifos:
        assert f"{fifo}: /: " in done.stderr and "is a FIFO, not a regular file" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("annotate: ")
    assert not out.exists()


def test_b08_validate_labels_file_with_fifo_article_does_not_hang(tmp_path: Path) -> None:
    data = write_native_data(tmp_path / "data")
    text = data / "articles" / "multi-en.txt"
    text.unlink()
    os.mkfifo(text)
    done = run_cli(["validate", str(data / "labels" / "team.jsonl")], tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{text}: /: is a FIFO, not a regular file" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("validate: ")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A build, its gold and predictions, native data, and a FIFO, a device alias and an escaping symlink."""
    write_native_data(tmp_path / "data")
    write_release(tmp_path / "release.toml", validation=0.5)
    assert main(["build", "--release", str(tmp_path / "release.toml"), "--out", str(tmp_path / "dist"),
                 "--json", str(tmp_path / "build.json")]) == 0
    write_jsonl(tmp_path / "gold.jsonl", native_records(tmp_path / "records"))
    assert main(["baseline", "empty", "--gold", str(tmp_path / "gold.jsonl"), "--out", str(tmp_path / "p.jsonl")]) == 0
    shutil.copytree(LABEL_STUDIO / "articles", tmp_path / "ls" / "articles")
    (tmp_path / "empty.jsonl").touch()
    os.mkfifo(tmp_path / "fifo.jsonl")
    return tmp_path


def native_with(root: Path, name: str, make: Callable[[Path], None]) -> Path:
    """A copy of the native data with one file replaced by `make` (a FIFO, a symlink)."""
    data = write_native_data(root / name)
    make(data)
    return data


def fifo_at(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def link_out(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(path.parents[2] / "p.jsonl")


INPUTS: dict[str, Callable[[Path], tuple[list[str], str]]] = {
    "validate fifo": lambda r: (["validate", str(r / "fifo.jsonl")], "is a FIFO"),
    "validate device": lambda r: (["validate", "--kind", "prediction", "/dev/null"], "is a character device"),
    "validate data with a fifo": lambda r: (["validate", str(native_with(r, "d1", lambda d: fifo_at(
        d / "labels" / "team.jsonl")))], "not a regular file: only regular files inside the data folder are read"),
    "validate data with a symlink": lambda r: (["validate", str(native_with(r, "d2", lambda d: link_out(
        d / "labels" / "team.jsonl")))], "a symlink: only regular files inside the data folder are read"),
    "validate article fifo text": lambda r: (["validate", str(native_with(r, "d3", lambda d: fifo_at(
        d / "articles" / "clean-en.txt")) / "articles" / "clean-en.json")], "is a FIFO"),
    "build release fifo": lambda r: (["build", "--release", str(r / "fifo.jsonl"), "--out", str(r / "o")],
                                     "is a FIFO"),
    "build data with a fifo": lambda r: (["build", "--release", str(write_release(
        native_with(r, "d4", lambda d: fifo_at(d / "articles" / "clean-en.txt")).parent / "release-d4.toml",
        data="d4")), "--out", str(r / "o")], "not a regular file"),
    "import mqm fifo": lambda r: (["import", "mqm", str(r / "fifo.jsonl"), "--out", str(r / "o.jsonl")],
                                  "is a FIFO"),
    "import mqm device": lambda r: (["import", "mqm", "/dev/null", "--out", str(r / "o.jsonl")],
                                    "is a character device"),
    "import xsum factuality fifo": lambda r: (["import", "xsum-hallucinations", str(HALLUCINATIONS), "--factuality",
                                               str(r / "fifo.jsonl"), "--out", str(r / "o.jsonl")], "is a FIFO"),
    "annotate export symlinked text": lambda r: (["annotate", "export", "--articles", str(link_device(r)),
                                                  "--out", str(r / "t.json"), "--config-out", str(r / "c.xml")],
                                                 "leads out of"),
    "annotate import fifo": lambda r: (["annotate", "import", str(r / "fifo.jsonl"), "--annotator-kind", "x",
                                        "--out", str(r / "o.jsonl"), "--articles", str(r / "ls" / "articles")],
                                       "is a FIFO"),
    "publish fifo manifest": lambda r: (["publish", str(fifo_manifest(r)), "--repo", "o/n", "--dry-run",
                                         "--release", str(r / "release.toml")], "is a FIFO"),
    "score predictions fifo": lambda r: (["score", "--gold", str(r / "gold.jsonl"), "--predictions",
                                          str(r / "fifo.jsonl")], "is a FIFO"),
    "score gold device": lambda r: (["score", "--gold", "/dev/null", "--predictions", str(r / "p.jsonl")],
                                    "is a character device"),
    "score gold shard fifo": lambda r: (["score", "--gold", str(fifo_shard(r)), "--predictions",
                                         str(r / "empty.jsonl"), "--allow-missing"], "is a FIFO"),
    "validate build shard fifo": lambda r: (["validate", str(fifo_shard(r))], "is a FIFO"),
    "score other split's shard fifo": lambda r: (["score", "--gold", str(fifo_shard(r, "validation")),
                                                  "--predictions", str(r / "p.jsonl")], "no record 'crlf-de'"),
    "compare fifo": lambda r: (["compare", str(r / "p.jsonl"), str(r / "fifo.jsonl"), "--gold",
                                str(r / "gold.jsonl")], "is a FIFO"),
    "baseline gold fifo": lambda r: (["baseline", "empty", "--gold", str(r / "fifo.jsonl"), "--out",
                                      str(r / "o.jsonl")], "is a FIFO"),
    "report records fifo": lambda r: (["report", str(r / "fifo.jsonl"), "--out", str(r / "o.html")], "is a FIFO"),
    "report predictions device": lambda r: (["report", str(r / "gold.jsonl"), "--predictions", "/dev/null",
                                             "--out", str(r / "o.html")], "is a character device"),
    "convert fifo": lambda r: (["convert", "mushroom-to-predictions", str(r / "fifo.jsonl"), "--out",
                                str(r / "o.jsonl")], "is a FIFO"),
    "convert records device": lambda r: (["convert", "records-to-mushroom", "/dev/null", "--out",
                                          str(r / "o.jsonl")], "is a character device"),
}


def link_device(root: Path) -> Path:
    """An article text that is a symlink to a device outside the folder."""
    text = root / "ls" / "articles" / "lsx-budget-3.txt"
    text.unlink()
    text.symlink_to("/dev/null")
    return text.parent


def fifo_manifest(root: Path) -> Path:
    build = root / "copy"
    shutil.copytree(root / "dist" / "1.0.0", build)
    fifo_at(build / "MANIFEST.json")
    return build


def fifo_shard(root: Path, split: str = "test") -> Path:
    build = root / "copy"
    shutil.copytree(root / "dist" / "1.0.0", build)
    [shard] = (build / "data" / "default").glob(f"{split}-*.parquet")
    fifo_at(shard)
    return build


@pytest.mark.parametrize("case", sorted(INPUTS))
def test_every_command_refuses_a_fifo_device_or_symlink_input(case: str, project: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    argv, words = INPUTS[case](project)
    before = sorted(p.name for p in project.iterdir())
    err = refused(argv, capsys, project)
    assert words in err, err
    assert "(fix: " in err
    assert sorted(p.name for p in project.iterdir()) == before, "nothing was written"


@pytest.mark.parametrize(("argv", "command"), [(["score", "--gold", "g.jsonl"], "score"),
                                               (["annotate", "export", "--out", "t.json"], "annotate"),
                                               (["bogus"], "newserrata")])
def test_a_usage_error_ends_with_the_closing_line(argv: list[str], command: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: newserrata") and "error: " in err
    assert err.strip().splitlines()[-1] == f"{command}: 1 problem(s); nothing was written"
