"""Aggregation against numbers worked out by hand, and Krippendorff's alpha against an independent
per-character implementation written from the textbook definition (coincidence matrix)."""

from __future__ import annotations

import math
import random
from itertools import permutations
from pathlib import Path

import pytest

from newserrata.aggregate import (
    Alpha,
    aggregate,
    annotation_score,
    coverage_runs,
    iou,
    merge,
    pairwise_agreement,
)
from newserrata.records import Annotation, Record, SoftLabel, Span
from newserrata.sources import native
from newserrata.taxonomy import CATEGORIES, weight

TEXT = "abcdefghijklmnopqrst"  # 20 characters, so offsets read as letters


def ann(annotator: str, *spans: tuple[int, int, str, str], source: list[Span] | None = None) -> Annotation:
    return Annotation(annotator, "maintainer", [Span(s, e, TEXT[s:e], c, v) for s, e, c, v in spans], source or [])


def record(*annotations: Annotation, text: str = TEXT) -> Record:
    return aggregate(Record(id="r", group_id="g", source="test", language="en", text=text,
                            annotations=list(annotations), license="CC0-1.0"))


def gold(r: Record) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.category, s.severity) for s in r.spans]


def soft(r: Record) -> list[tuple[int, int, float]]:
    return [(s.start, s.end, s.prob) for s in r.soft_labels]


def test_merge_unions_sorts_and_joins_touching_runs() -> None:
    assert merge([(5, 8), (0, 2), (2, 3), (7, 10), (4, 4)]) == [(0, 3), (5, 10)]
    assert merge([]) == []


def test_coverage_runs_count_annotators_per_character() -> None:
    assert coverage_runs([[(0, 4)], [(2, 6)]], 8) == [(0, 2, 1), (2, 4, 2), (4, 6, 1), (6, 8, 0)]
    assert coverage_runs([], 3) == [(0, 3, 0)]


def test_soft_labels_two_annotators_by_hand() -> None:
    # A: a-d, B: c-f. a,b -> 1/2; c,d -> 2/2; e,f -> 1/2.
    r = record(ann("A", (0, 4, "fluency/grammar", "major")), ann("B", (2, 6, "fluency/spelling", "minor")))
    assert soft(r) == [(0, 2, 0.5), (2, 4, 1.0), (4, 6, 0.5)]
    # prob > 0.5 only: exactly half is not a majority.
    assert [(s, e) for s, e, _, _ in gold(r)] == [(2, 4)]
    assert r.spans[0].text == "cd"
    assert r.has_error


def test_soft_labels_three_annotators_by_hand() -> None:
    r = record(
        ann("A", (0, 10, "accuracy/entity", "major")),
        ann("B", (5, 10, "accuracy/entity", "major"), (12, 14, "fluency/spelling", "minor")),
        ann("C", (8, 12, "accuracy/entity", "minor")),
    )
    third, two_thirds = 1 / 3, 2 / 3
    assert soft(r) == [(0, 5, third), (5, 8, two_thirds), (8, 10, 1.0), (10, 14, third)]
    assert gold(r) == [(5, 10, "accuracy/entity", "major")]


def test_adjacent_runs_with_equal_probability_are_one_run() -> None:
    # One annotator marks a-b, another c-d: coverage is 1/2 throughout, stored as one run.
    r = record(ann("A", (0, 2, "other", "major")), ann("B", (2, 4, "other", "major")))
    assert soft(r) == [(0, 4, 0.5)]


def test_overlapping_spans_of_one_annotator_count_once() -> None:
    r = record(ann("A", (0, 6, "other", "major"), (3, 9, "fluency/grammar", "minor")), ann("B"))
    assert soft(r) == [(0, 9, 0.5)]


