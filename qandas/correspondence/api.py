"""API for correspondence."""

from ninja import Router

router = Router(tags=["correspondence"])
