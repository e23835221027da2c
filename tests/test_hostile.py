"""Hostile inputs and outputs: every command refuses them with a located message and exit 2, never a traceback."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from conftest import label, write_jsonl, write_native_data, write_release
from loopback import Loopback, QuietHandler
from scoring_fixtures import native_records

from newserrata import download
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.sources import mqm_tsv

MQM = Path(__file__).parent / "fixtures" / "mqm" / "sxs_mqm_fixture_zhen.tsv"
BUILDER = Path(__file__).resolve().parents[1] / "builder"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Native data, a release file, one build and its test records: an input for every writing command."""
    write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml", validation=0.5)
    assert main(["build", "--release", str(release), "--out", str(tmp_path / "dist"), "--json", "-"]) == 0
    (tmp_path / "labels").mkdir()
    return tmp_path


def commands(root: Path, out: Path) -> dict[str, list[str]]:
    """Each writing command with `out` as its output."""
    gold = str(root / "dist" / "1.0.0")
    return {
        "build": ["build", "--release", str(root / "release.toml"), "--out", str(out)],
        "import": ["import", "mqm", str(MQM), "--out", str(out)],
        "annotate export": ["annotate", "export", "--articles", str(root / "data" / "articles"), "--out", str(out),
                            "--config-out", str(root / "config.xml")],
        "annotate config": ["annotate", "export", "--articles", str(root / "data" / "articles"),
                            "--out", str(root / "tasks.json"), "--config-out", str(out)],
        "baseline": ["baseline", "empty", "--gold", gold, "--out", str(out)],
        "score": ["score", "--gold", gold, "--predictions", str(root / "empty.jsonl"), "--json", str(out)],
        "report": ["report", gold, "--out", str(out)],
    }


def bad_outputs(root: Path) -> dict[str, tuple[Path, str]]:
    """(output path, words of the message) for each way an output path can be wrong."""
    (root / "a-file").write_text("not a folder\n", encoding="utf-8")
    (root / "a-folder").mkdir()
    return {
        "file as folder": (root / "a-file" / "out", "Not a directory"),
        "missing folder": (root / "missing" / "out", "No such file or directory"),
        "folder as file": (root / "a-folder", "Is a directory"),
        "device": (Path("/dev/full"), "not a regular file"),
        "unwritable folder": (Path("/sys/out"), "choose a folder you may write to"),
    }


@pytest.mark.parametrize("command", ["build", "import", "annotate export", "annotate config", "baseline", "score",
                                     "report"])
def test_an_output_that_cannot_be_written_exits_2(project: Path, command: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["baseline", "empty", "--gold", str(project / "dist" / "1.0.0"), "--out",
                 str(project / "empty.jsonl")]) == 0
    before = sorted(p for p in project.rglob("*"))
    for case, (out, words) in bad_outputs(project).items():
        if command == "build" and case in ("folder as file", "device"):
            out, words = project / "a-file", "File exists"  # the build's output is a folder
        capsys.readouterr()
        assert main(commands(project, out)[command]) == 2, (command, case)
        err = capsys.readouterr().err
        assert "Traceback" not in err
        shown = out if case not in ("file as folder", "missing folder") or command == "build" else out.parent
        assert f"{shown}: /: cannot write: {words}" in err or words in err.split("(fix: ")[1], (command, case, err)
        assert "(fix: " in err and "nothing was written" in err
        assert not (project / "missing").exists(), "no folder is created unasked"
    made = sorted(p for p in project.rglob("*") if p.name not in ("a-file", "a-folder"))
    assert made == before
    assert Path("/dev/full").is_char_device()


def test_a_full_disk_exits_2_and_leaves_no_temporary(project: Path) -> None:
    """A file size limit makes every write past it fail (EFBIG), as a full disk does (ENOSPC)."""
    out = project / "out"
    out.mkdir()
    script = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000)); from newserrata.cli import main; "
              "sys.exit(main(sys.argv[1:]))")
    for args in (["import", "mqm", str(MQM), "--out", str(out / "records.jsonl")],
                 ["build", "--release", str(project / "release.toml"), "--out", str(out)]):
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(BUILDER)}, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        assert f"{args[-1]}: /: cannot write: " in done.stderr and "File too large" in done.stderr, done.stderr
        assert list(out.iterdir()) == []


# -- interrupts ------------------------------------------------------------------------------------------------------


