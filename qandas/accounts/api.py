"""API: bearer-token authentication, who am I, tokens and memberships."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.pagination import paginate
from ninja.responses import Status
from ninja.security import HttpBearer

from qandas.accounts.models import ApiToken, City, Membership, Role, hash_token
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Body, Error, Page, Router, api_role_required


class AuthenticationFailed(Exception):
    """The request carries no usable token; ``str(exc)`` says why."""


class BearerToken(HttpBearer):
    """``Authorization: Bearer TOKEN`` with a token from ``issue_token``.

    The request then acts for the token's one membership: ``request.user`` is the
    token's user limited to that membership, so the same access gate applies.
    """

    def __call__(self, request: HttpRequest) -> ApiToken:
        header = request.headers.get("Authorization")
        if not header:
            raise AuthenticationFailed(_("Send your API token as: Authorization: Bearer TOKEN."))
        scheme, _sep, raw = header.partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw or " " in raw:
            raise AuthenticationFailed(
                _("Malformed Authorization header; expected: Authorization: Bearer TOKEN.")
            )
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        # The user with the membership, not the organisation, which few answers need:
        # compiling a join of three wide tables took longer than running it.
        try:
            found = ApiToken.objects.select_related("membership__user").get(
                key_hash=hash_token(token)
            )
        except ApiToken.DoesNotExist:
            raise AuthenticationFailed(_("This API token is not valid.")) from None
        if found.is_revoked:
            raise AuthenticationFailed(_("This API token has been revoked."))
        if found.is_expired:
            raise AuthenticationFailed(_("This API token has expired; ask for a new one."))
        membership = found.membership
        if not membership.is_active or not membership.user.is_active:
            raise AuthenticationFailed(_("The account of this API token is disabled."))
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        user = membership.user
        user.token_membership = membership
        request.user = user
        return found


router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    code: UUID
    slug: str
    name: str


class MembershipOut(Schema):
    code: UUID
    username: str
    organisation: OrganisationOut
    role: Role
    cities: list[str]
    is_active: bool

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    @staticmethod
    def resolve_cities(obj: Membership) -> list[str]:
        return [city.slug for city in obj.cities.all()]


class MeOut(Schema):
    code: UUID
    username: str
    membership: MembershipOut


class TokenOut(Schema):
    code: UUID
    prefix: str
    label: str
    organisation: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @staticmethod
    def resolve_organisation(obj: ApiToken) -> str:
        return obj.membership.organisation.slug


class MembershipPatch(Body):
    role: Role | None = None
    cities: list[str] | None = None
    is_active: bool | None = None


def _memberships() -> Any:
    return Membership.objects.select_related("user", "organisation").prefetch_related("cities")


@router.get("/me", response={200: MeOut, 401: Error})
def me(request: HttpRequest) -> dict[str, Any]:
    """The token's user and the one membership it speaks for."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return {
        "code": token.membership.user.code,
        "username": token.membership.user.username,
        "membership": token.membership,
    }


@router.get("/tokens", response={200: list[TokenOut], 401: Error})
@paginate(Page)
def list_tokens(request: HttpRequest) -> Any:
    """Your own API tokens, newest first."""
    user = signed_in(request)
    return (
        ApiToken.objects.visible_to(user)
        .filter(membership__user=user)
        .select_related("membership__organisation")
    )


@router.delete("/tokens/{code}", response={204: None, 401: Error, 404: Error})
def revoke_token(request: HttpRequest, code: UUID) -> Status:
    """Revoke a token (yours, or as an admin any of your organisation's)."""
    user = signed_in(request)
    token = editable_or_404(ApiToken, user, code)
    if token.revoke(by=user):
        record(Verb.REVOKE_TOKEN, actor=user, request=request, obj=token)
    return Status(204, None)


@router.get("/members", response={200: list[MembershipOut], 401: Error, 403: Error})
@api_role_required(Role.ADMIN)
@paginate(Page)
def list_members(request: HttpRequest) -> Any:
    """Members of your organisation (administrators only)."""
    user = signed_in(request)
    admin_orgs = user.scope().filter(role=Role.ADMIN).values("organisation")
    return _memberships().visible_to(user).filter(organisation__in=admin_orgs)


@router.get("/members/{code}", response={200: MembershipOut, 401: Error, 403: Error, 404: Error})
@api_role_required(Role.ADMIN)
def get_member(request: HttpRequest, code: UUID) -> Membership:
    return visible_or_404(Membership, signed_in(request), code)


@router.patch(
    "/members/{code}",
    response={200: MembershipOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
@api_role_required(Role.ADMIN)
def update_member(request: HttpRequest, code: UUID, payload: MembershipPatch) -> Any:
    """Change a member's role, cities or whether they are active."""
    user = signed_in(request)
    membership = editable_or_404(Membership, user, code)
    changed: list[str] = []
    cities = None
    if payload.cities is not None:
        cities = list(City.objects.filter(slug__in=payload.cities))
        unknown = sorted(set(payload.cities) - {c.slug for c in cities})
        if unknown:
            return Status(400, {"detail": _("Unknown city: %s.") % ", ".join(unknown)})
    with transaction.atomic():
        if payload.role is not None and payload.role != membership.role:
            membership.role = payload.role
            changed.append("role")
        if payload.is_active is not None and payload.is_active != membership.is_active:
            membership.is_active = payload.is_active
            changed.append("is_active")
        if changed:
            membership.save(update_fields=changed)
        if cities is not None and {c.pk for c in cities} != {c.pk for c in membership.cities.all()}:
            membership.cities.set(cities)
            changed.append("cities")
        record(Verb.UPDATE, actor=user, request=request, obj=membership, fields=changed)
    return _memberships().get(pk=membership.pk)
