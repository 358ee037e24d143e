"""Why a record matched, in markup: each name in it isolated in its own direction.

``why`` is one string (``search.Why.in_words``), also sent by the API and
``match_list``, so it carries no invisible direction marks. Shown as it is in an
element of its own direction, an explanation that starts with an Arabic-script name
turned right-to-left as a whole and scrambled its English words; in the page's
direction instead, two Arabic-script names around " ≈ " swapped sides. So the page's
direction is kept and each name is put in a ``<bdi>``.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

from qandas.matching.search import words_translated

register = template.Library()

CLAUSES = "; "  # between the clauses of ``Why.in_words`` and the facts' notes
# "query ≈ found (reason)", or "query ≠ found (not alike)"; a fact's note has no name,
# and neither sign.
SIGNS = (" ≈ ", " ≠ ")


def _clause(clause: str) -> SafeString:
    for sign in SIGNS:
        query, alike, rest = clause.partition(sign)
        found, paren, reason = rest.rpartition(" (")
        if alike and paren and reason.endswith(")"):
            return format_html("<bdi>{}</bdi>{}<bdi>{}</bdi> ({}", query, sign, found, reason)
    return conditional_escape(clause)


@register.filter
def names_isolated(why: object) -> SafeString:
    """``why`` escaped, with the name on each side of every " ≈ " (or " ≠ ") in a
    ``<bdi>``."""
    clauses = str(why or "").split(CLAUSES)
    return format_html_join(CLAUSES, "{}", ((_clause(c),) for c in clauses))


@register.simple_tag
def why_dir() -> SafeString:
    """`` dir="ltr"`` for the element of a "why" on a right-to-left page whose language
    has no translation of its words: left in the page's direction, the English words
    between the isolated names came out in the wrong order ("≈ nizamuddin ;(same
    spelling) abdullatif"). Translated, the page's direction is theirs."""
    if get_language_bidi() and not words_translated():
        return mark_safe(' dir="ltr"')
    return mark_safe("")
