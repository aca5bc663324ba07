"""Simulated data and Monte Carlo power: data from a population model in lavaan syntax
(:mod:`.population`, :mod:`.data`), power and parameter recovery of a planned analysis over
replications run on a local process pool or a Dask cluster (:mod:`.power`,
:mod:`psychometrics.sem.parallel`); and the
small latent-path generator of the bundled example data (:mod:`.latent`).

``psychometrics.simulate(model, n)`` calls :func:`.data.simulate`; the module stays a module."""

from .._callable import make_callable as _make_callable
from .data import simulate
from .latent import ordinal_items, simulate_latent
from .population import Population, analysis_syntax, population
from .power import power
from .result import PowerResult

__all__ = ["simulate", "power", "PowerResult", "population", "Population", "analysis_syntax", "simulate_latent",
           "ordinal_items"]

_make_callable(__name__, "simulate")