def test_gold_severity_majority_and_tie_goes_to_major() -> None:
    majority_minor = record(
        ann("A", (0, 5, "other", "minor")), ann("B", (0, 5, "other", "minor")), ann("C", (0, 5, "other", "major"))
    )
    assert gold(majority_minor) == [(0, 5, "other", "minor")]
    for first, second in permutations(["major", "minor"]):
        tie = record(ann("A", (0, 5, "other", first)), ann("B", (0, 5, "other", second)))
        assert gold(tie) == [(0, 5, "other", "major")]


def test_gold_category_majority_then_taxonomy_order() -> None:
    majority = record(
        ann("A", (0, 5, "fluency/spelling", "major")),
        ann("B", (0, 5, "fluency/spelling", "major")),
        ann("C", (0, 5, "accuracy/mistranslation", "major")),
    )
    assert gold(majority)[0][2] == "fluency/spelling"
    # A tie is broken by taxonomy order, not by which annotator came first.
    assert CATEGORIES.index("fluency/grammar") < CATEGORIES.index("fluency/spelling")
    for first, second in permutations(["fluency/spelling", "fluency/grammar"]):
        tie = record(ann("A", (0, 5, first, "minor")), ann("B", (0, 5, second, "minor")))
        assert gold(tie) == [(0, 5, "fluency/grammar", "minor")]


def test_gold_label_counts_only_spans_overlapping_the_run() -> None:
    r = record(
        ann("A", (0, 4, "accuracy/entity", "major"), (10, 12, "fluency/spelling", "minor")),
        ann("B", (0, 4, "accuracy/entity", "major"), (10, 12, "fluency/spelling", "minor")),
    )
    assert gold(r) == [(0, 4, "accuracy/entity", "major"), (10, 12, "fluency/spelling", "minor")]


def test_insertion_point_does_not_vote_on_a_run_it_sits_in() -> None:
    # An omission marks no character, so it must not decide the category of the characters around it.
    r = record(
        ann("A", (2, 6, "fluency/spelling", "minor"), (4, 4, "accuracy/omission", "major")),
        ann("B", (2, 6, "fluency/grammar", "major")),
    )
    assert gold(r) == [(2, 6, "fluency/grammar", "major")]
    assert r.mqm_score == -(1 + 5 + 5) / 2


def test_source_issue_and_neutral_do_not_count_as_errors() -> None:
    r = record(
        ann("A", (0, 5, "source-issue", "major")),
        ann("B", (0, 5, "style/awkward", "neutral")),
        ann("C", (3, 8, "source-issue", "minor"), (6, 9, "fluency/register", "neutral")),
    )
    assert r.soft_labels == [] and r.spans == [] and not r.has_error
    assert r.agreement == 1.0  # three empty sets of error characters agree
    # Neither weighs anything in the MQM score (Google's convention: source issues are not the translation's).
    assert [a.mqm_score for a in r.annotations] == [0.0, 0.0, 0.0]
    assert r.mqm_score == 0.0


def test_agreement_is_mean_pairwise_character_iou() -> None:
    r = record(ann("A", (0, 4, "other", "major")), ann("B", (2, 6, "other", "major")), ann("C"))
    # A/B: 2 shared of 6 -> 1/3; A/C and B/C: empty against non-empty -> 0.
    assert r.agreement == pytest.approx((1 / 3 + 0 + 0) / 3)
    assert record(ann("A", (0, 4, "other", "major"))).agreement is None


def test_iou_edge_cases() -> None:
    assert iou([], []) == 1.0
    assert iou([(0, 3)], []) == 0.0
    assert iou([(0, 2), (4, 6)], [(1, 5)]) == pytest.approx(2 / 6)
    assert iou([(0, 3)], [(0, 3)]) == 1.0
    assert pairwise_agreement([[]]) is None


