"""The scorer's metrics, computed by hand on tiny records, and its pinned edge cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scoring_fixtures import gold_predictions, native_records, record

import newserrata
from newserrata.errors import InputError

TEXT = "abcdefghij"


def one(gold: dict[str, Any], spans: list[dict[str, Any]], **extra: Any) -> newserrata.Report:
    return newserrata.score([gold], [{"id": gold["id"], "spans": spans, **extra}])


def test_hand_computed_character_and_severity_metrics() -> None:
    gold = record("r1", TEXT, [[(2, 6, "accuracy/entity", "major")]])
    report = one(gold, [{"start": 4, "end": 8, "severity": "minor"}])
    m = report.metrics
    # gold chars 2..5, predicted 4..7: 2 matched of 4 and 4
    assert (m["char_p"], m["char_r"], m["char_f1"]) == (0.5, 0.5, 0.5)
    # the 2 matched characters carry the wrong severity: 0.5 each
    assert (m["char_p_sev"], m["char_r_sev"], m["char_f1_sev"]) == (0.25, 0.25, 0.25)
    assert m["shroom_iou"] == pytest.approx(2 / 6)
    assert m["record_iou"] == pytest.approx(2 / 6)
    # binary vectors: Spearman equals the phi coefficient (2*4 - 2*2) / sqrt(4*6*4*6)
    assert m["shroom_cor"] == pytest.approx(1 / 6)
    assert report.counts["matched_chars"] == 2
    assert report.per_category["accuracy/entity"]["recall"] == 0.5


def test_severity_credit_follows_wmt23_for_mixed_predicted_severities() -> None:
    gold = record("r1", TEXT, [[(0, 4, "accuracy/entity", "major"), (6, 10, "fluency/grammar", "minor")]])
    spans = [
        {"start": 0, "end": 2, "severity": "major"},   # 2 chars, same severity: 2
        {"start": 2, "end": 4, "severity": "minor"},   # 2 chars, other severity: 1
        {"start": 6, "end": 8},                        # severity missing = major, gold minor: 1
        {"start": 8, "end": 10, "severity": "minor"},  # 2 chars, same: 2
        {"start": 7, "end": 9, "severity": "minor"},   # chars 7 and 8 also minor: char 7 now full credit
    ]
    report = one(gold, spans)
    assert report.counts["severity_credit"] == 2 + 1 + 1.5 + 2
    assert report.metrics["char_f1_sev"] == pytest.approx(6.5 / 8)
    assert report.metrics["char_f1"] == 1.0


def test_overlapping_predicted_spans_score_as_their_union() -> None:
    gold = record("r1", TEXT, [[(2, 6, "accuracy/entity", "major")]])
    union = one(gold, [{"start": 2, "end": 5}, {"start": 3, "end": 6}, {"start": 2, "end": 6}])
    single = one(gold, [{"start": 2, "end": 6}])
    assert union.metrics == single.metrics
    assert union.metrics["char_f1"] == 1.0
    assert union.counts["predicted_chars"] == 4


def test_overlapping_probabilities_take_the_maximum() -> None:
    gold = record("r1", TEXT, [[(0, 6, "accuracy/entity", "major")], [(3, 8, "accuracy/entity", "major")]])
    # gold soft: 0-2 -> 0.5, 3-5 -> 1, 6-7 -> 0.5, 8-9 -> 0; prediction: 0-2 -> 0.3, 3-7 -> 0.9 (max), 8-9 -> 0
    spans = [{"start": 0, "end": 5, "prob": 0.3}, {"start": 3, "end": 8, "prob": 0.9}]
    x = [0.5] * 3 + [1.0] * 3 + [0.5] * 2 + [0.0] * 2
    y = [0.3] * 3 + [0.9] * 5 + [0.0] * 2
    from scipy.stats import spearmanr

    assert one(gold, spans).metrics["shroom_cor"] == pytest.approx(spearmanr(x, y).statistic)


def test_low_probability_and_neutral_spans_are_not_hard_predictions() -> None:
    gold = record("r1", TEXT, [[(2, 6, "accuracy/entity", "major")]])
    report = one(gold, [{"start": 2, "end": 6, "prob": 0.5}, {"start": 0, "end": 2, "severity": "neutral"}])
    assert report.counts["predicted_chars"] == 0
    assert report.metrics["char_f1"] == 0.0
    assert report.metrics["shroom_iou"] == 0.0
    # the soft side still sees the 0.5 span: a perfect rank match
    assert report.metrics["shroom_cor"] == pytest.approx(1.0)


def test_all_empty_predictions_score_zero_without_dividing_by_zero(tmp_path: Path) -> None:
    records = native_records(tmp_path)
    report = newserrata.score(records, [{"id": r["id"], "spans": []} for r in records])
    m = report.metrics
    assert m["char_p"] is None and m["char_p_sev"] is None
    assert m["char_r"] == 0.0 and m["char_f1"] == 0.0 and m["char_f1_sev"] == 0.0
    assert m["record_iou"] == 0.0
    assert report.counts["empty_both"] == 1  # the clean record
    assert m["shroom_iou"] == pytest.approx(1 / len(records))
    assert m["balanced_accuracy"] == 0.5
    assert m["auroc"] == 0.5  # every score ties at 0
    assert m["kendall"] is None and m["pearson"] is None  # a constant prediction has no ranking


def test_all_empty_gold() -> None:
    records = [record(f"r{i}", TEXT, [[]]) for i in range(3)]
    empty = newserrata.score(records, [{"id": r["id"], "spans": []} for r in records])
    m = empty.metrics
    assert m["char_p"] is None and m["char_r"] is None and m["char_f1"] is None and m["char_f1_sev"] is None
    assert m["shroom_iou"] == 1.0 and m["shroom_cor"] == 1.0
    assert m["record_iou"] is None and empty.counts["empty_both"] == 3
    assert m["auroc"] is None  # one class only
    assert m["balanced_accuracy"] == 1.0  # recall of the only class present
    assert m["kendall"] is None and m["pearson"] is None

    marked = newserrata.score(records, [{"id": "r0", "spans": [{"start": 0, "end": 10}]},
                                        {"id": "r1", "spans": []}, {"id": "r2", "spans": []}])
    m = marked.metrics
    assert m["char_p"] == 0.0 and m["char_r"] is None and m["char_f1"] == 0.0
    assert m["record_iou"] == 0.0 and marked.counts["empty_both"] == 2
    assert m["shroom_iou"] == pytest.approx(2 / 3)
    assert m["balanced_accuracy"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("gold_marks", "spans", "expected", "published"), [
    ([[]], [], 1.0, 1.0),                                              # empty vs empty
    ([[]], [{"start": 0, "end": 10}], 0.0, 1.0),                       # the free point, refused
    ([[]], [{"start": 0, "end": 10, "prob": 0.2}], 0.0, 1.0),          # constant low prob, same
    ([[(0, 10, "other", "major")]], [{"start": 0, "end": 10}], 1.0, 1.0),  # all marked, all predicted
    ([[(0, 10, "other", "major")]], [], 0.0, 1.0),                     # all marked, nothing predicted
    ([[(2, 6, "other", "major")]], [], 0.0, 0.0),                      # exactly one constant
    ([[(2, 6, "other", "major")]], [{"start": 0, "end": 10}], 0.0, 0.0),
    ([[]], [{"start": 2, "end": 6}], 0.0, 0.0),
])
def test_shroom_cor_constant_vectors(gold_marks: list, spans: list, expected: float, published: float) -> None:
    gold = record("r1", TEXT, gold_marks)
    assert one(gold, spans).metrics["shroom_cor"] == expected
    assert published_shroom_cor(gold, spans) == published


def test_shroom_iou_empty_vs_empty_is_one_and_record_iou_leaves_it_out() -> None:
    records = [record("e", TEXT, [[]]), record("m", TEXT, [[(0, 5, "other", "major")]])]
    report = newserrata.score(records, [{"id": "e", "spans": []}, {"id": "m", "spans": [{"start": 0, "end": 10}]}])
    assert report.metrics["shroom_iou"] == pytest.approx((1.0 + 0.5) / 2)
    assert report.metrics["record_iou"] == 0.5
    assert report.counts["empty_both"] == 1


def test_document_level_metrics_by_hand() -> None:
    records = [
        record("a", TEXT, [[(0, 2, "other", "major")]]),    # mqm -5
        record("b", TEXT, [[(0, 2, "other", "minor")]]),    # mqm -1
        record("c", TEXT, [[]]),                            # mqm 0
        record("d", TEXT, [[(0, 2, "other", "major"), (4, 6, "other", "major")]]),  # mqm -10
    ]
    predictions = [
        {"id": "a", "spans": [], "score": 3.0},
        {"id": "b", "spans": [{"start": 0, "end": 1}], "score": 1.0},
        {"id": "c", "spans": [], "score": 2.0},
        {"id": "d", "spans": [{"start": 5, "end": 6}], "score": 4.0},
    ]
    m = newserrata.score(records, predictions).metrics
    # positives a, b, d (3, 1, 4) against the negative c (2): 2 of 3 pairs ordered correctly
    assert m["auroc"] == pytest.approx(2 / 3)
    # predicted has_error: b and d; recall on errors 2/3, on clean 1/1
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    # badness 5, 1, 0, 10 against scores 3, 1, 2, 4: pairs (a,c) is the only discordant one of 6
    assert m["kendall"] == pytest.approx((5 - 1) / 6)
    from scipy.stats import pearsonr

    assert m["pearson"] == pytest.approx(pearsonr([3, 1, 2, 4], [5, 1, 0, 10]).statistic)


def test_score_derived_from_spans_when_missing() -> None:
    records = [record("a", TEXT, [[(0, 2, "other", "major")]]), record("b", TEXT, [[]]),
               record("c", TEXT, [[(0, 2, "fluency/punctuation", "minor")]])]
    predictions = [
        {"id": "a", "spans": [{"start": 0, "end": 2}]},                                  # 5
        {"id": "b", "spans": [{"start": 0, "end": 2, "severity": "minor"}]},             # 1
        {"id": "c", "spans": [{"start": 0, "end": 2, "severity": "minor", "category": "fluency/punctuation"}]},
    ]
    report = newserrata.score(records, predictions)
    # predicted badness 5, 1, 0.1 against gold 5, 0, 0.1: b and c swap places
    assert report.metrics["kendall"] == pytest.approx(1 / 3)
    assert report.metrics["auroc"] == 0.5


def test_per_source_and_per_category_breakdown() -> None:
    records = [record("a", TEXT, [[(0, 4, "accuracy/entity", "major")]], source="wmt"),
               record("b", TEXT, [[(0, 4, "fluency/grammar", "minor")]], source="native")]
    predictions = [{"id": "a", "spans": [{"start": 0, "end": 4, "category": "accuracy/entity"}]},
                   {"id": "b", "spans": [{"start": 6, "end": 8, "category": "accuracy/entity"}]}]
    report = newserrata.score(records, predictions)
    assert report.per_source["wmt"]["char_f1"] == 1.0
    assert report.per_source["native"]["char_f1"] == 0.0
    assert report.per_source["native"]["records"] == 1
    assert report.per_category["accuracy/entity"] == {"gold_chars": 4, "found_chars": 4, "recall": 1.0,
                                                      "predicted_chars": 6, "predicted_in_gold": 4,
                                                      "precision": pytest.approx(4 / 6)}
    assert report.per_category["fluency/grammar"]["recall"] == 0.0


def test_perfect_prediction_on_the_native_fixture(tmp_path: Path) -> None:
    records = native_records(tmp_path)
    report = newserrata.score(records, gold_predictions(records))
    m = report.metrics
    assert m["char_f1"] == m["char_f1_sev"] == m["shroom_iou"] == m["record_iou"] == 1.0
    assert m["auroc"] == 1.0 and m["balanced_accuracy"] == 1.0
    assert report.to_dict()["metrics"] == m


def test_bootstrap_is_seeded_and_brackets_the_estimate(tmp_path: Path) -> None:
    records = [record(f"r{i}", TEXT, [[(0, 1 + i % 7, "other", "major")]]) for i in range(30)]
    predictions = [{"id": f"r{i}", "spans": [{"start": 0, "end": 1 + i % 5}]} for i in range(30)]
    a = newserrata.score(records, predictions, bootstrap=200, seed=7)
    b = newserrata.score(records, predictions, bootstrap=200, seed=7)
    c = newserrata.score(records, predictions, bootstrap=200, seed=8)
    assert a.intervals == b.intervals and a.intervals != c.intervals
    low, high = a.intervals["char_f1"]
    assert low <= a.metrics["char_f1"] <= high and low < high
    assert a.intervals["auroc"] is None  # every record has an error: never defined
    assert newserrata.score(records, predictions).intervals == {}


# -- bad predictions: each an InputError naming the line and the field ---------------------------------------------

def problems_of(records: list[dict[str, Any]], predictions: list[dict[str, Any]], **options: Any) -> list[str]:
    with pytest.raises(InputError) as caught:
        newserrata.score(records, predictions, **options)
    return [str(p) for p in caught.value.problems]


def test_out_of_range_and_inverted_offsets_name_the_line() -> None:
    records = [record("a", TEXT, [[]]), record("b", TEXT, [[]])]
    found = problems_of(records, [{"id": "a", "spans": [{"start": 3, "end": 11}]},
                                  {"id": "b", "spans": [{"start": 0, "end": 1}, {"start": 5, "end": 4}]}])
    assert found[0].startswith("<predictions>:2: /spans/1/start: start 5 is after end 4")
    assert found[1].startswith("<predictions>:1: /spans/0/end: end 11 is past the end of the text (10 characters)")
    assert len(found) == 2


def test_decimal_offsets_are_errors_not_crashes() -> None:
    records = [record("a", TEXT, [[]])]
    found = problems_of(records, [{"id": "a", "spans": [{"start": 1.0, "end": 3, "text": "bc"},
                                                        {"start": 3, "end": 11}]}])
    assert found == ["<predictions>:1: /spans/0/start: offset 1.0 is written as a decimal "
                     "(fix: write offsets as whole numbers (18, not 18.0))"]


def test_duplicate_unknown_and_schema_errors() -> None:
    records = [record("a", TEXT, [[]])]
    found = problems_of(records, [{"id": "a", "spans": []}, {"id": "a", "spans": []},
                                  {"id": "zz", "spans": []}, {"id": "a", "spans": [{"start": 0, "end": 1, "prob": 2}]}])
    assert found[0].startswith("<predictions>:2: /id: duplicate id 'a', first on line 1")
    assert found[1].startswith("<predictions>:4: /spans/0/prob:")
    assert found[2].startswith("<predictions>:3: /id: no record 'zz' in <gold>")
    assert len(found) == 3


def test_non_finite_numbers_are_errors(tmp_path: Path) -> None:
    from newserrata import predictions as preds
    from newserrata.errors import Problems

    path = tmp_path / "pred.jsonl"
    path.write_text('{"id": "a", "spans": [], "score": NaN}\n'
                    '{"id": "b", "spans": [{"start": 0, "end": 1, "prob": NaN}]}\n')
    problems = Problems()
    assert preds.read(path, problems) == {}
    assert [(p.line, p.pointer) for p in problems] == [(1, "/score"), (2, "/spans/0/prob")]


def test_missing_ids_are_an_error_unless_allowed() -> None:
    records = [record("a", TEXT, [[(0, 4, "other", "major")]]), record("b", TEXT, [[(0, 4, "other", "major")]])]
    found = problems_of(records, [{"id": "a", "spans": [{"start": 0, "end": 4}]}])
    assert len(found) == 1
    assert "<predictions>: /id: 1 record(s) of <gold> have no prediction: 'b'" in found[0]
    assert "--allow-missing" in found[0]
    report = newserrata.score(records, [{"id": "a", "spans": [{"start": 0, "end": 4}]}], allow_missing=True)
    assert report.missing == 1 and report.records == 2
    assert report.metrics["char_r"] == 0.5 and report.metrics["char_p"] == 1.0


def test_text_mismatch_is_an_error() -> None:
    records = [record("a", TEXT, [[]])]
    found = problems_of(records, [{"id": "a", "spans": [{"start": 0, "end": 3, "text": "abc"},
                                                        {"start": 3, "end": 5, "text": "xy"}]}])
    assert found == ["<predictions>:1: /spans/1/text: span text 'xy' does not match the article at [3:5], "
                     "which is 'de' (fix: offsets are 0-based code points into the NFC text with \\n newlines, "
                     "end exclusive)"]


def test_code_point_offsets_beyond_the_basic_plane(tmp_path: Path) -> None:
    records = native_records(tmp_path)
    emoji = next(r for r in records if r["id"] == "emoji-en")
    start = emoji["text"].index("202nd")
    report = newserrata.score([emoji], [{"id": "emoji-en", "spans": [{"start": start, "end": start + 5,
                                                                      "text": "202nd"}]}])
    assert report.metrics["char_p"] == 1.0


# -- the published Mu-SHROOM definitions, written out per character, as a cross-check --------------------------------

def published_vectors(gold: dict[str, Any], spans: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Per-character vectors the way the task defines them: later soft spans overwrite earlier ones."""
    n = len(gold["text"])
    ref, pred = [0.0] * n, [0.0] * n
    for s in gold["soft_labels"]:
        for i in range(s["start"], s["end"]):
            ref[i] = s["prob"]
    for s in spans:
        for i in range(s["start"], s["end"]):
            pred[i] = s.get("prob", 1.0)
    return ref, pred


