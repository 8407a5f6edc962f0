"""Production mode, the way it is deployed: `check --deploy`, the headers, gunicorn, and no state on an app server.

The subprocesses read the settings from a fresh environment (DJANGO_ENV=production), as a server does.
"""

import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from contacts.models import Person
from tests.factories import OrganisationFactory
from tests.test_settings import SETTINGS_VARIABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "crm.example.org"


def production_environment(**overrides) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS=HOST,
    )
    env.update(overrides)
    return env


def manage(*arguments, env, timeout=120):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A throw-away SQLite database, migrated, and the static files collected, as the README's steps do.

    Only the project's own static files and htmx are collected: compressing the admin's, Swagger UI's and the
    flags' files takes over a minute and the pages requested here do not use them.
    """
    folder = tmp_path_factory.mktemp("production")
    env = production_environment(DATABASE_URL=f"sqlite:///{folder / 'crm.sqlite3'}", STATIC_ROOT=str(folder / "static"))
    collect = ["collectstatic", "--no-input", "--verbosity", "0"]
    for ignored in ["admin", "rest_framework", "drf_spectacular_sidecar", "flags", "import_export"]:
        collect += ["--ignore", ignored]
    # Both at once: migrating takes most of the time, collecting is independent of it.
    steps = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for arguments in (["migrate", "--no-input", "--verbosity", "0"], collect)
    ]
    for step in steps:
        _, errors = step.communicate(timeout=180)
        assert step.returncode == 0, errors
    result = manage("createcachetable", env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_check_deploy_reports_no_issue(tmp_path):
    env = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'crm.sqlite3'}")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value (at least 32 characters)" in result.stderr


PRODUCTION_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "CACHE_TABLE": settings.CACHES["default"].get("LOCATION"),
    "SESSION_ENGINE": settings.SESSION_ENGINE,
    "IMPORT_EXPORT_TMP_STORAGE_CLASS": settings.IMPORT_EXPORT_TMP_STORAGE_CLASS,
    "AXES_HANDLER": settings.AXES_HANDLER,
    "DEBUG": settings.DEBUG,
}))
"""


def test_production_keeps_no_state_on_the_app_server(tmp_path):
    """Sessions, the cache (an import waiting for its confirmation) and login failures all live in the database."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRODUCTION_SETTINGS],
        cwd=PROJECT_ROOT,
        env=production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'crm.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "CACHE": "core.cache.DatabaseCache",
        "CACHE_TABLE": "crm_cache",
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "IMPORT_EXPORT_TMP_STORAGE_CLASS": "import_export.tmp_storages.CacheStorage",
        "AXES_HANDLER": "accounts.login_protection.AddressLimitHandler",  # django-axes' database handler, subclassed
        "DEBUG": False,
    }


RESPONSE_HEADERS = """
import json
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="crm.example.org").get("/login/", secure=True)
print(json.dumps({"status": response.status_code, "headers": dict(response.headers)}))
"""


def expect_security_headers(headers):
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]:
        assert directive in policy


def test_a_production_response_carries_the_security_headers(deployed):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RESPONSE_HEADERS],
        cwd=PROJECT_ROOT,
        env=deployed,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout.splitlines()[-1])
    assert response["status"] == 200
    expect_security_headers(response["headers"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, host=HOST, **headers):
    request = urllib.request.Request(url, headers={"Host": host, **headers})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def test_the_documented_gunicorn_command_serves_pages_and_static_files(deployed, tmp_path):
    port = free_port()
    # The README's command, on a free local port; TLS is the proxy's job, so no redirect to https here.
    command = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--access-logfile", "-"]
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        command, cwd=PROJECT_ROOT, env={**deployed, "SECURE_SSL_REDIRECT": "false"}, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = fetch(f"{base}/login/", **{"X-Forwarded-Proto": "https"})
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)

        assert status == 200
        expect_security_headers(headers)
        cookies = headers.get_all("Set-Cookie")
        assert any(cookie.startswith("csrftoken=") and "Secure" in cookie for cookie in cookies)
        html = body.decode()
        assert 'name="username"' in html
        stylesheet = re.search(r'href="(/static/crm/site\.[0-9a-f]{12}\.css)"', html).group(1)

        status, headers, body = fetch(f"{base}{stylesheet}", **{"Accept-Encoding": "gzip"})

        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        with pytest.raises(urllib.error.HTTPError) as refused:
            fetch(f"{base}/login/", host="elsewhere.example.com")
        assert refused.value.code == 400
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert " 200 " in (tmp_path / "gunicorn.log").read_text()  # the access log, on standard output


# In the test process itself: the import's file waits in the database cache, not in a local folder.
CSV = "Prénom;Nom;Organisation;Fonction;E-mail\r\nAne;Etxeberria;Bihotz;Chargée de projets;ane@bihotz.eus\r\n"


DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "crm_cache"}}


@override_settings(CACHES=DATABASE_CACHE)
def test_an_admin_import_waits_for_its_confirmation_in_the_storage_the_workers_share(
    admin_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    OrganisationFactory(name="Bihotz", slug="bihotz")
    upload = io.BytesIO(CSV.encode("utf-8"))
    upload.name = "contacts.csv"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/contacts/person/import/", {"import_file": upload})

    assert response.status_code == 303
    preview = Job.objects.get()
    kept = preview.params["upload"]
    assert kept.startswith("imports/") and default_storage.exists(kept)
    assert not (Path(tempfile.gettempdir()) / "contacts.csv").exists()
    assert run_queued_tasks() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/jobs/{preview.pk}/import/")
    assert response.status_code == 303
    assert run_queued_tasks() == 1
    assert Person.objects.filter(family_name="Etxeberria").exists()


def test_a_server_process_keeps_the_loaded_application_out_of_the_garbage_collectors_sight():
    # config.wsgi freezes what loading Django and every view allocated (see its docstring), so that a full
    # collection during a request does not walk it: the slowest requests in docs/benchmarks.md.
    frozen = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import gc, config.wsgi; print(gc.get_freeze_count())"],
        cwd=PROJECT_ROOT,
        env=production_environment(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout

    assert int(frozen) > 50_000
