"""The matching app's models, one module per concern."""

from .duplicates import (
    CARRIED_DECISIONS,
    OVERRULED,
    DuplicateDecision,
    LikelyPair,
    Merge,
    PairsStale,
    Verdict,
)
from .index import NameKey
from .lists import ListCandidate, ListKind, ListRow, ListUpload, MatchState, RowState

__all__ = [
    "CARRIED_DECISIONS",
    "OVERRULED",
    "DuplicateDecision",
    "LikelyPair",
    "ListCandidate",
    "ListKind",
    "ListRow",
    "ListUpload",
    "MatchState",
    "Merge",
    "NameKey",
    "PairsStale",
    "RowState",
    "Verdict",
]