def published_shroom_cor(gold: dict[str, Any], spans: list[dict[str, Any]]) -> float:
    from scipy.stats import spearmanr

    ref, pred = published_vectors(gold, spans)
    ref_values, pred_values = {round(v, 8) for v in ref}, {round(v, 8) for v in pred}
    if len(ref_values) == 1 or len(pred_values) == 1:
        return float(len(ref_values) == len(pred_values))
    return float(spearmanr(ref, pred).correlation)


def published_shroom_iou(gold: dict[str, Any], spans: list[dict[str, Any]]) -> float:
    ref = {i for s in gold["spans"] for i in range(s["start"], s["end"])}
    pred = {i for s in spans if s.get("prob", 1.0) > 0.5 for i in range(s["start"], s["end"])}
    return 1.0 if not ref and not pred else len(ref & pred) / len(ref | pred)


def test_matches_the_published_definitions_on_random_records() -> None:
    import random

    rng = random.Random(5)
    records, predictions, expected_iou, expected_cor = [], [], [], []
    for i in range(300):
        n = rng.randint(1, 60)
        text = "".join(rng.choice("ab ") for _ in range(n))
        annotators = []
        for _ in range(rng.randint(1, 4)):
            marks = []
            for _ in range(rng.randint(0, 3)):
                s = rng.randrange(n)
                marks.append((s, rng.randint(s + 1, n), "other", rng.choice(["major", "minor"])))
            annotators.append(marks)
        gold = record(f"r{i}", text, annotators)
        spans = []
        start = 0
        for _ in range(rng.randint(0, 3)):  # disjoint, so "later overwrites" and "max" agree
            if start >= n:
                break
            s = rng.randint(start, n - 1)
            e = rng.randint(s + 1, n)
            spans.append({"start": s, "end": e, "prob": rng.choice([1.0, 0.25, 0.5, 0.75, 0.9])})
            start = e
        if rng.random() < 0.1:
            spans = [{"start": 0, "end": n, "prob": 0.7}]
        records.append(gold)
        predictions.append({"id": gold["id"], "spans": spans})
        expected_iou.append(published_shroom_iou(gold, spans))
        cor = published_shroom_cor(gold, spans)
        ref, pred = published_vectors(gold, spans)
        if len(set(ref)) == 1 and len(set(pred)) == 1 and (ref[0] == 0) != (pred[0] == 0):
            cor = 0.0  # our one documented departure
        expected_cor.append(cor)
        single = newserrata.score([gold], [{"id": gold["id"], "spans": spans}]).metrics
        assert single["shroom_iou"] == pytest.approx(expected_iou[-1], abs=1e-12), gold["id"]
        assert single["shroom_cor"] == pytest.approx(expected_cor[-1], abs=1e-9), gold["id"]
    report = newserrata.score(records, predictions)
    assert report.metrics["shroom_iou"] == pytest.approx(sum(expected_iou) / len(expected_iou))
    assert report.metrics["shroom_cor"] == pytest.approx(sum(expected_cor) / len(expected_cor))


