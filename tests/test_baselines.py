"""Baselines: the offline rules, the results table, and the LLM judge against a local chat-completions server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import Loopback, QuietHandler
from scoring_fixtures import built_release, native_records, record, write_build, write_jsonl

import newserrata
from newserrata.baselines import heuristic, llm, predictions, results_table
from newserrata.cli import main

# -- offline baselines ---------------------------------------------------------------------------------------------


def test_empty_and_all_bound_the_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = native_records(tmp_path)
    build = write_build(tmp_path / "dist", {"test": gold})
    for name, check in (("empty", lambda m: m["char_f1"] == 0.0), ("all", lambda m: m["char_r"] == 1.0)):
        out = tmp_path / f"{name}.jsonl"
        assert main(["baseline", name, "--gold", str(build), "--out", str(out)]) == 0
        assert main(["score", "--gold", str(build), "--predictions", str(out), "--json", "-"]) == 0
        assert check(json.loads(capsys.readouterr().out.split("\n", 1)[1])["metrics"])


def test_heuristic_rules_find_their_errors() -> None:
    text = "Putin asked for a line with Vladimir Putin. Prices rose,, and gas and gas and gas. Das ist 中国 gut."
    spans = heuristic.predict({"text": text, "language": "en"})
    found = {(text[s["start"]:s["end"]], s["category"], s["severity"]) for s in spans}
    assert ("Vladimir Putin", "accuracy/entity", "major") in found
    assert (",,", "fluency/punctuation", "minor") in found
    assert (" and gas and gas", "fluency/repetition", "major") in found
    assert ("中国", "accuracy/untranslated", "major") in found
    assert heuristic.predict({"text": "Wait... the end. Biden met Putin.", "language": "en"}) == []
    assert heuristic.repeated_party("Ross met with Ros, and Putin's aide met Putin.") == [
        heuristic.span(40, 45, "accuracy/entity", "major")]


def test_heuristic_numbers_against_the_source() -> None:
    text = "Der Preis stieg am 3. Mai auf 1.500 Euro."
    source = "The price rose to 1,500 euros on May 4 and 7."
    spans = heuristic.predict({"text": text, "language": "de", "source_text": source, "source_language": "en"})
    assert [(text[s["start"]:s["end"]], s["category"]) for s in spans] == [
        ("3", "accuracy/number-date"), ("", "accuracy/omission"), ("", "accuracy/omission")]
    assert heuristic.numbers(text, None, []) == []


def test_heuristic_numbers_per_segment() -> None:
    text, source = "A 5. B 6.", "A 5. B 7."
    segments = [{"start": 0, "end": 4, "source_start": 0, "source_end": 4},
                {"start": 5, "end": 9, "source_start": 5, "source_end": 9}]
    spans = heuristic.numbers(text, source, segments)
    assert [(s["start"], s["end"], s["category"]) for s in spans] == [(7, 8, "accuracy/number-date"),
                                                                      (8, 8, "accuracy/omission")]


def test_foreign_script_respects_the_article_language() -> None:
    assert heuristic.foreign_script("北京 Beijing 市", "zh", "en") == []
    assert [s["start"] for s in heuristic.foreign_script("Москва Beijing", "zh", "ru")] == [0]


def test_results_table_per_split(tmp_path: Path) -> None:
    gold = native_records(tmp_path)
    table = results_table([dict(r, split="test") for r in gold[:3]] + [dict(r, split="validation") for r in gold[3:]])
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert [(r[0].strip("| "), r[1]) for r in rows] == [
        ("test", "empty"), ("test", "all"), ("test", "length"), ("test", "heuristic"),
        ("validation", "empty"), ("validation", "all"), ("validation", "length"), ("validation", "heuristic")]
    header = table.splitlines()[0].split(" | ")
    f1, recall = header.index("char_f1"), header.index("char_r")
    assert rows[0][f1] == "0.000" and rows[1][recall] == "1.000"
    expected = newserrata.score(gold[:3], [{"id": r["id"], "spans": heuristic.predict(r)} for r in gold[:3]])
    assert rows[3][f1] == f"{expected.metrics['char_f1']:.3f}"


def test_the_length_baseline_scores_documents_by_length_alone(tmp_path: Path) -> None:
    gold = native_records(tmp_path)
    lines = predictions("length", gold)
    assert lines == [{"id": r["id"], "spans": [], "score": len(r["text"])} for r in gold]
    table = results_table(gold).splitlines()
    header, row = table[0].split(" | "), next(line.split(" | ") for line in table if " | length | " in line)
    expected = newserrata.score(gold, lines).metrics
    assert row[header.index("char_f1")] == f"{expected['char_f1']:.3f}" == "0.000"
    auroc = expected["auroc"]
    assert row[header.index("auroc")] == ("n/a" if auroc is None else f"{auroc:.3f}")


# -- the LLM judge against a local chat-completions server -------------------------------------------------------


class ChatServer:
    """127.0.0.1 server for POST /v1/chat/completions; `script` maps each request body to (status, reply)."""

    def __init__(self, script: Callable[[dict[str, Any], int], tuple[int, str]]) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "auth": self.headers.get("Authorization")})
                    number = len(server.requests)
                status, content = server.script(body, number)
                if status != 200:
                    payload = {"error": {"message": "try again", "type": "server_error"}}
                else:
                    payload = {"id": f"c{number}", "object": "chat.completion", "created": 0, "model": body["model"],
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}],
                               "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}
                data = json.dumps(payload).encode()
                self.reply(status, data)

        self.loop = Loopback(Handler, "/v1")
        self.url = self.loop.url

    def close(self) -> None:
        self.loop.close()


@pytest.fixture
def chat() -> Iterator[Callable[..., ChatServer]]:
    servers: list[ChatServer] = []

    def start(script: Callable[[dict[str, Any], int], tuple[int, str]]) -> ChatServer:
        servers.append(ChatServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def article_of(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"].rsplit("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]


def quoting(*quotes: tuple[str, str, str]) -> str:
    return json.dumps({"errors": [{"quote": q, "category": c, "severity": s} for q, c, s in quotes]})


TEXT = "Putin asked for a line with Vladimir Putin, and gas and gas and gas flowed."


def test_retries_after_429_and_500_then_aligns_quotes(chat: Callable[..., ChatServer], tmp_path: Path) -> None:
    reply = "Here you go:\n```json\n" + quoting(("Vladimir Putin", "Accuracy/Entity", "Major"),
                                                 ("gas", "fluency/repetition", "minor"),
                                                 ("gas", "repetition", "minor"),
                                                 ("and gsa and gas", "Fluency", "critical"),
                                                 ("nowhere in the text", "other", "minor")) + "\n```"
    server = chat(lambda body, n: {1: (429, ""), 2: (500, "")}.get(n, (200, reply)))
    judge = llm.Judge(server.url, "test-model", "secret", cache=tmp_path / "cache", workers=1)
    spans = judge.predict(record("r", TEXT, [[]]))
    assert len(server.requests) == 3
    assert server.requests[-1]["path"] == "/v1/chat/completions"
    assert server.requests[-1]["auth"] == "Bearer secret"
    assert server.requests[-1]["body"]["model"] == "test-model"
    got = [(s["start"], TEXT[s["start"]:s["end"]], s["category"], s["severity"]) for s in spans]
    first_gas = TEXT.index("gas")
    assert got == [(TEXT.index("Vladimir"), "Vladimir Putin", "accuracy/entity", "major"),
                   (TEXT.index("and gas"), "and gas and gas", "other", "major"),   # fuzzy; "Fluency" has no kind
                   (first_gas, "gas", "fluency/repetition", "minor"),
                   (TEXT.index("gas", first_gas + 1), "gas", "fluency/repetition", "minor")]  # first unused
    assert judge.usage.to_dict() == {"requests": 1, "cached": 0, "prompt_tokens": 100, "completion_tokens": 10,
                                     "malformed": 0, "unaligned": 1}


def test_malformed_replies_are_counted_not_fatal(chat: Callable[..., ChatServer], tmp_path: Path) -> None:
    server = chat(lambda body, n: (200, "I found several errors, mainly the names."))
    judge = llm.Judge(server.url, "m", "k", cache=tmp_path / "cache")
    assert judge.predict(record("r", TEXT, [[]])) == []
    assert judge.usage.malformed == 1
    assert llm.parse_errors('{"errors": "none"}') is None
    assert llm.parse_errors('[{"quote": "x"}, {"quote": ""}, 5]') == [{"quote": "x"}]


def test_cache_hit_sends_no_second_request(chat: Callable[..., ChatServer], tmp_path: Path) -> None:
    server = chat(lambda body, n: (200, quoting(("Vladimir Putin", "accuracy/entity", "major"))))
    records = [record("a", TEXT, [[]]), record("b", "Nothing wrong here at all.", [[]])]
    first = llm.Judge(server.url, "m", "k", cache=tmp_path / "cache", workers=2)
    spans = first.predict_all(records)
    assert len(server.requests) == 2
    second = llm.Judge(server.url, "m", "k", cache=tmp_path / "cache")
    assert second.predict_all(records) == spans
    assert len(server.requests) == 2
    assert second.usage.cached == 2 and second.usage.requests == 0
    other_model = llm.Judge(server.url, "m2", "k", cache=tmp_path / "cache")
    other_model.predict(records[0])
    assert len(server.requests) == 3


def unique_spans(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Gold spans a quote can locate unambiguously (the text occurs once in the article)."""
    return [{k: s[k] for k in ("start", "end", "severity", "category")} for s in record["spans"]
            if record["text"].count(s["text"]) == 1]


