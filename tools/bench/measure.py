"""What ``make bench`` measures in one database: server times of the directory's searches drawn from the data, of
every list page with its HTML size, the ratios of a few chosen searches to raw SQL and to Django admin's stock search,
and the query count of every page and list endpoint.

    DATABASE_URL=postgres://…/crm_bench_10000 .venv/bin/python -m tools.bench.measure --runs 30 > result.json

Run by ``tools.bench`` (the driver) once per database; prints one JSON object. Each request goes through the
whole Django stack (middleware, views, templates) with the test client, so "server time" is what a server
spends on a request, without the network. Every timed request must answer 200 with what the page should hold,
or the run stops: a fast error page measures nothing.
"""

import argparse
import datetime
import gc
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

import phonenumbers  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from agreements.models import Agreement, PressRelease  # noqa: E402
from clusters.models import Organisation  # noqa: E402
from contacts.erasure import erase_person  # noqa: E402
from contacts.models import ContactPoint, Person  # noqa: E402
from core.search import fold  # noqa: E402
from demo.generation import DEMO_SLUG_PREFIX  # noqa: E402
from interactions.last_contacts import refresh_last_contacts  # noqa: E402
from interactions.models import Interaction, InteractionOrganisation, InteractionPerson  # noqa: E402
from tools.bench import pages, sampled  # noqa: E402

BENCH_USERNAME = "bench-superuser"
# The search fields Django admin would search with stock ``ModelAdmin.get_search_results`` (``icontains`` on
# each, across the joins): what a team would have with the admin alone. The same fields as PersonAdmin's.
STOCK_SEARCH_FIELDS = [
    "family_name",
    "given_name",
    "slug",
    "contact_points__email",
    "contact_points__phone",
    "positions__title",
    "positions__organisation__name",
    "positions__organisation__acronym",
]


class StockPersonAdmin(admin.ModelAdmin):
    search_fields = STOCK_SEARCH_FIELDS
    ordering = ["family_name", "given_name", "pk"]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the value below which ``share`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summary(times_ms: list[float]) -> dict:
    return {
        "runs": len(times_ms),
        "p50": statistics.median(times_ms),
        "p95": percentile(times_ms, 0.95),
    }


def repeat(action, runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds of ``runs`` calls of ``action`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_user():
    user, _created = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def the_sample_person() -> Person:
    """A made-up person in the middle of the data, with accents in their name, a work email and phone."""
    demo = Person.objects.filter(slug__startswith=DEMO_SLUG_PREFIX, do_not_contact=False)
    middle = demo.order_by("pk").values_list("pk", flat=True)[demo.count() // 2]
    for person in demo.filter(pk__gte=middle).order_by("pk").prefetch_related("contact_points")[:500]:
        name = f"{person.given_name} {person.family_name}"
        points = list(person.contact_points.all())
        if not name.isascii() and fold(name) != name.lower() and any(p.phone for p in points):
            return person
    raise SystemExit("No made-up person with an accented name and a phone: run generate_demo first.")


def searches(person: Person) -> dict[str, dict]:
    """The directory's searches, by label: its query string."""
    name = f"{person.given_name} {person.family_name}"
    points = list(person.contact_points.all())
    email = next(point.email for point in points if point.email)
    phone = next(point.phone for point in points if point.phone)
    national = phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.NATIONAL)
    organisation = person.positions.order_by("-is_primary", "pk").values_list("organisation__slug", flat=True)[0]
    return {
        "name": {"q": name},
        "name without accents": {"q": fold(name)},
        "email fragment": {"q": email.split("@")[0]},
        "phone, national format": {"q": national},
        "filter: one organisation": {"organisation": organisation},
        "filter: a country (a third of all)": {"country": "ES"},
    }


def check(response, label: str, expected: bytes | None = None):
    if response.status_code != 200 or (expected is not None and expected not in response.content):
        raise SystemExit(f"{label}: status {response.status_code}, or the page lacks {expected!r}")
    return response


