"""The matching app's models, one module per concern."""

from .index import NameKey

__all__ = ["NameKey"]
