"""The interactions' pages: the timeline of a person or an organisation and its quick-add, an interaction's page, its
edit and delete forms, and the list of interactions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from clusters.models import Organisation
from contacts.models import Person
from core.history import DeletedRecordError, StaleRecordError, history_of
from core.pages import FilteredListView, StaffPageMixin

from .filters import InteractionFilterSet
from .forms import InteractionForm, QuickAddForm
from .models import Interaction
from .services import log_interaction
from .timeline import timeline_page

RECORDS = {"person": (Person, "contacts.view_person"), "organisation": (Organisation, "clusters.view_organisation")}


def page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def timeline_context(request, record, *, form=None, added=False, query=None) -> dict:
    """What ``interactions/includes/timeline.html`` shows of ``record``'s timeline, as ``request`` asks for it."""
    query = request.GET if query is None else query
    user = request.user
    record_type = "person" if isinstance(record, Person) else "organisation"
    groups = [group for group in query.getlist("timeline") if isinstance(group, str)]
    page = timeline_page(record, user=user, groups=groups, page=page_number(query.get("timeline_page")))
    may_add = user.has_perm("interactions.add_interaction") and not getattr(record, "is_anonymised", False)

    def query_for(number: int) -> str:
        params = QueryDict(mutable=True)
        params.setlist("timeline", page.shown)
        if number > 1:
            params["timeline_page"] = str(number)
        return params.urlencode()

    return {
        "record": record,
        "record_type": record_type,
        "timeline": page,
        "page_url": record.get_absolute_url(),
        "fragment_url": reverse(f"interactions:{record_type}_timeline", args=[record.slug]),
        "add_url": reverse(f"interactions:{record_type}_log", args=[record.slug]) if may_add else "",
        "quick_add_form": (form or QuickAddForm()) if may_add else None,
        "do_not_contact": getattr(record, "do_not_contact", False),
        "added": added,
        "previous_query": query_for(page.previous_page_number) if page.has_previous else "",
        "next_query": query_for(page.next_page_number) if page.has_next else "",
    }


def render_timeline(request, record, **kwargs):
    context = timeline_context(request, record, **kwargs)
    response = render(request, "interactions/includes/timeline.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def record_of(record_type: str, slug: str, user):
    model, permission = RECORDS[record_type]
    if not user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(model, slug=slug)


# --- The timeline and its quick-add ------------------------------------------------------------------------------


class TimelineView(StaffPageMixin, View):
    """A page of a record's timeline, for htmx; without it, the record's own page shows the same page."""

    record_type = ""

    def get_permission_required(self):
        return (RECORDS[self.record_type][1],)

    def get(self, request, slug):
        record = record_of(self.record_type, slug, request.user)
        if not request.htmx:
            query = request.GET.urlencode()
            return HttpResponseRedirect(record.get_absolute_url() + (f"?{query}" if query else "") + "#timeline")
        return render_timeline(request, record)


class QuickAddView(StaffPageMixin, View):
    """Logs a call or a note from the timeline of a person (with the organisations of their current positions) or
    of an organisation. With htmx the timeline comes back; without it, the record's page (post, redirect, get)."""

    http_method_names = ["post"]
    record_type = ""

    def get_permission_required(self):
        return ("interactions.add_interaction", RECORDS[self.record_type][1])

    def post(self, request, slug):
        record = record_of(self.record_type, slug, request.user)
        if getattr(record, "is_anonymised", False):
            raise PermissionDenied
        form = QuickAddForm(request.POST)
        if not form.is_valid():
            if request.htmx:
                return render_timeline(request, record, form=form, query=QueryDict())
            return render(
                request,
                "interactions/quick_add.html",
                {"record": record, "form": form, "add_url": request.path, "section": self.section},
            )
        data = form.cleaned_data
        if isinstance(record, Person):
            people = [record]
            organisations = list(
                Organisation.objects.filter(positions__in=record.positions.current()).distinct().order_by("pk")
            )
        else:
            people, organisations = [], [record]
        log_interaction(
            kind=data["kind"],
            logged_by=request.user,
            people=people,
            organisations=organisations,
            occurred_at=data["occurred_at"],
            subject=data["subject"].strip(),
            text=data["text"].strip(),
        )
        if request.htmx:
            return render_timeline(request, record, added=True, query=QueryDict())
        messages.success(request, _("Interaction logged."))
        return redirect(record.get_absolute_url() + "#timeline")

    @property
    def section(self) -> str:
        return "contacts" if self.record_type == "person" else "organisations"


# --- An interaction's pages --------------------------------------------------------------------------------------


class InteractionListView(FilteredListView):
    permission_required = "interactions.view_interaction"
    filterset_class = InteractionFilterSet
    template_name = "interactions/interaction_list.html"
    results_template_name = "interactions/includes/interaction_results.html"
    paginate_by = 25

    def get_queryset(self):
        return Interaction.objects.with_people()

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="interactions", **kwargs)


