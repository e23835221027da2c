"""Outputs appear whole or not at all, with the permissions any other new file would get."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newserrata.atomic import atomic_write, write_bytes


def test_written_file_has_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out" / "file.bin"
    target.parent.mkdir()
    write_bytes(target, b"data")
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    assert os.listdir(target.parent) == ["file.bin"]


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.txt"]


def test_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_bytes(b"a much longer old content")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
