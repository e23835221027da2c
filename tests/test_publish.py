"""Publishing against a local Hub: the real huggingface_hub client uploads, datasets loads the tag back.

Everything that talks to the server runs in a subprocess, because huggingface_hub and datasets read
HF_ENDPOINT, HF_HOME and HF_HUB_DISABLE_XET when they are imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import write_release
from hub_server import HubServer

from newserrata import publish
from newserrata.errors import InputError

TOKEN = "hf_TestWriteToken0123456789abcdefXYZ"
REPO = "newserrata-test/newserrata"
CONFIGS = ("default", "native")

LOAD = """
import json, sys
import datasets
repo, revision, configs = sys.argv[1], sys.argv[2], sys.argv[3:]
out = {}
for config in configs:
    loaded = datasets.load_dataset(repo, config, revision=revision)
    out[config] = {split: loaded[split].to_list() for split in loaded}
print(json.dumps(out))
"""


ARTICLES = [
    ("Ministers met in Berlin on Tuesday. The the talks lasted five hours and ended without a deal.\n",
     [("The the", "fluency/repetition", "minor")]),
    ("The central bank raised rates to 4.5 percent on 202nd March, the first rise this year.\n",
     [("202nd March", "accuracy/number-date", "major")]),
    ("Vladimir Putin asked for a call with Vladimir Putin, the Kremlin said.\r\nOfficials declined to comment.\n",
     [("with Vladimir Putin", "accuracy/entity", "major")]),
    ("Floods closed 40 schools in the region. Rescue teams worked through the night.\n", []),
    ("The company reported profits of $60 per cap, analysts said, calling it gas and gas and gas.\n",
     [("per cap", "accuracy/number-date", "major"), ("gas and gas and gas", "fluency/repetition", "major")]),
    ("Voters in the 202nd election chose a new mayor on Sunday, officials said.\n",
     [("202nd election", "accuracy/number-date", "major")]),
]
EXTRA = ("A storm knocked out power to 3,000 homes. Crews restored it by the by morning.\n",
         [("by the by", "fluency/grammar", "minor")])


class Project:
    """A repository checkout in a temporary folder: data/ with native articles, a release file, dist/.

    `build` runs the real `newserrata build --lock`, so publish is tested on exactly what maintainers publish.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.release = root / "data" / "release.toml"
        self.records = 0

    def write_data(self, version: str, extra_article: bool, source: str) -> None:
        from newserrata.text import normalize

        data = self.root / "data"
        (data / "articles").mkdir(parents=True, exist_ok=True)
        (data / "labels").mkdir(parents=True, exist_ok=True)
        write_release(self.release, version=version, data=".", source=source, salt="publish-tests-salt-0001",
                      hub_repo="newserrata-test/newserrata")
        labels = []
        articles = ARTICLES + ([EXTRA] if extra_article else [])
        for number, (text, errors) in enumerate(articles, 1):
            article_id = f"test-{number:02d}"
            (data / "articles" / f"{article_id}.txt").write_bytes(text.encode("utf-8"))
            meta = {"id": article_id, "title": None, "language": "en", "source_language": None,
                    "source_text_file": None, "system": None, "process": "unknown", "group_id": f"group-{number}",
                    "url": None, "date": "2026-01-01", "domain": "news", "license": "cc-by-4.0", "notes": "test"}
            (data / "articles" / f"{article_id}.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            stored = normalize(text)
            for annotator in ("a1", "a2"):
                spans = [{"start": stored.index(t), "end": stored.index(t) + len(t), "text": t, "category": c,
                          "severity": s} for t, c, s in errors]
                labels.append({"article_id": article_id, "annotator_id": annotator, "annotator_kind": "expert",
                               "created": "2026-01-01", "spans": spans} | ({} if spans else {"no_errors": True}))
        (data / "labels" / "test.jsonl").write_text("".join(json.dumps(v) + "\n" for v in labels), encoding="utf-8")
        self.records = len(articles)

    def build(self, version: str, *, extra_article: bool = False, source: str = "native", lock: bool = True) -> Path:
        from newserrata.build import build

        self.write_data(version, extra_article, source)
        return build(self.release, self.root / "dist", lock=lock, progress=False).folder

    def relock(self, build: Path) -> None:
        """After a deliberate edit: manifest and lock agree with the edited files again (only content checks
        can still catch the edit)."""
        manifest = json.loads((build / "MANIFEST.json").read_text())
        for path, meta in manifest["files"].items():
            meta |= {"sha256": publish._hash_file(build / path)[0], "size": (build / path).stat().st_size}
        (build / "MANIFEST.json").write_text(json.dumps(manifest, indent=2))
        lock = self.root / "data" / "releases" / f"{manifest['version']}.lock.json"
        locked = json.loads(lock.read_text())
        locked["outputs"] = {p: m["sha256"] for p, m in manifest["files"].items()}
        lock.write_text(json.dumps(locked, indent=2))

    def sibling(self) -> Project:
        return Project(self.root.parent / f"{self.root.name}-other")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "checkout")