# What the search box sends as one types: htmx asks for the results fragment only.
AS_TYPED = {"HTTP_HX_REQUEST": "true"}


def timed_get(client: Client, url: str, params: dict, label: str, runs: int, expected=None, headers=None):
    return summary(repeat(lambda: check(client.get(url, params, **(headers or {})), label, expected), runs))


# --- Raw SQL ---------------------------------------------------------------------------------------------

READS_DATA = ('"contacts_', '"clusters_', '"agreements_')


def data_queries(client: Client, url: str, params: dict, headers=None) -> list[str]:
    """The SQL of the queries a request ran that read the CRM's own tables (not sessions or users)."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params, **(headers or {}))
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT") and any(table in query["sql"] for table in READS_DATA)
    ]


def explain_ms(sql: str) -> float:
    """Planning plus execution time of ``sql`` by PostgreSQL's EXPLAIN ANALYZE, in milliseconds."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Planning Time"] + plan[0]["Execution Time"]


def raw_sql(queries: list[str], runs: int) -> dict:
    """The page's data queries run as raw SQL, each run timing all of them: EXPLAIN ANALYZE's own times."""
    for sql in queries:  # warm the caches as the page's own warm-up did
        explain_ms(sql)
    totals = [sum(explain_ms(sql) for sql in queries) for _ in range(runs)]
    return {**summary(totals), "queries": len(queries)}


# --- Django admin's stock search ---------------------------------------------------------------------------


def stock_admin_search(user, params: dict, runs: int) -> dict:
    """A stock ModelAdmin's changelist search over the same people: the queries its ChangeList makes (the count,
    the full count, the first page), without rendering any HTML, which only flatters it."""
    model_admin = StockPersonAdmin(Person, admin.AdminSite(name="bench"))
    request = RequestFactory().get("/", {"q": params.get("q", "")})
    request.user = user
    found = {}

    def search():
        changelist = model_admin.get_changelist_instance(request)
        found["count"] = changelist.result_count
        list(changelist.result_list)

    return {**summary(repeat(search, runs, warmup=1)), "found": found["count"]}


# --- Query counts ------------------------------------------------------------------------------------------


def query_count(client: Client, url: str, params: dict, label: str) -> int:
    check(client.get(url, params), label)
    with CaptureQueriesContext(connection) as captured:
        check(client.get(url, params), label)
    return len(captured.captured_queries)


def endpoints(person: Person, search: dict) -> dict[str, tuple[str, dict]]:
    """Every page and list endpoint worth counting, with data of the generated kind behind it."""
    # The page of an organisation with members (a cluster, a federation) shows them, with figures and charts,
    # which other organisations' pages do not: each is counted on its own, the sample person's employer (one
    # without members) and the made-up cluster with the most members.
    demo = Organisation.objects.filter(slug__startswith=DEMO_SLUG_PREFIX)
    others = demo.exclude(kind=Organisation.Kind.CLUSTER).filter(memberships__isnull=True)
    organisation = others.filter(positions__person=person).first() or others.order_by("pk").first()
    cluster = (
        demo.filter(kind=Organisation.Kind.CLUSTER).annotate(members=Count("memberships")).order_by("-members").first()
    )
    agreement = Agreement.objects.order_by("-pk").first()
    return {
        "directory": (reverse("contacts:person_list"), {}),
        "directory: search": (reverse("contacts:person_list"), search["name"]),
        "directory: filter by organisation": (reverse("contacts:person_list"), search["filter: one organisation"]),
        "person page": (reverse("contacts:person_detail", args=[person.slug]), {}),
        "organisations": (reverse("clusters:organisation_list"), {}),
        "organisation page": (reverse("clusters:organisation_detail", args=[organisation.slug]), {}),
        "cluster page": (reverse("clusters:organisation_detail", args=[cluster.slug]), {}),
        "agreements": (reverse("agreements:agreement_list"), {}),
        "agreement page": (reverse("agreements:agreement_detail", args=[agreement.slug]), {}),
        "press releases": (reverse("agreements:press_release_list"), {}),
        "contact lists": (reverse("contacts:list_index"), {}),
        "admin: people": (reverse("admin:contacts_person_changelist"), {}),
        "admin: people search": (reverse("admin:contacts_person_changelist"), search["name"]),
        "admin: person": (reverse("admin:contacts_person_change", args=[person.pk]), {}),
        "admin: organisations": (reverse("admin:clusters_organisation_changelist"), {}),
        "admin: positions": (reverse("admin:contacts_position_changelist"), {}),
        "admin: contact points": (reverse("admin:contacts_contactpoint_changelist"), {}),
        "API: people": (reverse("api:person-list"), {}),
        "API: people search": (reverse("api:person-list"), search["name"]),
        "API: organisations": (reverse("api:organisation-list"), {}),
        "API: positions": (reverse("api:position-list"), {}),
        "API: contact points": (reverse("api:contactpoint-list"), {}),
        "API: memberships": (reverse("api:membership-list"), {}),
        "API: agreements": (reverse("api:agreement-list"), {}),
    }


