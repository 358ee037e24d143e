"""Conventions every API router shares: lists, errors, the role gate, strict queries."""

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, TypeVar

import ninja
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.operation import Operation
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


class Router(ninja.Router):
    """ninja's router, except that every GET refuses query parameters it does not take.

    ninja drops a parameter it does not know, so a misspelt filter (``?name=`` for
    ``?q=``) would answer the whole list the token may read as if nothing had been
    asked. Every app's API uses this router, so no list can forget the check.
    """

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any
    ) -> None:
        super().add_api_operation(path, methods, view_func, **kwargs)
        if "GET" in methods:
            operation = self.path_operations[path].operations[-1]
            operation.view_func = refusing_unknown_query(
                operation.view_func, query_parameters(operation)
            )


def query_parameters(operation: Operation) -> list[str]:
    """The query parameters an operation takes: its filters and, for a list, limit and
    offset (the names the OpenAPI document gives)."""
    return [
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    ]


def refusing_unknown_query(view: F, accepted: Collection[str]) -> F:
    """422 for a request whose query holds a parameter not in ``accepted``.

    It runs after authentication and after the known parameters are validated, before
    the view: an unknown token is still 401, a bad ``limit`` still names ``limit``.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = [name for name in request.GET if name not in accepted]
        if unknown:
            raise HttpError(422, unknown_query_message(unknown, accepted))
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def unknown_query_message(unknown: Collection[str], accepted: Collection[str]) -> str:
    refused = ngettext(
        "Unknown query parameter: %(names)s.",
        "Unknown query parameters: %(names)s.",
        len(unknown),
    ) % {"names": ", ".join(unknown)}
    if accepted:
        takes = _("This endpoint takes only: %(names)s.") % {"names": ", ".join(accepted)}
    else:
        takes = _("This endpoint takes no query parameters.")
    return f"{refused} {takes}"
