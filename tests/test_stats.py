"""The one bounded sample: the `limit` smallest keys, ties to the earlier item, in arrival order."""

from __future__ import annotations

import random

from newserrata.stats import Sample, id_key


def test_sample_keeps_the_smallest_keys_in_arrival_order() -> None:
    keys = list(range(100))
    random.Random(1).shuffle(keys)
    sample = Sample(10)
    for key in keys:
        sample.add(key, {"key": key})
    assert [item["key"] for item in sample.items()] == [k for k in keys if k < 10]


def test_ties_keep_the_earlier_item_and_order_does_not_change_the_choice() -> None:
    sample = Sample(2)
    for n, key in enumerate([5, 1, 5, 1, 5]):
        sample.add(key, n)
    assert sample.items() == [1, 3]
    ids = [f"r{n}" for n in range(50)]
    chosen = []
    for order in (ids, ids[::-1]):
        s = Sample(5)
        for record_id in order:
            s.add(id_key(record_id), record_id)
        chosen.append(sorted(s.items()))
    assert chosen[0] == chosen[1]


def test_an_item_once_in_stays_in_when_larger_keys_arrive() -> None:
    sample = Sample(3)
    for key in (3, 1, 2):
        sample.add(key, key)
    for key in range(4, 50):
        sample.add(key, key)
    assert sample.items() == [3, 1, 2]
