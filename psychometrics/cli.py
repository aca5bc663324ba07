"""Command line: ``psychometrics`` (also ``python -m psychometrics``).

Thin over the library. Exit status: 0 success, 2 bad usage or bad input (a message
naming file/row/column/item and the fix, no traceback), 3 estimation failed.
Contract: shared design CLI.md.

Why this module is long: it is the whole command-line contract in one place, one thin function
per command (options, flag names, JSON and exit codes); the statistics live in the library.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import click

from . import instruments as inst_mod
from ._options import as_flags
from ._safety import csv_frame
from ._version import __version__
from .exceptions import PsychometricsError, PsychometricsWarning
from .reporting.summary import Summary, SummaryFormat, jsonable

FORMATS = ["text", "json", "md", "latex", "html", "csv"]
RESULT_FORMATS = FORMATS + ["docx"]          # results with tables (ResultBase.to_docx)
_EXTENSIONS = {".json": "json", ".md": "md", ".markdown": "md", ".tex": "latex", ".html": "html", ".htm": "html",
               ".csv": "csv", ".txt": "text", ".docx": "docx"}


def _format_for(fmt: str | None, out: str | None, allowed: list[str]) -> str:
    """The contract's --format default: the --out file's extension, else text. An extension this
    command cannot write is refused rather than given text under a misleading name."""
    if fmt:
        return fmt
    if not out:
        return "text"
    suffix = Path(out).suffix.lower()
    guess = _EXTENSIONS.get(suffix)
    if guess is None:
        return "text"
    if guess not in allowed:
        raise click.UsageError(f"--out {out}: this command does not write {suffix} files; use one of "
                               f"{', '.join(sorted({e for e, f in _EXTENSIONS.items() if f in allowed}))} or give --format")
    return guess


def _show_warning(message, category, filename, lineno, file=None, line=None):
    if issubclass(category, PsychometricsWarning):
        click.echo(f"warning: {message}", err=True)
    else:  # pragma: no cover - third-party warnings keep their usual form
        click.echo(warnings.formatwarning(message, category, filename, lineno, line), err=True, nl=False)


INSTRUMENT_HELP = ("Validate the responses against this instrument first: its declared missing codes "
                   "(-98, -99) become missing and invalid codes are refused.")


def _registry(ctx: click.Context):
    dirs = list(ctx.obj.get("instrument_dirs") or [])
    env = os.environ.get("PSYCHOMETRICS_INSTRUMENTS")
    if env:
        dirs += env.split(os.pathsep)
    if not dirs:
        dirs = ["instruments"]
    return inst_mod.InstrumentRegistry(dirs)


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text)


def _csv(df) -> str:
    """A table as CSV text that a spreadsheet will not run (see psychometrics._safety)."""
    return csv_frame(df).to_csv(index=False)


def _model_text(model: str) -> str:
    """``--model``: a file holding lavaan syntax (UTF-8), or the syntax itself."""
    path = Path(model)
    if not path.is_file():
        return model
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{model} is not UTF-8 text; save the model file as UTF-8",
                                 param_hint="--model") from None


def _render(summary: Summary, fmt: str) -> str:
    shown: dict[str, SummaryFormat] = {"md": "md", "latex": "latex", "html": "html"}
    return summary.render(shown.get(fmt, "text"))


#: parameters that name files a command reads, and those it writes
_INPUT_PARAMS = ("data", "model", "path", "paths", "codes", "instrument")
_OUTPUT_FLAGS = {"out": "--out", "problems_out": "--problems", "scores_out": "--scores", "scree_out": "--scree",
                 "heatmap_out": "--heatmap", "items_out": "--items-out", "diagram": "--diagram", "plot": "--plot"}


def _check_outputs(params: dict) -> None:
    """Refuse to write over a file the command reads, or to write two outputs to one file, before
    any work is done (``--out data.csv`` would otherwise replace the data)."""
    inputs: dict[Path, str] = {}
    for name in _INPUT_PARAMS:
        values = params.get(name)
        for v in (values if isinstance(values, (list, tuple)) else [values]):
            if isinstance(v, str) and v and Path(v).is_file():
                inputs[Path(v).resolve()] = v
    seen: dict[Path, str] = {}
    for name, flag in _OUTPUT_FLAGS.items():
        v = params.get(name)
        if not v:
            continue
        p = Path(v).resolve()
        if p in inputs:
            raise click.UsageError(f"{flag} {v} is a file this command reads; writing it would replace it. "
                                   "Choose another output file")
        if p in seen:
            raise click.UsageError(f"{flag} {v} is also given as {seen[p]}; one would overwrite the other. "
                                   "Choose different files")
        seen[p] = flag


class _Command(click.Command):
    def invoke(self, ctx):
        _check_outputs(ctx.params)
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise OSError(exc.errno, _os_message(exc, ctx.params)) from None


def _os_message(exc: OSError, params: dict) -> str:
    """A failed write named by its output flag and file, with the fix (a full disk reports no file
    name; a missing or file-named folder is said so, not 'File exists')."""
    import errno

    outputs = [(flag, params[name]) for name, flag in _OUTPUT_FLAGS.items() if params.get(name)]
    target = str(exc.filename) if exc.filename else None
    named = next(((f, v) for f, v in outputs if target and Path(v).resolve() == Path(target).resolve()), None)
    if named is None and len(outputs) == 1:
        named = outputs[0]
    where = f"{named[0]} {named[1]}" if named else (target or "writing")
    why = exc.strerror or str(exc)
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and named:
        parent = next((p for p in Path(named[1]).parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            return f"{where}: {parent} is a file, not a folder; choose an output path inside a folder"
    if exc.errno == errno.ENOENT and named and not Path(named[1]).parent.exists():
        return f"{where}: the folder {Path(named[1]).parent} does not exist; create it or choose another path"
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the device; free some space or write elsewhere"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: no permission to write there ({why}); choose a folder you can write to"
    if named or not target:
        return f"{where}: {why}" + (f" ({target})" if target and named and target != named[1] else "")
    return f"{target}: {why}"


class _Group(click.Group):
    command_class = _Command

    def invoke(self, ctx):
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except PsychometricsError as exc:
            click.echo(f"error: {as_flags(str(exc))}", err=True)  # the library names arguments
            ctx.exit(exc.exit_code)
        except OSError as exc:       # an unwritable --out, a folder named like the file, a full disk
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)   # _Command has named the output
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="psychometrics")
@click.option("--instruments", "instrument_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Directory of instrument files (repeatable). Default: $PSYCHOMETRICS_INSTRUMENTS, else ./instruments.")
@click.pass_context
def main(ctx: click.Context, instrument_dirs: tuple[str, ...]) -> None:
    """Survey instruments and psychometrics for teachers' virtual professional communities."""
    ctx.ensure_object(dict)
    ctx.obj["instrument_dirs"] = instrument_dirs


