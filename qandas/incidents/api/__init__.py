"""API for custody (see ``endpoints``); ``router`` is added to the project's API."""

from qandas.incidents.api.endpoints import router

__all__ = ["router"]
