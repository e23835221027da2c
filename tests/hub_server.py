"""A Hugging Face Hub stand-in on 127.0.0.1 that speaks the HTTP protocol huggingface_hub and datasets use.

Two servers share one in-memory state: the Hub itself (API, git LFS batch, resolve) and a storage host
that plays the CDN / S3 role: LFS uploads are PUT there and LFS downloads are redirected there, on
another origin, exactly as the real client expects. Repositories keep real commit history: every
commit has a parent and a full file tree (git blob sha1, sha256 and size per file); branches, tags
and pull-request refs point at commits. Every request is logged, and faults (a status code for the
next N matching requests) can be injected to test retries and failure handling.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import yaml

LFS_THRESHOLD = 10 * 1024 * 1024
GITATTRIBUTES = b"".join(
    f"*.{ext} filter=lfs diff=lfs merge=lfs -text\n".encode() for ext in ("parquet", "arrow", "bin", "zip", "gz")
)


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass(frozen=True)
class Entry:
    """One file of a tree: regular files carry their bytes, LFS files only the pointer fields."""

    size: int
    sha256: str
    lfs: bool
    data: bytes = b""

    @property
    def oid(self) -> str:
        return git_sha1(lfs_pointer(self.sha256, self.size)) if self.lfs else git_sha1(self.data)

    def info(self, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "file", "oid": self.oid, "size": self.size, "path": path}
        if self.lfs:
            out["lfs"] = {"oid": self.sha256, "size": self.size,
                          "pointerSize": len(lfs_pointer(self.sha256, self.size))}
        return out


@dataclass
class Commit:
    oid: str
    parent: str | None
    title: str
    files: dict[str, Entry]
    date: str


@dataclass
class Repo:
    id: str
    private: bool
    owner: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    prs: dict[int, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        if revision in self.branches:
            return self.commits[self.branches[revision]]
        if revision in self.tags:
            return self.commits[self.tags[revision]]
        match = re.fullmatch(r"refs/pr/(\d+)", revision)
        if match and int(match.group(1)) in self.prs:
            return self.commits[self.prs[int(match.group(1))]]
        return self.commits.get(revision)

    def add_commit(self, parent: Commit | None, title: str, files: dict[str, Entry]) -> Commit:
        listing = json.dumps({p: [e.oid, e.size] for p, e in sorted(files.items())})
        oid = hashlib.sha1(f"{parent.oid if parent else ''}\n{title}\n{listing}\n{time.time_ns()}".encode()).hexdigest()
        date = time.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        commit = Commit(oid, parent.oid if parent else None, title, dict(files), date)
        self.commits[oid] = commit
        return commit


@dataclass
class Fault:
    method: str
    pattern: str
    status: int
    times: int
    headers: dict[str, str]
    body: dict[str, Any]
    after: bool = False


@dataclass
class State:
    hub_url: str = ""
    storage_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    objects: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


class HttpError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}
        self.extra = extra or {}


class Handler(BaseHTTPRequestHandler):
    """Routes by path; subclasses say whether they are the Hub or the storage host."""

    protocol_version = "HTTP/1.1"
    state: State
    role: str

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    # plumbing

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        if self.lost is not None:
            fault, self.lost = self.lost, None
            status, body, headers, content_type = fault.status, json.dumps(fault.body).encode(), fault.headers, \
                "application/json"
        with self.state.lock:
            self.state.requests.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), headers)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        self.query = parse_qs(url.query)
        self.raw_path = url.path
        self.payload = self._body() if self.command in ("POST", "PUT") else b""
        self.lost: Fault | None = None
        try:
            fault = self._fault()
            if fault is not None and fault.after:
                self.lost = fault
            elif fault is not None:
                return self._json(fault.body, fault.status, fault.headers)
            with self.state.lock:
                self.route()
        except HttpError as exc:
            headers = dict(exc.headers)
            if exc.code:
                headers["X-Error-Code"] = exc.code
            headers["X-Error-Message"] = exc.message
            self._json({"error": exc.message} | exc.extra, exc.status, headers)

    def _fault(self) -> Fault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.times and fault.method == self.command and re.search(fault.pattern, self.raw_path):
                    fault.times -= 1
                    return fault
        return None

    def route(self) -> None:
        raise NotImplementedError


class StorageHandler(Handler):
    """The object store: PUT uploads an LFS object at the URL the batch answer gave, GET serves it."""

    role = "storage"

    def route(self) -> None:
        match = re.fullmatch(r"/objects/([0-9a-f]{64})", self.raw_path)
        if not match:
            raise HttpError(404, "no such object URL")
        oid = match.group(1)
        if self.command == "PUT":
            if hashlib.sha256(self.payload).hexdigest() != oid:
                raise HttpError(400, "uploaded bytes do not match the announced sha256")
            self.state.objects[oid] = self.payload
            return self._send(200, b"", {"ETag": f'"{oid}"'})
        if oid not in self.state.objects:
            raise HttpError(404, "object not found")
        data = self.state.objects[oid]
        self._send(200, data, {"ETag": f'"{oid}"', "Accept-Ranges": "bytes"}, "application/octet-stream")


class HubHandler(Handler):
    role = "hub"

    # identity and access

    def user(self, required: bool = False) -> str | None:
        auth = self.headers.get("Authorization", "")
        if not auth:
            if required:
                raise HttpError(401, "Invalid username or password.")
            return None
        token = auth.removeprefix("Bearer ").strip()
        if token not in self.state.tokens:
            raise HttpError(401, "Invalid credentials in Authorization header")
        return self.state.tokens[token]

    def repo(self, namespace: str, name: str, write: bool = False) -> Repo:
        user = self.user(required=write)
        repo = self.state.repos.get(f"{namespace}/{name}")
        if repo is None or (repo.private and user != repo.owner):
            raise HttpError(404, "Repository not found", "RepoNotFound")
        if write and user != repo.owner:
            raise HttpError(403, "You don't have the rights to write to this repository")
        return repo

    def commit_at(self, repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(unquote(revision))
        if commit is None:
            raise HttpError(404, f"Invalid rev id: {unquote(revision)}", "RevisionNotFound")
        return commit

    # routing

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"/api/whoami-v2", "whoami"),
        ("POST", r"/api/validate-yaml", "validate_yaml"),
        ("POST", r"/api/repos/create", "create_repo"),
        ("GET", r"/api/datasets/([^/]+)/([^/]+)/refs", "refs"),
        ("GET", r"/api/datasets/([^/]+)/([^/]+)/tree/([^/]+)(/.*)?", "tree"),
        ("POST", r"/api/datasets/([^/]+)/([^/]+)/paths-info/([^/]+)", "paths_info"),
        ("POST", r"/api/datasets/([^/]+)/([^/]+)/preupload/([^/]+)", "preupload"),
        ("POST", r"/api/datasets/([^/]+)/([^/]+)/commit/([^/]+)", "commit"),
        ("POST", r"/api/datasets/([^/]+)/([^/]+)/tag/([^/]+)", "tag"),
        ("GET", r"/api/datasets/([^/]+)/([^/]+)(?:/revision/([^/]+))?", "info"),
        ("POST", r"/datasets/([^/]+)/([^/]+)\.git/info/lfs/objects/batch", "lfs_batch"),
        ("POST", r"/datasets/([^/]+)/([^/]+)\.git/info/lfs/objects/verify", "lfs_verify"),
        ("GET", r"/datasets/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)", "resolve"),
        ("HEAD", r"/datasets/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)", "resolve"),
    )

    def route(self) -> None:
        for method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, self.raw_path)
            if method == self.command and match:
                return getattr(self, name)(*match.groups())
        raise HttpError(404, f"no route for {self.command} {self.raw_path}")

    def whoami(self) -> None:
        user = self.user(required=True)
        self._json({"type": "user", "id": f"id-{user}", "name": user, "fullname": user, "orgs": [],
                    "auth": {"type": "access_token", "accessToken": {"displayName": "test", "role": "write"}}})

    def validate_yaml(self) -> None:
        """The Hub's card check, reduced to what it rejects most often: bad YAML and mistyped core fields."""
        content = json.loads(self.payload)["content"]
        match = re.match(r"^---\s*\n(.*?)\n---\s*\n", content, re.S)
        if not match:
            return self._json({"errors": [], "warnings": [{"message": "empty or missing yaml metadata"}]})
        errors = []
        try:
            data = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            data, errors = None, [{"message": f"invalid YAML: {exc}"}]
        if not errors and not isinstance(data, dict):
            errors.append({"message": "metadata must be a YAML mapping"})
        if isinstance(data, dict):
            for key in ("license", "language", "task_categories", "tags"):
                value = data.get(key)
                if value is not None and not (isinstance(value, str) or
                                              (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                    errors.append({"message": f'"{key}" must be a string or a list of strings'})
            for config in data.get("configs") or []:
                if not isinstance(config, dict) or not isinstance(config.get("config_name"), str):
                    errors.append({"message": '"configs" items need a "config_name"'})
        self._json({"errors": errors, "warnings": []}, 400 if errors else 200)

    def create_repo(self) -> None:
        user = self.user(required=True)
        body = json.loads(self.payload)
        if body.get("type") != "dataset":
            raise HttpError(400, "this server only hosts dataset repositories")
        repo_id = f"{body.get('organization') or user}/{body['name']}"
        url = f"{self.state.hub_url}/datasets/{repo_id}"
        if repo_id in self.state.repos:
            raise HttpError(409, "You already created this dataset repo", extra={"url": url})
        repo = Repo(repo_id, body.get("visibility") == "private" or bool(body.get("private")), user)
        first = repo.add_commit(None, "initial commit",
                                {".gitattributes": Entry(len(GITATTRIBUTES), hashlib.sha256(GITATTRIBUTES).hexdigest(),
                                                         False, GITATTRIBUTES)})
        repo.branches["main"] = first.oid
        self.state.repos[repo_id] = repo
        self._json({"url": url, "name": repo_id, "id": repo_id})

    def refs(self, namespace: str, name: str) -> None:
        repo = self.repo(namespace, name)

        def ref(kind: str, name: str, oid: str) -> dict[str, str]:
            return {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": oid}

        out = {"branches": [ref("heads", n, o) for n, o in repo.branches.items()], "converts": [],
               "tags": [ref("tags", n, o) for n, o in repo.tags.items()]}
        if self.query.get("include_prs"):
            out["pullRequests"] = [{"name": str(n), "ref": f"refs/pr/{n}", "targetCommit": o}
                                   for n, o in repo.prs.items()]
        self._json(out)

    def _entries(self, commit: Commit, prefix: str, recursive: bool) -> list[dict[str, Any]]:
        """Files and folders under `prefix` (direct children, or everything when recursive)."""
        prefix = prefix.strip("/")
        base = f"{prefix}/" if prefix else ""
        files, folders = [], {}
        for path, entry in sorted(commit.files.items()):
            if not path.startswith(base):
                continue
            rest = path[len(base):].split("/")
            for depth in range(1, len(rest)):
                if depth > 1 and not recursive:
                    break
                folder = base + "/".join(rest[:depth])
                folders[folder] = {"type": "directory", "oid": hashlib.sha1(folder.encode()).hexdigest(),
                                   "size": 0, "path": folder}
            if len(rest) == 1 or recursive:
                files.append(entry.info(path))
        return list(folders.values()) + files

    def tree(self, namespace: str, name: str, revision: str, path: str | None) -> None:
        commit = self.commit_at(self.repo(namespace, name), revision)
        prefix = unquote(path or "")
        if prefix.strip("/") and not any(p.startswith(prefix.strip("/") + "/") for p in commit.files):
            raise HttpError(404, f"{prefix} does not exist on {unquote(revision)}", "EntryNotFound")
        recursive = self.query.get("recursive", ["False"])[0].lower() in ("1", "true")
        self._json(self._entries(commit, prefix, recursive))

    def paths_info(self, namespace: str, name: str, revision: str) -> None:
        commit = self.commit_at(self.repo(namespace, name), revision)
        form = parse_qs(self.payload.decode())
        out = []
        for path in form.get("paths", []):
            path = path.strip("/")
            if path in commit.files:
                out.append(commit.files[path].info(path))
            elif any(p.startswith(path + "/") for p in commit.files):
                out.append({"type": "directory", "oid": hashlib.sha1(path.encode()).hexdigest(), "size": 0,
                            "path": path})
        self._json(out)

    def info(self, namespace: str, name: str, revision: str | None) -> None:
        repo = self.repo(namespace, name)
        commit = self.commit_at(repo, revision or "main")
        card: dict[str, Any] = {}
        if "README.md" in commit.files:
            match = re.match(r"^---\s*\n(.*?)\n---\s*\n", commit.files["README.md"].data.decode(), re.S)
            card = (yaml.safe_load(match.group(1)) or {}) if match else {}
        self._json({"_id": hashlib.sha1(repo.id.encode()).hexdigest()[:24], "id": repo.id, "author": repo.owner,
                    "sha": commit.oid, "lastModified": commit.date, "createdAt": commit.date,
                    "private": repo.private, "gated": False, "disabled": False, "downloads": 0, "likes": 0,
                    "tags": [], "cardData": card, "siblings": [{"rfilename": p} for p in sorted(commit.files)]})

    def _mode(self, commit: Commit, path: str, size: int, sample: bytes) -> str:
        """LFS when .gitattributes says so, when the file is large, or when its first bytes are binary."""
        attributes = commit.files.get(".gitattributes")
        patterns = [line.split()[0] for line in (attributes.data.decode() if attributes else "").splitlines()
                    if "filter=lfs" in line]
        name = path.rsplit("/", 1)[-1]
        if any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in patterns):
            return "lfs"
        return "lfs" if size >= LFS_THRESHOLD or b"\0" in sample else "regular"

    def preupload(self, namespace: str, name: str, revision: str) -> None:
        repo = self.repo(namespace, name, write=True)
        commit = self.commit_at(repo, revision)
        files = []
        for item in json.loads(self.payload)["files"]:
            mode = self._mode(commit, item["path"], item["size"], base64.b64decode(item["sample"]))
            existing = commit.files.get(item["path"])
            oid = None
            if existing is not None:
                oid = existing.sha256 if existing.lfs else existing.oid
            files.append({"path": item["path"], "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        self._json({"files": files, "commitOid": commit.oid})

    def lfs_batch(self, namespace: str, name: str) -> None:
        repo = self.repo(namespace, name, write=True)
        body = json.loads(self.payload)
        if body.get("operation") != "upload":
            raise HttpError(400, "only uploads are supported")
        objects = []
        for item in body["objects"]:
            entry: dict[str, Any] = {"oid": item["oid"], "size": item["size"], "authenticated": True}
            if item["oid"] not in self.state.objects:
                entry["actions"] = {
                    "upload": {"href": f"{self.state.storage_url}/objects/{item['oid']}", "header": {}},
                    "verify": {"href": f"{self.state.hub_url}/datasets/{repo.id}.git/info/lfs/objects/verify",
                               "header": {}},
                }
            objects.append(entry)
        self._send(200, json.dumps({"transfer": "basic", "objects": objects}).encode(),
                   content_type="application/vnd.git-lfs+json")

    def lfs_verify(self, namespace: str, name: str) -> None:
        self.repo(namespace, name, write=True)
        body = json.loads(self.payload)
        data = self.state.objects.get(body["oid"])
        if data is None or len(data) != body["size"]:
            raise HttpError(404, "object not uploaded")
        self._json({"success": True})

    def commit(self, namespace: str, name: str, revision: str) -> None:
        repo = self.repo(namespace, name, write=True)
        revision = unquote(revision)
        create_pr = self.query.get("create_pr", ["0"])[0] == "1"
        if revision not in repo.branches and not re.fullmatch(r"refs/pr/\d+", revision):
            raise HttpError(400, f"commits go to a branch, not to {revision!r}", "RevisionNotFound")
        base = self.commit_at(repo, revision)
        lines = [json.loads(line) for line in self.payload.decode().splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HttpError(400, "the first line of a commit must be its header")
        header = lines[0]["value"]
        parent = header.get("parentCommit")
        if parent and not base.oid.startswith(parent):
            raise HttpError(412, "A commit has happened since. Please refresh and try again.")
        files = dict(base.files)
        for line in lines[1:]:
            value = line["value"]
            if line["key"] == "file":
                data = base64.b64decode(value["content"])
                files[value["path"]] = Entry(len(data), hashlib.sha256(data).hexdigest(), False, data)
            elif line["key"] == "lfsFile":
                data = self.state.objects.get(value["oid"])
                if data is None:
                    raise HttpError(422, f"LFS object {value['oid']} for {value['path']} was never uploaded")
                files[value["path"]] = Entry(len(data), value["oid"], True)
            elif line["key"] == "deletedFile":
                if files.pop(value["path"], None) is None:
                    raise HttpError(404, "A file with this name doesn't exist", "EntryNotFound")
            elif line["key"] == "deletedFolder":
                files = {p: e for p, e in files.items() if not p.startswith(value["path"].rstrip("/") + "/")}
            else:
                raise HttpError(400, f"unknown commit operation {line['key']!r}")
        commit = repo.add_commit(base, header["summary"], files)
        pr_url = None
        if create_pr:
            number = max(repo.prs, default=0) + 1
            repo.prs[number] = commit.oid
            pr_url = f"{self.state.hub_url}/datasets/{repo.id}/discussions/{number}"
        elif revision in repo.branches:
            repo.branches[revision] = commit.oid
        else:
            repo.prs[int(revision.rsplit("/", 1)[1])] = commit.oid
        self._json({"success": True, "commitOid": commit.oid, "pullRequestUrl": pr_url, "hookOutput": "",
                    "commitUrl": f"{self.state.hub_url}/datasets/{repo.id}/commit/{commit.oid}"})

    def tag(self, namespace: str, name: str, revision: str) -> None:
        repo = self.repo(namespace, name, write=True)
        commit = self.commit_at(repo, revision)
        tag = json.loads(self.payload)["tag"]
        if tag in repo.tags or tag in repo.branches:
            raise HttpError(409, f"Tag {tag} already exists")
        repo.tags[tag] = commit.oid
        self._json({"success": True})

    def resolve(self, namespace: str, name: str, revision: str, path: str) -> None:
        """Regular files are served here; LFS files redirect to the storage host with the file's metadata."""
        repo = self.repo(namespace, name)
        commit = self.commit_at(repo, revision)
        path = unquote(path)
        entry = commit.files.get(path)
        headers = {"X-Repo-Commit": commit.oid}
        if entry is None:
            raise HttpError(404, "Entry not found", "EntryNotFound", headers)
        if entry.lfs:
            headers |= {"X-Linked-Etag": f'"{entry.sha256}"', "X-Linked-Size": str(entry.size),
                        "ETag": f'"{entry.oid}"', "Location": f"{self.state.storage_url}/objects/{entry.sha256}"}
            return self._send(302, b"", headers)
        headers["ETag"] = f'"{entry.oid}"'
        self._send(200, entry.data, headers, "application/octet-stream")


class HubServer:
    """Start with `with HubServer(tokens={"hf_...": "user"}) as hub:`; `hub.url` is the endpoint."""

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.state = State(tokens=dict(tokens or {}))
        self._servers = [self._server(HubHandler), self._server(StorageHandler)]
        self.state.hub_url = self._url(self._servers[0])
        self.state.storage_url = self._url(self._servers[1])
        self._threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self._servers]

    def _server(self, handler: type[Handler]) -> ThreadingHTTPServer:
        cls = type(handler.__name__, (handler,), {"state": self.state})
        server = ThreadingHTTPServer(("127.0.0.1", 0), cls)
        server.daemon_threads = True
        return server

    @staticmethod
    def _url(server: ThreadingHTTPServer) -> str:
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self.state.hub_url

    def __enter__(self) -> HubServer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def fail(self, method: str, pattern: str, status: int, times: int = 1, retry_after: int | None = None,
             message: str = "injected failure", after: bool = False) -> Fault:
        """The next `times` requests matching (method, path regex) get `status` instead of an answer; with
        `after`, the request is carried out first and only its answer is lost (a proxy failing late)."""
        headers = {"X-Error-Message": message}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        fault = Fault(method, pattern, status, times, headers, {"error": message}, after)
        with self.state.lock:
            self.state.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def requests(self, method: str | None = None, pattern: str = "") -> list[tuple[str, str, int]]:
        with self.state.lock:
            return [r for r in self.state.requests
                    if (method is None or r[0] == method) and re.search(pattern, urlsplit(r[1]).path)]

    def repo(self, repo_id: str) -> Repo:
        return self.state.repos[repo_id]

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        """The bytes of every file at a revision, LFS files included (read back from storage)."""
        repo = self.repo(repo_id)
        commit = repo.resolve(revision)
        assert commit is not None, f"no revision {revision}"
        return {p: self.state.objects[e.sha256] if e.lfs else e.data for p, e in commit.files.items()}

    def resolve_url(self, repo_id: str, revision: str, path: str) -> str:
        return f"{self.url}/datasets/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"
