"""The retention review's forms: how many years without news the page lists, and what to do with the people ticked."""

import datetime

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.forms import SelectedPeopleField

from .models import RetentionDecision
from .retention import MAX_SELECTED, MAX_YEARS, default_years


class RetentionYearsForm(forms.Form):
    """The query string of the review page: ``years`` without news (``RETENTION_YEARS`` when absent or wrong)."""

    years = forms.IntegerField(
        label=_("Years without news"),
        min_value=1,
        max_value=MAX_YEARS,
        required=False,
    )

    def chosen_years(self) -> int:
        if self.is_valid() and self.cleaned_data["years"]:
            return self.cleaned_data["years"]
        return default_years()


class RetentionActionForm(forms.Form):
    """Keep the people ticked (with a reason and the day to review them again), or erase them."""

    class Action(models.TextChoices):
        KEEP = "keep", _("Keep them")
        ERASE = "erase", _("Erase their personal data")

    action = forms.ChoiceField(label=_("Action"), choices=Action.choices, widget=forms.RadioSelect)
    person = SelectedPeopleField(limit=MAX_SELECTED)
    reason = forms.CharField(
        label=_("Reason for keeping them"),
        required=False,
        max_length=RetentionDecision._meta.get_field("reason").max_length,
        help_text=_("Required to keep them: for example “Member of the board until 2028”."),
    )
    review_on = forms.DateField(
        label=_("Review again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Required to keep them: the day they come back to this review."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that an erasure cannot be undone."),
        required=False,
    )
    years = forms.IntegerField(min_value=1, max_value=MAX_YEARS, required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.Action.KEEP:
            reason = " ".join((cleaned.get("reason") or "").split())
            cleaned["reason"] = reason
            if not reason:
                self.add_error("reason", _("Say why they are kept."))
            review_on = cleaned.get("review_on")
            if review_on is None and "review_on" not in self.errors:
                self.add_error("review_on", _("Choose the day to review them again."))
            elif review_on is not None and review_on <= timezone.localdate():
                self.add_error("review_on", _("The next review must be after today."))
            elif review_on is not None and review_on > timezone.localdate() + datetime.timedelta(days=366 * MAX_YEARS):
                self.add_error("review_on", _("Choose a review date within the next 50 years."))
        elif action == self.Action.ERASE and not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm the erasure."))
        return cleaned
