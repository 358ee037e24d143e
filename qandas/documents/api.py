"""API for the documents app."""

from ninja import Router

router = Router(tags=["documents"])
