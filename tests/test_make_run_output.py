"""What `make run` prints is in the README's language, English, although the CRM's own language is French."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_demo_login() -> list[str]:
    """The lines the README shows `make run` printing: the indented block after "It prints the demo login"."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"It prints the demo login[^\n]*\n\n((?: {4}.*\n)+)", text)
    assert block, "the README no longer shows the demo login"
    return [line[4:] for line in block.group(1).splitlines()]


def run(*command) -> str:
    out = StringIO()
    call_command(*command, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_login_is_printed_as_the_readme_shows_it():
    translation.activate("fr")  # as Django activates LANGUAGE_CODE for a command
    lines = run("ensure_demo_account").splitlines()

    shown = readme_demo_login()
    assert shown == ["Log in at http://127.0.0.1:8000/", "  username: demo", "  password: demo-cluster-crm"]
    assert lines[1:] == shown
    assert lines[0] == "Demo account created."
    assert run("ensure_demo_account").splitlines()[0] == "Demo account updated."


@pytest.mark.django_db
def test_loading_the_seed_again_reports_in_english():
    run("loaddata", "seed")
    output = run("loaddata", "seed")

    assert re.search(r"^Left \d+ records as they are in the database; did not bring back 0 records", output, re.M)
