"""What the base layout needs: the user's memberships and which menu items to show."""

from typing import Any

from django.http import HttpRequest

from qandas.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated or request.path_info.startswith("/api/"):
        return {}
    memberships = list(user.scope().select_related("organisation").prefetch_related("cities"))
    roles = {m.role for m in memberships}
    return {
        "memberships": memberships,
        "nav": {
            "admin": Role.ADMIN in roles,
            # Analysts see aggregates only, never a name (DESIGN section 1).
            "people": bool(roles & {Role.COORDINATOR, Role.LAWYER, Role.LIAISON, Role.ADMIN}),
            # Custody is not for liaisons (DESIGN section 1).
            "custody": bool(roles & {Role.COORDINATOR, Role.LAWYER, Role.ADMIN}),
            # Applications, letters and promises: not for lawyers (DESIGN section 1).
            "applications": bool(roles & {Role.COORDINATOR, Role.LIAISON, Role.ADMIN}),
        },
    }
