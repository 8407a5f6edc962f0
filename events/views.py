"""The events pages: the list, an event with its editions, an edition with its invitations; and what an edition's
page posts, one view each: invite a contact list, invite the people of a directory search, record who came."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, ListView

from contacts.filters import PersonFilterSet
from contacts.models import ContactList, Person
from contacts.views import EXPORT_FORMATS
from core.pages import StaffPageMixin
from core.views import bad_request

from .forms import AttendanceForm, InviteListForm
from .models import Event, EventEdition
from .services import invite_people, record_attendance


class EventListView(StaffPageMixin, ListView):
    permission_required = "events.view_event"
    template_name = "events/event_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Event.objects.prefetch_related("organisers").annotate(edition_count=Count("editions")).order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="events", **kwargs)


class EventDetailView(StaffPageMixin, DetailView):
    permission_required = "events.view_event"
    template_name = "events/event_detail.html"
    queryset = Event.objects.prefetch_related(
        "organisers",
        Prefetch(
            "editions",
            queryset=EventEdition.objects.annotate(
                invited_count=Count("invitations", distinct=True),
                attended_count=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
            ),
        ),
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="events", **kwargs)


def edition_of(kwargs) -> EventEdition:
    return get_object_or_404(
        EventEdition.objects.select_related("event").prefetch_related("co_organisers"),
        pk=kwargs["pk"],
        event__slug=kwargs["slug"],
    )


class EditionDetailView(StaffPageMixin, DetailView):
    """An edition with its invitation list: invite a contact list or the people of a directory search, note who
    came, export the list through the directory's export."""

    permission_required = "events.view_eventedition"
    template_name = "events/edition_detail.html"
    context_object_name = "edition"
    change_permissions = ("events.add_invitation", "events.change_invitation")

    def get_object(self, queryset=None):
        return edition_of(self.kwargs)

    def get_context_data(self, **kwargs):
        edition = self.object
        invitations = list(
            edition.invitations.select_related("person").order_by("person__family_name", "person__given_name")
        )
        return super().get_context_data(
            section="events",
            invitations=invitations,
            attended=sum(invitation.attended is True for invitation in invitations),
            # People who asked not to be contacted after they were invited: the invitation export leaves them out.
            left_out_of_export=sum(invitation.person.do_not_contact for invitation in invitations),
            can_change=self.request.user.has_perms(self.change_permissions),
            contact_lists=ContactList.objects.order_by("name"),
            search_form=PersonFilterSet(QueryDict(), queryset=Person.objects.none()).form,
            export_formats=EXPORT_FORMATS,
            **kwargs,
        )


class EditionChangeView(StaffPageMixin, View):
    """What an edition's page posts; needs the add and change permissions of invitations."""

    permission_required = EditionDetailView.change_permissions
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        edition = edition_of(kwargs)
        error = self.change(request, edition)
        if error:
            return bad_request(request, error, edition.get_absolute_url())
        return redirect(edition.get_absolute_url())

    def change(self, request, edition) -> str | None:
        """Makes the change and says so; returns the reason instead when the request is not valid."""
        raise NotImplementedError

    @staticmethod
    def invited(request, added: int) -> None:
        messages.success(
            request, ngettext("%(count)s person invited.", "%(count)s people invited.", added) % {"count": added}
        )


class InviteListView(EditionChangeView):
    def change(self, request, edition):
        form = InviteListForm(request.POST)
        if not form.is_valid():
            return form.errors["contact_list"][0]
        self.invited(request, invite_people(edition=edition, people=form.cleaned_data["contact_list"].people.all()))
        return None


class InviteSearchView(EditionChangeView):
    def change(self, request, edition):
        filterset = PersonFilterSet(request.POST, queryset=Person.objects.all())
        if not filterset.is_valid():
            return _("The search is not valid.")
        self.invited(request, invite_people(edition=edition, people=filterset.qs))
        return None


class AttendanceView(EditionChangeView):
    def change(self, request, edition):
        form = AttendanceForm(request.POST, edition=edition)
        if not form.is_valid():
            return _("Tick only the people invited to this edition.")
        record_attendance(edition=edition, attended=form.cleaned_data["attended"])
        messages.success(request, _("Attendance recorded."))
        return None
