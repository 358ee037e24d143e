"""Conventions every API router shares: lists, errors, the role gate, strict queries."""

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, TypeVar

import ninja
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.operation import Operation
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict

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


class Body(Schema):
    """What a request body is read into: a field it does not name is refused (422), as
    an unknown query parameter is. ninja would drop it, so a misspelt field
    (``{"fathers_name": ...}``) would answer 200 having changed nothing it names."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """Every 4xx answer: a sentence a person can act on."""

    detail: str


def api_role_required(*roles: str) -> Callable[[F], F]:
    """403 for a token whose membership holds none of these roles.

    Under this module's Router the roles are checked before the query and the body are
    read (``StrictOperation``), so a refused caller learns nothing of the parameters an
    endpoint takes; the view checks them again, whatever calls it.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            check_roles(request, roles)
            return view(request, *args, **kwargs)

        wrapper.api_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def check_roles(request: HttpRequest, roles: Collection[str] | None) -> None:
    if roles is not None and not signed_in(request).has_role(*roles):
        raise PermissionDenied


class Router(ninja.Router):
    """ninja's router, except that every operation checks the caller's role
    (``api_role_required``) before anything else, and refuses query parameters it does not
    take or that are given twice.

    ninja drops a parameter it does not know, so a misspelt filter (``?name=`` for
    ``?q=``) would answer the whole list the token may read as if nothing had been
    asked, and ``POST /people?dry_run=true`` would register someone. Every app's API uses
    this router, so no endpoint can forget the check.
    """

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any
    ) -> None:
        super().add_api_operation(path, methods, view_func, **kwargs)
        operation = view_func._ninja_operation  # type: ignore[attr-defined]
        if type(operation) is not Operation:
            # An async view would run AsyncOperation, which this check does not cover.
            raise TypeError(f"{view_func.__name__}: the API's views are synchronous")
        # ninja copies an operation, keeping its class, each time a router is mounted.
        operation.__class__ = StrictOperation


class StrictOperation(Operation):
    """An operation that checks its caller's role, then its query string, before it
    reads its parameters."""

    def _get_values(
        self, request: HttpRequest, path_params: Any, temporal_response: HttpResponse
    ) -> dict[str, Any]:
        # After the token (ninja checks it before this), before the body and the known
        # parameters are parsed, so nothing is read or written for a refused request.
        # The role first: a caller who may not use the endpoint is not told what it takes.
        check_roles(request, getattr(self.view_func, "api_roles", None))
        accepted = query_parameters(self)
        unknown = [name for name in request.GET if name not in accepted]
        if unknown:
            raise HttpError(422, unknown_query_message(unknown, accepted))
        # ninja keeps the last of ``?q=Kairat&q=Aigul``: a search for one of two names.
        lists = multi_value_parameters(self)
        repeated = [
            name for name, values in request.GET.lists() if len(values) > 1 and name not in lists
        ]
        if repeated:
            raise HttpError(422, repeated_query_message(repeated))
        return super()._get_values(request, path_params, temporal_response)


def query_parameters(operation: Operation) -> list[str]:
    """The query parameters an operation takes: its filters and, for a list, limit and
    offset (the names the OpenAPI document gives)."""
    return [
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    ]


def multi_value_parameters(operation: Operation) -> list[str]:
    """The query parameters that are lists (``?kind=a&kind=b``): the only ones that may
    be given more than once."""
    return [
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in getattr(model, "__ninja_collection_fields__", [])
    ]


def repeated_query_message(repeated: Collection[str]) -> str:
    return ngettext(
        "Query parameter given more than once: %(names)s. Give it once.",
        "Query parameters given more than once: %(names)s. Give each once.",
        len(repeated),
    ) % {"names": ", ".join(repeated)}


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
