"""Rows whose copy of a segment repeats part of it: realigned to the segment text when the rule is exact.

Google's newstest2020 source-error files (`mqm_newstest2020_*.source-errors.tsv`) write the text a
rater marked a second time, right beside itself: `<v>„</v>„Die Richtlinie ...`, `Prinzen<v>Prinzen</v>`,
`<v>Seth Dunlap Louisiana</v>Seth Dunlap Louisiana: ...`, and sometimes the text another error of
the segment marked (`... Smollett FallSmollett Fall`). Another row of the same segment then carries
the text without the copies, and the two cannot be reconciled character by character.

The rule: a row is realigned to the segment text when deleting from one of them only pieces that
stand right beside an identical copy of themselves (at most three in a row, one after the other)
gives exactly the other; nothing else may differ. Characters both keep map one to one; a character
of a deleted copy maps to the same character of the copy beside it. A span on the doubled text
becomes the marked text where its first (or last) character lands, when the segment text has it
there, and otherwise what lies between where its first and last characters land. Any other
difference is not an artifact this rule knows: the caller drops the span and counts it (or refuses
the file, strict). A row that is its segment's only witness cannot be checked: its text is the
segment text as written.
"""

from __future__ import annotations

from difflib import SequenceMatcher

MAX_PIECES = 3


def _slide(text: str, start: int, end: int, low: int, high: int) -> tuple[int, int, int] | None:
    """The piece text[start:end], slid within [low, high) (which leaves what deleting it gives
    unchanged) to where an identical copy stands beside it: (start, end, offset of the copy); None if
    there is no such place."""
    size = end - start
    while start > low and text[start - 1] == text[end - 1]:
        start, end = start - 1, end - 1
    while True:
        piece = text[start:end]
        if text[end : end + size] == piece:
            return start, end, size
        if start >= size and text[start - size : start] == piece:
            return start, end, -size
        if end >= high or text[start] != text[end]:
            return None
        start, end = start + 1, end + 1


def _pieces(text: str, start: int, end: int, low: int, high: int, depth: int = MAX_PIECES) -> dict[int, int] | None:
    """Deleting text[start:end] as at most `depth` pieces, one after the other, each standing beside an
    identical copy of itself when it goes: {character deleted: the same character of its copy}; None
    when there are no such pieces. (`ThunbergtoThunbergto Thunbergto` loses two copies in turn.)"""
    found = _slide(text, start, end, low, high)
    if found is not None:
        first, last, offset = found
        return {x: x + offset for x in range(first, last)}
    for cut, prefix in ((c, p) for c in range(start + 1, end) for p in (True, False)) if depth > 1 else ():
        # The first piece to go is the chunk's head (the rest then starts where it did) or its tail.
        found = _slide(text, start, cut, low, cut) if prefix else _slide(text, cut, end, cut, high)
        if found is None:
            continue
        first, last, offset = found
        size = last - first
        rest = _pieces(text[:first] + text[last:], start, start + end - cut if prefix else cut, low, high - size,
                       depth - 1)
        if rest is None:
            continue

        def back(y: int, first: int = first, size: int = size) -> int:
            return y if y < first else y + size

        moved = {x: x + offset for x in range(first, last)}
        moved.update({back(y): back(z) for y, z in rest.items()})
        return moved
    return None


def _copies(row: str, segment: str) -> tuple[dict[int, int], dict[int, int]] | None:
    """Pieces of the row, and of the segment text, that are copies beside their original, as
    {character: offset of the same character in the copy beside it}; None when the two differ by
    anything else."""
    opcodes = SequenceMatcher(None, row, segment, autojunk=False).get_opcodes()
    moved: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for i, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            continue
        if op == "replace":
            return None
        side, text, start, end = (0, row, i1, i2) if op == "delete" else (1, segment, j1, j2)
        column = 1 + 2 * side
        before = opcodes[i - 1] if i and opcodes[i - 1][0] == "equal" else None
        after = opcodes[i + 1] if i + 1 < len(opcodes) and opcodes[i + 1][0] == "equal" else None
        found = _pieces(text, start, end, before[column] if before else start, after[column + 1] if after else end)
        if found is None:
            return None
        moved[side].update(found)
    return moved


def realign(row: str, start: int, end: int, segment: str) -> tuple[int, int] | None:
    """The span [start, end) of the row placed in the segment text, or None when the rule does not apply."""
    found = _copies(row, segment)
    if found is None:
        return None
    row_moved, segment_moved = found
    kept = [x for x in range(len(row)) if x not in row_moved]
    covered = [y for y in range(len(segment)) if y not in segment_moved]
    if len(kept) != len(covered) or any(row[x] != segment[y] for x, y in zip(kept, covered, strict=True)):
        return None
    to_segment = dict(zip(kept, covered, strict=True))

    def land(x: int) -> int | None:
        for _ in range(MAX_PIECES + 1):  # a copy may itself be a deleted copy of a further one
            if x not in row_moved:
                return to_segment.get(x)
            x = row_moved[x]
        return None

    first, last = land(start), land(end - 1)
    marked = row[start:end]
    if first is not None and segment[first : first + len(marked)] == marked:
        return first, first + len(marked)
    if last is not None and segment[last + 1 - len(marked) : last + 1] == marked:
        return last + 1 - len(marked), last + 1
    if first is None or last is None or first > last:
        return None
    return first, last + 1
