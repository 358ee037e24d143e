"""python manage.py run_clocks: evaluate every clock once (run it every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from qandas.incidents.clocks import evaluate


class Command(BaseCommand):
    help = (
        "Raise, escalate and clear custody alarms so they match the clock rules now. "
        "Safe to run every minute, from more than one process at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = evaluate()
        if options["verbosity"] > 0:
            self.stdout.write(
                "alarms raised {raised}, escalated {escalated}, cleared {cleared}".format(**counts)
            )
