"""`newserrata publish`: one built version to the Hugging Face Hub as one commit and one immutable tag.

A published version must be exactly the locked build: so the folder is verified first (manifest
checksums, lock file, records, card), and only then does anything leave the machine. The upload is a
single commit, so a failure never leaves half a version on `main`; the tag is created on the commit
id that commit returned, never on a moving branch name, and an existing tag is never moved. Running
it again is safe: content already at the tag or on `main` is recognised and nothing new is committed.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, TypeVar

import httpx2
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, DatasetCard, HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile
from tqdm import tqdm

from newserrata.errors import InputError, Problems, scrub
from newserrata.jsonl import read_json
from newserrata.manifest import LOCK_RESTORE_HINT, LOCK_SHAPE, MANIFEST_SHAPE
from newserrata.paths import open_input
from newserrata.release import SEMVER
from newserrata.validate import Checked, validate_records

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REPO_TYPE = "dataset"
KEEP_REMOTE = frozenset({".gitattributes"})
LOCK_HINT = "run `newserrata build --lock`, commit data/releases/<version>.lock.json, and publish that build"


class PublishError(Exception):
    """A failure talking to the Hub; the message is safe to print (the token is scrubbed from it)."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file of the build as the Hub will identify it: LFS files by sha256, others by git blob sha1."""

    path: str
    size: int
    sha256: str
    git_sha1: str
    absolute: Path


@dataclass
class Plan:
    folder: Path
    version: str
    tag: str
    files: list[LocalFile]


@dataclass
class PublishResult:
    repo: str
    plan: Plan
    status: str
    commit: str | None = None
    pr_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "version": self.plan.version,
            "tag": self.plan.tag,
            "status": self.status,
            "commit": self.commit,
            "pr_url": self.pr_url,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.plan.files],
        }


# the local side: nothing is sent until the build is proven to be the locked one


def _hash_file(path: Path) -> tuple[str, str, int]:
    """sha256 and git blob sha1 in one read: the manifest speaks sha256, the Hub's tree speaks both."""
    size = path.stat().st_size
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(b"blob %d\0" % size)
    with open_input(path) as handle:
        while chunk := handle.read(1 << 20):
            sha256.update(chunk)
            sha1.update(chunk)
    return sha256.hexdigest(), sha1.hexdigest(), size


def check_files(folder: Path, manifest: dict[str, Any], problems: Problems) -> list[LocalFile]:
    """Every file on disk is in the manifest with the same size and sha256, and nothing is missing."""
    listed: dict[str, Any] = manifest.get("files") or {}
    where = str(folder / "MANIFEST.json")
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    files = []
    for path in on_disk:
        if path == "MANIFEST.json":
            continue
        if path not in listed:
            problems.add(str(folder / path), None, "", "file is not listed in MANIFEST.json",
                         "remove it, or rebuild: only built files are published")
            continue
        sha256, sha1, size = _hash_file(folder / path)
        expected = listed[path]
        if expected.get("size") != size or expected.get("sha256") != sha256:
            problems.add(str(folder / path), None, "", f"size {size} / sha256 {sha256} differ from MANIFEST.json "
                         f"({expected.get('size')} / {expected.get('sha256')}): the file was changed after the build",
                         "rebuild with `newserrata build`; never edit a built folder")
            continue
        files.append(LocalFile(path, size, sha256, sha1, folder / path))
    for path in sorted(set(listed) - set(on_disk)):
        problems.add(where, None, f"/files/{path}", "listed in the manifest but missing from the folder",
                     "rebuild with `newserrata build`")
    if (folder / "MANIFEST.json").is_file():
        sha256, sha1, size = _hash_file(folder / "MANIFEST.json")
        files.append(LocalFile("MANIFEST.json", size, sha256, sha1, folder / "MANIFEST.json"))
    return sorted(files, key=lambda f: f.path)