@pytest.fixture
def hub():
    with HubServer(tokens={TOKEN: "newserrata-test"}) as server:
        yield server


def hub_env(hub: HubServer, home: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env |= {"HF_ENDPOINT": hub.url, "HF_HOME": str(home), "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "NO_COLOR": "1"}
    if token is not None:
        env["HF_TOKEN"] = token
    return env


def run_publish(project: Path, hub: HubServer, *args: str, token: str | None = TOKEN,
                home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = hub_env(hub, home or project / "hf-home", token)
    return subprocess.run([sys.executable, "-m", "newserrata", "publish", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def load_from_hub(hub: HubServer, home: Path, revision: str) -> dict[str, dict[str, list[dict]]]:
    done = subprocess.run([sys.executable, "-c", LOAD, REPO, revision, *CONFIGS], env=hub_env(hub, home, None),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def local_rows(build: Path) -> dict[str, dict[str, list[dict]]]:
    out: dict[str, dict[str, list[dict]]] = {}
    for config in CONFIGS:
        out[config] = {}
        for split in ("validation", "test"):
            rows = []
            for shard in sorted((build / "data" / config).glob(f"{split}-*.parquet")):
                rows += pq.read_table(shard).to_pylist()
            out[config][split] = rows
    return out


def commits_on_main(hub: HubServer) -> int:
    repo = hub.repo(REPO)
    count, oid = 0, repo.branches["main"]
    while oid:
        count, oid = count + 1, repo.commits[oid].parent
    return count


# the round trip


def test_publish_then_load_the_tag_gives_the_local_rows(project, hub):
    build = project.build("1.0.0")
    done = run_publish(project.root, hub, str(build), "--repo", REPO, "--json", "-")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    repo = hub.repo(REPO)
    assert result["status"] == "published"
    assert repo.tags == {"v1.0.0": result["commit"]}
    assert repo.branches["main"] == result["commit"]
    assert len(hub.requests("POST", r"/commit/")) == 1
    tag_requests = hub.requests("POST", r"/tag/")
    assert [r[1].rsplit("/", 1)[1] for r in tag_requests] == [result["commit"]]
    assert hub.requests("POST", r"/api/validate-yaml"), "the card went through the Hub's YAML check"

    published = hub.files(REPO, "v1.0.0")
    built = {p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    assert {p: d for p, d in published.items() if p != ".gitattributes"} == built
    entries = repo.resolve("v1.0.0").files
    assert all(entries[p].lfs for p in built if p.endswith(".parquet"))
    assert not entries["MANIFEST.json"].lfs

    loaded = load_from_hub(hub, project.root / "reader-home", "v1.0.0")
    expected = local_rows(build)
    assert loaded == expected
    assert sum(len(rows) for rows in expected["default"].values()) == project.records
    assert all(expected[config][split] for config in CONFIGS for split in ("validation", "test"))
    assert TOKEN not in done.stdout + done.stderr


VERIFY = """
import hashlib, json, sys
from huggingface_hub import HfApi, hf_hub_download
repo, tag = sys.argv[1], sys.argv[2]
manifest = json.load(open(hf_hub_download(repo, "MANIFEST.json", repo_type="dataset", revision=tag)))
infos = HfApi().get_paths_info(repo, sorted(manifest["files"]), repo_type="dataset", revision=tag)
out = {}
for info in infos:
    data = open(hf_hub_download(repo, info.path, repo_type="dataset", revision=tag), "rb").read()
    out[info.path] = {"size": info.size, "lfs": info.lfs.sha256 if info.lfs else None,
                      "downloaded": hashlib.sha256(data).hexdigest()}
print(json.dumps({"manifest": manifest["files"], "hub": out}))
"""


def test_a_published_version_verifies_against_its_manifest_with_huggingface_hub(project, hub):
    build = project.build("1.0.0")
    assert run_publish(project.root, hub, str(build), "--repo", REPO).returncode == 0
    done = subprocess.run([sys.executable, "-c", VERIFY, REPO, "v1.0.0"],
                          env=hub_env(hub, project.root / "reader-home", None), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    manifest, remote = found["manifest"], found["hub"]
    assert set(remote) == set(manifest)
    for path, expected in manifest.items():
        assert remote[path]["size"] == expected["size"]
        assert remote[path]["downloaded"] == expected["sha256"]
        assert remote[path]["lfs"] == (expected["sha256"] if path.endswith(".parquet") else None)
    assert hub.requests("POST", r"/paths-info/v1.0.0")


def test_a_new_version_gets_its_own_commit_and_the_old_tag_still_loads_the_old_rows(project, hub):
    first = project.build("1.0.0")
    assert run_publish(project.root, hub, str(first), "--repo", REPO).returncode == 0
    old_rows = local_rows(first)
    second = project.build("1.1.0", extra_article=True)
    done = run_publish(project.root, hub, str(second), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    repo = hub.repo(REPO)
    assert set(repo.tags) == {"v1.0.0", "v1.1.0"}
    assert repo.commits[repo.tags["v1.1.0"]].parent == repo.tags["v1.0.0"]
    assert load_from_hub(hub, project.root / "reader-home", "v1.0.0") == old_rows
    assert load_from_hub(hub, project.root / "reader-home", "v1.1.0") == local_rows(second)
    assert local_rows(second) != old_rows


# re-runs and tags


def test_publishing_the_same_build_again_changes_nothing(project, hub):
    build = project.build("1.0.0")
    assert run_publish(project.root, hub, str(build), "--repo", REPO).returncode == 0
    repo = hub.repo(REPO)
    state = (dict(repo.branches), dict(repo.tags), len(repo.commits))
    commits, uploads = len(hub.requests("POST", r"/commit/")), len(hub.requests("PUT"))
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    assert "already holds this build" in done.stderr
    assert done.stdout.startswith("unchanged:")
    assert (dict(repo.branches), dict(repo.tags), len(repo.commits)) == state
    assert len(hub.requests("POST", r"/commit/")) == commits
    assert len(hub.requests("PUT")) == uploads
    assert len(hub.requests("POST", r"/tag/")) == 1


def test_content_already_on_main_is_tagged_without_a_new_commit(project, hub):
    build = project.build("1.0.0")
    hub.fail("POST", r"/tag/", 400, times=1, message="tagging is switched off")
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 1
    assert "tagging commit" in done.stderr and "tagging is switched off" in done.stderr
    repo = hub.repo(REPO)
    assert repo.tags == {}
    head = repo.branches["main"]
    done = run_publish(project.root, hub, str(build), "--repo", REPO, "--json", "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "tagged"
    assert repo.tags == {"v1.0.0": head}
    assert len(hub.requests("POST", r"/commit/")) == 1


def test_an_existing_tag_on_other_content_is_never_moved(project, hub):
    build = project.build("1.0.0")
    assert run_publish(project.root, hub, str(build), "--repo", REPO).returncode == 0
    repo = hub.repo(REPO)
    tagged = repo.tags["v1.0.0"]
    commits = len(hub.requests("POST", r"/commit/"))
    other_project = project.sibling()
    other = other_project.build("1.0.0", extra_article=True)
    done = run_publish(other_project.root, hub, str(other), "--repo", REPO)
    assert done.returncode == 2
    assert "tag v1.0.0 already exists on the Hub with different content" in done.stderr
    assert "bump the version" in done.stderr
    assert repo.tags == {"v1.0.0": tagged}
    assert len(hub.requests("POST", r"/commit/")) == commits


# faults


def test_a_failed_commit_leaves_no_tag_and_a_rerun_succeeds(project, hub):
    build = project.build("1.0.0")
    hub.fail("POST", r"/commit/", 500, times=1000, retry_after=0, message="commit storage unavailable")
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 1
    files = len([p for p in build.rglob("*") if p.is_file()])
    assert f"uploading {files} files as one commit failed (HTTP 500): commit storage unavailable" in done.stderr
    assert len(hub.requests("POST", r"/commit/")) == 6, "retried with backoff, then gave up"
    repo = hub.repo(REPO)
    assert repo.tags == {} and not hub.requests("POST", r"/tag/")
    assert set(repo.resolve("main").files) == {".gitattributes"}
    assert TOKEN not in done.stdout + done.stderr

    hub.clear_faults()
    done = run_publish(project.root, hub, str(build), "--repo", REPO, "--json", "-")
    assert done.returncode == 0, done.stderr
    assert repo.tags == {"v1.0.0": json.loads(done.stdout)["commit"]}


def test_a_commit_whose_answer_is_lost_is_not_repeated(project, hub):
    build = project.build("1.0.0")
    hub.fail("POST", r"/commit/", 502, times=1, retry_after=0, after=True, message="bad gateway")
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in hub.requests("POST", r"/commit/")] == [502], "the retry found every file already there"
    repo = hub.repo(REPO)
    assert commits_on_main(hub) == 2, "the initial commit and exactly one release commit"
    assert repo.tags == {"v1.0.0": repo.branches["main"]}


def test_a_tag_whose_answer_is_lost_is_recognised(project, hub):
    build = project.build("1.0.0")
    hub.fail("POST", r"/tag/", 502, times=1, retry_after=0, after=True, message="bad gateway")
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in hub.requests("POST", r"/tag/")] == [502, 409]
    repo = hub.repo(REPO)
    assert repo.tags == {"v1.0.0": repo.branches["main"]}


def test_files_of_an_older_version_are_removed_and_a_lost_answer_is_recognised(project, hub):
    first = project.build("1.0.0", source="native")
    assert run_publish(project.root, hub, str(first), "--repo", REPO).returncode == 0
    second = project.build("1.1.0", source="own")
    hub.fail("POST", r"/commit/", 502, times=1, retry_after=0, after=True, message="bad gateway")
    done = run_publish(project.root, hub, str(second), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in hub.requests("POST", r"/commit/")] == [200, 502, 412]
    assert "its answer was lost" in done.stderr
    repo = hub.repo(REPO)
    assert commits_on_main(hub) == 3
    assert repo.tags["v1.1.0"] == repo.branches["main"]
    files = set(repo.resolve("v1.1.0").files)
    assert "data/own/test-00000-of-00001.parquet" in files
    assert not [f for f in files if f.startswith("data/native/")]
    assert "data/native/test-00000-of-00001.parquet" in repo.resolve("v1.0.0").files


def test_rate_limits_are_retried(project, hub):
    build = project.build("1.0.0")
    hub.fail("POST", r"/api/repos/create", 429, times=1, retry_after=0)
    hub.fail("POST", r"/preupload/", 429, times=1, retry_after=0)
    hub.fail("POST", r"/commit/", 429, times=2, retry_after=0)
    hub.fail("POST", r"/tag/", 503, times=1, retry_after=0)
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in hub.requests("POST", r"/commit/")] == [429, 429, 200]
    assert [r[2] for r in hub.requests("POST", r"/tag/")] == [503, 200]
    assert [r[2] for r in hub.requests("POST", r"/api/repos/create")] == [429, 200]
    # huggingface_hub's own backoff retries the preupload; each of the three commit attempts asks again
    assert [r[2] for r in hub.requests("POST", r"/preupload/")] == [429, 200, 200, 200]
    assert "HTTP 429, retrying" in done.stderr
    assert "v1.0.0" in hub.repo(REPO).tags


def test_a_bad_token_is_named_clearly_and_never_echoed(project, hub):
    build = project.build("1.0.0")
    wrong = "hf_WrongToken9876543210zyxwvutsRQP"
    done = run_publish(project.root, hub, str(build), "--repo", REPO, token=wrong)
    assert done.returncode == 1
    assert "the Hub rejected the token (401 Unauthorized)" in done.stderr
    assert "hf auth login" in done.stderr
    assert wrong not in done.stdout + done.stderr
    assert REPO not in hub.state.repos
    assert not hub.requests("POST")


def test_no_token_at_all_says_where_to_put_one(project, hub):
    build = project.build("1.0.0")
    done = run_publish(project.root, hub, str(build), "--repo", REPO, token=None)
    assert done.returncode == 1
    assert "set HF_TOKEN or run `hf auth login`" in done.stderr
    assert hub.requests() == []


def test_the_token_saved_by_hf_auth_login_is_used(project, hub):
    build = project.build("1.0.0")
    home = project.root / "login-home"
    home.mkdir()
    (home / "token").write_text(TOKEN)
    done = run_publish(project.root, hub, str(build), "--repo", REPO, token=None, home=home)
    assert done.returncode == 0, done.stderr
    assert "v1.0.0" in hub.repo(REPO).tags


def test_dry_run_prints_the_plan_and_sends_nothing(project, hub):
    build = project.build("1.0.0")
    done = run_publish(project.root, hub, str(build), "--repo", REPO, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert hub.requests() == []
    assert "tag v1.0.0" in done.stdout and "nothing was sent" in done.stdout
    manifest = json.loads((build / "MANIFEST.json").read_text())
    for path, meta in manifest["files"].items():
        assert f"{meta['size']:>12}  {meta['sha256']}  {path}" in done.stdout
    assert "MANIFEST.json" in done.stdout


def test_create_pr_opens_a_pull_request_and_leaves_main_and_tags_alone(project, hub):
    build = project.build("1.0.0")
    done = run_publish(project.root, hub, str(build), "--repo", REPO, "--create-pr", "--json", "-")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    repo = hub.repo(REPO)
    assert result["status"] == "pr-opened" and result["pr_url"].endswith("/discussions/1")
    assert repo.prs == {1: result["commit"]} and repo.tags == {}
    assert set(repo.resolve("main").files) == {".gitattributes"}


def test_private_repositories_and_other_endpoints(project, hub):
    build = project.build("1.0.0")
    with HubServer(tokens={TOKEN: "newserrata-test"}) as other:
        done = run_publish(project.root, hub, str(build), "--repo", REPO, "--private", "--endpoint", other.url)
        assert done.returncode == 0, done.stderr
        assert other.repo(REPO).private and "v1.0.0" in other.repo(REPO).tags
    assert REPO not in hub.state.repos


def test_a_card_the_hub_rejects_stops_publish_before_any_upload(project, hub):
    build = project.build("1.0.0")
    card = build / "README.md"
    card.write_text(card.read_text().replace("license: cc-by-4.0", "license:\n  name: cc-by-4.0", 1))
    project.relock(build)
    done = run_publish(project.root, hub, str(build), "--repo", REPO)
    assert done.returncode == 1
    assert "Invalid metadata in README.md" in done.stderr
    assert '"license" must be a string or a list of strings' in done.stderr
    assert not hub.requests("PUT") and not hub.requests("POST", r"/commit/|/tag/")


def test_the_card_passes_the_hubs_validate_yaml_through_repocard_validate(project, hub):
    build = project.build("1.0.0")
    code = "import sys; from huggingface_hub import DatasetCard; DatasetCard.load(sys.argv[1]).validate()"
    done = subprocess.run([sys.executable, "-c", code, str(build / "README.md")],
                          env=hub_env(hub, project.root / "hf-home", None), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in hub.requests("POST", r"/api/validate-yaml")] == [200]


# refusals before anything is sent


def test_a_partial_build_is_refused(project):
    build = project.build("1.0.0")
    manifest = json.loads((build / "MANIFEST.json").read_text())
    manifest |= {"partial": True, "missing_sources": ["wmt23-mqm"]}
    (build / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match=r"/partial: partial is True; missing sources: \['wmt23-mqm'\]"):
        publish.verify(build, project.release)
    renamed = build.rename(build.with_name("1.0.0-partial"))
    with pytest.raises(InputError, match="this is a partial build"):
        publish.verify(renamed, project.release)


def test_an_unlocked_build_is_refused(project):
    build = project.build("1.0.0")
    (project.root / "data" / "releases" / "1.0.0.lock.json").unlink()
    with pytest.raises(InputError, match=r"version 1.0.0 has no lock file") as caught:
        publish.verify(build, project.release)
    assert "newserrata build --lock" in str(caught.value)


def test_a_build_that_differs_from_its_lock_is_refused(project):
    project.build("1.0.0")
    other = project.sibling().build("1.0.0", extra_article=True)
    with pytest.raises(InputError, match=r"locked sha256 .* but the build has") as caught:
        publish.verify(other, project.release)
    assert "bump the version" in str(caught.value)


def test_a_tampered_file_is_refused(project):
    build = project.build("1.0.0")
    card = build / "README.md"
    card.write_text(card.read_text() + "\nedited after the build\n")
    with pytest.raises(InputError, match=r"README.md: /: size .* differ from MANIFEST.json"):
        publish.verify(build, project.release)


def test_files_outside_the_manifest_are_refused(project):
    build = project.build("1.0.0")
    (build / "notes.txt").write_text("scratch")
    (build / "data" / "default" / "test-00000-of-00001.parquet").unlink()
    with pytest.raises(InputError) as caught:
        publish.verify(build, project.release)
    text = str(caught.value)
    assert "notes.txt: /: file is not listed in MANIFEST.json" in text
    assert "/files/data/default/test-00000-of-00001.parquet: listed in the manifest but missing" in text


def test_invalid_records_are_refused_even_with_a_matching_manifest(project):
    import pyarrow as pa

    build = project.build("1.0.0")
    shard = build / "data" / "native" / "test-00000-of-00001.parquet"
    table = pq.read_table(shard)
    rows = table.to_pylist()
    rows[0]["has_error"] = not rows[0]["has_error"]
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), shard)
    project.relock(build)
    with pytest.raises(InputError, match=r"test-00000-of-00001.parquet:1: /has_error: does not match"):
        publish.verify(build, project.release)


def test_a_card_naming_files_the_build_lacks_is_refused(project):
    build = project.build("1.0.0")
    card = build / "README.md"
    card.write_text(card.read_text().replace("data/native/test-", "data/native/exam-", 1))
    project.relock(build)
    with pytest.raises(InputError, match=r"/configs/native/data_files: 'data/native/exam-\*"):
        publish.verify(build, project.release)


def test_the_python_api_dry_run_returns_the_plan(project):
    build = project.build("1.0.0")
    result = publish.publish(build, REPO, dry_run=True, release=project.release, progress=False)
    assert result.status == "dry-run" and result.commit is None
    assert result.to_dict()["files"] == [{"path": f.path, "size": f.size, "sha256": f.sha256}
                                         for f in result.plan.files]
    assert "MANIFEST.json" in publish.format_plan(result)


def test_the_card_metadata_passes_huggingface_hub_validation(project):
    from huggingface_hub import DatasetCard

    build = project.build("1.0.0")
    card = DatasetCard((build / "README.md").read_text(encoding="utf-8"))
    assert card.data.get("configs")
    plan = publish.verify(build, project.release)
    assert plan.tag == "v1.0.0"
    assert [f.path for f in plan.files] == sorted(p.relative_to(build).as_posix()
                                                  for p in build.rglob("*") if p.is_file())


def test_scrub_removes_the_token_wherever_it_appears():
    assert publish.scrub(f"401 for Bearer {TOKEN} at {TOKEN}", TOKEN) == "401 for Bearer *** at ***"
    assert publish.scrub("no token here", None) == "no token here"
