"""The only module that touches YAML. Reading is *safe*: tags that would build
Python objects (``!!python/object/apply:os.system`` and the like) are refused,
duplicate keys are refused, and dates stay strings."""

from __future__ import annotations

import copy
import datetime as _dt
import io
import json
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..exceptions import InstrumentError

#: bounds that no real instrument file comes near; a hostile one is refused before it can
#: exhaust memory or the stack (billion-laughs aliases, deep nesting, giant numbers)
MAX_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_DIGITS = 60


def _plain(value: Any, path: Path, depth: int = 0, seen: set[int] | None = None) -> Any:
    """Plain dicts/lists/scalars; refuses shared (aliased) containers and nesting deeper than
    ``MAX_DEPTH`` (instrument files need neither)."""
    seen = set() if seen is None else seen
    if depth > MAX_DEPTH:
        raise InstrumentError(f"{path}: nested more than {MAX_DEPTH} levels deep; an instrument file is not")
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            raise InstrumentError(f"{path}: uses YAML aliases (&anchor / *alias) to repeat content; write the "
                                  "content out (instrument files may not use aliases)")
        seen.add(id(value))
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v, path, depth + 1, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, path, depth + 1, seen) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _precheck(text: str, path: Path) -> None:
    """Refuse, before parsing, what the parser would choke on: huge files, deep bracket nesting and
    numbers with more digits than any code or count needs. (Aliases are refused after parsing,
    when a container appears twice, before anything expands them.)"""
    if len(text) > MAX_BYTES:
        raise InstrumentError(f"{path}: {len(text)} characters; an instrument file has at most {MAX_BYTES}")
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise InstrumentError(f"{path}: brackets nested {deepest} deep; an instrument file needs at most {MAX_DEPTH}")
    m = re.search(r"\d{%d,}" % (MAX_DIGITS + 1), text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise InstrumentError(f"{path}: line {line}: a number with {len(m.group())} digits; codes, counts and "
                              f"hashes in instrument files have at most {MAX_DIGITS}")


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
    _precheck(text, path)
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
    except (RecursionError, ValueError, MemoryError) as exc:   # what slipped past the pre-check
        raise InstrumentError(f"{path}: cannot be read as an instrument file: {type(exc).__name__}: "
                              f"{str(exc)[:200]}") from None
    if not isinstance(doc, dict):
        raise InstrumentError(f"{path}: the file must hold one mapping (schema_version, kind, id, ...), "
                              f"found {type(doc).__name__}", [(str(path), "(top)", "not a mapping")])
    return _plain(doc, path)


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
