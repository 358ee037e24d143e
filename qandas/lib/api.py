"""Conventions every API router shares: lists, errors, the role gate."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from qandas.lib.access import signed_in

F = TypeVar("F", bound=Callable[..., Any])

MAX_LIMIT = 200


class Page(LimitOffsetPagination):
    """Every list answers ``{"count": N, "results": [...]}`` and takes limit and offset."""

    items_attribute = "results"

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0)

    class Output(Schema):
        count: int
        results: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset, limit = pagination.offset, min(pagination.limit, MAX_LIMIT)
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"results": list(queryset[offset : offset + limit]), "count": count}


class Error(Schema):
    """Every 4xx answer: a sentence a person can act on."""

    detail: str


def api_role_required(*roles: str) -> Callable[[F], F]:
    """403 for a token whose membership holds none of these roles."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not signed_in(request).has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