class InteractionDetailView(StaffPageMixin, DetailView):
    permission_required = "interactions.view_interaction"
    template_name = "interactions/interaction_detail.html"
    queryset = Interaction.objects.with_people().select_related(
        "agreement", "press_release", "event_edition__event", "membership__cluster", "membership__member"
    )
    context_object_name = "interaction"

    def get_context_data(self, **kwargs):
        interaction = self.object
        user = self.request.user
        follow_ups = []
        if user.has_perm("interactions.view_followup"):
            follow_ups = list(interaction.follow_ups.select_related("assigned_to").order_by("due_on", "pk"))
        return super().get_context_data(
            may_change=interaction.may_be_changed_by(user),
            follow_ups=follow_ups,
            changes=history_of(interaction),
            history_url=(
                reverse("admin:interactions_interaction_history", args=[interaction.pk])
                if user.has_perm("interactions.change_interaction") and user.is_staff
                else None
            ),
            **kwargs,
        )


class InteractionChangeMixin(StaffPageMixin):
    """Its author (if they may log interactions) or an editor (``change_interaction``)."""

    permission_required = "interactions.view_interaction"
    model = Interaction  # the record its address names (tools.pages fills the address from it)

    def get_interaction(self) -> Interaction:
        interaction = get_object_or_404(Interaction, pk=self.kwargs["pk"])
        if not interaction.may_be_changed_by(self.request.user):
            raise PermissionDenied
        return interaction


class InteractionEditView(InteractionChangeMixin, View):
    template_name = "interactions/interaction_form.html"

    def get(self, request, pk):
        interaction = self.get_interaction()
        return self.show(request, interaction, InteractionForm(instance=interaction))

    def post(self, request, pk):
        interaction = self.get_interaction()
        form = InteractionForm(request.POST, instance=interaction)
        if not form.is_valid():
            return self.show(request, interaction, form)
        interaction._history_user = request.user
        try:
            form.save()
        except DeletedRecordError as error:
            messages.error(request, error.message)
            return redirect("interactions:interaction_list")
        except StaleRecordError as error:
            # Someone saved between the form's check and this save: nothing was written.
            form.add_error(None, error.message)
            return self.show(request, interaction, form)
        messages.success(request, _("Interaction saved."))
        return redirect(interaction.get_absolute_url())

    def show(self, request, interaction, form):
        return render(
            request, self.template_name, {"interaction": interaction, "form": form, "section": "interactions"}
        )


class InteractionDeleteView(InteractionChangeMixin, View):
    template_name = "interactions/interaction_confirm_delete.html"

    def get(self, request, pk):
        interaction = self.get_interaction()
        return render(request, self.template_name, {"interaction": interaction, "section": "interactions"})

    def post(self, request, pk):
        interaction = self.get_interaction()
        back = self.back_url(interaction)
        interaction._history_user = request.user
        interaction.delete()
        messages.success(request, _("Interaction deleted."))
        return redirect(back)

    @staticmethod
    def back_url(interaction) -> str:
        """The page of the first person it involved, else of its first organisation, else the list."""
        person = interaction.people.order_by("pk").first()
        if person is not None:
            return person.get_absolute_url() + "#timeline"
        organisation = interaction.organisations.order_by("pk").first()
        if organisation is not None:
            return organisation.get_absolute_url() + "#timeline"
        return reverse("interactions:interaction_list")


def timeline_html(request, record) -> str:
    """The timeline section rendered for a record's page (the template tag's body)."""
    return render_to_string("interactions/includes/timeline.html", timeline_context(request, record), request=request)
