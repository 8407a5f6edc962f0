"""The dashboard: the first page after logging in, over every app."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from agreements.models import Agreement, PressRelease
from clusters.models import Organisation
from contacts.models import ContactList, Person, PressContact


class DashboardView(LoginRequiredMixin, TemplateView):
    """The first page after logging in: how much the CRM holds, what changed lately, a search box."""

    template_name = "dashboard/dashboard.html"
    recent_count = 8

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
        return super().get_context_data(
            counts=counts,
            recent=[(record, record._meta.verbose_name) for record in recent[: self.recent_count]],
            press_releases=(
                PressRelease.objects.order_by("-published_on")[:5]
                if user.has_perm("agreements.view_pressrelease")
                else []
            ),
            **kwargs,
        )
