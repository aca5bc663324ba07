"""A corpus of odd and hostile response files, written by a script (``python -m tests.hostile.corpus
DIR`` writes it to DIR; the tests write it to a temporary folder).

Each case names the file, what a reader must do with it (``refuse`` with a message containing
``says``, or ``read`` with a warning containing ``says``), and for files that are read, a check of
the frame.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd


@dataclass
class Case:
    name: str
    write: Callable[[Path], None]
    outcome: str            # "refuse" or "warn" or "read"
    says: str = ""          # part of the message / warning
    check: Callable[[pd.DataFrame], bool] = field(default=lambda df: True)


def _text(content: str | bytes):
    def write(path: Path) -> None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return write


def _frame(df: pd.DataFrame, **kw):
    def write(path: Path) -> None:
        if path.suffix == ".xlsx":
            df.to_excel(path, index=False, **kw)
        elif path.suffix == ".parquet":
            df.to_parquet(path, **kw)
        elif path.suffix == ".sav":
            import pyreadstat
            pyreadstat.write_sav(df, str(path))
        else:
            raise ValueError(path)
    return write


def _xlsx_duplicate_headers(path: Path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "kse01", "kse01"])
    ws.append(["T1", 4, 5])
    wb.save(path)


def _xlsx_booleans(path: Path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "kse01"])
    ws.append(["T1", True])
    ws.append(["T2", 3])
    wb.save(path)


CASES = [
    Case("extra_field_every_row.csv", _text("id,kse01,kse02\nT1,4,5,9\nT2,3,4,9\n"), "refuse", "line(s) 2, 3 have more fields"),
    Case("extra_field_one_row.csv", _text("id,kse01,kse02\nT1,4,5\nT2,3,4,9\n"), "refuse", "line(s) 3 have more fields"),
    Case("trailing_delimiter.csv", _text("id,kse01,kse02,\nT1,4,5,\nT2,3,4,\n"), "warn", "no name and no values",
         lambda df: list(df.columns) == ["id", "kse01", "kse02"] and df["kse02"].tolist() == ["5", "4"]),
    Case("trailing_delimiter_rows.csv", _text("id,kse01,kse02\nT1,4,5,\nT2,3,4,\n"), "warn", "trailing",
         lambda df: df["id"].tolist() == ["T1", "T2"] and df["kse02"].tolist() == ["5", "4"]),
    Case("short_row.csv", _text("id,kse01,kse02\nT1,4\nT2,3,4\n"), "warn", "line(s) 2 have fewer fields",
         lambda df: df["id"].tolist() == ["T1", "T2"] and pd.isna(df["kse02"][0])),
    Case("header_only.csv", _text("id,kse01,kse02\n"), "refuse", "no data rows"),
    Case("empty.csv", _text(""), "refuse", ""),
    Case("names_equal_after_strip.csv", _text("id,kse01, kse01\nT1,4,5\n"), "refuse", "duplicate column names"),
    Case("latin1.csv", _text("id;name;kse01\nJos\xe9;Jos\xe9 M\xfcller;4\n".encode("latin-1")), "warn", "Latin-1",
         lambda df: df["id"].tolist() == ["José"]),
    Case("cp1251.csv", _text("id;name;kse01\nT1;Айгүл Сәрсенова;4\n".replace("ү", "у").replace("ә", "а")
                             .encode("cp1251")), "warn", "Windows-1251",
         lambda df: df["name"].tolist() == ["Айгул Сарсенова"]),
    Case("duplicate_headers.xlsx", _xlsx_duplicate_headers, "refuse", "duplicate column names"),
    Case("booleans.xlsx", _xlsx_booleans, "read", "", lambda df: df["kse01"].tolist()[0] == "TRUE"),
    Case("id_as_index.parquet", _frame(pd.DataFrame({"kse01": [4, 5]}, index=pd.Index(["T1", "T2"], name="id"))),
         "read", "", lambda df: df["id"].tolist() == ["T1", "T2"]),
    Case("not_a_spreadsheet.xlsx", _text("id,kse01\nT1,4\n"), "refuse", "cannot be read as xlsx"),
    Case("binary.csv", _text(b"\x00\x01\x02\xff\xfe" * 50), "read", ""),
]


def write_corpus(folder: Path) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case in CASES:
        path = folder / case.name
        case.write(path)
        out.append((case, path))
    return out


if __name__ == "__main__":
    for case, path in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_corpus")):
        print(f"{path}: {case.outcome} {case.says}")