def wmt23_credit(gold: dict[str, Any], spans: list[dict[str, Any]]) -> tuple[float, int, int]:
    """WMT23 QE Task 2, per character: full credit for a matching severity, half for another."""
    n = len(gold["text"])
    gold_major, gold_minor, sys_major, sys_minor = ([0] * n for _ in range(4))
    for s in gold["spans"]:
        for i in range(s["start"], s["end"]):
            (gold_major if s["severity"] == "major" else gold_minor)[i] += 1
    for s in spans:
        for i in range(s["start"], s["end"]):
            (sys_major if s.get("severity", "major") == "major" else sys_minor)[i] += 1
    tp, total_gold, total_sys = 0.0, 0, 0
    for gm, gn, sm, sn in zip(gold_major, gold_minor, sys_major, sys_minor, strict=True):
        total_gold += bool(gm or gn)
        total_sys += bool(sm or sn)
        if gm:
            tp += 1 if sm else 0.5 if sn else 0
        elif gn:
            tp += 1 if sn else 0.5 if sm else 0
    return tp, total_gold, total_sys


def test_severity_f1_matches_the_wmt23_definition_on_random_records() -> None:
    import random

    rng = random.Random(11)
    records, predictions = [], []
    tp = total_gold = total_sys = 0.0
    for i in range(200):
        n = rng.randint(5, 50)
        marks = [(s, rng.randint(s + 1, n), "other", rng.choice(["major", "minor"]))
                 for s in (rng.randrange(n) for _ in range(rng.randint(0, 3)))]
        gold = record(f"r{i}", "x" * n, [marks])
        spans = [{"start": s, "end": rng.randint(s, n), "severity": rng.choice(["major", "minor"])}
                 for s in (rng.randrange(n) for _ in range(rng.randint(0, 4)))]
        records.append(gold)
        predictions.append({"id": gold["id"], "spans": spans})
        a, b, c = wmt23_credit(gold, spans)
        tp, total_gold, total_sys = tp + a, total_gold + b, total_sys + c
    m = newserrata.score(records, predictions).metrics
    assert m["char_p_sev"] == pytest.approx(tp / total_sys)
    assert m["char_r_sev"] == pytest.approx(tp / total_gold)
    p, r = tp / total_sys, tp / total_gold
    assert m["char_f1_sev"] == pytest.approx(2 * p * r / (p + r))