class _RolledBack(Exception):
    pass


TIMELINE_ENTRIES = 1_000


def timelines(client: Client, user, person: Person, runs: int) -> dict:
    """The person's page and their organisation's with ``TIMELINE_ENTRIES`` interactions naming both on their
    timelines (the newest first, paginated), then rolled back. Each interaction is written by ``bulk_create``; the
    last contacts are refreshed as a logged call does."""
    organisation = Organisation.objects.get(
        pk=person.positions.order_by("-is_primary", "pk").values_list("organisation", flat=True)[0]
    )
    found: dict = {}
    try:
        with transaction.atomic():
            now = time.time()
            kinds = ["call", "email", "meeting", "note", "letter", "event"]
            interactions = Interaction.objects.bulk_create(
                [
                    Interaction(
                        kind=kinds[number % len(kinds)],
                        direction="out" if kinds[number % len(kinds)] in ("call", "email", "letter") else "",
                        occurred_at=datetime.datetime.fromtimestamp(now - number * 3600, tz=datetime.UTC),
                        subject=f"Bench timeline {number}",
                        text="Échange sur le renouvellement de l'adhésion et le prochain atelier.",
                        logged_by=user,
                    )
                    for number in range(TIMELINE_ENTRIES)
                ],
                batch_size=500,
            )
            InteractionPerson.objects.bulk_create(
                [InteractionPerson(interaction=interaction, person=person) for interaction in interactions]
            )
            InteractionOrganisation.objects.bulk_create(
                [
                    InteractionOrganisation(interaction=interaction, organisation=organisation)
                    for interaction in interactions
                ]
            )
            refresh_last_contacts(people=[person.pk], organisations=[organisation.pk])
            newest = b"Bench timeline 0"
            for label, url, expected in (
                ("person page", reverse("contacts:person_detail", args=[person.slug]), person.family_name.encode()),
                ("organisation page", reverse("clusters:organisation_detail", args=[organisation.slug]), b"<h1"),
            ):
                page = check(client.get(url), label, expected)
                found[label] = {
                    **timed_get(client, url, {}, f"{label}, {TIMELINE_ENTRIES} timeline entries", runs, expected),
                    "timeline_shown": newest in page.content,
                    "queries": query_count(client, url, {}, label),
                }
            raise _RolledBack
    except _RolledBack:
        pass
    return {"entries": TIMELINE_ENTRIES, "organisation": organisation.slug, "pages": found}


