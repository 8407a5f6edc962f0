from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import TemplateView
from django.views.i18n import set_language as django_set_language


def without_language_prefix(path: str) -> str:
    """``/en/admin/`` → ``/admin/``: the address in the default language, which has no prefix."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def set_language(request):
    """Django's language switch, able to switch back from an English address.

    The switch's own address has no language prefix, so Django reads the ``next`` address in the
    default language (French), where ``/en/…`` does not resolve and would be returned unchanged:
    the user would stay in English. Reading it without its prefix lets Django translate it.
    """
    if request.method == "POST" and "next" in request.POST:
        data = request.POST.copy()
        data["next"] = without_language_prefix(data["next"])
        request.POST = data
    return django_set_language(request)


class DashboardView(LoginRequiredMixin, TemplateView):
    """The first page after logging in: how much the CRM holds, what changed lately, a search box."""

    template_name = "crm/dashboard.html"
    recent_count = 8

    def get_context_data(self, **kwargs):
        from agreements.models import Agreement, PressRelease
        from clusters.models import Organisation
        from contacts.models import ContactList, Person, PressContact

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


def page_not_found(request, exception):
    """Django's 404 page, except under /api/, where clients expect JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
