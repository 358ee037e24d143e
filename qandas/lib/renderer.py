"""Form rendering that keeps what is typed out of the browser's memory (security R13).

Browsers remember what was typed into a form's fields and offer it again, to anyone at
the keyboard: names searched for, fathers' names, document numbers. Every field Django
renders is ``autocomplete="off"`` unless it says otherwise (the sign-in's username, a
one-time code): one renderer for every form, so that no new form forgets it.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates


def unremembered(widget: dict[str, Any]) -> None:
    """``autocomplete="off"`` on a widget's context, and on its parts' (a date in three
    fields), unless it says otherwise."""
    if not widget.get("is_hidden"):
        widget.setdefault("attrs", {}).setdefault("autocomplete", "off")
    for part in widget.get("subwidgets", ()):
        unremembered(part)


class Unremembered(DjangoTemplates):
    """Django's renderer, every rendered field ``autocomplete="off"`` (``unremembered``)."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict):
            unremembered(widget)
        return super().render(template_name, context, request)
