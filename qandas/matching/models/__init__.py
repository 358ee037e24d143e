"""The matching app's models, one module per concern."""

from .duplicates import DuplicateDecision, Merge, Verdict
from .index import NameKey
from .lists import ListKind, ListRow, ListUpload, RowState

__all__ = [
    "DuplicateDecision",
    "ListKind",
    "ListRow",
    "ListUpload",
    "Merge",
    "NameKey",
    "RowState",
    "Verdict",
]
