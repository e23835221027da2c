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


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A record left out because an earlier record of its group has the same text (see LeakCheck)."""

    source: str
    dropped: str
    kept: str
    group_id: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "dropped": self.dropped, "kept": self.kept, "group_id": self.group_id}


@dataclass
class LeakCheck:
    """Per-record bookkeeping only: the split of every group and the first record of every distinct text.

    The duplicate rule: no two records of a release share a text. A record whose text an earlier
    record already has (two systems that wrote the same words, one text rated twice, a boilerplate
    summary) is left out and listed, the first met in release order being kept, so that one text's
    gold is never counted twice and never sits in two splits."""

    groups: dict[str, str] = field(default_factory=dict)
    texts: dict[bytes, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def add(self, record_id: str, group_id: str, text: str, split: str, where: str, problems: Problems) -> str | None:
        """The id of the earlier record with this text, when this record is a duplicate."""
        if record_id in self.ids:
            problems.add(where, None, "/id", f"duplicate record id {record_id!r}", "record ids are unique in a release")
        self.ids.add(record_id)
        first = self.groups.setdefault(group_id, split)
        if first != split:
            problems.add(where, None, "/group_id", f"leak: group {group_id!r} is in both {first} and {split}",
                         "a group's split is fixed by its group_id; check the splitter")
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        kept = self.texts.setdefault(key, record_id)
        return None if kept == record_id else kept