def require_locked(manifest: dict[str, Any], files: list[LocalFile], release: Path, problems: Problems) -> None:
    """The lock in the repository pins every output: an unlocked or different build is not a release."""
    version = manifest["version"]
    lock_path = release.parent / "releases" / f"{version}.lock.json"
    if not lock_path.is_file():
        problems.add(str(lock_path), None, "", f"version {version} has no lock file", LOCK_HINT)
        return
    lock = read_json(lock_path, problems, shape=LOCK_SHAPE, fix=LOCK_RESTORE_HINT)
    if lock is None:
        return
    if lock.get("version") != version:
        problems.add(str(lock_path), None, "/version", f"lock is for version {lock.get('version')!r}, "
                     f"the build is {version!r}", LOCK_HINT)
    outputs: dict[str, str] = lock.get("outputs") or {}
    built = {f.path: f.sha256 for f in files}
    for path in sorted(set(outputs) | set(manifest.get("files") or {})):
        if path == "MANIFEST.json" and path not in outputs:
            continue
        if outputs.get(path) != built.get(path):
            problems.add(str(lock_path), None, f"/outputs/{path}",
                         f"locked sha256 {outputs.get(path)} but the build has {built.get(path)}",
                         "a released version is immutable: bump the version in data/release.toml and rebuild")


def check_records(folder: Path, problems: Problems, progress: bool) -> None:
    """Records are re-validated as published: schema, offsets, and derived fields against a recomputation."""
    shards = sorted((folder / "data").glob("*/*.parquet"))
    if not shards:
        problems.add(str(folder / "data"), None, "", "no parquet files under data/<config>/",
                     "point at dist/<version> of a finished build")
    if progress:
        shards = tqdm(shards, desc="validating records", unit="file", file=sys.stderr, leave=False)
    for shard in shards:
        validate_records(shard, problems, Checked())


def check_card(folder: Path, files: list[LocalFile], problems: Problems) -> None:
    """The card's YAML goes through huggingface_hub's DatasetCard and datasets' own config parser, and
    every data file it names is part of the build; the Hub's validate-yaml runs again at commit time."""
    path = folder / "README.md"
    if not path.is_file():
        problems.add(str(path), None, "", "the build has no dataset card", "rebuild with `newserrata build`")
        return
    try:
        card = DatasetCard(path.read_text(encoding="utf-8"))
        configs = MetadataConfigs.from_dataset_card_data(card.data)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        problems.add(str(path), 1, "", f"card metadata is not valid: {exc}", "rebuild with `newserrata build`")
        return
    if not configs:
        problems.add(str(path), 1, "/configs", "the card declares no configs", "rebuild with `newserrata build`")
    if not card.data.get("license"):
        problems.add(str(path), 1, "/license", "the card has no license", "set the licenses in data/release.toml")
    present = {f.path for f in files}
    for name, config in configs.items():
        entries = config.get("data_files") or []
        for entry in entries if isinstance(entries, list) else [entries]:
            paths = entry.get("path") if isinstance(entry, dict) else entry
            for pattern in paths if isinstance(paths, list) else [paths]:
                if not any(fnmatch(p, pattern) for p in present):
                    problems.add(str(path), 1, f"/configs/{name}/data_files",
                                 f"{pattern!r} matches no file of the build", "rebuild with `newserrata build`")


def verify(folder: Path, release: Path | None = None, *, progress: bool = False) -> Plan:
    """The publish plan of a finished, locked, untampered build, or InputError with every problem."""
    folder = Path(folder)
    problems = Problems()
    if folder.name.endswith("-partial"):
        problems.add(str(folder), None, "", "this is a partial build (an enabled source was missing)",
                     "supply the missing sources, rebuild, and publish the complete build")
        problems.raise_if_any()
    manifest = read_json(folder / "MANIFEST.json", problems, shape=MANIFEST_SHAPE,
                         fix="rebuild with `newserrata build`")
    problems.raise_if_any()
    assert manifest is not None
    where = str(folder / "MANIFEST.json")
    if manifest["partial"]:
        problems.add(where, None, "/partial", f"partial is {manifest['partial']!r}; missing sources: "
                     f"{manifest['missing_sources']}", "supply the missing sources and rebuild")
    if not re.fullmatch(SEMVER, manifest["version"]):
        problems.add(where, None, "/version", f"version {manifest['version']!r} is not MAJOR.MINOR.PATCH",
                     "rebuild with `newserrata build`")
    problems.raise_if_any()
    files = check_files(folder, manifest, problems)
    require_locked(manifest, files, Path(release or Path("data") / "release.toml"), problems)
    check_card(folder, files, problems)
    problems.raise_if_any()
    check_records(folder, problems, progress)
    problems.raise_if_any()
    return Plan(folder, manifest["version"], f"v{manifest['version']}", files)


# the remote side


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    return float(value) if value is not None and value.strip().isdigit() else None


