"""The offset contract: what normalisation changes, and, as importantly, what it leaves alone."""

from __future__ import annotations

import unicodedata

import pytest

from newserrata.text import BOM, TextDecodeError, decode_utf8, normalize, read_text


def test_crlf_and_lone_cr_become_newlines() -> None:
    assert normalize("a\r\nb\rc\nd\r\n\r\n") == "a\nb\nc\nd\n\n"


def test_crlf_is_one_newline_not_two() -> None:
    assert normalize("x\r\ny") == "x\ny"
    assert len(normalize("\r\n" * 5)) == 5


def test_leading_bom_is_removed_inner_one_kept() -> None:
    # Only the byte order mark at the start is an encoding artefact; one inside is content.
    assert normalize(BOM + "abc") == "abc"
    assert normalize("a" + BOM + "b") == "a" + BOM + "b"


def test_nfc_composes_decomposed_accents() -> None:
    decomposed = "Cafe\u0301 Ko\u0308ln"
    assert normalize(decomposed) == "Café Köln"
    assert len(normalize(decomposed)) == len("Café Köln") == 9
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_nothing_else_changes() -> None:
    text = "  leading and trailing  \n\n\t tabs\u00a0nbsp   double  spaces \n  "
    assert normalize(text) == text
    assert normalize("") == ""


def test_emoji_and_astral_characters_are_single_offsets() -> None:
    text = normalize("a🎉b🇺🇦c")
    assert text.index("b") == 2
    assert text.index("c") == 5  # the flag is two regional-indicator code points


def test_normalize_is_idempotent() -> None:
    raw = BOM + "Cafe\u0301\r\nline\rend"
    once = normalize(raw)
    assert normalize(once) == once


def test_read_text_decodes_and_normalises() -> None:
    raw = (BOM + "Cafe\u0301\r\nzwei").encode("utf-8")
    assert read_text(raw) == "Café\nzwei"


def test_decode_utf8_is_strict() -> None:
    assert decode_utf8("ü🎉".encode()) == "ü🎉"


def test_broken_utf8_names_line_and_byte() -> None:
    data = b"line one\nline two\nbad \xff byte\n"
    with pytest.raises(TextDecodeError) as caught:
        decode_utf8(data)
    assert caught.value.line == 3
    bad = data.index(b"\xff")
    assert caught.value.offset == bad
    assert "line 3" in str(caught.value)
    assert f"byte {bad}" in str(caught.value)


def test_truncated_multibyte_sequence_at_end_is_an_error() -> None:
    data = "ok\nü".encode()[:-1]
    with pytest.raises(TextDecodeError) as caught:
        read_text(data)
    assert caught.value.line == 2


def test_latin1_file_is_rejected_not_guessed() -> None:
    with pytest.raises(TextDecodeError):
        read_text("Zürich".encode("latin-1"))
