"""python manage.py run_clocks: evaluate every clock once (run it every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from qandas.incidents.clocks import evaluate
from qandas.matching.lists import resume_dead


class Command(BaseCommand):
    help = (
        "Raise, escalate and clear custody alarms so they match the clock rules now, and "
        "queue again the matching of any uploaded list whose worker died. Safe to run every "
        "minute, from more than one process at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = evaluate()
        resumed = resume_dead()
        if options["verbosity"] > 0:
            self.stdout.write(
                "alarms raised {raised}, escalated {escalated}, cleared {cleared}".format(**counts)
            )
            for upload in resumed:
                # The list's code only: its title may name people.
                self.stdout.write(f"list {upload.code}: its worker stopped; queued again")
