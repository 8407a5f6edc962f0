"""The settings module read in fresh processes, the way a server starts with a given environment."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every variable config/settings.py reads, found in its source: cleared so that the caller's environment (CI sets
# DATABASE_URL) cannot leak in. DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for Playwright, and
# refused by `check --deploy`: never a server's.
SETTINGS_VARIABLES = tuple(
    sorted(
        set(
            re.findall(
                r'(?:environ\.get\(|environ\[|env_bool\(|env_list\(|env_rate\()\s*"([A-Z][A-Z0-9_]*)"',
                (PROJECT_ROOT / "config" / "settings.py").read_text(),
            )
        )
        | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    )
)

REPORT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": settings.DATABASES["default"]["NAME"],
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": getattr(settings, "SESSION_COOKIE_SECURE", False),
}))
"""


def start_django(**environment):
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", REPORT_SETTINGS], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "secret_key",
    [None, "django-insecure-local-development-key-never-use-in-production", "too-short-a-secret"],
    ids=["missing", "development-default", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    environment = {"DJANGO_ENV": "production"}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key

    result = start_django(**environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_long_random_key_with_debug_off_and_reads_database_url():
    result = start_django(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://crm:secret@db.example.org:5432/crm",
    )

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == []
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["NAME"] == "crm"


def test_development_needs_no_configuration_debug_on_and_sqlite():
    result = start_django()

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["DEBUG"] is True
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert "localhost" in settings["ALLOWED_HOSTS"]


REPORT_LOGIN_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": settings.EMAIL_HOST,
    "EMAIL_PORT": settings.EMAIL_PORT,
    "EMAIL_USE_TLS": settings.EMAIL_USE_TLS,
    "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
    "TRUSTED_PROXY_COUNT": settings.TRUSTED_PROXY_COUNT,
    "THROTTLE": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"],
}))
"""


def start_django_reporting_login_settings(**environment):
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", REPORT_LOGIN_SETTINGS],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_email_goes_to_the_console_in_development_and_to_the_smtp_server_of_the_environment_in_production():
    development = start_django_reporting_login_settings()
    production = start_django_reporting_login_settings(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="yes",
        DEFAULT_FROM_EMAIL="Cluster CRM <crm@example.org>",
        TRUSTED_PROXY_COUNT="1",
        API_THROTTLE_RATE="off",
    )

    assert json.loads(development.stdout)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert json.loads(production.stdout) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "Cluster CRM <crm@example.org>",
        "TRUSTED_PROXY_COUNT": 1,
        "THROTTLE": None,
    }


def test_the_limit_per_address_must_be_higher_than_the_limit_per_username():
    result = start_django_reporting_login_settings(AXES_FAILURE_LIMIT="10", AXES_ADDRESS_FAILURE_LIMIT="10")

    assert result.returncode != 0
    assert "AXES_ADDRESS_FAILURE_LIMIT must be higher than AXES_FAILURE_LIMIT" in result.stderr
