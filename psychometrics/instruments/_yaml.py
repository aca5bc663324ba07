"""The only module that touches YAML. Reading is *safe*: tags that would build
Python objects (``!!python/object/apply:os.system`` and the like) are refused,
duplicate keys are refused, and dates stay strings."""

from __future__ import annotations

import copy
import datetime as _dt
import io
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..exceptions import InstrumentError


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


_CACHE: dict[tuple[str, int, int], dict] = {}


def read_document(path: Path) -> dict:
    """Read a YAML or JSON instrument file into plain dicts/lists/scalars.

    Parsed documents are cached by (path, modification time, size); callers get a copy.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InstrumentError(f"{path}: no such file") from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        _CACHE[key] = _parse(path)
    return copy.deepcopy(_CACHE[key])


def _parse(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                              "save the file as UTF-8") from None
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(text)
        else:
            doc = YAML(typ="safe").load(text)
    except json.JSONDecodeError as exc:
        raise InstrumentError(f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}",
                              [(str(path), f"line {exc.lineno}", exc.msg)]) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = ""
        if "constructor" in str(exc) or "tag" in str(problem):
            hint = (" Instrument files may hold only plain data (maps, lists, text, numbers);"
                    " tags such as !!python/... are refused because they could run code.")
        message = f"YAML refused: {problem}.{hint}"
        raise InstrumentError(f"{path}: {where}: {message}", [(str(path), where, message)]) from None
    if not isinstance(doc, dict):
        raise InstrumentError(f"{path}: the file must hold one mapping (schema_version, kind, id, ...), "
                              f"found {type(doc).__name__}", [(str(path), "(top)", "not a mapping")])
    return _plain(doc)


def rewrite(path: Path, edit) -> None:
    """Round-trip edit of a YAML file, keeping comments and layout: ``edit(doc)``
    mutates the loaded document in place."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    doc = yaml.load(path.read_text(encoding="utf-8"))
    edit(doc)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    path.write_text(buf.getvalue(), encoding="utf-8")
