"""Stage 4, measurement: correlations for ordinal items (:mod:`.correlations`: polychoric,
polyserial, thresholds), reliability and validity of scales (:mod:`.reliability`: alpha, omega,
item analysis; :mod:`.validity`: CR, AVE, Fornell-Larcker and HTMT) and exploratory factor
analysis (:mod:`.efa`)."""

from .correlations import PolychoricResult, polychoric

__all__ = ["polychoric", "PolychoricResult"]