def test_llm_command_end_to_end(chat: Callable[..., ChatServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    gold = native_records(tmp_path)

    def script(body: dict[str, Any], n: int) -> tuple[int, str]:
        article = article_of(body)
        wanted = [s for r in gold if r["text"] == article for s in r["spans"] if article.count(s["text"]) == 1]
        return 200, quoting(*((s["text"], s["category"], s["severity"]) for s in wanted))

    server = chat(script)
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    out = tmp_path / "llm.jsonl"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("NEWSERRATA_LLM_KEY", raising=False)
    args = ["baseline", "llm", "--gold", str(gold_file), "--out", str(out), "--base-url", server.url,
            "--model", "m", "--cache", str(tmp_path / "cache"), "--workers", "3"]
    assert main(args) == 2
    assert "no API key in NEWSERRATA_LLM_KEY or OPENAI_API_KEY" in capsys.readouterr().err
    assert not out.exists()
    monkeypatch.setenv("NEWSERRATA_LLM_KEY", "k")
    assert main(args) == 0
    assert f"llm: {len(gold)} request(s), 0 cached" in capsys.readouterr().err
    assert main(["score", "--gold", str(gold_file), "--predictions", str(out), "--json", "-"]) == 0
    expected = newserrata.score(gold, [{"id": r["id"], "spans": unique_spans(r)} for r in gold])
    assert json.loads(capsys.readouterr().out)["metrics"] == expected.metrics
    assert expected.metrics["char_p"] == 1.0 and expected.metrics["char_r"] > 0.5
    assert {r["body"]["messages"][0]["role"] for r in server.requests} == {"system"}
    assert main([*args, "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["predictions"] == len(gold) and summary["spans"] == sum(len(unique_spans(r)) for r in gold)
    assert (summary["usage"]["cached"], summary["usage"]["requests"]) == (len(gold), 0), "served from the cache"


def test_endpoint_down_fails_cleanly_and_keeps_the_cache(chat: Callable[..., ChatServer], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    server = chat(lambda body, n: (503, ""))
    gold_file = write_jsonl(tmp_path / "gold.jsonl", [record("a", TEXT, [[]])])
    out = tmp_path / "llm.jsonl"
    monkeypatch.setenv("NEWSERRATA_LLM_KEY", "k")
    assert main(["baseline", "llm", "--gold", str(gold_file), "--out", str(out), "--base-url", server.url,
                 "--model", "m", "--cache", str(tmp_path / "cache")]) == 1
    assert f"{server.url} failed (HTTP 503 after 5 retries)" in capsys.readouterr().err
    assert len(server.requests) == 6 and not out.exists()


def test_the_prompt_gives_the_source_or_says_it_is_not_included() -> None:
    """One prompt for `baseline llm`, lm-eval and Inspect: a record with a source shows it, in its language;
    one without (not hydrated yet) says the source is missing, never silently leaves it out."""
    text = "Prices rose by 7 percent."
    translated = record("mt", text, [[]], source_text="Die Preise stiegen um 5 Prozent.", source_language="de")
    summary = record("sum", text, [[]], source_id="bbc-1234")
    shown = llm.messages(translated)[-1]["content"]
    assert "this source (de):\n<<<\nDie Preise stiegen um 5 Prozent.\n>>>" in shown
    assert "not included" not in shown
    missing = llm.messages(summary)[-1]["content"]
    assert summary["source_text"] is None and "<<<" in missing
    assert "The source the article was produced from is not included" in missing
    assert missing.count("<<<") == 1 and missing.endswith(f"Article (en):\n<<<\n{text}\n>>>")


def test_placement_prefers_exact_then_case_then_fuzzy() -> None:
    text = "The Minister met the minister of gas."
    assert llm.Placer(text).place("minister") == (21, 29)
    assert llm.Placer(text, used={(21, 29)}).place("MINISTER") == (4, 12)
    assert llm.Placer(text).place("minister of gaz") == (21, 36)
    assert llm.Placer(text).place("completely unrelated words") is None
    turkish = "İİ İzmir is big"  # lower() turns each İ into two code points
    found = llm.Placer(turkish).place("IS BIG")
    assert found is None or turkish[found[0]:found[1]].lower() == "is big"


def test_quotes_are_placed_in_reading_order_not_at_the_first_occurrence() -> None:
    """A short repeated quote lands after the quote listed before it; a quote listed out of order starts
    again from the beginning; nested quotes stay inside the one before them."""
    text = "Er sagte, die Zahl kam zu spät. Dann kam die Wahl, und die Wahl war die Wahl."
    first, second = text.index("Zahl"), text.index("Dann kam")
    spans, lost = llm.to_spans(text, [{"quote": "Dann kam"}, {"quote": " die"}, {"quote": " die"}])
    assert lost == 0
    assert [(s["start"], s["end"]) for s in spans] == [(second, second + 8), (second + 8, second + 12),
                                                       (text.index(" die Wahl war"), text.index(" Wahl war"))]
    spans, _ = llm.to_spans(text, [{"quote": "Dann kam die Wahl"}, {"quote": "kam"}, {"quote": "Zahl"}])
    assert [(s["start"], s["end"]) for s in spans] == [(first, first + 4), (second, second + 17),
                                                       (second + 5, second + 8)]


def test_the_words_before_a_quote_choose_its_occurrence() -> None:
    text = "Er sagte, die Zahl sei falsch. Dann kam die Wahl, und die Wahl war die Wahl."
    last = text.rindex("die Wahl")
    assert llm.to_spans(text, [{"quote": "die Wahl", "before": "war "}])[0][0]["start"] == last
    assert llm.to_spans(text, [{"quote": "die wahl", "before": "WAR "}])[0][0]["start"] == last
    assert llm.to_spans(text, [{"quote": "die Wahl", "before": "war"}])[0][0]["start"] == last  # space dropped
    # words that are not in the text are ignored, not fatal; a non-string is ignored too
    assert llm.to_spans(text, [{"quote": "die Wahl", "before": "nirgends "}])[0][0]["start"] == text.index("die W")
    assert llm.to_spans(text, [{"quote": "die Wahl", "before": 3}])[0][0]["start"] == text.index("die W")


def test_category_and_severity_mapping() -> None:
    assert llm.category_of("Accuracy/Mistranslation") == "accuracy/mistranslation"
    assert llm.category_of("entity") == "accuracy/entity"
    assert llm.category_of("Accuracy/Something") == "accuracy/other"
    assert llm.category_of(None) == "other"
    assert (llm.severity_of("Minor"), llm.severity_of("critical"), llm.severity_of(None)) == ("minor", "major", "major")


# -- the card of a real build ----------------------------------------------------------------------------------------


def test_build_card_carries_the_baselines_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = built_release(tmp_path)
    card = (folder / "README.md").read_text(encoding="utf-8")
    table = card.split("## Baselines", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert {r[1] for r in rows} == {"empty", "all", "length", "heuristic"}
    assert "Computed on all " in table
    for split in {r[0].strip("| ") for r in rows}:
        out = tmp_path / f"all-{split}.jsonl"
        assert main(["baseline", "all", "--gold", str(folder), "--split", split, "--out", str(out)]) == 0
        assert main(["score", "--gold", str(folder), "--split", split, "--predictions", str(out), "--json", "-"]) == 0
        recall = json.loads(capsys.readouterr().out.split("\n", 1)[1])["metrics"]["char_r"]
        row = next(r for r in rows if r[0].strip("| ") == split and r[1] == "all")
        assert row[4] == ("n/a" if recall is None else f"{recall:.3f}")
