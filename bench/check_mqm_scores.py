"""Show that imported segment scores equal Google's published ones (`*.avg_seg_scores.tsv`).

Usage: python bench/check_mqm_scores.py RATINGS.tsv AVG_SEG_SCORES.tsv [--json]

Every segment the importer rated is looked up by (system, globalSegId) in Google's file; the script
prints how many match to 6 decimals, how many differ, and how many have no published score. Google
names human references differently in the two files (`ref` vs `ref-A`, `refB` vs `ref-B`), so
reference names are compared in one canonical spelling. Exit status 1 when any segment differs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from newserrata.sources import mqm


def canonical_system(name: str) -> str:
    """`ref`, `refA`, `ref.A`, `ref-A` are one system; `ref` alone is Google's first reference, A."""
    match = re.fullmatch(r"ref[-_.]?([A-Za-z]?)", name.strip(), re.IGNORECASE)
    return f"ref-{(match.group(1) or 'A').upper()}" if match else name.strip()


def published(path: Path) -> dict[tuple[str, str], float | None]:
    scores: dict[tuple[str, str], float | None] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if (number == 1 and parts[:1] == ["system"]) or not parts:
            continue
        system, score, seg_id = parts
        scores[(canonical_system(system), seg_id)] = None if score == "None" else float(score)
    return scores


def compare(ratings: Path, scores: Path) -> dict[str, object]:
    google = published(scores)
    matched, mismatched, unpublished, examples = 0, 0, 0, []
    for system, _, seg_id, ours in mqm.segment_scores(ratings):
        want = google.get((canonical_system(system), seg_id))
        if want is None:
            unpublished += 1
        elif round(ours or 0.0, 6) == round(want, 6):
            matched += 1
        else:
            mismatched += 1
            if len(examples) < 10:
                examples.append({"system": system, "seg_id": seg_id, "ours": ours, "google": want})
    return {"matched": matched, "mismatched": mismatched, "rated_without_published_score": unpublished,
            "published_scores": sum(v is not None for v in google.values()), "examples": examples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ratings", type=Path, help="an MQM ratings file, e.g. mqm_ted_ende.tsv")
    parser.add_argument("scores", type=Path, help="Google's per-segment scores, e.g. mqm_ted_ende.avg_seg_scores.tsv")
    parser.add_argument("--json", action="store_true", help="print a machine-readable result")
    args = parser.parse_args()
    result = compare(args.ratings, args.scores)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"rated segments: {result['matched']} matched, {result['mismatched']} mismatched, "
              f"{result['rated_without_published_score']} without a published score "
              f"({result['published_scores']} published scores)")
        for example in result["examples"]:  # type: ignore[attr-defined]
            print("  differs:", example)
    return 1 if result["mismatched"] else 0


if __name__ == "__main__":
    sys.exit(main())