def slow_project(root: Path, articles: int = 3000) -> Path:
    """A native source big enough that a build takes seconds: many small labelled articles."""
    write_native_data(root / "data")
    folder = root / "data" / "articles"
    meta = json.loads((folder / "clean-en.json").read_text(encoding="utf-8"))
    lines = []
    for n in range(articles):
        name = f"bulk-{n:05d}"
        (folder / f"{name}.txt").write_text(f"Article {n} says the the council met.\n", encoding="utf-8")
        (folder / f"{name}.json").write_text(json.dumps(meta | {"id": name, "group_id": name}), encoding="utf-8")
        lines.append(label(name, "ann-a", [{"start": 11 + len(str(n)), "end": 18 + len(str(n)), "text": "the the",
                                            "category": "fluency/repetition", "severity": "minor"}]))
    write_jsonl(root / "data" / "labels" / "bulk.jsonl", lines)
    return write_release(root / "release.toml")


def build_then_signal(root: Path, sign: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start a real build, wait until its temporary folder exists, then send it the signal."""
    release = slow_project(root)
    dist = root / "dist"
    process = subprocess.Popen([sys.executable, "-m", "newserrata", "build", "--release", str(release), "--out",
                                str(dist)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(BUILDER)})
    deadline = time.monotonic() + 120
    while not (dist.is_dir() and any(dist.glob(".1.0.0.*.tmp"))):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be signalled"
        time.sleep(0.02)
    process.send_signal(sign)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize(("sign", "status", "word"), [(signal.SIGINT, 130, "interrupted"),
                                                      (signal.SIGTERM, 143, "terminated")])
def test_a_signal_mid_build_prints_one_line_and_cleans_up(tmp_path: Path, sign: signal.Signals, status: int,
                                                          word: str) -> None:
    done = build_then_signal(tmp_path, sign)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()  # a progress bar redraws with "\r", which splitlines also breaks on
    assert lines[-1] == f"build: {word}; unfinished outputs were removed", lines[-3:]
    assert sum("unfinished outputs" in line for line in lines) == 1, "the message has its own line, no bar after it"
    assert not (tmp_path / "dist").exists(), "the build removes the temporary folder and the dist folder it made"


def test_the_next_build_removes_temporary_folders_of_killed_builds(tmp_path: Path) -> None:
    write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml")
    dist = tmp_path / "dist"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = dist / f".1.0.0.{gone.stdout.strip()}.abcd1234.tmp"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "half.parquet").write_bytes(b"PAR1")
    alive = dist / f".1.0.0.{os.getpid()}.efgh5678.tmp"
    other_version = dist / f".2.0.0.{gone.stdout.strip()}.abcd1234.tmp"
    not_ours = dist / ".1.0.0.notes.tmp"
    for folder in (alive, other_version, not_ours):
        folder.mkdir()
    assert main(["build", "--release", str(release), "--out", str(dist), "--json", "-"]) == 0
    assert sorted(p.name for p in dist.iterdir()) == sorted(["1.0.0", alive.name, other_version.name, not_ours.name])


# -- the LLM endpoint ------------------------------------------------------------------------------------------------


class RawChatServer:
    """127.0.0.1 chat-completions endpoint answering every request with one fixed (status, content type, body);
    `{auth}` in the body is replaced by the request's Authorization header, as a careless proxy echoes it."""

    def __init__(self, status: int, content_type: str, body: str) -> None:
        self.requests = 0
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                server.requests += 1
                data = body.replace("{auth}", self.headers.get("Authorization", "")).encode("utf-8")
                self.reply(status, data, content_type)

        self.loop = Loopback(Handler, "/v1")
        self.url = self.loop.url

    def close(self) -> None:
        self.loop.close()


KEY = "sk-test-0123456789abcdef"
COMPLETION = {"id": "c1", "object": "chat.completion", "created": 0, "model": "m"}


def run_llm(tmp_path: Path, status: int, content_type: str, body: str, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, int]:
    """(exit status, stdout + stderr, requests received) of `baseline llm` against a server giving one reply."""
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, native_records(tmp_path)[:1])
    monkeypatch.setenv("NEWSERRATA_LLM_KEY", KEY)
    server = RawChatServer(status, content_type, body)
    try:
        code = main(["baseline", "llm", "--gold", str(gold), "--out", str(tmp_path / "llm.jsonl"),
                     "--base-url", server.url, "--model", "m", "--cache", str(tmp_path / "cache"), "--workers", "1"])
    finally:
        server.close()
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert (tmp_path / "llm.jsonl").exists() == (code == 0)
    return code, captured.out + captured.err, server.requests