# --------------------------------------------------------------------------- instruments
@main.group(cls=_Group)
def instruments() -> None:
    """List, show, validate and maintain instrument files."""


@instruments.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.pass_context
def instruments_list(ctx, fmt, out):
    """Instruments and batteries: id, version, title, items, languages."""
    fmt = _format_for(fmt, out, FORMATS)
    import pandas as pd

    reg = _registry(ctx)
    rows = []
    for ident in reg.ids():
        i = reg.get(ident)
        rows.append({"id": i.id, "kind": i.kind, "version": i.version, "status": i.status,
                     "title": i.title[i.languages.source], "items": len(i.items), "scales": len(i.scoring),
                     "languages": ",".join(i.languages.available), "path": str(reg.path(ident))})
    df = pd.DataFrame(rows, columns=["id", "kind", "version", "status", "title", "items", "scales", "languages", "path"])
    if fmt == "json":
        _emit(json.dumps({"instruments": jsonable(df)}, ensure_ascii=False, indent=2), out)
    elif fmt == "csv":
        _emit(_csv(df), out)
    else:
        _emit(_render(Summary("Instruments", [f"from: {', '.join(map(str, reg.directories))}"],
                              [("Instruments", df.drop(columns="path"))]), fmt), out)


@instruments.command("show")
@click.argument("ident")
@click.option("--lang", default=None, help="Language of the texts (en, ru, kk-Cyrl). Default: the source language.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.pass_context
def instruments_show(ctx, ident, lang, fmt, out):
    """Items, response scales, scoring rules and lavaan syntax of one instrument."""
    fmt = _format_for(fmt, out, FORMATS)
    import pandas as pd

    i = _registry(ctx).resolve(ident)
    lang = lang or i.languages.source
    if lang not in i.languages.available:
        raise inst_mod.InstrumentError(f"{i.id} has no '{lang}' version; available: {', '.join(i.languages.available)}")
    items = pd.DataFrame([{"item": it.id, "instrument": it.instrument, "dimension": it.dimension,
                           "reverse": it.reverse, "scale": it.scale.id, "text": it.text.get(lang, "")}
                          for it in i.items])
    scoring = pd.DataFrame([{"scale": s.id, "method": s.method, "min_valid": s.min_valid_count,
                             "items": " ".join(i.psych_keys()[s.id]), "label": s.label.get(lang, "")}
                            for s in i.scoring])
    rules = pd.DataFrame([{"classification": c.id, "rule": n + 1,
                           "when": "otherwise" if r.get("otherwise") else json.dumps(r["when"], ensure_ascii=False),
                           "then": r["then"]} for c in i.classifications for n, r in enumerate(c.rules)])
    if fmt == "json":
        _emit(json.dumps({"id": i.id, "version": i.version, "content_hash": i.content_hash, "language": lang,
                          "items": jsonable(items), "scoring": jsonable(scoring), "classifications": jsonable(rules),
                          "cfa_syntax": i.cfa_syntax()}, ensure_ascii=False, indent=2), out)
        return
    header = [f"version {i.version} ({i.status}), {i.content_hash}", f"language: {lang}",
              "lavaan syntax:", *i.cfa_syntax().splitlines()]
    tables = [("Items", items), ("Scoring", scoring)] + ([("Classification rules", rules)] if len(rules) else [])
    _emit(_render(Summary(f"{i.id}: {i.text(lang)}", header, tables), fmt), out)


@instruments.command("export")
@click.argument("ident")
@click.option("--to", "to", required=True, type=click.Choice(["xlsform", "limesurvey", "redcap", "codebook", "paper"]),
              help="xlsform (.xlsx for Kobo/ODK), limesurvey (.txt), redcap (.csv dictionary), codebook (.md + "
                   "datapackage.json + .sav/.dta templates), paper (.pdf + .html per language).")
@click.option("--lang", help="Languages, e.g. en,ru,kk-Cyrl (default: all the instrument has).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Output file (companions go next to it).")
@click.option("--fallback", is_flag=True, help="Use the source language where a translation is missing.")
@click.option("--force", is_flag=True, help="Write over existing companion files (the SPSS/Stata templates, code maps...).")
@click.pass_context
def instruments_export(ctx, ident, to, lang, out, fallback, force):
    """Export an instrument or battery (ID or ID1,ID2,...) for a survey platform, paper or a codebook."""
    from .deploy import export

    inst = _registry(ctx).resolve(ident)
    langs = [x.strip() for x in lang.split(",") if x.strip()] if lang else None
    written = export(inst, to, langs, out, fallback=fallback, force=force)
    for p in written:
        click.echo(str(p))


@instruments.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def instruments_validate(ctx, paths, fmt):
    """Check files against the schema, for consistency, complete and current translations
    and content hash. No PATH: every file in the instrument directories. Exit 2 on any problem."""
    reg = _registry(ctx)
    files = []
    for p in map(Path, paths):     # a folder stands for the instrument files in it
        files += sorted(f for f in p.iterdir() if f.suffix.lower() in inst_mod.INSTRUMENT_SUFFIXES) if p.is_dir() else [p]
    files = files or reg.paths()
    if not files:
        raise inst_mod.InstrumentError(f"no instrument files in {', '.join(map(str, reg.directories))}")
    problems = inst_mod.validate_files(files, reg)
    bad = [p for p in problems if p.severity != "note"]
    notes = [p for p in problems if p.severity == "note"]
    if fmt == "json":
        click.echo(json.dumps({"files": [str(f) for f in files], "valid": not bad,
                               "problems": [p.__dict__ for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for p in bad:
            click.echo(f"{p.file}: {p.field}: {p.message}", err=True)
        drafts: dict[str, list[str]] = {}  # file -> languages whose translation is a draft
        for p in notes:
            if p.field.startswith("translations.") and p.field.endswith(".status"):
                drafts.setdefault(p.file, []).append(p.field.split(".")[1])
            else:
                click.echo(f"note: {p.file}: {p.field}: {p.message}")
        for f, langs in drafts.items():
            click.echo(f"note: {f}: draft translation(s) {', '.join(langs)}: have them reviewed by "
                       "bilingual experts and pretested before fieldwork")
        click.echo(f"{len(files)} file(s) checked: " + (f"{len(bad)} problem(s)" if bad else "all valid")
                   + (f", {len(notes)} note(s)" if notes else ""))
    if bad:
        ctx.exit(2)


@instruments.command("rehash")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def instruments_rehash(paths):
    """Write the current content hash into instrument files (after an intended change)."""
    for p in paths:
        click.echo(f"{p}: {inst_mod.rehash(p)}")


@instruments.command("stamp")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", required=True, help="The translation to stamp, e.g. ru or kk-Cyrl.")
@click.option("--path", "paths", multiple=True, help="Only these strings (e.g. items/kse01/text); repeatable.")
def instruments_stamp(path, lang, paths):
    """Record that the LANG texts were checked against the current source texts."""
    n = inst_mod.stamp_translations(path, lang, list(paths) or None)
    click.echo(f"{path}: recorded {n} source hash(es) for {lang}")


# --------------------------------------------------------------------------- scoring
def _parse_scales(specs: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        if "=" not in spec:
            raise click.BadParameter(f"'{spec}': write NAME=item1,-item2,...", param_hint="--scale")
        name, items = spec.split("=", 1)
        keys = [k for k in items.split(",") if k.strip()]
        if not name.strip() or not keys:
            raise click.BadParameter(f"'{spec}': a scale needs a name and at least one item", param_hint="--scale")
        if name.strip() in out:
            raise click.BadParameter(f"scale '{name.strip()}' given twice", param_hint="--scale")
        out[name.strip()] = keys
    return out


def _parse_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        lo, hi = (int(x) for x in text.split(","))
    except ValueError:
        raise click.BadParameter(f"'{text}': write MIN,MAX with whole numbers, e.g. 1,5", param_hint="--range") from None
    return lo, hi


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument", help="Instrument or battery id(s), comma-separated, or a file path.")
@click.option("--scale", "scales", multiple=True, help="Ad-hoc scale NAME=item1,-item2,... ('-' = reverse-keyed).")
@click.option("--range", "range_", help="MIN,MAX of the response scale for ad-hoc scales.")
@click.option("--min-valid", type=float, default=1, show_default=True,
              help="Ad-hoc scales: minimum answered items (a count, or a proportion if below 1).")
@click.option("--on-invalid", type=click.Choice(["error", "missing"]), default="error", show_default=True,
              help="error: refuse invalid values; missing: set them missing and report each.")
@click.option("--id", "id_col", help="Respondent id column (default: id, respondent_id, _uuid, _id, else row numbers).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Scores file (.csv .tsv .xlsx .parquet .sav .dta), or .json for everything.")
@click.option("--problems", "problems_out", type=click.Path(dir_okay=False), help="Write the problems table (CSV).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              help="Summary format on stdout (json: the whole result; csv: the scores).")
@click.option("--no-careless", is_flag=True, help="Skip careless-responding indices.")
@click.option("--sheet", default="0", help="Worksheet of an .xlsx file (name or 0-based number).")
@click.option("--from", "source_format", type=click.Choice(["auto", "limesurvey", "redcap"]), default="auto",
              show_default=True, help="Platform export: auto (our format, KoboToolbox/ODK), limesurvey "
                                      "(with --codes), redcap (raw values).")
@click.option("--codes", type=click.Path(dir_okay=False, exists=True),
              help="LimeSurvey code map written by 'instruments export --to limesurvey' (*.codes.csv).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.pass_context
def score(ctx, data, instrument, scales, range_, min_valid, on_invalid, id_col, out, problems_out, fmt,
          no_careless, sheet, source_format, codes, quiet):
    """Validate and score DATA: one output row per input row, in input order, with its id."""
    from .responses.io import read_responses, write_table
    from .scoring.score import score as score_fn

    if bool(instrument) == bool(scales):
        raise click.UsageError("give --instrument ID or one or more --scale NAME=items (not both)")
    inst = _registry(ctx).resolve(instrument) if instrument else None
    df = read_responses(data, sheet=int(sheet) if sheet.isdigit() else sheet)
    if source_format != "auto":
        from .responses.harmonize import from_limesurvey, from_redcap, read_limesurvey_codes

        if inst is None:
            raise click.UsageError(f"--from {source_format} needs --instrument")
        if source_format == "limesurvey":
            if not codes:
                raise click.UsageError("--from limesurvey needs --codes FILE (the *.codes.csv written with the survey)")
            df = from_limesurvey(df, read_limesurvey_codes(codes, inst), inst)
        else:
            df, notes = from_redcap(df, inst)
            for n in notes:
                if not quiet:
                    click.echo(n, err=True)
            id_col = id_col or ("record_id" if "record_id" in df.columns else None)
    mv = int(min_valid) if min_valid >= 1 else float(min_valid)   # NaN stays a float: the library refuses it
    res = score_fn(df, instrument=inst, scales=_parse_scales(scales) if scales else None,
                   range=_parse_range(range_), id=id_col, on_invalid=on_invalid, careless=not no_careless,
                   min_valid=mv, source=str(data))
    if problems_out:
        write_table(res.problems, problems_out)
    if out and Path(out).suffix.lower() == ".json":
        _emit(json.dumps(res.to_dict(), ensure_ascii=False, indent=1), out)
    elif out:
        write_table(res.scores, out)
    if fmt == "json":
        click.echo(json.dumps(res.to_dict(rows=not out), ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(_csv(res.scores), nl=False)
    else:
        click.echo(_render(res.summary(), fmt))
        if out and not quiet:
            click.echo(f"\nscores of {len(res.scores)} respondents written to {out}", err=True)
        elif not out and not quiet:
            click.echo("\n(pass --out scores.csv to save the scores of every respondent)", err=True)


def _parse_codes(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise click.BadParameter(f"'{text}': write whole numbers separated by commas, e.g. -98,-99",
                                 param_hint="--missing-codes") from None


def _parse_omega_h(specs: tuple[str, ...]) -> dict[str, int] | None:
    if not specs:
        return None
    out = {}
    for spec in specs:
        name, _, k = spec.partition("=")
        if not k.strip().isdigit() or int(k) < 1:
            raise click.BadParameter(f"'{spec}': write NAME=K with K group factors, e.g. npc=2", param_hint="--omega-h")
        out[name.strip()] = int(k)
    return out


def _adhoc_or_instrument(ctx, instrument, scales):
    if bool(instrument) == bool(scales):
        raise click.UsageError("give --instrument ID or one or more --scale NAME=items (not both)")
    return _registry(ctx).resolve(instrument) if instrument else None


def _write_result(res, fmt: str, out: str | None) -> None:
    """Contract: --format json|text|md|latex|html|docx|csv, --out FILE (default stdout)."""
    if fmt == "json":
        _emit(json.dumps(res.to_dict(), ensure_ascii=False, indent=1), out)
    elif fmt == "csv":
        _emit(_csv(res.to_frame()), out)
        if out and hasattr(res, "item_table"):  # the item-analysis table goes beside it
            items = Path(out).with_name(Path(out).stem + "_items.csv")
            Path(items).write_text(_csv(res.item_table()), encoding="utf-8")
            click.echo(f"item analysis written to {items}", err=True)
    elif fmt == "docx":
        if not out:
            raise click.UsageError("--format docx needs --out FILE.docx")
        res.to_docx(out)
    else:
        _emit(_render(res.summary(), fmt), out)


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument", help="Instrument or battery id(s), comma-separated, or a file path.")
@click.option("--scale", "scales", multiple=True, help="Ad-hoc scale NAME=item1,-item2,... ('-' = reverse-keyed).")
@click.option("--range", "range_", help="MIN,MAX of the response scale for ad-hoc scales.")
@click.option("--missing-codes", help="Ad-hoc scales: codes meaning no answer, e.g. -98,-99.")
@click.option("--missing", type=click.Choice(["listwise", "pairwise"]), default="listwise", show_default=True)
@click.option("--ordinal", is_flag=True, help="Also ordinal alpha and omega (polychoric correlations).")
@click.option("--omega-h", "omega_h", multiple=True,
              help="NAME=K: omega hierarchical of scale NAME with K group factors (default: scales that "
                   "contain other scales, one group factor per contained scale).")
@click.option("--ci", type=click.Choice(["feldt", "bootstrap"]), default="feldt", show_default=True)
@click.option("--boot-ci", type=click.Choice(["bca", "perc"]), default="bca", show_default=True)
@click.option("--n-boot", type=int, default=1000, show_default=True)
@click.option("--seed", type=int, default=None)
@click.option("--on-invalid", type=click.Choice(["error", "missing"]), default="error", show_default=True)
@click.option("--id", "id_col")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
              help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.pass_context
def reliability(ctx, data, instrument, scales, range_, missing_codes, missing, ordinal, omega_h, ci, boot_ci, n_boot,
                seed, on_invalid, id_col, fmt, out, quiet):
    """Alpha (with CI), lambda 6, omega, item analysis and HTMT for each scale."""
    fmt = _format_for(fmt, out, RESULT_FORMATS)
    from .measurement.reliability import reliability as rel
    from .responses.io import read_responses

    inst = _adhoc_or_instrument(ctx, instrument, scales)
    res = rel(read_responses(data), scales=_parse_scales(scales) if scales else None, instrument=inst,
              range=_parse_range(range_), missing_codes=_parse_codes(missing_codes), missing=missing, ci=ci,
              boot_ci=boot_ci, n_boot=n_boot, seed=seed, ordinal=ordinal, on_invalid=on_invalid, id=id_col,
              omega_h=_parse_omega_h(omega_h), progress=not quiet, source=str(data))
    _write_result(res, fmt, out)


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--items", required=True, help="Comma-separated columns.")
@click.option("--missing", type=click.Choice(["listwise", "pairwise"]), default="listwise", show_default=True)
@click.option("--missing-codes", help="Codes meaning no answer, e.g. -98,-99.")
@click.option("--instrument", "instrument", help=INSTRUMENT_HELP)
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
              help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.pass_context
def polychoric(ctx, data, items, missing, missing_codes, instrument, fmt, out):
    """Polychoric (and polyserial) correlation matrix. JSON: {"items": [...], "rho": [[...]]}."""
    fmt = _format_for(fmt, out, RESULT_FORMATS)
    from .measurement.correlations import polychoric as poly

    sub, cols = _numeric_items(data, items, missing_codes, _registry(ctx).resolve(instrument) if instrument else None)
    res = poly(sub, cols, missing=missing)
    if fmt == "csv":
        _emit(_csv(res.rho.reset_index(names="")), out)
    else:
        _write_result(res, fmt, out)


def _read_once(data: str):
    """DATA read once per command (a command used to tokenise the same CSV up to three times); a
    copy each call, so that no caller sees another's changes."""
    from .responses.io import read_responses

    p = Path(data)
    key = (str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else (str(p), 0, 0)
    cached = _READ_CACHE.get(key)
    if cached is None:
        _READ_CACHE.clear()                       # one file at a time
        cached = _READ_CACHE[key] = read_responses(data)
    out = cached.copy()
    out.attrs = dict(cached.attrs)
    return out


_READ_CACHE: dict = {}


def _numeric_items(data: str, items: str | None, missing_codes: str | None, instrument=None, warn: bool = True):
    """Read DATA and validate the chosen columns as numbers (text is refused naming row and column).
    With an instrument the responses are validated against it (its declared missing codes become
    missing, invalid codes are refused); otherwise values far outside the rest of a column (a code
    such as -99 among answers 1-5) get a warning."""
    from .instruments import adhoc_instrument
    from .responses.validation import describe_outlying, outlying_codes, validate_responses

    df = _read_once(data)
    cols = [c.strip() for c in items.split(",") if c.strip()] if items else \
        [c for c in df.columns if c.lower() not in ("id", "respondent_id", "_uuid", "_id")]
    if instrument is not None:
        vr = validate_responses(df, instrument, source=str(data), warn_unknown=False)
        missing = [c for c in cols if c not in vr.data.columns]
        if missing:
            raise click.BadParameter(f"{', '.join(missing[:5])}: not item(s) of the instrument nor columns of "
                                     f"{Path(data).name}", param_hint="--instrument")
        return vr.data[cols], cols
    vr = validate_responses(df, adhoc_instrument({"items": cols}, None, 1, _parse_codes(missing_codes)),
                            source=str(data), warn_unknown=False)
    found = outlying_codes(vr.data[cols]) if warn else []     # (the SEM warns itself)
    if found:
        click.echo(f"warning: {describe_outlying(found)}; give --missing-codes or --instrument", err=True)
    return vr.data[cols], cols


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--items", help="Comma-separated columns (default: all but the id).")
@click.option("--factors", default="parallel", show_default=True, help="A number, 'parallel' or 'map'.")
@click.option("--method", type=click.Choice(["minres", "ml", "pa"]), default="minres", show_default=True)
@click.option("--rotation", type=click.Choice(["oblimin", "quartimin", "geomin", "promax", "varimax", "none"]),
              default="oblimin", show_default=True)
@click.option("--cor", type=click.Choice(["pearson", "polychoric"]), default="pearson", show_default=True)
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True)
@click.option("--missing-codes", help="Codes meaning no answer, e.g. -98,-99.")
@click.option("--n-iter", type=int, default=20, show_default=True, help="Parallel analysis: simulated data sets.")
@click.option("--seed", type=int, default=None)
@click.option("--cutoff", type=float, default=0.3, show_default=True, help="Smallest loading shown in text output.")
@click.option("--scree", "scree_out", type=click.Path(dir_okay=False), help="Scree/parallel-analysis plot (.png or .svg).")
@click.option("--heatmap", "heatmap_out", type=click.Path(dir_okay=False), help="Loadings heatmap (.png or .svg).")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
              help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("--instrument", "instrument", help=INSTRUMENT_HELP)
@click.pass_context
def efa(ctx, data, items, factors, method, rotation, cor, missing, missing_codes, n_iter, seed, cutoff, scree_out,
        heatmap_out, fmt, out, quiet, instrument):
    """Exploratory factor analysis (psych::fa): KMO, Bartlett, parallel analysis or MAP, loadings, Phi."""
    from .measurement.efa.analysis import efa as run_efa

    fmt = _format_for(fmt, out, RESULT_FORMATS)
    if factors not in ("parallel", "map") and not factors.isdigit():
        raise click.BadParameter(f"'{factors}': a whole number, 'parallel' or 'map'", param_hint="--factors")
    sub, cols = _numeric_items(data, items, missing_codes, _registry(ctx).resolve(instrument) if instrument else None)
    res = run_efa(sub, cols, factors=int(factors) if factors.isdigit() else factors, method=method, rotation=rotation,
                  cor=cor, missing=missing, n_iter=n_iter, seed=seed, progress=not quiet)
    if scree_out:
        res.plot_scree(scree_out)
    if heatmap_out:
        res.plot_loadings(heatmap_out)
    if fmt == "json":
        _emit(json.dumps(res.to_dict(), ensure_ascii=False, indent=1), out)
    elif fmt == "csv":
        _emit(_csv(res.to_frame().reset_index(names="item")), out)
    elif fmt == "docx":
        _write_result(res, fmt, out)
    else:
        _emit(_render(res.summary(cutoff), fmt), out)


def _sem_command(kind: str):
    @click.argument("data", type=click.Path(dir_okay=False))
    @click.option("--model", "model", required=True, help="lavaan syntax, or a file holding it (e.g. model.lav).")
    @click.option("--estimator", default=None,
                  help="ML (default), MLR (robust SEs, Yuan-Bentler scaled test), GLS or ULS; with --ordered WLSMV "
                       "(default), WLSM, DWLS, ULSMV, ULSM, ULS or WLS.")
    @click.option("--missing", type=click.Choice(["listwise", "fiml", "pairwise"]), default="listwise", show_default=True)
    @click.option("--information", type=click.Choice(["expected", "observed"]), default=None,
                  help="Information matrix for SEs (default as lavaan: expected; observed with FIML or MLR).")
    @click.option("--missing-codes", help="Codes meaning no answer, e.g. -98,-99.")
    @click.option("--instrument", "instrument", help=INSTRUMENT_HELP)
    @click.option("--std-lv", is_flag=True, help="Fix latent variances to 1 instead of first loadings.")
    @click.option("--fixed-x/--no-fixed-x", "fixed_x", default=None,
                  help="lavaan's fixed.x: covariates' moments fixed at their sample values (default with ML/MLR).")
    @click.option("--orthogonal", is_flag=True, help="Exogenous latent variables uncorrelated (lavaan's orthogonal).")
    @click.option("--meanstructure", is_flag=True, default=None, help="Add intercepts and latent means.")
    @click.option("--ordered", help="Ordered-category items (WLSMV on polychoric correlations): 'all' or a,b,c.")
    @click.option("--parameterization", type=click.Choice(["delta", "theta"]), default="delta", show_default=True,
                  help="With --ordered: scaling factors (delta, lavaan's default) or residual variances (theta) of "
                       "the latent responses as parameters.")
    @click.option("--group", help="Column defining groups (multiple-group model).")
    @click.option("--group-equal", help="Equal across groups: loadings,thresholds,intercepts,means,residuals,"
                                        "residual.covariances,lv.variances,lv.covariances,regressions.")
    @click.option("--group-partial", help="Exceptions to --group-equal, e.g. 'visual=~x2,x3~1'.")
    @click.option("--cluster", help="Column of the clusters (e.g. school): cluster-robust SEs and test (MLR; with "
                                    "--ordered, WLSMV), as lavaan's cluster=; with 'level: 1' / 'level: 2' blocks in "
                                    "the model, a two-level model (ML).")
    @click.option("--bootstrap", type=int, default=0, help="Nonparametric bootstrap with N draws.")
    @click.option("--ci", "boot_ci", type=click.Choice(["perc", "bc", "bca"]), default="perc", show_default=True,
                  help="Bootstrap intervals: percentile, bias-corrected (lavaan's bca.simple), BCa.")
    @click.option("--bollen-stine", type=int, default=0, help="Bollen-Stine bootstrap p-value with N draws.")
    @click.option("--jobs", type=int, default=-1, show_default=True,
                  help="Worker processes for the bootstrap (-1: every available core; 1: one process).")
    @click.option("--scheduler", help="Bootstrap draws on a Dask cluster instead, e.g. tcp://10.0.0.5:8786.")
    @click.option("--seed", type=int, default=None)
    @click.option("--quiet", is_flag=True, help="No progress bars.")
    @click.option("--modindices", is_flag=True, help="Modification indices and expected parameter changes.")
    @click.option("--diagram", type=click.Path(dir_okay=False),
                  help="Path diagram with standardized estimates: .dot, or .svg/.png/.pdf (needs Graphviz).")
    @click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
                  help="Default: from --out's extension, else text.")
    @click.option("--out", type=click.Path(dir_okay=False))
    @click.pass_context
    def command(ctx, data, model, estimator, missing, information, missing_codes, instrument, std_lv, fixed_x,
                orthogonal, meanstructure, ordered, parameterization, group, group_equal, group_partial, cluster,
                bootstrap, boot_ci, bollen_stine, jobs, scheduler, seed, quiet, modindices, diagram, fmt, out):
        from .sem import ESTIMATORS
        from .sem import sem as fit_sem
        from .sem.ordinal import ORDINAL_ESTIMATORS

        fmt = _format_for(fmt, out, RESULT_FORMATS)
        estimator = (estimator or ("WLSMV" if ordered else "ML")).upper()
        allowed = ORDINAL_ESTIMATORS if ordered else ESTIMATORS
        if estimator not in allowed:
            raise click.BadParameter(f"'{estimator}': choose {', '.join(allowed)}"
                                     + (" with --ordered" if ordered else " (WLSMV and others: with --ordered)"),
                                     param_hint="--estimator")
        ordered_arg = None if not ordered else (True if ordered.strip().lower() == "all"
                                                 else [v.strip() for v in ordered.split(",") if v.strip()])
        if (group_equal or group_partial) and not group:
            raise click.UsageError("--group-equal/--group-partial need --group COLUMN")
        if parameterization != "delta" and not ordered:
            raise click.UsageError("--parameterization is for ordered items: add --ordered all (or a,b,c)")
        text = _model_text(model)
        sub = _model_data(ctx, data, text, group, missing_codes, instrument, cluster)
        res = fit_sem(text, sub, estimator=estimator, cluster=cluster, std_lv=std_lv, missing=missing, group=group,
                      group_equal=group_equal or (), group_partial=group_partial or (), modindices=modindices,
                      bootstrap=bootstrap, ci=boot_ci, bollen_stine=bollen_stine, seed=seed, progress=not quiet,
                      n_jobs=jobs, information=information, fixed_x=fixed_x, orthogonal=orthogonal,
                      meanstructure=meanstructure or None, ordered=ordered_arg, parameterization=parameterization,
                      scheduler=scheduler)
        if diagram:
            res.path_diagram(diagram)
        _write_result(res, fmt, out)

    command.__doc__ = (f"{'Confirmatory factor analysis' if kind == 'cfa' else 'Structural equation model'} in lavaan "
                       "syntax with lavaan's defaults (ML, MLR, GLS, ULS; FIML; groups). JSON names are lavaan's with "
                       "'.' as '_'.")
    return main.command(name=kind)(command)


cfa_command = _sem_command("cfa")
sem_command = _sem_command("sem")


def _model_data(ctx, data: str, text: str, group: str | None, missing_codes: str | None, instrument: str | None,
                cluster: str | None = None):
    """The model's observed variables as numbers (declared missing codes blank, validated against
    the instrument if given) and the group and cluster columns, read from DATA."""
    from .sem.partable import build, observed_variables

    frame = _read_once(data)
    columns = [str(c) for c in frame.columns]
    for flag, col in (("--group", group), ("--cluster", cluster)):
        if col and col not in columns:
            raise click.BadParameter(f"'{col}' is not a column of {Path(data).name}", param_hint=flag)
    others = [c for c in columns if c not in (group, cluster)]
    observed = observed_variables(text, others)
    if not observed:
        build(text, others)      # names the unknown variables
    sub, _ = _numeric_items(data, ",".join(observed), missing_codes,
                            _registry(ctx).resolve(instrument) if instrument else None, warn=False)
    for col in (group, cluster):
        if col:
            sub[col] = frame[col].to_numpy()
    return sub


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--model", required=True, help="The measurement model: lavaan syntax or a file holding it.")
@click.option("--group", required=True, help="Column defining the groups (e.g. location, language, experience).")
@click.option("--levels", default=None,
              help="Steps in order, each compared with the one before (default configural,metric,scalar,strict; with "
                   "--ordered configural,thresholds,metric,scalar).")
@click.option("--estimator", type=click.Choice(["ML", "MLR", "WLSMV", "ULSMV"], case_sensitive=False), default=None,
              help="ML (default), MLR (robust fit, Satorra-Bentler 2001 scaled differences); with --ordered WLSMV "
                   "(default) or ULSMV (Satorra 2000 scaled-shifted differences).")
@click.option("--missing", type=click.Choice(["listwise", "fiml", "pairwise"]), default="listwise", show_default=True)
@click.option("--missing-codes", help="Codes meaning no answer, e.g. -98,-99.")
@click.option("--instrument", "instrument", help=INSTRUMENT_HELP)
@click.option("--ordered", help="Ordered-category items: 'all' or a,b,c (WLSMV; the Wu and Estabrook 2016 sequence).")
@click.option("--release", help="Partial invariance: free the worst constraints of the first failing step "
                                "(score tests) until it holds ('auto') or at most N of them.")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
              help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.option("--cluster", help="Column of the clusters (e.g. school, nested in the groups): every step with "
                                "cluster-robust MLR, as lavaan's cluster=.")
@click.pass_context
def invariance(ctx, data, model, group, levels, estimator, missing, missing_codes, instrument, ordered, release, fmt,
               out, cluster):
    """Measurement invariance across groups: configural, metric, scalar and strict models (ordered
    items: configural, thresholds, metric, scalar), chi-square difference tests (lavTestLRT) and
    changes in CFI, RMSEA, SRMR against Chen's (2007) and Cheung and Rensvold's (2002) cut-offs."""
    from .sem.invariance import invariance as fit_invariance

    fmt = _format_for(fmt, out, RESULT_FORMATS)
    ordered_arg = None if not ordered else (True if ordered.strip().lower() == "all"
                                             else [v.strip() for v in ordered.split(",") if v.strip()])
    if estimator and estimator.upper() in ("WLSMV", "ULSMV") and not ordered:
        raise click.BadParameter(f"'{estimator}' is for ordered items: add --ordered all (or a,b,c)",
                                 param_hint="--estimator")
    rel = None
    if release:
        if release != "auto" and not release.isdigit():
            raise click.BadParameter(f"'{release}': give auto or a number of constraints", param_hint="--release")
        rel = "auto" if release == "auto" else int(release)
    text = _model_text(model)
    sub = _model_data(ctx, data, text, group, missing_codes, instrument, cluster)
    res = fit_invariance(text, sub, group=group, levels=levels, estimator=estimator.upper() if estimator else None,
                         missing=missing, release=rel, ordered=ordered_arg, cluster=cluster)
    _write_result(res, fmt, out)


REPORT_FORMATS = (".html", ".htm", ".docx", ".md", ".tex", ".pdf", ".txt")


def _list(text: str | None) -> list[str] | None:
    return [x.strip() for x in text.split(",") if x.strip()] if text else None


@main.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument", required=True, help="Instrument or battery id(s), comma-separated.")
@click.option("--model", help="CFA/SEM model: lavaan syntax or a file holding it (ML with FIML: every respondent counts).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The format follows the extension: .html (one self-contained page), .docx, .md, .tex (LaTeX), "
                   ".pdf (printed from the HTML by Chromium, when installed) or .txt (every table, as a log).")
@click.option("--scores", "scores_out", type=click.Path(dir_okay=False), help="Also write every respondent's scores.")
@click.option("--on-invalid", type=click.Choice(["error", "missing"]), default="error", show_default=True)
@click.option("--id", "id_col")
@click.option("--cluster", help="Column of the clusters (e.g. school): ICCs and design effects of the scale scores; "
                                "the model cluster-robust (MLR), or two-level with 'level:' blocks; regressions with "
                                "SEs clustered by it.")
@click.option("--groups", help="Context columns to compare, comma-separated (e.g. loc,response_language): invariance, "
                               "group comparisons, crosstabs, Table 1.")
@click.option("--lang", type=click.Choice(["en", "ru", "kk-Cyrl"]), default="en", show_default=True,
              help="Language of item texts and labels (and of the headings where translated: ru).")
@click.option("--sections", help="Sections to include, comma-separated (sample, items, reliability, efa, cfa, structural, "
                                 "invariance, groups, participation, method, appendix; default all that apply).")
@click.option("--efa", "efa_items", help="Scales or items for an exploratory factor analysis, comma-separated.")
@click.option("--bootstrap", type=click.IntRange(min=100), default=1000, show_default=True,
              help="Draws for the intervals of indirect effects (bootstrap with complete data, Monte Carlo under FIML "
                   "use 20x as many).")
@click.option("--seed", type=click.IntRange(min=0), default=20261202, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress on standard error.")
@click.pass_context
def report(ctx, data, instrument, model, out, scores_out, on_invalid, id_col, cluster, groups, lang, sections, efa_items,
           bootstrap, seed, quiet):
    """The results section: sample, item distributions, reliability, EFA, CFA, the structural model,
    invariance, group comparisons, crosstabs, method and references, appendix."""
    from .reporting.report import build_report
    from .responses.io import read_responses, write_table

    model_text = _model_text(model) if model else None
    suffix = Path(out).suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise click.UsageError(f"--out {out}: use one of {', '.join(REPORT_FORMATS)}")
    if suffix == ".pdf":
        _chromium()         # say so before the analyses run
    inst = _registry(ctx).resolve(instrument)
    progress = not quiet
    if progress:
        click.echo(f"report: reading {data}", err=True)
    rep = build_report(read_responses(data), inst, on_invalid=on_invalid, id=id_col, source=str(data),
                       model=model_text, cluster=cluster, groups=_list(groups), lang=lang, sections=_list(sections),
                       efa=_list(efa_items), bootstrap=bootstrap, seed=seed, progress=progress)
    if progress:
        click.echo(f"report: writing {out}", err=True)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
        rep.to_docx(out)
    elif suffix == ".txt":
        _emit(rep.summary().render("text"), out)
    else:
        doc = rep.document()
        if suffix == ".pdf":
            _print_pdf(doc.to_html(), out)
        else:
            _emit({".md": doc.to_markdown, ".tex": doc.to_latex}.get(suffix, doc.to_html)(), out)
    if scores_out:
        write_table(rep.scores.scores, scores_out)
    click.echo(Summary("Reliability", [], rep.reliability.summary().tables[:1]).as_text(digits=2))
    click.echo(f"\nreport written to {out}" + (f"; scores of {len(rep.scores.scores)} respondents to {scores_out}"
                                                if scores_out else ""))


def _chromium() -> str:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise click.UsageError("--out .pdf prints the HTML report with Chromium, which is not installed (Debian: apt-get "
                           "install chromium); write .html and print it from a browser, or write .docx")


def _print_pdf(html_text: str, out: str) -> None:
    """The HTML report printed to PDF by headless Chromium (no network: the page loads nothing)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html_text, encoding="utf-8")
        target = Path(out).resolve()
        cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={tmp}/profile", f"--print-to-pdf={target}", page.as_uri()]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if r.returncode != 0 or not target.is_file():
            raise click.ClickException(f"Chromium could not print {out}: {r.stderr.strip()[-300:]}")


def _floats(text: str | None, flag: str):
    """``--skewness 1`` or ``--skewness 1,0.5,0``: a number or a list of numbers (None if not given)."""
    if not text:
        return None
    try:
        vals = [float(x) for x in text.split(",")]
    except ValueError:
        raise click.BadParameter(f"'{text}': give a number or numbers separated by commas", param_hint=flag) from None
    return vals[0] if len(vals) == 1 else vals


def _sizes(text: str) -> list:
    """``--n 200,300,500``; several groups: ``--n 150/150,250/250`` (sizes per group with /)."""
    try:
        out = [[int(x) for x in part.split("/")] for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"'{text}': give whole numbers, e.g. 200,300,500 (several groups: 150/150,250/250)",
                                 param_hint="--n") from None
    if not out:
        raise click.BadParameter("give at least one sample size", param_hint="--n")
    return [v[0] if len(v) == 1 else v for v in out]


@main.command()
@click.option("--model", required=True, help="Population model: lavaan syntax with the population values as fixed "
                                             "coefficients (KS ~ 0.45*KSSE), or a file holding it.")
@click.option("--standardized", is_flag=True, help="Read the loadings and paths as standardized values.")
@click.option("--n", "n_text", required=True, help="Rows: N, or N1/N2/... for several groups.")
@click.option("--seed", type=int, default=None, help="Random seed (the same seed gives the same data).")
@click.option("--ordinal", type=int, default=None, help="Cut every variable into K ordered categories (1..K).")
@click.option("--thresholds", help="Cut points on the standardized scale instead, e.g. -1,0,1.")
@click.option("--missing", help="mcar:RATE or mar:RATE, e.g. mar:0.1.")
@click.option("--skewness", help="Skewness of every variable, or one per variable (a,b,...): Vale-Maurelli.")
@click.option("--kurtosis", help="Excess kurtosis of every variable, or one per variable.")
@click.option("--clusters", type=int, default=None, help="Rows in this many clusters (a 'cluster' column).")
@click.option("--icc", type=float, default=None, help="Intraclass correlation of every variable, with --clusters.")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Data file: .csv, .tsv, .xlsx, .sav, .dta or .parquet.")
def simulate(model, standardized, n_text, seed, ordinal, thresholds, missing, skewness, kurtosis, clusters, icc, out):
    """Simulate data from a population model (as lavaan's simulateData), optionally ordinal and with
    missing answers; any format read_responses reads."""
    from .responses.io import write_table
    from .simulate import simulate as draw

    sizes = _sizes(n_text)
    if len(sizes) != 1:
        raise click.BadParameter("simulate takes one sample size (N, or N1/N2 for groups)", param_hint="--n")
    cuts = [float(x) for x in thresholds.split(",")] if thresholds else None
    d = draw(_model_text(model), n=sizes[0], seed=seed, standardized=standardized, ordinal=ordinal, thresholds=cuts,
             missing=missing, skewness=_floats(skewness, "--skewness"), kurtosis=_floats(kurtosis, "--kurtosis"),
             clusters=clusters, icc=icc)
    write_table(d, out)
    click.echo(f"{len(d)} rows of {d.shape[1]} columns written to {out}", err=True)


@main.command()
@click.option("--model", required=True, help="Population model (lavaan syntax with values, or a file).")
@click.option("--standardized", is_flag=True, help="Read the loadings and paths as standardized values.")
@click.option("--fit-model", help="Analysis model (default: the population model with its values removed).")
@click.option("--n", "n_text", required=True, help="Sample sizes, e.g. 200,300,500 (groups: 150/150,250/250).")
@click.option("--reps", type=int, default=1000, show_default=True, help="Replications per sample size.")
@click.option("--seed", type=int, default=None, help="Seed of the replications' streams (recorded when drawn).")
@click.option("--alpha", type=float, default=0.05, show_default=True)
@click.option("--target", type=float, default=None, help="Target power: the smallest n reaching it.")
@click.option("--estimator", default=None, help="ML (default), MLR; WLSMV with --ordinal.")
@click.option("--ordinal", type=int, default=None, help="Cut the data into K ordered categories (fitted by WLSMV).")
@click.option("--missing", help="Planned missingness: mcar:RATE or mar:RATE (fitted by FIML).")
@click.option("--skewness", help="Non-normal data: skewness of every variable (or a,b,...).")
@click.option("--kurtosis", help="Non-normal data: excess kurtosis of every variable (or a,b,...).")
@click.option("--clusters", type=int, default=None, help="Rows in this many clusters (fitted cluster-robust, MLR).")
@click.option("--icc", type=float, default=None, help="Intraclass correlation of every variable, with --clusters.")
@click.option("--workers", type=int, default=None, help="Local processes (default: every available core).")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (pip install "
                                  "'psychometrics[distributed]').")
@click.option("--plot", type=click.Path(dir_okay=False), help="Power against n: .png, .svg or .pdf.")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default=None,
              help="Default: from --out's extension, else text.")
@click.option("--out", type=click.Path(dir_okay=False))
@click.option("--progress/--no-progress", default=True, show_default=True)
def power(model, standardized, fit_model, n_text, reps, seed, alpha, target, estimator, ordinal, missing, skewness,
          kurtosis, clusters, icc, workers, scheduler, plot, fmt, out, progress):
    """Monte Carlo power and parameter recovery at several sample sizes: per parameter and :=
    effect the power, coverage, bias, SE bias and convergence, and the smallest n for a target."""
    from .simulate.power import power as run_power

    if workers is not None and scheduler:
        raise click.UsageError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    fmt = _format_for(fmt, out, RESULT_FORMATS)
    res = run_power(_model_text(model), _sizes(n_text), reps=reps, seed=seed,
                    fit_model=_model_text(fit_model) if fit_model else None, standardized=standardized, alpha=alpha,
                    target=target, estimator=estimator, ordinal=ordinal, missing=missing,
                    skewness=_floats(skewness, "--skewness"), kurtosis=_floats(kurtosis, "--kurtosis"), clusters=clusters,
                    icc=icc, workers=workers, scheduler=scheduler, progress=progress)
    if plot:
        res.plot(plot)
    _write_result(res, fmt, out)


if __name__ == "__main__":  # pragma: no cover
    main()
