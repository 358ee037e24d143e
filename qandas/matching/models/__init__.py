"""The matching app's models, one module per concern."""

from .duplicates import DuplicateDecision, LikelyPair, Merge, PairsStale, Verdict
from .index import NameKey
from .lists import ListKind, ListRow, ListUpload, RowState

__all__ = [
    "DuplicateDecision",
    "LikelyPair",
    "ListKind",
    "ListRow",
    "ListUpload",
    "Merge",
    "NameKey",
    "PairsStale",
    "RowState",
    "Verdict",
]