def test_an_echoed_key_is_never_printed_and_a_401_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps({"error": {"message": "invalid key in header {auth}", "type": "invalid_request_error"}})
    code, output, requests = run_llm(tmp_path, 401, "application/json", body, monkeypatch, capsys)
    assert code == 1 and requests == 1
    assert KEY not in output and "invalid key in header Bearer ***" in output
    assert "refused the API key (HTTP 401)" in output and "retries" not in output


@pytest.mark.parametrize(("status", "content_type", "body", "words"), [
    (200, "application/json", json.dumps({**COMPLETION, "choices": []}), "answered with no choices for model 'm'"),
    (200, "text/html", "<html><body>Sign in, {auth}</body></html>", "answered with '<html><body>Sign in, Bearer ***"),
    (200, "application/json", "<html>gateway</html>", "answered with a body that is not JSON"),
])
def test_a_reply_that_is_not_a_completion_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str], status: int,
                                                              content_type: str, body: str, words: str) -> None:
    code, output, requests = run_llm(tmp_path, status, content_type, body, monkeypatch, capsys)
    assert code == 1 and requests == 1
    assert words in output and KEY not in output


def test_a_damaged_cache_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    reply = json.dumps({**COMPLETION, "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": '{"errors": []}'}}]})
    assert run_llm(tmp_path, 200, "application/json", reply, monkeypatch, capsys)[0] == 0
    (tmp_path / "llm.jsonl").unlink()
    [cached] = (tmp_path / "cache").rglob("*.json")
    deep, huge = b"[" * 100_000 + b"]" * 100_000, b'{"content": ' + b"1" * 5000 + b"}"
    for damage in (b'{"model": "m", "con', b"[]", b'{"model": "m"}', b"\xff\xfe", deep, huge):
        cached.write_bytes(damage)
        code, output, requests = run_llm(tmp_path, 200, "application/json", reply, monkeypatch, capsys)
        assert (code, requests) == (2, 0)
        assert f"{cached}: /: cached reply is damaged" in output and "delete it" in output


# -- outputs that would destroy data -----------------------------------------------------------------------------

LABEL_STUDIO = Path(__file__).parent / "fixtures" / "labelstudio"


@pytest.fixture
def label_data(tmp_path: Path) -> Path:
    shutil.copytree(LABEL_STUDIO / "articles", tmp_path / "data" / "articles")
    (tmp_path / "data" / "labels").mkdir()
    return tmp_path / "data"


def annotate_import(data: Path, out: Path, export: Path = LABEL_STUDIO / "export.json", kind: str = "maintainer"
                    ) -> list[str]:
    return ["annotate", "import", str(export), "--annotator-kind", kind, "--out", str(out),
            "--articles", str(data / "articles")]