def _with_retries(what: str, call: Callable[[], T], *, attempts: int = 6, backoff: float = 1.0,
                  say: Callable[[str], None]) -> T:
    """Rate limits (429) and server errors (5xx) are waited out with exponential backoff, honouring
    Retry-After; huggingface_hub retries its upload requests itself but not create_repo, commit or tag."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status not in RETRY_STATUSES or attempt == attempts:
                raise
            wait = _retry_after(exc.response)
            reason = f"HTTP {status}"
        except (httpx2.TimeoutException, httpx2.NetworkError) as exc:
            if attempt == attempts:
                raise
            wait, reason = None, type(exc).__name__
        wait = min(wait if wait is not None else backoff * 2 ** (attempt - 1), 60.0)
        say(f"{what}: {reason}, retrying in {wait:g}s (attempt {attempt + 1}/{attempts})")
        time.sleep(wait)
    raise AssertionError("unreachable")


def _explain(exc: Exception, step: str, repo: str, token: str | None) -> PublishError:
    response = exc.response if isinstance(exc, HfHubHTTPError) else None
    status = response.status_code if response is not None else None
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    detail = lines[0] if response is not None else " ".join(lines)
    if response is not None and response.headers.get("X-Error-Message"):
        detail = response.headers["X-Error-Message"]
    if status == 401:
        message = (f"{step}: the Hub rejected the token (401 Unauthorized). Run `hf auth login` again, or set "
                   "HF_TOKEN to a valid token with write access")
    elif status == 403:
        message = f"{step}: the token may not write to {repo} (403 Forbidden: {detail}). Use a token with write access"
    else:
        message = f"{step} failed" + (f" (HTTP {status})" if status else "") + f": {detail}"
    return PublishError(scrub(message, token))


def _remote_files(api: HfApi, repo: str, revision: str) -> dict[str, Any]:
    tree = api.list_repo_tree(repo, revision=revision, recursive=True, repo_type=REPO_TYPE)
    return {f.path: f for f in tree if isinstance(f, RepoFile)}


def same_content(remote: dict[str, Any], files: list[LocalFile]) -> bool:
    """The Hub's tree holds exactly these files: LFS files compared by sha256, others by git blob sha1."""
    remote = {p: f for p, f in remote.items() if p not in KEEP_REMOTE}
    if set(remote) != {f.path for f in files}:
        return False
    for local in files:
        entry = remote[local.path]
        found = entry.lfs.sha256 if entry.lfs else entry.blob_id
        if found != (local.sha256 if entry.lfs else local.git_sha1) or entry.size != local.size:
            return False
    return True


def _refs(api: HfApi, repo: str) -> tuple[dict[str, str], dict[str, str]]:
    refs = api.list_repo_refs(repo, repo_type=REPO_TYPE)
    return {b.name: b.target_commit for b in refs.branches}, {t.name: t.target_commit for t in refs.tags}


@dataclass
class _Hub:
    """One publish run's view of the repository; every call goes through the retry policy."""

    api: HfApi
    repo: str
    plan: Plan
    retry: Callable[[str, Callable[[], Any]], Any]
    report: Callable[[str], None]

    def refs(self) -> tuple[dict[str, str], dict[str, str]]:
        return self.retry("reading branches and tags", lambda: _refs(self.api, self.repo))

    def files(self, revision: str) -> dict[str, Any]:
        return self.retry(f"reading the files at {revision}", lambda: _remote_files(self.api, self.repo, revision))

    def holds_build(self, revision: str | None) -> bool:
        return revision is not None and same_content(self.files(revision), self.plan.files)

    def commit(self, main: str | None, create_pr: bool) -> tuple[str, str | None]:
        """One commit with every file of the build, and deletions of files an older version left on main."""
        plan = self.plan
        local = {f.path for f in plan.files}
        stale = sorted(p for p in (self.files(main) if main else {}) if p not in local and p not in KEEP_REMOTE)

        def attempt() -> Any:
            operations: list[Any] = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(f.absolute))
                                     for f in plan.files]
            operations += [CommitOperationDelete(path_in_repo=p) for p in stale]
            return self.api.create_commit(
                self.repo, operations, repo_type=REPO_TYPE, revision="main", create_pr=create_pr,
                parent_commit=main, commit_message=f"Release {plan.tag}",
                commit_description=f"NewsErrata {plan.version}: {len(plan.files)} files, {len(stale)} removed; "
                                   "verified against MANIFEST.json and the release lock.")

        try:
            info = self.retry(f"uploading {len(plan.files)} files as one commit", attempt)
            return info.oid, info.pr_url
        except HfHubHTTPError as exc:
            # 412: main moved since `main`; after a lost answer, that move is our own commit.
            if getattr(exc.response, "status_code", None) != 412 or create_pr:
                raise
            head = self.refs()[0].get("main")
            if not self.holds_build(head):
                raise
            self.report(f"the commit reached main although its answer was lost (commit {head})")
            return str(head), None

    def tag(self, commit: str) -> None:
        """Tag the commit id; a 409 is accepted only when the tag already points at that very commit."""
        plan = self.plan
        try:
            self.retry(f"tagging commit {commit} as {plan.tag}", lambda: self.api.create_tag(
                self.repo, tag=plan.tag, revision=commit, repo_type=REPO_TYPE,
                tag_message=f"NewsErrata {plan.version}"))
        except HfHubHTTPError as exc:
            if getattr(exc.response, "status_code", None) != 409:
                raise
            if self.refs()[1].get(plan.tag) != commit:
                raise InputError(_tag_conflict(self.repo, plan)) from None
        self.report(f"tagged {self.repo}@{plan.tag} -> {commit}")


