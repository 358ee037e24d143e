"""API for the people app."""

from ninja import Router

router = Router(tags=["people"])
