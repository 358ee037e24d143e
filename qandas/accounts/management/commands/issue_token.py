"""``manage.py issue_token USERNAME [--org SLUG]``: print a new API token, alone."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from qandas.accounts.models import ApiToken, Membership
from qandas.audit.models import Verb
from qandas.audit.record import record


class Command(BaseCommand):
    help = "Issue an API token for a user's membership and print it (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", help="organisation slug, when the user has several")
        parser.add_argument("--label", default="", help="a note to recognise the token by")

    def handle(self, *args: Any, username: str, org: str | None, label: str, **opts: Any) -> None:
        memberships = Membership.objects.filter(
            user__username=username, user__is_active=True, is_active=True
        ).select_related("organisation", "user")
        if org:
            memberships = memberships.filter(organisation__slug=org)
        found = list(memberships)
        if not found:
            where = f" in organisation {org!r}" if org else ""
            raise CommandError(f"No active user {username!r} with a membership{where}.")
        if len(found) > 1:
            slugs = ", ".join(m.organisation.slug for m in found)
            raise CommandError(
                f"{username!r} belongs to several organisations ({slugs}); use --org."
            )
        with transaction.atomic():
            token, raw = ApiToken.issue(found[0], by=None, label=label)
            record(Verb.ISSUE_TOKEN, actor=None, obj=token)
        self.stdout.write(raw)
