from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from core.history import history_of
from core.pages import CappedPaginator, FilteredListView, StaffPageMixin
from core.spreadsheets import file_stem
from core.views import bad_request, posted_slug, posted_slugs

from .exports import FILE_FORMATS, export_people, query_source, search_file_stem
from .filters import PersonExportFilterSet, PersonFilterSet
from .forms import ConsentForm, ContactListForm, PersonSelectionForm
from .models import Consent, ContactList, ContactPoint, ExportLog, Person, Position, Tag
from .privacy import may_list_contact_details, may_see_contact_details
from .services import (
    add_to_contact_list,
    create_contact_list,
    record_consent,
    remove_from_contact_list,
    tag_people,
)

EXPORT_FORMATS = [(value, label) for value, label in ExportLog.Format.choices if value in FILE_FORMATS]


def directory_query(query_dict: QueryDict) -> QueryDict:
    """The directory's filters from a query string, without the page number, the export format or empty ones."""
    query = without_empty_values(query_dict)
    for key in ("page", "format"):
        query.pop(key, None)
    return query


def without_empty_values(query_dict: QueryDict) -> QueryDict:
    """``query_dict`` without the empty values a form sends for the filters left alone (``organisation=&kind=``)."""
    query = QueryDict(mutable=True)
    for key, values in query_dict.lists():
        if kept := [value for value in values if value != ""]:
            query.setlist(key, kept)
    return query


def logged_filters(filterset) -> dict:
    """The filters an export used, as the log keeps them: only known filters, values cut to a sane length."""
    return {
        key: value[:200]
        for key, value in filterset.data.items()
        if key in filterset.filters and value not in ("", None)
    }


