"""Stage 3, scores: scale scores from validated responses (:mod:`.score`), rule-table
classifications such as teacher types (:mod:`.classify`) and careless-responding indices
(:mod:`.careless`)."""

from .careless import even_odd, irv, longstring, mahalanobis, psychsyn
from .classify import classify
from .score import CARELESS_DEFAULTS, ScoreResult, score, score_matrix, score_validated

__all__ = ["score", "score_validated", "score_matrix", "ScoreResult", "CARELESS_DEFAULTS", "classify",
           "longstring", "irv", "mahalanobis", "even_odd", "psychsyn"]
