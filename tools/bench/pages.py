"""Every list page of the product timed through the whole Django stack, with the size of what it sends and the
queries it makes: the pages staff use (directory, organisations, agreements…), every changelist of the admin
site and its search, and every list of the API.

The admin's changelists come from ``admin.site._registry`` and the API's lists from the ``api:*-list`` URL names,
so that a new model or endpoint is measured without being named here. Every request must answer 200, or the run
stops: a page that fails is a finding, never a row left out.
"""

import html
import json
import re
import statistics
import time
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from clusters.models import Organisation
from contacts.models import ContactList, Person

# A page slower than this budget (all its timed runs together) stops after MIN_RUNS runs: a changelist search
# that takes seconds at a million people shows as such without taking the run's hour.
BUDGET_SECONDS = 30
MIN_RUNS = 5
# What every changelist holds, whether it lists rows or none.
CHANGELIST = b'id="changelist"'
# The admin's search of a model with no row to draw a word from.
ABSENT_WORD = "zqxbench"


def _summary(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return {"runs": len(ordered), "p50": statistics.median(ordered), "p95": ordered[rank], "max": ordered[-1]}


class Page(NamedTuple):
    url: str
    params: dict
    # What the body must hold besides the end of its HTML (``</html>``), such as the name a search looks for.
    expected: bytes = b""

    @property
    def address(self) -> str:
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url


def in_html(text: str) -> bytes:
    return html.escape(text).encode()


def in_json(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False)[1:-1].encode()


def timed_page(client: Client, page: Page, label: str, runs: int) -> dict:
    """p50 / p95 / max milliseconds of ``runs`` requests after two untimed ones, the second of which gives the
    queries the page makes and the size of its body. An answer but 200, or a body without what it should hold,
    stops the run."""

    def get():
        response = client.get(page.url, page.params)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code != 200:
            raise SystemExit(f"{label}: {page.address} answered {response.status_code}, not 200")
        missing = [part for part in (page.expected, b"</html>" if is_html else b"") if part not in response.content]
        if missing:
            raise SystemExit(f"{label}: {page.address} answered without {missing[0]!r}")
        return response

    get()
    # The second untimed request, the first having warmed the caches, gives the page's queries and the body's size.
    with CaptureQueriesContext(connection) as captured:
        response = get()
    # Read now: the log it reads is emptied as the next request starts.
    queries = len(captured.captured_queries)
    times_ms = []
    started = time.monotonic()
    for _ in range(runs):
        request_started = time.perf_counter()
        get()
        times_ms.append((time.perf_counter() - request_started) * 1000)
        if len(times_ms) >= MIN_RUNS and time.monotonic() - started > BUDGET_SECONDS:
            break
    return {
        **_summary(times_ms),
        "address": page.address,
        "queries": queries,
        "kb": len(response.content) / 1024,
        "html": response.get("Content-Type", "").startswith("text/html"),
    }


def product_pages(person: Person, organisation: Organisation) -> dict[str, Page]:
    """The lists of the pages staff use, by label. Searches look for the sample person by name and for their
    organisation by its name, and must find them."""
    name = f"{person.given_name} {person.family_name}"
    directory = reverse("contacts:person_list")
    organisations = reverse("clusters:organisation_list")
    follow_ups = reverse("interactions:follow_up_list")
    pages = {
        "directory": Page(directory, {}),
        "directory: search": Page(directory, {"q": name}, in_html(person.family_name)),
        "directory: sorted by last contact": Page(directory, {"o": "-last_contact"}),
        "directory: not contacted for 6 months": Page(directory, {"not_contacted_since": "6"}),
        "directory: one organisation": Page(directory, {"organisation": organisation.slug}),
        "organisations": Page(organisations, {}),
        "organisations: search": Page(organisations, {"q": organisation.name}, in_html(organisation.name)),
        "agreements": Page(reverse("agreements:agreement_list"), {}),
        "press releases": Page(reverse("agreements:press_release_list"), {}),
        "contact lists": Page(reverse("contacts:list_index"), {}),
        "events": Page(reverse("events:event_list"), {}),
        "memberships: unpaid dues": Page(reverse("clusters:unpaid_dues"), {}),
        "memberships: renewals": Page(reverse("clusters:renewals"), {}),
        "interactions": Page(reverse("interactions:interaction_list"), {}),
        "follow-ups: mine": Page(follow_ups, {}),
        "follow-ups: everyone's, to do": Page(follow_ups, {"assigned": "anyone", "status": "open"}),
        "retention review": Page(reverse("interactions:retention_review"), {}),
        "jobs": Page(reverse("jobs:job_list"), {}),
        "global search": Page(reverse("global_search"), {"q": name}, in_html(person.family_name)),
    }
    contact_list = ContactList.objects.order_by("pk").first()
    if contact_list:
        pages["a contact list's people"] = Page(reverse("contacts:list_detail", args=[contact_list.slug]), {})
    return pages


def drawn_word(model, search_fields) -> str:
    """A word to search a changelist for, from the row in the middle of the table: the value of the first search
    field that has one (its longest word when it is a text of several words)."""
    queryset = model._default_manager.order_by("pk")
    count = queryset.count()
    if not count:
        return ABSENT_WORD
    middle = queryset.filter(pk=queryset.values_list("pk", flat=True)[count // 2])
    for field in search_fields:
        value = middle.values_list(field.lstrip("^=@"), flat=True).first()
        words = re.findall(r"\w+", str(value or ""))
        if words:
            return max(words, key=len) if len(words) > 3 else str(value).strip()
    return ABSENT_WORD


def admin_changelists() -> dict[str, Page]:
    """Every changelist of the admin site, and its search (a word drawn from the data) where it has search
    fields; labelled by the model's plural name in English, at their French address as the other pages."""
    pages: dict[str, Page] = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label):
        with translation.override("en"):
            label = f"admin: {model._meta.verbose_name_plural}"
        if label in pages:
            label = f"{label} ({model._meta.app_label})"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pages[label] = Page(url, {}, CHANGELIST)
        if model_admin.search_fields:
            pages[f"{label}, search"] = Page(url, {"q": drawn_word(model, model_admin.search_fields)}, CHANGELIST)
    return pages


def api_lists(person: Person) -> dict[str, Page]:
    """Every list endpoint of the API (its ``api:*-list`` URL names), and the people search."""
    _prefix, api = get_resolver().namespace_dict["api"]
    names = sorted(name for name in api.reverse_dict if isinstance(name, str) and name.endswith("-list"))
    pages = {}
    for name in names:
        url = reverse(f"api:{name}")
        pages[f"API: {url.removeprefix('/api/').strip('/').replace('-', ' ')}"] = Page(url, {})
    name = f"{person.given_name} {person.family_name}"
    pages["API: people, search"] = Page(reverse("api:person-list"), {"q": name}, in_json(person.family_name))
    return pages


def every_list_page(person: Person, organisation: Organisation) -> dict[str, Page]:
    return {**product_pages(person, organisation), **admin_changelists(), **api_lists(person)}


def measure(client: Client, pages: dict[str, Page], runs: int, progress) -> dict:
    found = {}
    for label, page in pages.items():
        found[label] = timed_page(client, page, label, runs)
        page = found[label]
        progress(f"{label}: p95 {page['p95']:.1f} ms, {page['queries']} queries, {page['kb']:.0f} KB")
    return found
