"""Fixtures shared by the people app's tests."""

from typing import Any

import pytest
from django.test import Client

from qandas.test import Cast


@pytest.fixture
def api(client: Client, cast: Cast) -> Any:
    tokens: dict[str, str] = {}

    def call(name: str, method: str, path: str, body: Any = None) -> Any:
        if name not in tokens:
            tokens[name] = cast.token(name)
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {tokens[name]}"}}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call