@pytest.mark.parametrize(("category", "severity", "expected"), [
    ("accuracy/mistranslation", "major", 5.0),
    ("accuracy/mistranslation", "minor", 1.0),
    ("fluency/punctuation", "minor", 0.1),
    ("fluency/punctuation", "major", 5.0),
    ("non-translation", "major", 25.0),
    ("non-translation", "minor", 25.0),
    ("fluency/grammar", "neutral", 0.0),
    ("non-translation", "neutral", 0.0),
    ("source-issue", "major", 0.0),
    ("source-issue", "minor", 0.0),
    ("accuracy/omission", "minor", 1.0),
])
def test_mqm_weights(category: str, severity: str, expected: float) -> None:
    assert weight(category, severity) == expected


def test_annotation_score_sums_target_and_source_spans_and_rounds() -> None:
    punct = (0, 1, "fluency/punctuation", "minor")
    a = ann("A", punct, punct, punct, source=[Span(0, 1, "x", "accuracy/omission", "major")])
    # 0.1 * 3 is 0.30000000000000004 in floating point; the stored score is the rounded -5.3.
    assert annotation_score(a) == -5.3
    assert math.copysign(1.0, annotation_score(ann("B"))) == 1.0  # 0.0, never -0.0 in the JSON


def test_record_mqm_score_is_mean_over_annotators() -> None:
    r = record(
        ann("A", (0, 2, "non-translation", "major")),
        ann("B", (0, 2, "accuracy/entity", "major"), (3, 4, "fluency/punctuation", "minor")),
        ann("C"),
    )
    assert [a.mqm_score for a in r.annotations] == [-25.0, -5.1, 0.0]
    assert r.mqm_score == round(-30.1 / 3, 6)


def test_fixture_multi_annotator_article_by_hand(native_data: Path) -> None:
    records = {r.id: aggregate(r) for r in native.load(native_data, "fixture")}
    r = records["multi-en"]
    # Worked out on paper from tests/conftest.py: A = [39,53) [67,74) [75,91); B = [39,53) [63,74)
    # (its source-issue span does not count); C = [29,47) [80,99) (its neutral span does not count).
    t, tt = 1 / 3, 2 / 3
    assert soft(r) == [(29, 39, t), (39, 47, 1.0), (47, 53, tt), (63, 67, t), (67, 74, tt), (75, 80, t),
                       (80, 91, tt), (91, 99, t)]
    assert gold(r) == [(39, 53, "accuracy/entity", "major"), (67, 74, "accuracy/number-date", "major"),
                       (80, 91, "fluency/repetition", "major")]
    assert [s.text for s in r.spans] == ["Vladimir Putin", "per cap", "gas and gas"]
    assert [a.mqm_score for a in r.annotations] == [-15.0, -6.0, -6.0]  # B's source issue weighs nothing
    assert r.mqm_score == -9.0
    assert r.agreement == pytest.approx((21 / 41 + 19 / 55 + 8 / 54) / 3)
    clean = records["clean-en"]
    assert (clean.spans, clean.soft_labels, clean.agreement, clean.mqm_score, clean.has_error) == \
        ([], [], None, 0.0, False)


def test_aggregate_keeps_annotations_and_is_idempotent() -> None:
    r = record(ann("A", (0, 4, "other", "major")), ann("B", (2, 6, "other", "minor")))
    again = aggregate(r)
    assert again.to_dict() == r.to_dict()
    assert [len(a.spans) for a in r.annotations] == [1, 1]


# Krippendorff's alpha ----------------------------------------------------------------------------


def textbook_alpha(units: list[list[int]]) -> float:
    """Nominal alpha from the coincidence matrix, one unit per character, values 0/1 per annotator."""
    o = [[0.0, 0.0], [0.0, 0.0]]
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, vi in enumerate(values):
            for j, vj in enumerate(values):
                if i != j:
                    o[vi][vj] += 1 / (m - 1)
    n_c = [sum(row) for row in o]
    n = sum(n_c)
    observed = o[0][1] + o[1][0]
    expected = n_c[0] * n_c[1] + n_c[1] * n_c[0]
    return 1 - (n - 1) * observed / expected


