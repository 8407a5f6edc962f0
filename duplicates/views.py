"""Records entered twice: the page that lists the likely pairs of people and of organisations, and the merge of a
pair (the services are each app's: ``merge_people``, ``merge_organisations``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clusters.duplicates import likely_duplicate_organisations
from clusters.models import Organisation
from clusters.services import merge_organisations
from clusters.tasks import start_merge as start_organisation_merge
from contacts.duplicates import likely_duplicate_people
from contacts.models import Person
from contacts.services import merge_people
from contacts.tasks import start_merge as start_person_merge
from core.merging import merge_and_describe, merge_started_message, merges_in_background
from core.pages import StaffPageMixin
from core.views import bad_request, posted_slug


class DuplicatesView(StaffPageMixin, TemplateView):
    """People and organisations that were likely entered twice, each pair with a form to merge it."""

    permission_required = ("contacts.view_person", "clusters.view_organisation")
    template_name = "duplicates/duplicates.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            section="duplicates",
            people=likely_duplicate_people(),
            organisations=likely_duplicate_organisations(),
            can_merge_people=user.has_perms(MERGE_PERMISSIONS["person"]),
            can_merge_organisations=user.has_perms(MERGE_PERMISSIONS["organisation"]),
            **kwargs,
        )


MERGE_PERMISSIONS = {
    "person": ["contacts.change_person", "contacts.delete_person"],
    "organisation": ["clusters.change_organisation", "clusters.delete_organisation"],
}


class MergeView(LoginRequiredMixin, View):
    """Merge two records chosen on the duplicates page: ``kind`` (person or organisation), the slugs of the
    pair (``first``, ``second``) and of the one to keep (``keep``). Needs the change and delete permissions
    of the model."""

    http_method_names = ["post"]

    def post(self, request):
        kind = request.POST.get("kind", "")
        if kind not in MERGE_PERMISSIONS:
            return bad_request(request, _("Choose people or organisations to merge."), reverse("duplicates"))
        if not request.user.has_perms(MERGE_PERMISSIONS[kind]):
            raise PermissionDenied
        model, merge = (Person, merge_people) if kind == "person" else (Organisation, merge_organisations)
        pair = [posted_slug(request, name) for name in ("first", "second")]
        kept = posted_slug(request, "keep")
        if kept not in pair or pair[0] == pair[1]:
            return bad_request(request, _("Choose which of the two records to keep."), reverse("duplicates"))
        keep = model.objects.filter(slug=kept).first()
        other = model.objects.filter(slug=pair[1] if kept == pair[0] else pair[0]).first()
        if keep is None or other is None:
            return bad_request(
                request, _("These two records cannot be merged: one no longer exists."), reverse("duplicates")
            )
        if merges_in_background(other):
            job = (start_person_merge if kind == "person" else start_organisation_merge)(
                keep=keep, other=other, user=request.user
            )
            messages.success(request, merge_started_message(job))
            return redirect(job)
        messages.success(request, merge_and_describe(merge, keep=keep, other=other, user=request.user))
        return redirect(keep.get_absolute_url())