class PersonListView(FilteredListView):
    permission_required = "contacts.view_person"
    filterset_class = PersonFilterSet
    paginator_class = CappedPaginator
    template_name = "contacts/person_list.html"
    results_template_name = "contacts/includes/person_results.html"

    def get(self, request, *args, **kwargs):
        # A form sends every filter, the ones left empty too: the address of a search names only those chosen,
        # so that it can be read, shared and bookmarked. htmx follows the redirect and records the clean address.
        cleaned = without_empty_values(request.GET)
        if cleaned.urlencode() != request.GET.urlencode():
            return HttpResponseRedirect(f"{request.path}?{cleaned.urlencode()}" if cleaned else request.path)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        """The actions on the people ticked on the page (``PersonSelectionForm``), as the back office's list does
        them: posted to the list's own address, which the answer goes back to."""
        form = PersonSelectionForm(request.POST)
        permission = form.required_permission()
        if permission is not None and not request.user.has_perm(permission):
            raise PermissionDenied
        back_url = request.get_full_path()
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back_url)
        action, people = form.cleaned_data["action"], form.cleaned_data["person"]
        if action == PersonSelectionForm.Action.EXPORT:
            return export_selection(request, people, form.cleaned_data["export_format"])
        if action == PersonSelectionForm.Action.ADD_TO_LIST:
            contact_list = form.cleaned_data["contact_list"]
            count = add_to_contact_list(contact_list=contact_list, people=people)
            message = ngettext(
                "%(count)d person added to “%(name)s”.", "%(count)d people added to “%(name)s”.", count
            ) % {"count": count, "name": contact_list.name}
        elif action == PersonSelectionForm.Action.REMOVE_FROM_LIST:
            contact_list = form.cleaned_data["contact_list"]
            count = remove_from_contact_list(contact_list=contact_list, people=people)
            message = ngettext(
                "%(count)d person removed from “%(name)s”.", "%(count)d people removed from “%(name)s”.", count
            ) % {"count": count, "name": contact_list.name}
        else:
            tag = form.cleaned_data["tag"]
            count = tag_people(tag=tag, people=people, user=request.user)
            message = ngettext("%(count)d person tagged “%(name)s”.", "%(count)d people tagged “%(name)s”.", count) % {
                "count": count,
                "name": tag.name,
            }
        messages.success(request, message)
        return HttpResponseRedirect(back_url)

    def get_queryset(self):
        return Person.objects.directory()

    def get_paginator(self, queryset, per_page, **kwargs):
        # The matches' keys are read once, for the count and the page; the page's people by key (core.pages).
        return super().get_paginator(queryset, per_page, rows=Person.objects.directory(), **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_export = user.has_perm("contacts.export_contacts")
        return super().get_context_data(
            section="contacts",
            search_query=directory_query(self.request.GET).urlencode(),
            export_formats=EXPORT_FORMATS,
            may_export=may_export,
            show_contact_details=may_list_contact_details(user),
            # Counting them means another pass over the matches: a search as one types leaves it to a request
            # of its own (LeftOutOfExportView, loaded by htmx once the results show); a whole page counts here.
            left_out_of_export=(
                left_out_of_export(self.request.GET) if may_export and not self.answers_results_only() else None
            ),
            may_create_list=user.has_perm("contacts.add_contactlist"),
            lists_to_add_to=(
                ContactList.objects.order_by("name") if user.has_perm("contacts.change_contactlist") else []
            ),
            tags_to_give=Tag.objects.order_by("name") if user.has_perm("contacts.change_person") else [],
            # The rows can be ticked for an action if the user may do one of them.
            selectable=any(user.has_perm(permission) for permission in PersonSelectionForm.PERMISSIONS.values()),
            max_selected=PersonSelectionForm.MAX_PEOPLE,
            **kwargs,
        )


def export_selection(request, people, export_format: str):
    """The people ticked on a directory page, exported as the search's export is (``export_people``): those who
    asked not to be contacted left out and counted, the export logged, a large one written by a job."""
    selected = Person.objects.directory().filter(pk__in=people.values("pk"))
    left_out = selected.filter(do_not_contact=True).count()
    if left_out:
        # Shown on the next page (the job's, or the directory's once the file is saved): the file holds fewer
        # people than were ticked, and this says why.
        messages.warning(
            request,
            ngettext(
                "%(counter)s person who asked not to be contacted is left out of the export.",
                "%(counter)s people who asked not to be contacted are left out of the export.",
                left_out,
            )
            % {"counter": left_out},
        )
    return export_people(
        people=selected,
        export_format=export_format,
        user=request.user,
        origin=ExportLog.Origin.DIRECTORY,
        filters={"selected": people.count()},
        # A worker exports the selection in this order (the directory's), if it is too large to answer now.
        source=lambda: {"ids": list(selected.prefetch_related(None).values_list("pk", flat=True))},
        file_stem=file_stem(pgettext("file name", "contacts"), pgettext("file name", "selection")),
    )


def left_out_of_export(query: QueryDict) -> int:
    """How many people matching the directory's filters in ``query`` an export would leave out, because they
    asked not to be contacted."""
    return PersonExportFilterSet(query, queryset=Person.objects.all()).left_out_count()


class LeftOutOfExportView(StaffPageMixin, View):
    """The directory's notice of the people its export leaves out, for the filters in the query string."""

    permission_required = ("contacts.view_person", "contacts.export_contacts")

    def get(self, request):
        return render(
            request,
            "contacts/includes/left_out_of_export.html",
            {"left_out_of_export": left_out_of_export(request.GET)},
        )


class PersonDetailView(StaffPageMixin, DetailView):
    permission_required = "contacts.view_person"
    queryset = Person.objects.for_page()
    template_name = "contacts/person_detail.html"

    def get_context_data(self, **kwargs):
        person = self.object
        positions = list(person.positions.all())
        contact_points = list(person.contact_points.all())
        press_roles = list(person.press_roles.all())
        # Provenance belongs to the agreements app, which depends on this one: look the model up by name
        # rather than import it, so that imports keep going one way (agreements → contacts → clusters).
        provenance = apps.get_model("agreements", "Provenance")
        sources: dict[tuple[str, int], list] = {}
        for entry in provenance.objects.for_objects([person, *positions, *contact_points, *press_roles]):
            sources.setdefault((entry.content_type.model, entry.object_id), []).append(entry.press_release)
        user = self.request.user
        show_contact_details = may_see_contact_details(user, person)
        if not show_contact_details:
            contact_points = []
        return super().get_context_data(
            section="contacts",
            show_contact_details=show_contact_details,
            positions=[(position, sources.get(("position", position.pk), [])) for position in positions],
            # The positions' Source column only when some position has one: a column of blanks says nothing.
            positions_have_sources=any(("position", position.pk) in sources for position in positions),
            emails=[(point, sources.get(("contactpoint", point.pk), [])) for point in contact_points if point.email],
            phones=[(point, sources.get(("contactpoint", point.pk), [])) for point in contact_points if point.phone],
            press_roles=[(role, sources.get(("presscontact", role.pk), [])) for role in press_roles],
            person_sources=sources.get(("person", person.pk), []),
            all_sources=sorted(
                {release for releases in sources.values() for release in releases},
                key=lambda release: release.published_on,
            ),
            changes=history_of(
                person, dependants=[(Position, "person"), *([(ContactPoint, "person")] if show_contact_details else [])]
            ),
            history_url=(
                reverse("admin:contacts_person_history", args=[person.pk])
                if user.has_perm("contacts.change_person")
                else None
            ),
            lists_to_add_to=(
                ContactList.objects.exclude(pk__in=[entry.pk for entry in person.contact_lists.all()]).order_by("name")
                if user.has_perm("contacts.change_contactlist")
                else []
            ),
            **consent_context(person, user),
            **kwargs,
        )


class PersonExportView(StaffPageMixin, View):
    """The directory's results, every page of them, as CSV, XLSX or vCard."""

    permission_required = ("contacts.view_person", "contacts.export_contacts")

    def get(self, request):
        back_url = reverse("contacts:person_list") + "?" + directory_query(request.GET).urlencode()
        export_format = request.GET.get("format", "")
        if export_format not in FILE_FORMATS:
            return bad_request(request, _("Choose an export format: CSV, XLSX or vCard."), back_url)
        filterset = PersonExportFilterSet(request.GET, queryset=Person.objects.directory())
        if not filterset.is_valid():
            return bad_request(request, _("The filters are not valid: correct them on the directory page."), back_url)
        return export_people(
            people=filterset.qs,
            export_format=export_format,
            user=request.user,
            origin=ExportLog.Origin.DIRECTORY,
            filters=logged_filters(filterset),
            source=query_source(filterset),
            file_stem=search_file_stem(filterset),
        )


class ContactListIndexView(StaffPageMixin, ListView):
    permission_required = "contacts.view_contactlist"
    template_name = "contacts/contactlist_index.html"
    paginate_by = 50

    def get_queryset(self):
        return ContactList.objects.select_related("owner").annotate(size=Count("entries")).order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="lists", **kwargs)


