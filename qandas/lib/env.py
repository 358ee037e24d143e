"""Reading settings from the environment, with ``NAME_FILE`` variants for secrets."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str | None = None) -> str | None:
    """The value of ``name``, or the contents of the file named by ``name_FILE``.

    Secrets are usually mounted as files (Docker and systemd credentials), so each
    variable can be given either way; giving both is a configuration error.
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"Cannot read {name}_FILE ({file_name}): {exc}") from exc
    return value if value is not None else default


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable: ``True``/``False`` (also 1/0, yes/no, on/off)."""
    value = env(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
