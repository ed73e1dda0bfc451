"""CungCầu matching engine: listings (supply) to orders (demand), optimally and explainably.

Pure library: numpy, scipy and OR-Tools only; nothing from Flask, SQLAlchemy,
Celery or the rest of `marketplace` (tests/unit/matching checks the imports).
Not to be confused with ``marketplace.matches``, the app's Match aggregate,
which loads the engine's input from the database and writes its answer back.
"""

from .engine import match
from .explain import Reason, Suggestion, UnmatchedExplanation, explain_unmatched, suggest_listing_changes
from .scoring import score_arc, score_breakdown
from .types import Allocation, ComponentReport, Demand, MatchConfig, MatchResult, ScoreBreakdown, Supply

__all__ = [
    "Allocation",
    "ComponentReport",
    "Demand",
    "MatchConfig",
    "MatchResult",
    "Reason",
    "ScoreBreakdown",
    "Suggestion",
    "Supply",
    "UnmatchedExplanation",
    "explain_unmatched",
    "match",
    "score_arc",
    "score_breakdown",
    "suggest_listing_changes",
]
