"""``audit.record()``: the one way to write an audit event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from qandas.audit.models import AuditEvent, Outcome, Verb

if TYPE_CHECKING:
    from qandas.accounts.models import Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a proxy, the proxy sets REMOTE_ADDR (see README)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    verb: str,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    fields: Iterable[str] = (),
    outcome: str = Outcome.SUCCESS,
    via: str | None = None,
) -> AuditEvent:
    """Append an audit event. ``fields`` are names of changed fields, never values."""
    if organisation is None and obj is not None:
        organisation = _organisation_of(obj)
    if via is None:
        via = "command" if request is None else "api" if request.path.startswith("/api/") else "web"
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        verb=verb,
        actor=actor,
        organisation=organisation,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_code=getattr(obj, "code", None),
        fields=sorted(fields),
        ip=client_ip(request),
        outcome=outcome,
        via=via,
    )


def _organisation_of(obj: Any) -> Organisation | None:
    """The organisation a record belongs to: itself, its own, its membership's, or that
    of the upload it is a part of (a list's row: a refusal of one is its list's
    organisation's to see)."""
    if obj._meta.label_lower == "accounts.organisation":
        return obj
    if getattr(obj, "organisation_id", None) is not None:
        return obj.organisation
    for owner in ("membership", "upload"):
        found = getattr(obj, owner, None)
        if found is not None:
            return found.organisation
    return None


def refused(request: HttpRequest, exc: BaseException) -> None:
    """Record a refusal of the access gate (security R27: every authorization failure):
    a ``PermissionDenied`` (403), or a ``Hidden`` object answered as missing (404), with
    that object. Which page or endpoint refused is named by its route (never a value).
    An anonymous request is the login wall's, not a refusal; a missing object, nothing
    to record."""
    from qandas.lib.access import Hidden

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    obj = exc.obj if isinstance(exc, Hidden) else None
    if obj is None and not isinstance(exc, PermissionDenied):
        return
    match = getattr(request, "resolver_match", None)
    route = [match.view_name] if match is not None and match.view_name else []
    record(Verb.REFUSED, actor=user, request=request, obj=obj, fields=route, outcome=Outcome.DENIED)
