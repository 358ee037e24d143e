"""Settings from the environment, the deploy check, SQLite durability, health."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection

from qandas.lib.env import env, env_bool, env_list

# Pure Python (file cleaning, settings parsing): the same on either database.
pytestmark = pytest.mark.once

ROOT = Path(settings.BASE_DIR)
PRODUCTION_KEY = "x7Qm2vL9pR4tW8yB1nC6dF3gH5jK0sA-zE_uI.oP~qX4cV7bN2mL9kJ3hG6fD8sA1"


def run_manage(args: list[str], env_vars: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    environment.update(env_vars)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "SECRET_KEY": PRODUCTION_KEY,
            "DEBUG": "False",
            "ALLOWED_HOSTS": "qandas.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    result = run_manage(
        ["check"], {"DEBUG": "False", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_immediate(tmp_path: Path) -> None:
    script = (
        "from django.db import connection as c; cur = c.cursor(); "
        "print([cur.execute(f'PRAGMA {p}').fetchone()[0] "
        "for p in ('journal_mode', 'synchronous', 'foreign_keys')], "
        "c.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = run_manage(
        ["shell", "--no-imports", "-c", script],
        {
            "SECRET_KEY": PRODUCTION_KEY,
            "DEBUG": "False",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'pragmas.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stderr
    # synchronous: 2 is FULL.
    assert result.stdout.strip() == "['wal', 2, 1] IMMEDIATE"


def test_database_url_relative_sqlite_path_lives_in_the_checkout() -> None:
    script = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = run_manage(
        ["shell", "--no-imports", "-c", script],
        {"SECRET_KEY": PRODUCTION_KEY, "DATABASE_URL": "sqlite:///var/relative-test.sqlite3"},
    )
    assert result.stdout.strip() == str(ROOT / "var" / "relative-test.sqlite3"), result.stderr


def test_database_url_selects_postgresql() -> None:
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])"
    )
    result = run_manage(
        ["shell", "--no-imports", "-c", script],
        {"SECRET_KEY": PRODUCTION_KEY, "DATABASE_URL": "postgres://q:pw@db.internal:5433/qandas"},
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "5433",
        "qandas",
    ], result.stderr


def test_secret_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env("SECRET_KEY") == "from-a-file"
    monkeypatch.setenv("SECRET_KEY", "both")
    with pytest.raises(ImproperlyConfigured):
        env("SECRET_KEY")


def test_booleans_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "False")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", True)
    monkeypatch.setenv("HOSTS", "a.org, b.org,,")
    assert env_list("HOSTS", []) == ["a.org", "b.org"]


def test_languages_include_the_five_of_the_community() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["en", "ru", "kk", "ur", "fa"]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client: object) -> None:
    response = client.get("/healthz")  # type: ignore[attr-defined]
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client: object) -> None:
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert b"down" not in response.content
