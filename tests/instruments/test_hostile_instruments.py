"""Hostile files in the instruments folder (billion laughs, recursive aliases, deep nesting, a
5,000-digit number) are refused with a message naming the file, in bounded time and memory, and
the other instruments of the folder still load."""

from __future__ import annotations

import shutil

import pytest

from psychometrics.exceptions import InstrumentError
from psychometrics.instruments import InstrumentRegistry
from psychometrics.instruments._yaml import read_document

from ..conftest import INSTRUMENTS


def _laughs() -> str:
    text, prev = 'id: x\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for name in "bcdefghi":   # 9^9 lols once expanded (about 5 GB as JSON)
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


HOSTILE = {
    "laughs.yaml": (_laughs(), "aliases"),
    "recursive.yaml": ("id: x\nv: &a [*a]\n", "aliases"),
    "deep.yaml": ("id: x\nv: " + "[" * 100000 + "]" * 100000 + "\n", "nested"),
    "deep.json": ('{"id": "x", "v": ' + "[" * 100000 + "]" * 100000 + "}", "nested"),
    "bigint.yaml": ("id: x\nv: " + "9" * 5000 + "\n", "5000 digits"),
    "deep_blocks.yaml": ("id: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n", "nested"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_instrument_file_is_refused_naming_it(tmp_path, name):
    text, says = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InstrumentError) as e:
        read_document(path)
    assert str(path) in str(e.value) and says in str(e.value), str(e.value)


def test_the_other_instruments_still_load(tmp_path):
    folder = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, folder)
    for name, (text, _) in HOSTILE.items():
        (folder / name).write_text(text)
    reg = InstrumentRegistry([folder])
    assert "vpc_teachers" in reg.ids() and reg.get("vpc_teachers").scoring
