"""`newserrata publish`: push a locked, built version to the Hub."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata.cli.output import emit, input_arg, json_option
from newserrata.publish import PublishError, format_plan, publish


def run(args: argparse.Namespace) -> int:
    try:
        result = publish(Path(args.build), args.repo, private=args.private, create_pr=args.create_pr,
                         dry_run=args.dry_run, endpoint=args.endpoint,
                         release=Path(args.release) if args.release else None, progress=not args.json)
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    if result.status == "dry-run":
        human = f"{format_plan(result)}\ndry run: nothing was sent"
    else:
        human = f"{result.status}: {result.repo}@{result.plan.tag} -> {result.commit or result.pr_url}"
    emit(args.json, result.to_dict(), human)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish", help="upload a built version to the Hugging Face Hub and tag it",
        description="Verify a build folder (not partial, locked in data/releases/, every file matching "
                    "MANIFEST.json, records valid, card valid), upload it to a dataset repository in one commit, "
                    "and tag that commit v<version>. Safe to re-run. The token comes from HF_TOKEN or "
                    "`hf auth login`. Exit 2 when the build or the tag is refused, 1 when the Hub fails.")
    input_arg(p, "build", help="the build folder, dist/<version>")
    p.add_argument("--repo", required=True, help="dataset repository, ORG/NAME")
    p.add_argument("--private", action="store_true", help="create the repository private (if it does not exist)")
    p.add_argument("--create-pr", action="store_true",
                   help="open a pull request instead of committing to main; run publish again after merging to tag")
    p.add_argument("--dry-run", action="store_true", help="verify and print the plan; send nothing")
    p.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT or https://huggingface.co)")
    input_arg(p, "--release", help="release manifest whose releases/ folder holds the lock "
              "(default: data/release.toml)")
    json_option(p, "the result")
    p.set_defaults(func=run)
