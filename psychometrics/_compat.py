"""Old import paths keep working after the move to stage subpackages.

Until 0.x the package was flat (``psychometrics.io``, ``psychometrics.efa``, ``psychometrics.export``,
...). Those names are aliases of the modules' new homes: ``import psychometrics.io`` gives the
very module ``psychometrics.responses.io`` (one object, so state and ``isinstance`` agree), loaded
only when first asked for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

ALIASES = {
    "io": "responses.io",
    "validation": "responses.validation",
    "classify": "scoring.classify",
    "careless": "scoring.careless",
    "correlations": "measurement.correlations",
    "reliability": "measurement.reliability",
    "efa": "measurement.efa",
    "results": "reporting.summary",
    "report": "reporting.report",
    "codebook": "deploy.codebook",
    "export": "deploy",
    "export.imports": "responses.harmonize",
    "export.xlsform": "deploy.xlsform",
    "export.limesurvey": "deploy.limesurvey",
    "export.redcap": "deploy.redcap",
    "export.paper": "deploy.paper",
    "export.codebook": "deploy.codebook",
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._attrs = {k: getattr(module, k) for k in ("__spec__", "__loader__", "__package__") if hasattr(module, k)}
        return module

    def exec_module(self, module) -> None:
        # already executed; the import system stamped the alias's spec on it: give it back its own
        for k, v in self._attrs.items():
            setattr(module, k, v)


class _AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, package: str):
        self.package = package

    def find_spec(self, fullname, path=None, target=None):
        prefix = self.package + "."
        if not fullname.startswith(prefix) or fullname[len(prefix):] not in ALIASES:
            return None
        new = f"{self.package}.{ALIASES[fullname[len(prefix):]]}"
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install(package: str) -> None:
    """Register the aliases of ``package`` (idempotent)."""
    if not any(isinstance(f, _AliasFinder) and f.package == package for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder(package))  # before the path finder, which would load a second copy


def resolve(package: str, name: str):
    """The module an old top-level name stands for (for ``psychometrics.<name>`` attribute access)."""
    if name in ALIASES:
        return importlib.import_module(f"{package}.{name}")
    raise AttributeError(name)
