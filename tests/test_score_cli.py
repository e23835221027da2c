"""`newserrata score` end to end: every kind of gold, the table, the JSON, and exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_fixtures import (
    built_release,
    gold_predictions,
    native_records,
    split_records,
    write_build,
    write_jsonl,
    write_parquet,
)

import newserrata
from newserrata.cli import main


@pytest.fixture
def gold(tmp_path: Path) -> list[dict]:
    return native_records(tmp_path)


def test_scores_a_build_folder_split_and_writes_json(tmp_path: Path, gold: list[dict],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[:3]))
    out = tmp_path / "report.json"
    status = main(["score", "--gold", str(build), "--predictions", str(predictions), "--json", str(out),
                   "--bootstrap", "20"])
    assert status == 0
    table = capsys.readouterr().out
    assert "char_f1" in table and "95% interval" in table and "(default/test)" in table
    report = json.loads(out.read_text())
    assert report["records"] == 3 and report["bootstrap"] == 20
    assert report["metrics"] == newserrata.score(gold[:3], gold_predictions(gold[:3])).metrics


def test_validation_split_and_records_files(tmp_path: Path, gold: list[dict],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[3:]))
    assert main(["score", "--gold", str(build), "--split", "validation", "--predictions", str(predictions),
                 "--json", "-"]) == 0
    from_folder = json.loads(capsys.readouterr().out)
    assert from_folder["records"] == len(gold) - 3
    for gold_file in (write_jsonl(tmp_path / "gold.jsonl", gold[3:]), write_parquet(tmp_path / "g.parquet", gold[3:])):
        assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", "-"]) == 0
        assert json.loads(capsys.readouterr().out)["metrics"] == from_folder["metrics"]


def test_bad_predictions_exit_2_and_leave_earlier_output_alone(tmp_path: Path, gold: list[dict],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    lines = gold_predictions(gold)
    lines[1]["spans"] = [{"start": 0, "end": 10_000}]
    predictions = write_jsonl(tmp_path / "pred.jsonl", lines)
    out = tmp_path / "report.json"
    out.write_text("earlier\n")
    status = main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", str(out)])
    assert status == 2
    err = capsys.readouterr().err
    assert f"{predictions}:2: /spans/0/end: end 10000 is past the end of the text" in err
    assert "nothing was written" in err
    assert out.read_text() == "earlier\n"


def test_missing_predictions_need_allow_missing(tmp_path: Path, gold: list[dict],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold)[:1])
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions)]) == 2
    assert "have no prediction" in capsys.readouterr().err
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--allow-missing",
                 "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["missing"] == len(gold) - 1


def test_unreadable_predictions_file(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    assert main(["score", "--gold", str(gold_file), "--predictions", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "cannot read file" in err and "have no prediction" not in err


def test_unknown_gold_and_empty_split(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(tmp_path / "nowhere"), "--predictions", str(predictions)]) == 2
    assert "not a Hub id" in capsys.readouterr().err
    build = write_build(tmp_path / "dist", {"test": gold})
    assert main(["score", "--gold", str(build), "--split", "train", "--predictions", str(predictions)]) == 2
    err = capsys.readouterr().err
    assert f"{build}: /: no split 'train' in config 'default'; splits: test (fix: pass --split" in err
    assert err.count("\n") == 2, "one problem and the summary line, not one line per prediction"
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"not parquet")
    assert main(["score", "--gold", str(corrupt), "--predictions", str(predictions)]) == 2
    assert f"{corrupt}: /: not a readable parquet file" in capsys.readouterr().err


def test_broken_gold_record_is_located(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    broken = [dict(r) for r in gold]
    broken[2]["soft_labels"] = [{"start": 5, "end": 999, "prob": 1.0}]
    gold_file = write_jsonl(tmp_path / "gold.jsonl", broken)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions)]) == 2
    assert f"{gold_file}:3: /soft_labels/0: run [5:999]" in capsys.readouterr().err


def test_help_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = capsys.readouterr().out
    for option in ("--gold", "--predictions", "--split", "--config", "--json", "--bootstrap", "--allow-missing"):
        assert option in text


UPLOAD = """
import sys
from huggingface_hub import HfApi
folder, repo = sys.argv[1], sys.argv[2]
api = HfApi()
api.create_repo(repo, repo_type="dataset")
api.upload_folder(folder_path=folder, repo_id=repo, repo_type="dataset", commit_message="v1.0.0")
api.create_tag(repo, tag="v1.0.0", repo_type="dataset")
"""


def test_gold_from_a_hub_dataset_pinned_to_a_tag(tmp_path: Path) -> None:
    """`--gold ORG/NAME@REVISION` goes through datasets.load_dataset against a local Hub."""
    import os
    import subprocess
    import sys

    from hub_server import HubServer

    token = "hf_ScoreTestToken0123456789abcdefXYZ"
    build = built_release(tmp_path)
    gold = split_records(build, "validation")
    assert gold
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    with HubServer(tokens={token: "newserrata-test"}) as hub:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
        env |= {"HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_XET": "1",
                "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        upload = subprocess.run([sys.executable, "-c", UPLOAD, str(build), "newserrata-test/newserrata"],
                                env=env | {"HF_TOKEN": token}, capture_output=True, text=True, timeout=300)
        assert upload.returncode == 0, upload.stderr[-3000:]
        args = ["score", "--gold", "newserrata-test/newserrata@v1.0.0", "--split", "validation",
                "--predictions", str(predictions), "--json", "-"]
        done = subprocess.run([sys.executable, "-m", "newserrata", *args], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert hub.requests("GET", "v1.0.0")
        args[2] = "newserrata-test/newserrata@v9.9.9"
        missing = subprocess.run([sys.executable, "-m", "newserrata", *args], env=env, capture_output=True,
                                 text=True, timeout=300)
        assert missing.returncode == 2, missing.stderr[-3000:]
        assert "newserrata-test/newserrata@v9.9.9: /: cannot load default/validation: no revision 'v9.9.9'; " \
               "tags: v1.0.0" in missing.stderr
        args[2], args[4] = "newserrata-test/newserrata@v1.0.0", "dev"
        wrong_split = subprocess.run([sys.executable, "-m", "newserrata", *args], env=env, capture_output=True,
                                     text=True, timeout=300)
        assert wrong_split.returncode == 2, wrong_split.stderr[-3000:]
        assert "cannot load default/dev: splits of default: test, validation" in wrong_split.stderr
    report = json.loads(done.stdout)
    assert report["gold"] == "newserrata-test/newserrata@v1.0.0 (default/validation)"
    assert report["records"] == len(gold)
    assert report["metrics"] == newserrata.score(gold, gold_predictions(gold)).metrics


def test_an_unreachable_hub_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """A Hub id with no server behind the endpoint: the real client fails to connect, and the command says so
    in one line, exit 2."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    predictions = write_jsonl(tmp_path / "pred.jsonl", [{"id": "x", "spans": []}])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env |= {"HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HOME": str(tmp_path / "hf-home"),
            "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_ETAG_TIMEOUT": "2", "HF_HUB_DOWNLOAD_TIMEOUT": "2"}
    done = subprocess.run([sys.executable, "-m", "newserrata", "score", "--gold", "org/name@v1.0.0", "--predictions",
                           str(predictions)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert lines[1] == "score: 1 problem(s); nothing was written"
    assert lines[0].startswith("org/name@v1.0.0: /: cannot load default/test: ")
    assert "fix: check ORG/NAME, the revision tag, --config and --split, and the network" in lines[0]