def per_character_units(r: Record) -> list[list[int]]:
    flags = []
    for a in r.annotations:
        marked = [0] * len(r.text)
        for s in a.spans:
            if s.severity in ("major", "minor") and s.category != "source-issue":
                for i in range(s.start, s.end):
                    marked[i] = 1
        flags.append(marked)
    return [[f[i] for f in flags] for i in range(len(r.text))]


def test_alpha_by_hand() -> None:
    # Characters a..d; A marks a,b; B marks b,c. Units (1,0) (1,1) (0,1) (0,0): n=8, four ones, four zeros,
    # o_01 = o_10 = 2, so alpha = 1 - 7 * 4 / (2 * 4 * 4) = 0.125.
    alpha = Alpha()
    alpha.add(record(ann("A", (0, 2, "other", "major")), ann("B", (1, 3, "other", "major")), text="abcd"))
    assert alpha.value() == pytest.approx(0.125)


def test_alpha_perfect_agreement_and_degenerate_cases() -> None:
    perfect = Alpha()
    perfect.add(record(ann("A", (0, 5, "other", "major")), ann("B", (0, 5, "other", "minor"))))
    assert perfect.value() == pytest.approx(1.0)
    single = Alpha()
    single.add(record(ann("A", (0, 5, "other", "major"))))
    assert single.value() is None  # one annotator: nothing pairable
    nothing_marked = Alpha()
    nothing_marked.add(record(ann("A"), ann("B")))
    assert nothing_marked.value() is None  # no variation: alpha undefined, not 1


def test_alpha_matches_textbook_implementation_on_random_records() -> None:
    rng = random.Random(20250124)
    categories = ["accuracy/entity", "fluency/grammar", "source-issue", "style/awkward"]
    severities = ["major", "minor", "neutral"]
    for _ in range(20):
        alpha, units = Alpha(), []
        for _ in range(rng.randint(1, 6)):
            text = "x" * rng.randint(1, 60)
            annotators = []
            for k in range(rng.randint(1, 4)):  # records differ in how many annotators they have
                spans = []
                for _ in range(rng.randint(0, 4)):
                    s = rng.randrange(len(text))
                    e = rng.randint(s, len(text))
                    spans.append(Span(s, e, text[s:e], rng.choice(categories), rng.choice(severities)))
                annotators.append(Annotation(f"a{k}", "crowd", spans))
            r = aggregate(Record(id="r", group_id="g", source="t", language="en", text=text,
                                 annotations=annotators, license="x"))
            alpha.add(r)
            units.extend(u for u in per_character_units(r) if len(u) > 1)
        values = [v for u in units for v in u]
        if not values or len(set(values)) < 2:
            assert alpha.value() is None
        else:
            assert alpha.value() == pytest.approx(textbook_alpha(units), abs=1e-12)


def test_soft_labels_match_per_character_fraction_on_random_records() -> None:
    rng = random.Random(7)
    for _ in range(50):
        text = "y" * rng.randint(1, 40)
        annotators = []
        for k in range(rng.randint(1, 5)):
            spans = []
            for _ in range(rng.randint(0, 3)):
                s = rng.randrange(len(text))
                e = rng.randint(s, len(text))
                spans.append(Span(s, e, text[s:e], rng.choice(["other", "source-issue"]),
                                  rng.choice(["major", "minor", "neutral"])))
            annotators.append(Annotation(f"a{k}", "crowd", spans))
        r = aggregate(Record(id="r", group_id="g", source="t", language="en", text=text,
                             annotations=annotators, license="x"))
        units = per_character_units(r)
        expected = [sum(u) / len(u) for u in units]
        got = [0.0] * len(text)
        for label in r.soft_labels:
            assert isinstance(label, SoftLabel) and label.end > label.start
            for i in range(label.start, label.end):
                got[i] = label.prob
        assert got == pytest.approx(expected)
        hard = {i for s in r.spans for i in range(s.start, s.end)}
        assert hard == {i for i, p in enumerate(expected) if p > 0.5}