def publish(build: Path, repo: str, *, private: bool = False, create_pr: bool = False, dry_run: bool = False,
            endpoint: str | None = None, release: Path | None = None, token: str | None = None,
            progress: bool = True, backoff: float = 1.0, say: Callable[[str], None] | None = None) -> PublishResult:
    """Verify `build`, then commit it to the dataset repo `repo` and tag that commit v<version>.

    Status of the result: "dry-run", "published" (new commit and tag), "tagged" (the content was already
    on main, only the tag was added), "unchanged" (the tag already holds this content) or "pr-opened".
    """
    report = say or (lambda message: print(message, file=sys.stderr))
    plan = verify(Path(build), release, progress=progress)
    result = PublishResult(repo, plan, "dry-run")
    if dry_run:
        return result
    token = token or get_token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)")
    api = HfApi(endpoint=endpoint, token=token, library_name="newserrata")
    steps: list[str] = []

    def retry(what: str, call: Callable[[], T]) -> T:
        steps.append(what)
        return _with_retries(what, call, backoff=backoff, say=lambda m: report(scrub(m, token)))

    hub = _Hub(api, repo, plan, retry, report)
    try:
        retry("checking the token", api.whoami)
        retry(f"creating or opening {repo}", lambda: api.create_repo(repo, repo_type=REPO_TYPE, private=private,
                                                                      exist_ok=True))
        branches, tags = hub.refs()
        if plan.tag in tags:
            if not hub.holds_build(tags[plan.tag]):
                raise InputError(_tag_conflict(repo, plan))
            result.status, result.commit = "unchanged", tags[plan.tag]
            report(f"{repo}@{plan.tag} already holds this build (commit {result.commit}); nothing to do")
            return result
        main = branches.get("main")
        if hub.holds_build(main):
            result.status, result.commit = "tagged", main
            report(f"main of {repo} already holds this build (commit {main}); no new commit")
        else:
            result.commit, result.pr_url = hub.commit(main, create_pr)
            if create_pr:
                result.status = "pr-opened"
                report(f"opened {result.pr_url}; merge it, then run publish again to tag the merged commit")
                return result
            result.status = "published"
        hub.tag(result.commit)
        return result
    except (InputError, PublishError):
        raise
    except Exception as exc:
        raise _explain(exc, steps[-1] if steps else "publishing", repo, token) from None


def _tag_conflict(repo: str, plan: Plan) -> list[Any]:
    problems = Problems()
    problems.add(f"{repo}@{plan.tag}", None, "", f"tag {plan.tag} already exists on the Hub with different content",
                 "a published version never changes: bump the version in data/release.toml, rebuild and publish")
    return list(problems)


def format_plan(result: PublishResult) -> str:
    plan = result.plan
    lines = [f"publish {plan.folder} -> {result.repo} (dataset), tag {plan.tag}"]
    lines += [f"  {f.size:>12}  {f.sha256}  {f.path}" for f in plan.files]
    lines.append(f"  {len(plan.files)} files, {sum(f.size for f in plan.files)} bytes")
    return "\n".join(lines)