def test_annotate_import_never_replaces_a_file_it_did_not_write(label_data: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    seed = label_data / "labels" / "seed-maintainers.jsonl"
    seed.write_text(json.dumps({"article_id": "lsx-budget-3", "annotator_id": "maintainer-1", "annotator_kind":
                                "maintainer", "created": "2026-01-02", "spans": [], "no_errors": True}) + "\n",
                    encoding="utf-8")
    before = seed.read_bytes()
    assert main(annotate_import(label_data, seed)) == 2
    err = capsys.readouterr().err
    assert f"{seed}:1: /: already exists, and its line for 'lsx-budget-3' by 'maintainer-1'" in err
    assert "was not written by an import of this export" in err and "delete the file first" in err
    assert seed.read_bytes() == before
    notes = label_data / "labels" / "notes.jsonl"
    notes.write_text("free text, not labels\n", encoding="utf-8")
    assert main(annotate_import(label_data, notes)) == 2
    assert f"{notes}:1: /: already exists and is not a label batch" in capsys.readouterr().err
    export = label_data.parent / "export.json"
    shutil.copy(LABEL_STUDIO / "export.json", export)
    assert main(annotate_import(label_data, export, export)) == 2, "the export is not a batch either"
    assert export.read_bytes() == (LABEL_STUDIO / "export.json").read_bytes()


def test_annotate_import_replaces_the_batch_an_import_of_the_export_wrote(label_data: Path) -> None:
    batch = label_data / "labels" / "batch.jsonl"
    assert main(annotate_import(label_data, batch)) == 0
    first = batch.read_bytes()
    assert main(annotate_import(label_data, batch)) == 0, "importing the same export again replaces its batch"
    assert batch.read_bytes() == first
    assert main(annotate_import(label_data, batch, kind="crowd")) == 2, "the kind is part of what was written"
    assert batch.read_bytes() == first


def test_import_mqm_refuses_to_write_over_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ratings = tmp_path / "ratings.tsv"
    shutil.copy(MQM, ratings)
    (tmp_path / "alias.tsv").symlink_to(ratings)
    for out in (ratings, tmp_path / "alias.tsv", tmp_path / "." / "ratings.tsv"):
        assert main(["import", "mqm", str(ratings), "--out", str(out)]) == 2
        assert f"--out: /: {out} is the input {ratings} (file): writing it would destroy that input" in (
            capsys.readouterr().err)
        assert ratings.read_bytes() == MQM.read_bytes()


# -- lone surrogates -------------------------------------------------------------------------------------------------

SURROGATE = "\\ud800"  # as it appears in a JSON file: an escape json.loads accepts, of no character


def test_lone_surrogates_are_refused_where_they_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_native_data(tmp_path / "data")
    meta = data / "articles" / "emoji-en.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"Zürich summit 🎉"', f'"Zürich {SURROGATE}"'),
                    encoding="utf-8")
    team = data / "labels" / "team.jsonl"
    team.write_text(team.read_text(encoding="utf-8").replace('"should be Oberbürgermeister"',
                                                             f'"should be {SURROGATE}"'), encoding="utf-8")
    for command in (["validate", str(data)], ["build", "--release", str(write_release(tmp_path / "release.toml")),
                                              "--out", str(tmp_path / "dist")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert f"{meta}:3: /title: lone surrogate" in err, err
        assert f"{team}:2: /spans/0/note: lone surrogate" in err, err
    assert not (tmp_path / "dist").exists()


def test_a_records_file_with_a_lone_surrogate_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = project / "records.jsonl"
    write_jsonl(records, native_records(project)[:2])
    with records.open("a", encoding="utf-8") as out:
        out.write('{"id": "x' + SURROGATE + '"}\n')
    out = project / "report.html"
    assert main(["report", str(records), "--out", str(out)]) == 2
    assert f"{records}:3: /id: lone surrogate" in capsys.readouterr().err
    assert main(["validate", str(records)]) == 2
    assert f"{records}:3: /id: lone surrogate" in capsys.readouterr().err
    assert not out.exists()
    paired = project / "paired.jsonl"
    write_jsonl(paired, native_records(project)[:1])
    paired.write_text(paired.read_text(encoding="utf-8").replace('"test-mt"', '"\\ud83c\\udf89"'), encoding="utf-8")
    assert main(["validate", str(paired)]) == 0, "a surrogate pair is one character"


def test_mqm_note_and_label_studio_export_with_a_lone_surrogate(tmp_path: Path, label_data: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    ratings = tmp_path / "ratings.tsv"
    ratings.write_text(MQM.read_text(encoding="utf-8").replace('"note":"should be: opened"',
                                                               f'"note":"should be: {SURROGATE}"'), encoding="utf-8")
    out = tmp_path / "records.jsonl"
    assert main(["import", "mqm", str(ratings), "--out", str(out)]) == 2
    assert f"{ratings}:2: metadata: lone surrogate" in capsys.readouterr().err
    assert not out.exists()
    export = tmp_path / "export.json"
    text = (LABEL_STUDIO / "export.json").read_text(encoding="utf-8")
    export.write_text(text.replace('"text": [', f'"text": ["{SURROGATE}", ', 1), encoding="utf-8")
    assert main(annotate_import(label_data, label_data / "labels" / "batch.jsonl", export)) == 2
    err = capsys.readouterr().err
    assert "lone surrogate" in err and "/text/0" in err and "Traceback" not in err


# -- MQM files that are not what they claim ------------------------------------------------------------------------


def tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def import_mqm(path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["import", "mqm", str(path), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_a_decompression_bomb_is_stopped_at_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(mqm_tsv, "MAX_DECOMPRESSED", 2 << 20)
    monkeypatch.setattr(mqm_tsv, "MAX_LINE", 1 << 16)
    header = MQM.read_bytes().split(b"\n", 1)[0] + b"\n"
    zeros = tar_gz(tmp_path / "zeros.tsv.tar.gz", {"zeros.tsv": header + bytes(4 << 20)})
    assert zeros.stat().st_size < 20_000
    err = import_mqm(zeros, tmp_path / "out.jsonl", capsys)
    assert f"{zeros}:2: /: line longer than {1 << 16} bytes" in err
    blank = tar_gz(tmp_path / "blank.tsv.tar.gz", {"blank.tsv": header + b"\n" * (4 << 20)})
    err = import_mqm(blank, tmp_path / "out.jsonl", capsys)
    assert f"{blank}: /: decompresses to more than {2 << 20} bytes" in err
    plain = tmp_path / "blank.tsv.gz"
    plain.write_bytes(gzip.compress(header + b"\n" * (4 << 20)))
    assert f"{plain}: /: decompresses to more than" in import_mqm(plain, tmp_path / "out.jsonl", capsys)
    first_line = tmp_path / "long.tsv"
    first_line.write_bytes(b"x" * (1 << 17))
    assert f"{first_line}:1: /: line longer than" in import_mqm(first_line, tmp_path / "out.jsonl", capsys)


def test_a_tar_gz_with_a_wrong_checksum_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tar_gz(tmp_path / "sxs_mqm_fixture_zhen.tsv.tar.gz", {"mqm/sxs_mqm_fixture_zhen.tsv": MQM.read_bytes()})
    assert main(["import", "mqm", str(good), "--out", str(tmp_path / "good.jsonl")]) == 0
    data = bytearray(good.read_bytes())
    data[-8] ^= 0xFF  # the gzip trailer: CRC-32 of the decompressed bytes, then their size
    bad = tmp_path / "bad.tsv.tar.gz"
    bad.write_bytes(bytes(data))
    err = import_mqm(bad, tmp_path / "bad.jsonl", capsys)
    assert f"{bad}: /: cannot read: CRC check failed" in err and "the file is damaged" in err


def test_an_archive_without_a_tsv_says_so_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tar_gz(tmp_path / "notes.tsv.tar.gz", {"README.md": b"nothing here\n"})
    assert f"{archive}: /: the archive has no .tsv member (fix: " in import_mqm(archive, tmp_path / "o.jsonl", capsys)


@pytest.mark.parametrize("content", [b"", b"\n\n", MQM.read_bytes().split(b"\n", 1)[0] + b"\n"])
def test_an_empty_or_header_only_ratings_file_is_refused(tmp_path: Path, content: bytes,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    ratings = tmp_path / "empty.tsv"
    ratings.write_bytes(content)
    assert f"{ratings}:1: /: no ratings: the file is empty or holds only a header" in import_mqm(
        ratings, tmp_path / "out.jsonl", capsys)


# -- dates and the files a build is given ----------------------------------------------------------------------------


def test_an_article_date_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_native_data(tmp_path / "data")
    meta = data / "articles" / "clean-en.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"2025-01-24"', '"2025-02-31"'), encoding="utf-8")
    assert main(["validate", str(data)]) == 2
    assert f'{meta}:11: /date: "2025-02-31" is not a "date"' in capsys.readouterr().err
    meta.write_text(meta.read_text(encoding="utf-8").replace('"2025-02-31"', '"2024-02-29"'), encoding="utf-8")
    assert main(["validate", str(data)]) == 0


def test_a_source_file_that_is_a_folder_or_not_the_pinned_file(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/never/contacted.tsv.tar.gz"
    payload = MQM.read_bytes()
    pin = hashlib.sha256(payload).hexdigest()
    with pytest.raises(InputError) as caught:
        download.fetch(url, pin, len(payload), offline=True, local_file=tmp_path, name="wmt23-zhen")
    assert str(caught.value) == (f"{tmp_path}: /: is a folder, not a file (fix: give the path of the wmt23-zhen file "
                                 "to --source-file wmt23-zhen=PATH)")
    other = tmp_path / "other.tsv"
    other.write_bytes(payload.upper())
    with pytest.raises(InputError) as caught:
        download.fetch(url, pin, len(payload), offline=True, local_file=other, name="wmt23-zhen")
    message = str(caught.value)
    assert f"its sha256 is {hashlib.sha256(payload.upper()).hexdigest()}, the pin says {pin}" in message
    assert "either the pin of wmt23-zhen in the release file or this file is wrong" in message
