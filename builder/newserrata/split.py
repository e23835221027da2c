"""Splits by group hash, and the leak check that makes the splits trustworthy.

A record's split depends only on the release salt and its group_id, never on what else is in
the build, so adding records never moves an existing one and all translations of a source
document land together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from newserrata.errors import Problems

SCALE = 2**64


def bucket(salt: str, group_id: str) -> float:
    """A uniform number in [0, 1) fixed by (salt, group_id)."""
    digest = hashlib.sha256(f"{salt}\x00{group_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / SCALE


def assign(salt: str, group_id: str, fractions: dict[str, float]) -> str:
    """The split whose cumulative share first exceeds the group's bucket (order as in the release file)."""
    point = bucket(salt, group_id)
    total = 0.0
    name = ""
    for name, share in fractions.items():
        total += share
        if point < total:
            return name
    return name


@dataclass
class LeakCheck:
    """Per-record bookkeeping only: the split of every group and of every distinct text."""

    groups: dict[str, str] = field(default_factory=dict)
    texts: dict[bytes, tuple[str, str]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def add(self, record_id: str, group_id: str, text: str, split: str, where: str, problems: Problems) -> None:
        if record_id in self.ids:
            problems.add(where, None, "/id", f"duplicate record id {record_id!r}", "record ids are unique in a release")
        self.ids.add(record_id)
        first = self.groups.setdefault(group_id, split)
        if first != split:
            problems.add(where, None, "/group_id", f"leak: group {group_id!r} is in both {first} and {split}",
                         "a group's split is fixed by its group_id; check the splitter")
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        seen = self.texts.setdefault(key, (split, record_id))
        if seen[0] != split:
            problems.add(where, None, "/text",
                         f"leak: record {record_id!r} ({split}) has the same text as {seen[1]!r} ({seen[0]})",
                         "identical texts must share a group_id: give both records the same group_id")
