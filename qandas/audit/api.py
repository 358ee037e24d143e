"""API: the audit trail, read only, for administrators."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Schema
from ninja.pagination import paginate

from qandas.audit.models import AuditEvent, Outcome, Verb
from qandas.lib.access import signed_in, visible_or_404
from qandas.lib.api import Error, Page, Router, api_role_required

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    code: UUID
    at: datetime
    actor: str | None
    verb: Verb
    object_type: str
    object_code: UUID | None
    fields: list[str]
    ip: str | None
    outcome: Outcome
    via: str

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str | None:
        return obj.actor.username if obj.actor else None


class AuditFilter(Schema):
    verb: Verb | None = None
    outcome: Outcome | None = None
    actor: str | None = None
    object_code: UUID | None = None
    since: date | None = None
    until: date | None = None


@router.get("/audit-events", response={200: list[AuditEventOut], 401: Error, 403: Error})
@api_role_required("admin")
@paginate(Page)
def list_events(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    """Audit events of your organisation, newest first (administrators only)."""
    events = AuditEvent.objects.visible_to(signed_in(request)).select_related("actor")
    return events.matching(**{k: v for k, v in filters.dict().items() if v is not None})


@router.get(
    "/audit-events/{code}", response={200: AuditEventOut, 401: Error, 403: Error, 404: Error}
)
@api_role_required("admin")
def get_event(request: HttpRequest, code: UUID) -> AuditEvent:
    return visible_or_404(AuditEvent, signed_in(request), code)
