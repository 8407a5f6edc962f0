"""The dashboard: the first page after logging in, over every app."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from agreements.models import Agreement, PressRelease
from clusters.models import Organisation
from contacts.models import ContactList, Person, PressContact
from interactions.follow_up_views import for_reader
from interactions.models import FollowUp


class DashboardView(LoginRequiredMixin, TemplateView):
    """The first page after logging in: how much the CRM holds, what changed lately, a search box."""

    template_name = "dashboard/dashboard.html"
    recent_count = 8
    task_count = 10

    def my_tasks(self):
        """The user's follow-ups still to do, the most overdue first, then today's, then the next ones (at most
        ``task_count``), and how many there are in all: four queries however many there are."""
        user = self.request.user
        mine = FollowUp.objects.open().assigned_to(user)
        tasks = list(mine.for_list().select_related(None)[: self.task_count])
        return for_reader(tasks, user), mine.count()

    def get_context_data(self, **kwargs):
        user = self.request.user
        counts = []
        recent = []
        if user.has_perm("contacts.view_person"):
            counts.append((_("People"), Person.objects.count(), reverse("contacts:person_list")))
            counts.append(
                (
                    _("Press contacts"),
                    PressContact.objects.values("person").distinct().count(),
                    reverse("contacts:person_list") + "?press_only=on",
                )
            )
            recent += Person.objects.order_by("-updated_at")[: self.recent_count]
        if user.has_perm("clusters.view_organisation"):
            counts.append((_("Organisations"), Organisation.objects.count(), reverse("clusters:organisation_list")))
            counts.append(
                (
                    _("Clusters"),
                    Organisation.objects.clusters().count(),
                    reverse("clusters:organisation_list") + "?kind=cluster",
                )
            )
            recent += Organisation.objects.order_by("-updated_at")[: self.recent_count]
        if user.has_perm("agreements.view_agreement"):
            counts.append((_("Agreements"), Agreement.objects.count(), reverse("agreements:agreement_list")))
            recent += Agreement.objects.order_by("-updated_at")[: self.recent_count]
        if user.has_perm("agreements.view_pressrelease"):
            counts.append((_("Press releases"), PressRelease.objects.count(), reverse("agreements:press_release_list")))
        if user.has_perm("contacts.view_contactlist"):
            counts.append((_("Contact lists"), ContactList.objects.count(), reverse("contacts:list_index")))
        recent.sort(key=lambda record: record.updated_at, reverse=True)
        tasks, task_total = self.my_tasks() if user.has_perm("interactions.view_followup") else (None, 0)
        return super().get_context_data(
            tasks=tasks,
            task_total=task_total,
            counts=counts,
            recent=[(record, record._meta.verbose_name) for record in recent[: self.recent_count]],
            press_releases=(
                PressRelease.objects.order_by("-published_on")[:5]
                if user.has_perm("agreements.view_pressrelease")
                else []
            ),
            **kwargs,
        )
