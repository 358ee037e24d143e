"""Organisations, users, memberships with roles and cities, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do in their organisation (DESIGN section 1)."""

    COORDINATOR = "coordinator", _("Coordinator")
    LAWYER = "lawyer", _("Lawyer")
    LIAISON = "liaison", _("Liaison")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class City(models.Model):
    """A city where the network works; coordinators see the people of their cities."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User) -> OrganisationQuerySet:
        """Organisations the user is a member of."""
        return self.filter(pk__in=user.scope().values("organisation"))

    def editable_by(self, user: User) -> OrganisationQuerySet:
        """Organisations whose settings the user administers."""
        return self.filter(pk__in=user.scope().filter(role=Role.ADMIN).values("organisation"))


class Organisation(models.Model):
    """A network or group whose records are its own: every record belongs to one."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    require_two_factor = models.BooleanField(
        _("require a second factor"),
        default=False,
        help_text=_("Members must sign in with an authenticator app code as well."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Karachi")

    # Set on the request's user when it authenticated with an API token: the token
    # speaks for one membership only.
    token_membership: Membership | None = None

    class Meta:
        verbose_name = _("user")

    def scope(self) -> MembershipQuerySet:
        """The active memberships this request may act through."""
        memberships = Membership.objects.filter(user=self, is_active=True)
        if self.token_membership is not None:
            memberships = memberships.filter(pk=self.token_membership.pk)
        return memberships

    def roles(self) -> set[str]:
        return set(self.scope().values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        if self.token_membership is not None:
            # Loaded, and checked active, by this request's token authentication.
            return self.token_membership.role in roles
        return self.scope().filter(role__in=roles).exists()

    def scope_with_cities(self) -> Iterable[Membership]:
        """``scope()``'s memberships, their cities at hand. A token's one membership was
        loaded by this request's authentication: it is not read again, and its cities
        are read only when asked for (an admin's never are)."""
        if self.token_membership is None:
            return self.scope().prefetch_related("cities")
        return [self.token_membership]

    def needs_second_factor(self) -> bool:
        """True when an organisation of theirs makes a second factor mandatory."""
        return self.scope().filter(organisation__require_two_factor=True).exists()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def visible_to(self, user: User) -> MembershipQuerySet:
        """A member sees their own memberships; an admin those of their organisation."""
        admin_orgs = user.scope().filter(role=Role.ADMIN).values("organisation")
        return self.filter(Q(user=user) | Q(organisation__in=admin_orgs))

    def editable_by(self, user: User) -> MembershipQuerySet:
        """Only admins change roles and cities, and not their own."""
        admin_orgs = user.scope().filter(role=Role.ADMIN).values("organisation")
        return self.filter(organisation__in=admin_orgs).exclude(user=user)


class Membership(models.Model):
    """A user's role in one organisation, and the cities they work in."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    cities = models.ManyToManyField(City, blank=True, related_name="memberships")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


def hash_token(raw: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: User) -> ApiTokenQuerySet:
        """Users see their own tokens; admins also those of their organisation."""
        return self.filter(membership__in=Membership.objects.visible_to(user))

    def editable_by(self, user: User) -> ApiTokenQuerySet:
        """A user revokes their own tokens; an admin any token of their organisation."""
        admin_orgs = user.scope().filter(role=Role.ADMIN).values("organisation")
        return self.filter(Q(membership__user=user) | Q(membership__organisation__in=admin_orgs))

    def usable(self, now: datetime | None = None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token for the API, issued for one membership. Only its hash is kept."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.membership})"

    @classmethod
    def issue(
        cls, membership: Membership, *, by: User | None, label: str = ""
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown only once."""
        raw = "qds_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership,
            key_hash=hash_token(raw),
            prefix=raw[4:12],
            label=label,
            created_by=by,
            expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
        )
        return token, raw

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def revoke(self, *, by: User | None) -> bool:
        """Revoke the token; False if it already was. A conditional update, so races are safe."""
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        if changed:
            self.revoked_at, self.revoked_by = now, by
        return bool(changed)