class ContactListCreateView(StaffPageMixin, FormView):
    """A new list made of the people of a directory search."""

    permission_required = ("contacts.view_person", "contacts.add_contactlist")
    form_class = ContactListForm
    template_name = "contacts/contactlist_form.html"

    def get_initial(self):
        return {"query": directory_query(self.request.GET).urlencode()}

    def matching_people(self, query: str):
        filterset = PersonFilterSet(QueryDict(query), queryset=Person.objects.all())
        return filterset.qs if filterset.is_valid() else Person.objects.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(section="lists", **kwargs)
        query = context["form"]["query"].value() or ""
        context["match_count"] = self.matching_people(query).count()
        context["search_url"] = reverse("contacts:person_list") + (f"?{query}" if query else "")
        if self.request.user.has_perm("contacts.change_contactlist"):
            context["lists_to_add_to"] = ContactList.objects.order_by("name")
        return context

    def form_valid(self, form):
        contact_list = create_contact_list(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            owner=self.request.user,
            people=self.matching_people(form.cleaned_data["query"]),
        )
        count = contact_list.entries.count()
        messages.success(
            self.request,
            ngettext(
                "The list “%(name)s” was created with %(count)d person.",
                "The list “%(name)s” was created with %(count)d people.",
                count,
            )
            % {"name": contact_list.name, "count": count},
        )
        return redirect(contact_list)


class ContactListDetailView(StaffPageMixin, DetailView):
    permission_required = ("contacts.view_contactlist", "contacts.view_person")
    model = ContactList
    template_name = "contacts/contactlist_detail.html"
    paginate_by = 50

    def get_queryset(self):
        return ContactList.objects.select_related("owner")

    def get_context_data(self, **kwargs):
        people = Person.objects.directory().filter(contact_list_entries__contact_list=self.object)
        page = Paginator(people, self.paginate_by).get_page(self.request.GET.get("page"))
        user = self.request.user
        may_export = user.has_perm("contacts.export_contacts")
        return super().get_context_data(
            section="lists",
            page_obj=page,
            people=page.object_list,
            export_formats=EXPORT_FORMATS,
            may_export=may_export,
            show_contact_details=may_list_contact_details(user),
            left_out_of_export=self.object.entries.filter(person__do_not_contact=True).count() if may_export else 0,
            may_change=user.has_perm("contacts.change_contactlist"),
            **kwargs,
        )


