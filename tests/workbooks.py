"""AggreFact-Unified-like workbooks written with openpyxl, and the two committed in tests/fixtures/xsum/.

The committed pair pins the fixture release (tests/test_release_digest.py): openpyxl stamps the time into
a workbook, so they are written once by `committed_workbooks` and kept; `test_aggrefact.py` checks that
they still say what `COMMITTED` says.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

COLUMNS = ["annotated_span", "cut", "dataset", "doc", "error_type", "id", "label", "model_name", "origin", "summ",
           "category"]
CNN_COLUMNS = ["dataset", "id", "summ", "model_name", "label", "cut", "error_type", "category"]
Rows = list[tuple[str | int | None, str | None]]  # (id, doc)

ARTICLE = ("The council said the \u00c2\u00a35m plan would go ahead.\n"
           "Residents had objected to the scheme for two years.")
"""XSum's own mojibake (`Â£` for `£`) kept, as the published workbooks hold it."""
COMMITTED: dict[str, Rows] = {
    "AggreFact-Unified-test.xlsx": [("10000001", ARTICLE), ("10000001", ARTICLE), ("31000007", "Another article."),
                                    ("10000001", None)],
    "AggreFact-Unified-val.xlsx": [("31000007", "Another article."), ("10000001", ARTICLE)],
}
"""10000001 is an article of tests/fixtures/xsum; 39497668, the other one, is in neither workbook."""


def write_workbook(path: Path, rows: Rows, *, sheet: str = "xsum_in_pred", columns: list[str] | None = None) -> Path:
    """A workbook with a cnn sheet (no `doc` column, as published) and one xsum sheet of (id, doc) rows; a row
    with doc None is another corpus' row (CLIFF), whose `doc` cell is empty."""
    book = Workbook()
    cnn = book.active
    cnn.title = "cnn_in_pred"
    cnn.append(CNN_COLUMNS)
    cnn.append(["FRANK", "cnn-1", "a summary", "BART", 1, "test", "[]", "SOTA"])
    names = columns or COLUMNS
    xsum = book.create_sheet(sheet)
    xsum.append(names)
    for bbcid, doc in rows:
        cells = {"id": bbcid, "doc": doc, "dataset": "xsumfaith" if doc else "CLIFF", "origin": "xsum" if doc else None,
                 "summ": "a summary", "label": 0, "cut": "test", "model_name": "BERTS2S", "category": "OLD"}
        xsum.append([cells.get(name) for name in names])
    book.save(path)
    return path


def committed_workbooks(folder: Path) -> list[Path]:
    return [write_workbook(folder / name, rows) for name, rows in COMMITTED.items()]