def erasures(runs: int) -> dict:
    """Milliseconds of ``erase_person`` for ``runs`` made-up people sampled across the data (every 1/runs of the
    ids), each erasure rolled back so that the database stays as it was. A colleague's note names each of them,
    so that the search also finds a row to blank, as it would in a CRM in use."""
    ids = list(Person.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).order_by("pk").values_list("pk", flat=True))
    sample = [ids[(index * len(ids)) // runs + len(ids) // (2 * runs)] for index in range(runs)]
    neighbour = Person.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).order_by("pk").first()
    times_ms, rows = [], []
    for pk in sample:
        person = Person.objects.get(pk=pk)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                Person.objects.filter(pk=neighbour.pk).update(
                    notes=f"Rappeler {person.given_name} {person.family_name}"
                )
                report = erase_person(person=person)
                times_ms.append((time.perf_counter() - started) * 1000)
                rows.append(report.documents_redacted)
                raise _RolledBack
        except _RolledBack:
            pass
    return {**summary(times_ms), "blanked_rows": rows}


# The pages of one record among those whose queries are counted, timed and weighed beside the list pages.
DETAIL_PAGES = ("person page", "organisation page", "cluster page", "agreement page", "admin: person")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="Timed runs of each request (after 2 untimed).")
    parser.add_argument("--slow-runs", type=int, default=5, help="Timed runs of the stock admin search.")
    parser.add_argument("--per-kind", type=int, default=100, help="Queries drawn from the data for each kind.")
    options = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("make bench measures PostgreSQL: set DATABASE_URL to a PostgreSQL database.")

    user = bench_user()
    client = logged_in_client(user)
    person = the_sample_person()
    search = searches(person)
    check(client.get(reverse("contacts:person_list"), search["name"]), "warm-up")
    # What a server process holds once loaded is kept out of the garbage collector's sight, as config/wsgi.py
    # does in gunicorn: a full collection then walks what requests allocate, not the whole process.
    gc.freeze()
    directory = reverse("contacts:person_list")
    results: dict = {
        "people": Person.objects.count(),
        "contact_points": ContactPoint.objects.count(),
        "sample_person": person.slug,
        "search_params": search,
        "searches": {},
        "query_counts": {},
    }
    # One chosen query of each kind, only for the targets' ratios to raw SQL and to the stock admin search: how fast
    # the directory searches is measured by the queries drawn from the data (tools/bench/sampled.py).
    for label, params in search.items():
        expected = b"<table" if "q" not in params else person.family_name.encode().replace(b"'", b"&#x27;")
        server = timed_get(client, directory, params, f"directory: {label}", options.runs, expected, AS_TYPED)
        raw = raw_sql(data_queries(client, directory, params, AS_TYPED), options.runs)
        stock = stock_admin_search(user, params, options.slow_runs) if "q" in params else None
        results["searches"][label] = {"params": params, "server": server, "raw_sql": raw, "stock_admin": stock}
        print(f"{label}: {server['p50']:.1f} ms, raw {raw['p50']:.1f} ms", file=sys.stderr)

    results["sampled_searches"] = sampled.measure(client, directory, options.per_kind, AS_TYPED)
    for label, found in results["sampled_searches"].items():
        print(f"{label}: p95 {found['p95']:.1f} ms, max {found['max']:.1f} ms", file=sys.stderr)

    employer = Organisation.objects.get(slug=search["filter: one organisation"]["organisation"])
    results["list_pages"] = pages.measure(client, pages.every_list_page(person, employer), options.runs, progress)
    counted = endpoints(person, search)
    others = {label: pages.Page(*counted[label]) for label in DETAIL_PAGES}
    press_release = PressRelease.objects.order_by("-pk").first()
    others["press release page"] = pages.Page(reverse("agreements:press_release_detail", args=[press_release.slug]), {})
    results["other_pages"] = pages.measure(client, others, options.runs, progress)

    for label, (url, params) in counted.items():
        results["query_counts"][label] = query_count(client, url, params, label)
    results["timelines"] = timelines(client, user, person, options.runs)
    for label, found in results["timelines"]["pages"].items():
        print(f"{label}, {TIMELINE_ENTRIES} timeline entries: p95 {found['p95']:.1f} ms", file=sys.stderr)
    results["erasure"] = erasures(max(3, min(options.runs, 10)))
    print(f"erasure: {results['erasure']['p50']:.0f} ms", file=sys.stderr)
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