def _redirect_back(request, default):
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(next_url)
    return redirect(default)


class ContactListAddView(StaffPageMixin, View):
    """Add one person (``person``) or every person of a directory search (``query``) to a list."""

    permission_required = ("contacts.view_person", "contacts.change_contactlist")

    def post(self, request):
        contact_list = ContactList.objects.filter(slug=posted_slug(request, "contact_list")).first()
        if contact_list is None:
            messages.error(request, _("Choose the list to add to."))
            return _redirect_back(request, "contacts:person_list")
        if "person" in request.POST:
            people = Person.objects.filter(slug__in=posted_slugs(request, "person"))
        else:
            filterset = PersonFilterSet(QueryDict(request.POST.get("query", "")), queryset=Person.objects.all())
            people = filterset.qs if filterset.is_valid() else Person.objects.none()
        added = add_to_contact_list(contact_list=contact_list, people=people)
        messages.success(
            request,
            ngettext("%(count)d person added to “%(name)s”.", "%(count)d people added to “%(name)s”.", added)
            % {"count": added, "name": contact_list.name},
        )
        return _redirect_back(request, contact_list)


class ContactListRemoveView(StaffPageMixin, View):
    permission_required = ("contacts.view_person", "contacts.change_contactlist")

    def post(self, request, slug):
        contact_list = get_object_or_404(ContactList, slug=slug)
        people = Person.objects.filter(slug__in=posted_slugs(request, "person"))
        removed = remove_from_contact_list(contact_list=contact_list, people=people)
        messages.success(
            request,
            ngettext("%(count)d person removed from “%(name)s”.", "%(count)d people removed from “%(name)s”.", removed)
            % {"count": removed, "name": contact_list.name},
        )
        return _redirect_back(request, contact_list)


class ContactListExportView(StaffPageMixin, View):
    permission_required = ("contacts.view_contactlist", "contacts.view_person", "contacts.export_contacts")

    def get(self, request, slug):
        contact_list = get_object_or_404(ContactList, slug=slug)
        export_format = request.GET.get("format", "")
        if export_format not in FILE_FORMATS:
            return bad_request(
                request, _("Choose an export format: CSV, XLSX or vCard."), contact_list.get_absolute_url()
            )
        query = QueryDict(mutable=True)
        query["contact_list"] = contact_list.slug
        filterset = PersonExportFilterSet(query, queryset=Person.objects.directory())
        return export_people(
            people=filterset.qs,
            export_format=export_format,
            user=request.user,
            origin=ExportLog.Origin.CONTACT_LIST,
            filters=logged_filters(filterset),
            source=query_source(filterset),
            file_stem=search_file_stem(filterset),
        )


# Consent (GDPR): the person's page shows the latest record and, to those who may change people, a form for a new one.


def consent_context(person, user) -> dict:
    """The person page's "Consent" section: the latest record and, for those who may change people, the form."""
    latest = person.consents.select_related("recorded_by").first()
    may_record = user.has_perm("contacts.change_person") and not person.is_anonymised
    initial = {"at": timezone.localtime().replace(second=0, microsecond=0), "how": Consent.Method.FORM}
    form = ConsentForm(initial=initial, auto_id="consent_%s") if may_record else None
    return {"latest_consent": latest, "consent_form": form}


class ConsentCreateView(StaffPageMixin, View):
    """Records a consent given or withdrawn from the person's page, then goes back to it (POST, redirect, GET)."""

    permission_required = ("contacts.view_person", "contacts.change_person")

    def post(self, request, slug):
        person = get_object_or_404(Person, slug=slug)
        form = ConsentForm(request.POST)
        if form.is_valid():
            given = form.cleaned_data["decision"] == ConsentForm.Decision.GIVEN
            try:
                record_consent(
                    person=person,
                    given=given,
                    how=form.cleaned_data["how"],
                    at=form.cleaned_data["at"],
                    recorded_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                if not given:
                    messages.success(
                        request, _("Consent withdrawal recorded: this person is now marked not to be contacted.")
                    )
                elif person.do_not_contact:
                    messages.warning(
                        request,
                        _(
                            "Consent recorded. This person is still marked not to be contacted: lift it on their "
                            "record if they asked to be contacted again."
                        ),
                    )
                else:
                    messages.success(request, _("Consent recorded."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(person.get_absolute_url() + "#consent")
