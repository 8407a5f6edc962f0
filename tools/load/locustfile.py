"""Staff searching the directory and opening people, for locust: ``.ci/load`` (``make load``) runs it.

Each simulated user logs in through the login form, then searches the directory the ways staff do (a name,
a name typed without its accents, part of an email address, part of a phone number), filters it without a
search, turns to page 2 and opens people's pages. A response counts as a failure unless it is a 2xx that
shows what the page is for (the results table, a person's header): a login page or an empty result is a
failure too.

Read from the environment:
- ``LOAD_USERNAME``, ``LOAD_PASSWORD``: the account to log in with (a member of "Lecteur").
- ``LOAD_PEOPLE``: how many made-up people ``tools.sample_contacts`` wrote, so that email and phone
  fragments always match someone.
- ``LOAD_PERSON_SLUGS``: a file of person slugs, one a line; without it, users open the people their
  searches showed.
"""

import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

USERNAME = os.environ.get("LOAD_USERNAME", "load")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
PEOPLE = max(int(os.environ.get("LOAD_PEOPLE", "500")), 1)
SLUGS_FILE = os.environ.get("LOAD_PERSON_SLUGS", "")
PERSON_SLUGS = Path(SLUGS_FILE).read_text().split() if SLUGS_FILE else []

# Words that the seed and tools.sample_contacts put in people's names, so that every search finds someone.
NAMES = ["martin", "dubois", "etxeberria", "moreau", "roux", "faure", "agirre", "riolet", "pangaud"]
NAMES_WITHOUT_ACCENTS = ["lefevre", "lopez", "garcia", "amelie", "eloise", "francois", "helene", "inaki", "ivanes"]
FILTERS = [
    "organisation=polepharma",
    "kind=cluster",
    "has_phone=on",
    "press_only=on",
    "organisation=sanofi&has_email=on",
]

RESULTS_MARKER = '<table class="results'  # its classes may grow (responsive, …)
PERSON_MARKER = 'class="record-header"'
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON_LINK = re.compile(r'href="/contacts/(?!lists/|events/|export/)([-\w]+)/"')


class StaffUser(FastHttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.randomiser = random.Random()  # noqa: S311  (picks search terms, not secrets)
        self.slugs = list(PERSON_SLUGS)
        login_form = self.client.get("/login/", name="login form")
        token = CSRF_TOKEN.search(login_form.text or "")
        with self.client.post(
            "/login/",
            data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A successful login redirects away from the login page; a refused one shows the form again (200).
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                response.failure(f"login refused for {USERNAME!r} (HTTP {response.status_code})")
        # One of each first, so that even a short run measures (and checks) every request.
        for each in dict.fromkeys(self.tasks):
            each(self)

    def fetch(self, path: str, name: str, marker: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            body = response.text or ""
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
            elif marker not in body:
                response.failure(f"{marker!r} missing from the page")
            elif marker == RESULTS_MARKER and not PERSON_SLUGS and len(self.slugs) < 1000:
                self.slugs += PERSON_LINK.findall(body)

    def search(self, query: str, name: str) -> None:
        self.fetch(f"/contacts/?{urlencode({'q': query})}", name, RESULTS_MARKER)

    def someone(self) -> str:
        """The number of one of the made-up people, as in their email address and phone numbers."""
        return f"{self.randomiser.randrange(PEOPLE):06d}"

    @task(4)
    def search_by_name(self):
        self.search(self.randomiser.choice(NAMES), "directory: name")

    @task(2)
    def search_by_name_without_accents(self):
        self.search(self.randomiser.choice(NAMES_WITHOUT_ACCENTS), "directory: name without accents")

    @task(2)
    def search_by_email_fragment(self):
        number = int(self.someone())
        self.search(self.randomiser.choice([f"contact{number}", f"contact{number}@example"]), "directory: email")

    @task(2)
    def search_by_phone_fragment(self):
        digits = self.someone()
        query = self.randomiser.choice(
            [f"05 56 {digits[:2]} {digits[2:4]}", f"06 60 {digits[:2]} {digits[2:4]} {digits[4:]}", f"0660{digits}"]
        )
        self.search(query, "directory: phone")

    @task(1)
    def filter_without_search(self):
        self.fetch(f"/contacts/?{self.randomiser.choice(FILTERS)}", "directory: filter, no search", RESULTS_MARKER)

    @task(1)
    def directory_page_two(self):
        self.fetch("/contacts/?page=2", "directory: page 2", RESULTS_MARKER)

    @task(4)
    def person_page(self):
        if self.slugs:
            self.fetch(f"/contacts/{self.randomiser.choice(self.slugs)}/", "person page", PERSON_MARKER)
