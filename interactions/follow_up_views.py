"""The follow-ups' pages: the list (mine by default), a follow-up's page, its form (new, from an interaction, or
changed), marking it done or to do again, and the people suggested as one types in the form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, UpdateView

from contacts.models import Person, Position
from core.history import DeletedRecordError, StaleRecordError
from core.pages import StaffPageMixin

from .follow_up_forms import FollowUpFilterForm, FollowUpForm
from .models import FollowUp, Interaction
from .services import complete_follow_up, create_follow_up, reopen_follow_up


def for_reader(follow_ups, user, today=None):
    """Each follow-up with what its row shows ``user``: ``may_change`` (whether they may change it, mark it done or
    to do again) and ``days_late`` (how many days overdue: 0 when due today, negative when due later)."""
    today = today or timezone.localdate()
    for follow_up in follow_ups:
        follow_up.may_change = follow_up.may_be_changed_by(user)
        follow_up.days_late = (today - follow_up.due_on).days
    return follow_ups


def interaction_url(interaction) -> str:
    """The interaction's page, if the interactions' pages are there (the timeline's section of the URLconf)."""
    try:
        return interaction.get_absolute_url() if interaction is not None else ""
    except NoReverseMatch:
        return ""


def next_address(request, default: str) -> str:
    """Where to go back after an action: the page it was asked from (``next``), if it is one of ours."""
    address = request.POST.get("next") or request.GET.get("next") or ""
    if address and url_has_allowed_host_and_scheme(
        address, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return address
    return default


class FollowUpListView(StaffPageMixin, ListView):
    """Follow-ups, mine and still to do by default, the most overdue first; filtered by the query string."""

    permission_required = "interactions.view_followup"
    template_name = "interactions/follow_ups/follow_up_list.html"
    context_object_name = "follow_ups"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        self.filters = FollowUpFilterForm(request.GET or None, initial={"assigned": "me", "status": "open"})
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filters.filter(FollowUp.objects.all(), self.request.user)

    def paginate_queryset(self, queryset, page_size):
        # A mistyped or out-of-range page number shows the nearest page, not a 404.
        paginator = Paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(section="follow_ups", filters=self.filters, **kwargs)
        for_reader(context["follow_ups"], self.request.user)
        return context


class FollowUpDetailView(StaffPageMixin, DetailView):
    permission_required = "interactions.view_followup"
    model = FollowUp
    template_name = "interactions/follow_ups/follow_up_detail.html"
    context_object_name = "follow_up"

    def get_queryset(self):
        return FollowUp.objects.select_related("assigned_to", "created_by", "done_by", "interaction").prefetch_related(
            "people", "organisations"
        )

    def get_context_data(self, **kwargs):
        for_reader([self.object], self.request.user)
        return super().get_context_data(
            section="follow_ups", interaction_url=interaction_url(self.object.interaction), **kwargs
        )


class FollowUpCreateView(StaffPageMixin, FormView):
    """A new follow-up, assigned to its author unless they choose someone else. From an interaction
    (``?interaction=<pk>``), its people and organisations are chosen already and the date is a quick choice."""

    permission_required = ("interactions.view_followup", "interactions.add_followup")
    form_class = FollowUpForm
    template_name = "interactions/follow_ups/follow_up_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.interaction = None
        key = request.POST.get("interaction") or request.GET.get("interaction") or ""
        if key.isdigit() and request.user.has_perm("interactions.view_interaction"):
            self.interaction = (
                Interaction.objects.filter(pk=int(key)).prefetch_related("people", "organisations").first()
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "quick_due": True}

    def get_initial(self):
        initial = {"assigned_to": self.request.user, "due_in": ""}
        if self.interaction is not None:
            initial.update(
                interaction=self.interaction.pk,
                due_in="2w",
                people=[person.slug for person in self.interaction.people.all()],
                organisations=[organisation.slug for organisation in self.interaction.organisations.all()],
            )
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section="follow_ups",
            interaction=self.interaction,
            interaction_url=interaction_url(self.interaction),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        follow_up = create_follow_up(
            title=data["title"],
            due_on=data["due_on"],
            assigned_to=data["assigned_to"],
            created_by=self.request.user,
            people=data["people"],
            organisations=data["organisations"],
            notes=data["notes"],
            interaction=self.interaction,
        )
        messages.success(self.request, _("The follow-up “%(title)s” was added.") % {"title": follow_up.title})
        return redirect(follow_up)


class FollowUpUpdateView(StaffPageMixin, UpdateView):
    """A follow-up's form, for its assignee or author (who may add follow-ups) or an editor. A save over a version
    the editor did not see is refused, with what changed meanwhile."""

    permission_required = "interactions.view_followup"
    model = FollowUp
    form_class = FollowUpForm
    template_name = "interactions/follow_ups/follow_up_form.html"
    context_object_name = "follow_up"

    def get_queryset(self):
        return FollowUp.objects.prefetch_related("people", "organisations")

    def get_object(self, queryset=None):
        follow_up = super().get_object(queryset)
        if not follow_up.may_be_changed_by(self.request.user):
            raise PermissionDenied
        return follow_up

    def get_initial(self):
        return {
            "people": [person.slug for person in self.object.people.all()],
            "organisations": [organisation.slug for organisation in self.object.organisations.all()],
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section="follow_ups",
            interaction=self.object.interaction,
            interaction_url=interaction_url(self.object.interaction),
            **kwargs,
        )

    def form_valid(self, form):
        form.instance._history_user = self.request.user
        try:
            with transaction.atomic():
                self.object = form.save()
        except DeletedRecordError as error:
            messages.error(self.request, error.messages[0])
            return redirect("interactions:follow_up_list")
        except StaleRecordError as error:
            form.add_error(None, error.messages[0])
            return self.form_invalid(form)
        messages.success(self.request, _("The follow-up “%(title)s” was saved.") % {"title": self.object.title})
        return redirect(self.object)


class FollowUpStateView(StaffPageMixin, View):
    """Marks a follow-up done or to do again (POST), then goes back to the page it was asked from."""

    permission_required = "interactions.view_followup"
    http_method_names = ["post"]
    service = None
    message = ""

    def post(self, request, pk):
        follow_up = get_object_or_404(FollowUp, pk=pk)
        if not follow_up.may_be_changed_by(request.user):
            raise PermissionDenied
        try:
            self.service(follow_up=follow_up, user=request.user)
        except StaleRecordError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, self.message % {"title": follow_up.title})
        return redirect(next_address(request, follow_up.get_absolute_url()))


class FollowUpCompleteView(FollowUpStateView):
    service = staticmethod(complete_follow_up)
    message = gettext_lazy("“%(title)s” is marked done.")


class FollowUpReopenView(FollowUpStateView):
    service = staticmethod(reopen_follow_up)
    message = gettext_lazy("“%(title)s” is to do again.")


class PersonSuggestionsView(StaffPageMixin, View):
    """Up to 20 people matching what was typed, as ``<option>`` elements for a suggestions box's datalist: the
    value is the slug, the label the name and where they work. Reads the typed text under any parameter name."""

    permission_required = "contacts.view_person"
    limit = 20

    def get(self, request):
        typed = next((value for value in request.GET.values() if value.strip()), "").strip()[:100]
        people = []
        if typed:
            people = (
                Person.objects.search(typed)
                .order_by("family_name", "given_name", "pk")
                .prefetch_related(
                    Prefetch(
                        "positions",
                        queryset=Position.objects.current()
                        .select_related("organisation")
                        .order_by("-is_primary", "pk"),
                        to_attr="current_positions",
                    )
                )[: self.limit]
            )
        return render(request, "interactions/follow_ups/person_suggestions.html", {"people": people})
