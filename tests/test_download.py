"""Pinned downloads against a real HTTP server on 127.0.0.1, fetched with the real client (urllib)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newserrata.download import cached_path, default_cache_dir, fetch
from newserrata.errors import InputError

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes: several read chunks
SHA = hashlib.sha256(PAYLOAD).hexdigest()
SIZE = len(PAYLOAD)


class Server:
    """Serves /good/<name>, /truncated/<name> (announces the full length, sends half, hangs up),
    /corrupt/<name> (right length, one byte flipped), /long/<name> (more bytes than pinned) and
    /missing/<name> (404); counts requests per path."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests[self.path] += 1
                kind = self.path.split("/")[1]
                if kind == "missing":
                    self.send_error(404, "Not Found")
                    return
                body = PAYLOAD
                if kind == "corrupt":
                    body = PAYLOAD[:500] + bytes([PAYLOAD[500] ^ 0xFF]) + PAYLOAD[501:]
                elif kind == "long":
                    body = PAYLOAD + b"tail"
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if kind == "truncated" else body)
                self.wfile.flush()
                if kind == "truncated":
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, kind: str, name: str = "ratings.tsv.tar.gz") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{kind}/{name}"


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_good_download_is_verified_cached_and_not_fetched_again(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    path = fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=False, progress=False)
    assert path == cached_path(url, SHA, tmp_path) and path.name == "ratings.tsv.tar.gz"
    assert path.read_bytes() == PAYLOAD
    again = fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=False, progress=False)
    assert again == path
    assert server.requests["/good/ratings.tsv.tar.gz"] == 1
    # Cached and verified: offline works too, still without a request.
    assert fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=True, progress=False) == path
    assert server.requests["/good/ratings.tsv.tar.gz"] == 1
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]


def test_progress_goes_to_stderr(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fetch(server.url("good"), SHA, SIZE, cache_dir=tmp_path, offline=False, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "download" in err


@pytest.mark.parametrize(("kind", "words"), [
    ("truncated", "cut short"),
    ("corrupt", f"expected {SHA}"),
    ("long", f"expected {SIZE}"),
    ("missing", "HTTP 404"),
])
def test_bad_downloads_fail_clearly_and_leave_nothing(server: Server, tmp_path: Path, kind: str, words: str) -> None:
    url = server.url(kind)
    with pytest.raises(InputError) as caught:
        fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=False, progress=False, name="wmt23-zhen")
    message = str(caught.value)
    assert words in message and "--source-file wmt23-zhen=PATH" in message
    assert not any(p.is_file() for p in tmp_path.rglob("*")), "no partial or unverified file may remain"


def test_corrupted_cache_is_removed_and_downloaded_again(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    target = cached_path(url, SHA, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD[:-1] + b"x")
    assert fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=False, progress=False).read_bytes() == PAYLOAD
    assert server.requests["/good/ratings.tsv.tar.gz"] == 1


def test_corrupted_cache_offline_is_removed_and_explained(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/good/ratings.tsv.tar.gz"
    target = cached_path(url, SHA, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"junk")
    with pytest.raises(InputError) as caught:
        fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=True, progress=False, name="wmt23-ende")
    assert "--source-file wmt23-ende=PATH" in str(caught.value) and "downloads are off" in str(caught.value)
    assert not target.exists()


def test_local_file_is_used_without_network_and_still_verified(tmp_path: Path) -> None:
    good = tmp_path / "mine.tsv.tar.gz"
    good.write_bytes(PAYLOAD)
    url = "http://127.0.0.1:9/never/contacted.tar.gz"
    assert fetch(url, SHA, SIZE, cache_dir=tmp_path / "cache", offline=True, local_file=good) == good
    cached = cached_path(url, SHA, tmp_path / "cache")
    assert cached.read_bytes() == PAYLOAD, "a verified file given by hand is kept in the cache"
    assert fetch(url, SHA, SIZE, cache_dir=tmp_path / "cache", offline=True) == cached
    bad = tmp_path / "other.tsv.tar.gz"
    bad.write_bytes(PAYLOAD[::-1])
    with pytest.raises(InputError) as caught:
        fetch(url, SHA, SIZE, cache_dir=tmp_path / "cache", offline=True, local_file=bad, name="wmt23-zhen")
    assert "not the pinned file for wmt23-zhen" in str(caught.value)
    assert bad.exists(), "a user's own file is reported, never deleted"
    with pytest.raises(InputError, match="no such file"):
        fetch(url, SHA, SIZE, cache_dir=tmp_path, offline=True, local_file=tmp_path / "absent.tar.gz")


def test_unreachable_server_names_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        fetch("http://127.0.0.1:9/x.tar.gz", SHA, SIZE, cache_dir=tmp_path, offline=False, progress=False,
              name="wmt23-zhen")
    assert "--source-file wmt23-zhen=PATH" in str(caught.value)


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("NEWSERRATA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "newserrata"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "newserrata"
