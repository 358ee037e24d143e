"""AuditEvent: append-only. Nothing in the application edits or deletes one."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from qandas.accounts.models import User

# The audit app sits below accounts: accounts records its events here, so this module
# names accounts' models by string and never imports them at run time.
ADMIN_ROLE = "admin"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class Verb(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Signed out")
    SECOND_FACTOR = "second_factor", _("Second factor")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    REDACT = "redact", _("Redacted")
    VIEW = "view", _("Viewed")
    REVEAL = "reveal", _("Revealed")
    DOWNLOAD = "download", _("Downloaded")
    EXPORT = "export", _("Exported")
    ISSUE_TOKEN = "issue_token", _("Issued API token")
    REVOKE_TOKEN = "revoke_token", _("Revoked API token")
    MERGE = "merge", _("Merged duplicate records")
    UNMERGE = "unmerge", _("Undid a merge")
    NOT_SAME = "not_same", _("Marked as not the same person")
    # A request the access gate refused: a role without the right (403), or an object
    # outside the user's scope answered as missing (404). Security R27.
    REFUSED = "refused", _("Refused access")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: User) -> AuditEventQuerySet:
        """Admins review the audit trail of their own organisation.

        Sign-in events belong to no organisation (a user may have several); an admin
        sees those whose actor or subject is a member of their organisation.
        """
        admin_orgs = user.scope().filter(role=ADMIN_ROLE).values("organisation")
        membership = apps.get_model("accounts", "Membership")
        members = membership.objects.filter(organisation__in=admin_orgs).values("user")
        member_codes = apps.get_model("accounts", "User").objects.filter(pk__in=members)
        return self.filter(
            Q(organisation__in=admin_orgs)
            | Q(organisation__isnull=True, actor__in=members)
            | Q(organisation__isnull=True, object_code__in=member_codes.values("code"))
        )

    def editable_by(self, user: User) -> AuditEventQuerySet:
        """Nobody edits the audit trail."""
        return self.none()

    def matching(
        self,
        *,
        verb: str = "",
        outcome: str = "",
        actor: str = "",
        object_code: uuid.UUID | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> AuditEventQuerySet:
        """Events matching the filters of the audit page and API (blank means any)."""
        events = self
        if verb:
            events = events.filter(verb=verb)
        if outcome:
            events = events.filter(outcome=outcome)
        if actor:
            events = events.filter(actor__username=actor)
        if object_code:
            events = events.filter(object_code=object_code)
        if since:
            events = events.filter(at__date__gte=since)
        if until:
            events = events.filter(at__date__lte=until)
        return events

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did or saw what, when, from where, and with what outcome.

    Changed fields are recorded by name, never by value. Rows are only ever
    inserted: the model refuses saves of existing rows and deletes, and a database
    trigger refuses UPDATE (and DELETE on PostgreSQL).
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_code = models.UUIDField(null=True, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    via = models.CharField(max_length=10, blank=True)  # "web", "api" or "command"

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")
