"""``manage.py demo``: load the fictional demo community (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from qandas.accounts import demo


class Command(BaseCommand):
    help = "Load the demo organisations and users (and what later apps add). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = demo.load()
        self.stdout.write(
            f"Demo loaded: organisations {loaded.organisation.slug} and "
            f"{loaded.other_organisation.slug}."
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ as one of:")
        for username, role, cities, org_index in demo.USERS:
            org = loaded.other_organisation if org_index else loaded.organisation
            self.stdout.write(
                f"  {username:<9} {role.label.lower()}, {', '.join(cities)} ({org.slug})"
            )
        if loaded.password:
            self.stdout.write(f"Password for every demo user: {loaded.password}")
        else:
            self.stdout.write(
                "DEBUG is off, so the demo users have no password; set one with "
                "`python manage.py changepassword USERNAME`."
            )
