"""Modules that can be called as their main function.

The command-line contract has a function of the same name at the top of the package for every
command (``psychometrics.sem(model, data)``, ``psychometrics.efa(data, factors=3)``), while the
same names are modules with more in them (``psychometrics.sem.partable``,
``psychometrics.efa.efa``). A module made callable serves both: calling it calls its function,
and its attributes stay reachable, so no function shadows a module.
"""

from __future__ import annotations

import inspect
import sys
import types


def make_callable(module_name: str, function_name: str) -> types.ModuleType:
    """Let ``sys.modules[module_name](...)`` call its ``function_name`` (the module stays a module)."""
    module = sys.modules[module_name]
    target = getattr(module, function_name)

    class _CallableModule(types.ModuleType):
        __doc__ = module.__doc__

        def __call__(self, *args, **kwargs):
            return getattr(self, function_name)(*args, **kwargs)

    _CallableModule.__call__.__doc__ = target.__doc__
    setattr(_CallableModule.__call__, "__signature__", inspect.signature(target))  # help() shows the function's
    module.__class__ = _CallableModule
    return module
