"""The retention review's page: the people with nothing that kept them for some years (``interactions.retention``),
paginated, and the actions on those ticked: keep them until a date, or erase them (one job each)."""

from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import ListView

from contacts.models import Person
from core.pages import CappedPaginator, StaffPageMixin

from .retention import MAX_SELECTED, erase_people, keep_people, people_to_review, with_last_dates
from .retention_forms import RetentionActionForm, RetentionYearsForm


class RetentionReviewView(StaffPageMixin, ListView):
    """GET: the people to review for ``?years=`` (``RETENTION_YEARS`` by default). POST: keep or erase those ticked,
    then back to the same page (POST, redirect, GET)."""

    permission_required = ("contacts.view_person", "contacts.delete_person")
    template_name = "interactions/retention/review.html"
    context_object_name = "people"
    paginate_by = 25
    paginator_class = CappedPaginator

    def get_queryset(self):
        self.years_form = RetentionYearsForm(self.request.GET or None)
        self.years = self.years_form.chosen_years()
        return people_to_review(years=self.years)

    def get_paginator(self, queryset, per_page, **kwargs):
        # The keys of the matches are read once, for the count and the page; the page's rows with their dates.
        return super().get_paginator(queryset, per_page, rows=with_last_dates(Person.objects.all()), **kwargs)

    def paginate_queryset(self, queryset, page_size):
        # A mistyped or out-of-range page number shows the nearest page, never a 404.
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            years_form=self.years_form,
            years=self.years,
            action_form=RetentionActionForm(initial={"years": self.years}, auto_id="retention_%s"),
            max_selected=MAX_SELECTED,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = RetentionActionForm(request.POST)
        years = form.data.get("years", "")
        back = QueryDict(mutable=True)
        if years.isdigit():
            back["years"] = years
        back_url = request.path + (f"?{back.urlencode()}" if back else "")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back_url)
        people = form.cleaned_data["person"]
        if form.cleaned_data["action"] == RetentionActionForm.Action.KEEP:
            count = keep_people(
                people=people,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
                user=request.user,
            )
            messages.success(
                request,
                ngettext("%(count)d person kept until %(date)s.", "%(count)d people kept until %(date)s.", count)
                % {"count": count, "date": date_format(form.cleaned_data["review_on"], "SHORT_DATE_FORMAT")},
            )
            return HttpResponseRedirect(back_url)
        # Only those still to review are erased: someone contacted or kept since the page was read is left alone.
        chosen_years = form.cleaned_data["years"] or RetentionYearsForm().chosen_years()
        still = list(people_to_review(years=chosen_years).filter(pk__in=people.values("pk")))
        jobs = erase_people(people=still, user=request.user)
        left = people.count() - len(jobs)
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                ngettext(
                    "The erasure of the personal data of %(count)d person has started.",
                    "The erasure of the personal data of %(count)d people has started.",
                    len(jobs),
                )
                % {"count": len(jobs)},
                reverse("jobs:job_list"),
                _("Follow it in “My exports and imports”."),
            ),
        )
        if left:
            messages.warning(
                request,
                ngettext(
                    "%(count)d person ticked is no longer to review (contacted, changed or kept meanwhile): "
                    "not erased.",
                    "%(count)d people ticked are no longer to review (contacted, changed or kept meanwhile): "
                    "not erased.",
                    left,
                )
                % {"count": left},
            )
        return HttpResponseRedirect(back_url)
