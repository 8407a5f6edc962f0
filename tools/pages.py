"""Every page of the site and of the back office, found from the URLconf and the admin registry, not from a list kept
by hand: the browser gate (tests/e2e/test_every_page.py) and `make screenshots` (tools/screenshots.py) visit them.

``page_names()`` needs no database: each named URL pattern that may be a page, so that tests can be parametrized
at collection. ``pages()`` fills the path parameters from the records in the database (the first record of the
view's model, or of the ModelAdmin's queryset; the few that cannot be derived are in ``FILLERS``) and returns the
pages with what it left out, and why.
``add_page_data()`` adds, beside the seed and ``generate_demo``, one record of each kind that neither makes, so that
every change form and detail page has something to show.

A URL pattern that is not a page a user reads (a download, a POST-only action, a fragment for htmx, the API) is
left out: by a rule when the view says so itself (no GET handler), or by name in ``EXCLUDED`` with the reason. A
test (tests/e2e/test_every_page.py) checks that every named pattern is visited or left out with a reason.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

# Named patterns that are not pages, with the reason. Admin patterns are named "admin:<app>_<model>_<kind>"; the
# kinds that are never pages are in EXCLUDED_ADMIN_KINDS.
EXCLUDED: dict[str, str] = {
    "set_language": "POST-only: switches the language and redirects",
    "logout": "POST-only: logs out",
    "admin:logout": "POST-only: logs out",
    "admin:login": "shadowed by admin_login (accounts.urls), which answers /admin/login/ and is visited",
    "admin_password_reset": "a redirect to password_reset, which is visited",
    "admin:autocomplete": "JSON for the admin's autocomplete widgets",
    "admin:jsi18n": "JavaScript: the admin's translation catalogue",
    "admin:view_on_site": "a redirect to the record's own page",
    "login_verify": "the second step of a login with an authenticator app: reachable only mid-login "
    "(tests/test_two_factor.py)",
    "contacts:export": "a download (CSV, XLSX, vCard) or a redirect to its job",
    "contacts:export_left_out": "an htmx fragment of the directory page (the export's notice), not a page",
    "contacts:list_export": "a download, or a redirect to its job",
    "clusters:organisation_suggestions": "<option> elements for a datalist, fetched by htmx",
    "clusters:cluster_suggestions": "<option> elements for a datalist, fetched by htmx",
    "interactions:person_suggestions": "<option> elements for a datalist, fetched by htmx",
    "jobs:job_download": "a download of the job's file",
    "interactions:person_timeline": "an htmx fragment of the person's page (its timeline), which is visited",
    "interactions:organisation_timeline": "an htmx fragment of the organisation's page (its timeline), which is "
    "visited",
    "admin:otp_totp_totpdevice_qrcode": "an SVG image of the device's QR code",
    "admin:otp_totp_totpdevice_config": "refused to everyone: OTP_ADMIN_HIDE_SENSITIVE_DATA hides a device's secret",
}
EXCLUDED_ADMIN_KINDS: dict[str, str] = {
    "import_columns": "needs an import preview whose columns were not recognised, made by uploading a spreadsheet "
    "(tests/jobs cover it)",
}
# Admin pages whose template is the same for every model: visited for one model only (REPRESENTATIVE), so that
# the gate stays within minutes. The changelist, add, change and history pages of every model are all visited.
REPRESENTED_ADMIN_KINDS = ("delete", "deleted", "simple_history")
REPRESENTATIVE = "admin:contacts_person_"
# Pages seen logged out: visited without the session (a logged-in user is sent on from the login page).
ANONYMOUS = {
    "login",
    "admin_login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "password_reset_confirm",
}
# URL prefixes of what is not a page at all.
EXCLUDED_PREFIXES = {"api/": "the REST API: JSON, with its own tests (tests/api)"}


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    callback: Callable

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)


@dataclass(frozen=True)
class Page:
    """One page to visit: ``name`` is its URL pattern's name (the test's id and the screenshot's file name)."""

    name: str
    path: str
    anonymous: bool = False

    @property
    def file_stem(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def _walk(patterns, route="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Pattern(name, route + str(pattern.pattern), pattern.callback)


def named_patterns() -> dict[str, Pattern]:
    """Every named URL pattern, the first of each name (the one ``reverse`` finds)."""
    found: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver().url_patterns):
        found.setdefault(pattern.name, pattern)
    return found


def _post_only(pattern: Pattern) -> bool:
    """A class-based view without a GET handler, or one that refuses GET: a form's target, not a page."""
    view_class = pattern.view_class
    if view_class is None:
        return False
    return not hasattr(view_class, "get") or "get" not in getattr(view_class, "http_method_names", ["get"])


def left_out_by_rule(pattern: Pattern) -> str | None:
    """Why ``pattern`` is not visited, or None if it may be a page."""
    if pattern.name in EXCLUDED:
        return EXCLUDED[pattern.name]
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if pattern.route.lstrip("^").startswith(prefix):
            return reason
    if _post_only(pattern):
        return "POST-only (the view has no GET handler)"
    for kind, reason in EXCLUDED_ADMIN_KINDS.items():
        if pattern.name.startswith("admin:") and pattern.name.endswith(f"_{kind}"):
            return reason
    if pattern.name.startswith("admin:") and not pattern.name.startswith(REPRESENTATIVE):
        for kind in REPRESENTED_ADMIN_KINDS:
            if pattern.name.endswith(f"_{kind}"):
                return f"the same admin template as {REPRESENTATIVE}{kind}, which is visited"
    return None


def _app_labels() -> list[str]:
    return sorted({model._meta.app_label for model in admin.site._registry})


def page_names() -> list[str]:
    """The names of the patterns that may be pages, known without a database (for parametrizing tests); the
    admin's index of each app is named ``admin:app_list:<app label>``."""
    names = [name for name, pattern in named_patterns().items() if left_out_by_rule(pattern) is None]
    names.remove("admin:app_list")
    return names + [f"admin:app_list:{label}" for label in _app_labels()]


# --- Filling the path parameters from the database -------------------------------------------------------------


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _model_of(view_class):
    model = getattr(view_class, "model", None)
    queryset = getattr(view_class, "queryset", None)
    return model or (queryset.model if queryset is not None else None)


def _edition_kwargs(user):
    from events.models import EventEdition

    edition = EventEdition.objects.select_related("event").order_by("pk").first()
    return edition and {"slug": edition.event.slug, "pk": edition.pk}


def _job_kwargs(user):
    from jobs.models import Job

    job = Job.objects.filter(owner=user).order_by("pk").first()
    return job and {"pk": job.pk}


def _password_reset_kwargs(user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


# The patterns whose parameters the view's model does not give: nested records, a job of the user, a token.
FILLERS: dict[str, Callable] = {
    "events:edition_detail": _edition_kwargs,
    "jobs:job_detail": _job_kwargs,
    "password_reset_confirm": _password_reset_kwargs,
}


def _registered_models():
    """{"app_model": (model, model_admin)} for the admin registry."""
    return {
        f"{model._meta.app_label}_{model._meta.model_name}": (model, model_admin)
        for model, model_admin in admin.site._registry.items()
    }


def _admin_page(name: str, pattern: Pattern, user) -> tuple[str | None, str | None]:
    """(path, None) for an admin pattern, or (None, why it is not visited)."""
    short = name.removeprefix("admin:")
    if short == "index":
        return reverse(name), None
    if short == "app_list":
        return None, "one page per app: visited as admin:app_list:<app label>"
    if short in ("password_change", "password_change_done"):
        return reverse(name), None
    request = _admin_request(user)
    for key, (model, model_admin) in _registered_models().items():
        if not short.startswith(key + "_"):
            continue
        kind = short.removeprefix(key + "_")
        if not model_admin.has_view_or_change_permission(request):
            return None, "the superuser may not see it"
        if kind in ("changelist", "deleted"):
            return reverse(name), None
        if kind == "add":
            if not model_admin.has_add_permission(request):
                return None, "no one may add one here (has_add_permission is False)"
            return reverse(name), None
        if kind in ("import", "ingest", "import_emails"):
            return reverse(name), None
        if kind == "simple_history":
            record = model.history.order_by("history_id").first() if hasattr(model, "history") else None
            if record is None:
                return None, "GAP: no history record"
            return reverse(name, args=[getattr(record, model._meta.pk.attname), record.history_id]), None
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            return None, f"GAP: no {model._meta.verbose_name} in the database"
        if kind == "delete" and not model_admin.has_delete_permission(request, obj):
            return None, "no one may delete one here (has_delete_permission is False)"
        # The record's key, under the name its pattern gives it (object_id, pk, id).
        return reverse(name, kwargs=dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", pattern.route), obj.pk)), None
    return None, "GAP: an admin page of no registered model (add it to tools/pages.py)"


def _site_page(name: str, pattern: Pattern, user) -> tuple[str | None, str | None]:
    converters = re.findall(r"<(?:\w+:)?(\w+)>", pattern.route)
    if not converters:
        return reverse(name), None
    if name in FILLERS:
        kwargs = FILLERS[name](user)
    else:
        model = _model_of(pattern.view_class)
        if model is None or set(converters) - {"slug", "pk"}:
            return None, "GAP: cannot fill its parameters (add a filler to tools.pages.FILLERS)"
        obj = model._default_manager.order_by("pk").first()
        kwargs = obj and {key: getattr(obj, key) for key in converters}
    if not kwargs:
        return None, "GAP: no record to show"
    return reverse(name, kwargs=kwargs), None


def pages(user) -> tuple[list[Page], dict[str, str]]:
    """The pages ``user`` (a superuser) is shown, in French (no language prefix), and {name: why not visited} for
    the rest. A reason starting with "GAP" is a page that should be visited but could not be."""
    visited: list[Page] = []
    left_out: dict[str, str] = {}
    with translation.override("fr"):
        for name, pattern in named_patterns().items():
            reason = left_out_by_rule(pattern)
            if reason is None:
                if name.startswith("admin:"):
                    path, reason = _admin_page(name, pattern, user)
                else:
                    path, reason = _site_page(name, pattern, user)
            if reason is None:
                visited.append(Page(name, path, anonymous=name in ANONYMOUS))
            else:
                left_out[name] = reason
        for app_label in _app_labels():
            visited.append(Page(f"admin:app_list:{app_label}", reverse("admin:app_list", args=[app_label])))
    return visited, left_out


# --- The data: one record of each kind the seed and generate_demo do not make ---------------------------------------


def add_page_data(superuser) -> None:
    """One record of each model that the seed and ``generate_demo`` leave empty, and a history record for each
    model with a history, so that every change form, history and detail page has something to show. Another user
    owns the devices and tokens (the superuser logs in with a password alone)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    from clusters.models import Due, Membership
    from contacts.exports import start_export_job
    from contacts.models import ContactList, ContactListEntry, Erasure, ExportLog, Person, Tag
    from events.models import Event, EventEdition, Invitation
    from jobs.models import ImportMapping, Schedule
    from webhooks.models import Delivery, Endpoint

    other = get_user_model().objects.create_user("dominique", "dominique@example.org", "not-used-for-logging-in-1")
    today = timezone.localdate()
    people = list(Person.objects.order_by("pk")[:5])

    membership = Membership.objects.order_by("pk").first()
    if membership:
        Due.objects.create(membership=membership, amount=1200, invoiced_on=today - datetime.timedelta(days=90))
    tag = Tag.objects.create(name="Presse régionale", slug="presse-regionale")
    tag.people.add(*people)
    contact_list = ContactList.objects.create(name="Invités du salon", slug="invites-du-salon", owner=superuser)
    for person in people:
        ContactListEntry.objects.create(contact_list=contact_list, person=person)
    event = Event.objects.order_by("pk").first()
    if event:
        edition = EventEdition.objects.create(event=event, starts_on=today, place="Bayonne")
        for person in people:
            Invitation.objects.create(edition=edition, person=person)

    start_export_job(
        user=superuser,
        export_format="csv",
        origin=ExportLog.Origin.DIRECTORY,
        filters={"q": "a"},
        source={"query": {"q": ["a"]}},
    )
    ExportLog.objects.create(
        user=superuser,
        username=superuser.username,
        export_format="csv",
        origin=ExportLog.Origin.DIRECTORY,
        filters={"q": "a"},
        row_count=3,
    )
    Erasure.objects.create(person_id=999_999, erased_by=superuser, records={})
    Schedule.objects.get_or_create(name="jobs.tasks.prune_queue", defaults={"next_run_at": timezone.now()})
    ImportMapping.objects.create(
        importer="contacts.imports.import_people", name="Fichier du salon", mapping={}, owner=superuser
    )
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.org/crm", description="Intranet", events=["person.created"]
    )
    Delivery.objects.create(
        endpoint=endpoint,
        event_id="00000000-0000-4000-8000-000000000001",
        event_type="person.created",
        payload={"id": 1},
        max_attempts=6,
    )
    attempt = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "192.0.2.1",
        "username": other.username,
        "http_accept": "text/html",
        "path_info": "/login/",
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt, locked_out=False)
    AccessLog.objects.create(**attempt)
    TOTPDevice.objects.create(user=other, name="Téléphone", confirmed=True)
    StaticDevice.objects.create(user=other, name="Codes de secours", confirmed=True)
    AuthToken.objects.create(user=other)

    from interactions.models import FollowUp
    from interactions.services import create_follow_up

    if not FollowUp.objects.exists():
        create_follow_up(
            title="Rappeler au sujet du renouvellement",
            due_on=today - datetime.timedelta(days=2),
            assigned_to=superuser,
            created_by=superuser,
            people=people[:2],
        )

    # An interaction, for its page, its edit and delete forms and the timelines (if generate_demo made none).
    from interactions.models import Interaction
    from interactions.services import log_interaction

    if people and not Interaction.objects.exists():
        log_interaction(kind="call", logged_by=superuser, people=people[:1], subject="Appel de suivi", text="Rappel.")

    # A history record for each model that keeps one and has none yet (generate_demo writes no history).
    for model in admin.site._registry:
        history = getattr(model, "history", None)
        if history is not None and not history.exists():
            obj = model._default_manager.order_by("pk").first()
            if obj is not None:
                obj.save()
