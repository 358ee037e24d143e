"""The access gate as views use it: scoped lookups and role checks.

Reads start from ``Model.objects.visible_to(user)``, writes from
``editable_by(user)``. An object outside the scope is a 404, exactly like a
missing one, so nobody learns that another organisation's record exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from qandas.accounts.models import User

M = TypeVar("M", bound=models.Model)
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def signed_in(request: HttpRequest) -> "User":
    """The request's user, below the login wall (the middleware guarantees one)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


class Hidden(Http404):
    """An object that exists but is outside the user's scope: answered exactly as a
    missing one (a 404), and recorded as a refusal (``qandas.audit.record.refused``)."""

    def __init__(self, obj: models.Model) -> None:
        super().__init__()
        self.obj = obj


def not_found(model: type[models.Model], code: UUID | str) -> Http404:
    """What to raise for a ``code`` the user's gate did not let through: ``Hidden`` (a
    refusal, audited) when such an object exists, else a plain 404."""
    try:
        hidden = model._base_manager.filter(code=code).first()
    except (ValidationError, ValueError):
        return Http404()
    return Http404() if hidden is None else Hidden(hidden)


def _by_code(queryset: "models.QuerySet[M]", code: UUID | str) -> M:
    try:
        return queryset.get(code=code)
    except ObjectDoesNotExist as exc:
        raise not_found(queryset.model, code) from exc
    except (ValidationError, ValueError) as exc:
        raise Http404 from exc


def visible_or_404(model: type[M], user: Any, code: UUID | str) -> M:
    """The object with this code if the user may read it, else 404."""
    return _by_code(model.objects.visible_to(user), code)  # type: ignore[attr-defined]


def editable_or_404(model: type[M], user: Any, code: UUID | str) -> M:
    """The object with this code if the user may change it.

    Visible but not editable is a 403 (they know it exists); not visible is a 404.
    """
    obj = visible_or_404(model, user, code)
    if not model.objects.editable_by(user).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied
    return obj


def role_required(*roles: str) -> Callable[[View], View]:
    """Refuse (403) users who hold none of these roles in the organisations in scope."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not signed_in(request).has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
