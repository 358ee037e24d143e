"""``manage.py revoke_token PREFIX``: revoke a token by the first characters it shows."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qandas.accounts.models import ApiToken
from qandas.audit.models import Verb
from qandas.audit.record import record


class Command(BaseCommand):
    help = "Revoke API tokens by prefix (the 8 characters after qds_), or all of a user's."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--prefix")
        group.add_argument("--user", help="revoke every token of this username")

    def handle(self, *args: Any, prefix: str | None, user: str | None, **opts: Any) -> None:
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if prefix:
            tokens = tokens.filter(prefix=prefix.removeprefix("qds_")[:8])
        else:
            tokens = tokens.filter(membership__user__username=user)
        found = list(tokens)
        if not found:
            raise CommandError("No unrevoked token matches.")
        for token in found:
            if token.revoke(by=None):
                record(Verb.REVOKE_TOKEN, actor=None, obj=token)
        self.stdout.write(f"Revoked {len(found)} token(s).")
