"""What the interactions' pages post: the timeline's quick-add, and an interaction's edit form."""

import datetime

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Interaction

# A text longer than this is an email pasted whole: the .eml import keeps those.
TEXT_MAX_LENGTH = 20_000
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def check_moment(value: datetime.datetime | None) -> datetime.datetime | None:
    """A date that can have happened: not before 1900, not later than tomorrow."""
    if value is None:
        return value
    if value < EARLIEST:
        raise forms.ValidationError(_("Enter a date after 1900."), code="too_early")
    if value > timezone.now() + datetime.timedelta(days=1):
        raise forms.ValidationError(_("An interaction is logged once it happened: enter a past date."), code="future")
    return value


class MomentField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError) as error:  # a year the time zones cannot convert
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class QuickAddForm(forms.Form):
    """A call or a note in two fields: its kind and what was said; the subject and the date if wanted."""

    prefix = "log"  # its fields' ids stay apart from the other forms of the record's page

    kind = forms.ChoiceField(label=_("Kind"), choices=Interaction.Kind.choices, initial=Interaction.Kind.CALL)
    text = forms.CharField(
        label=_("What was said"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=Interaction._meta.get_field("subject").max_length, required=False
    )
    occurred_at = MomentField(label=_("Date"), required=False, help_text=_("Empty: now."))

    def clean_occurred_at(self):
        return check_moment(self.cleaned_data.get("occurred_at"))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("text", "").strip() or cleaned.get("subject", "").strip()):
            raise forms.ValidationError(_("Write what was said, or at least a subject."), code="empty")
        return cleaned


class InteractionForm(forms.ModelForm):
    """An interaction's own fields, with the version its editor loaded (a change made meanwhile is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Interaction
        fields = ["kind", "direction", "occurred_at", "subject", "text"]
        field_classes = {"occurred_at": MomentField}
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = TEXT_MAX_LENGTH
        self.fields["text"].widget.attrs["maxlength"] = TEXT_MAX_LENGTH
        self.fields["text"].validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_occurred_at(self):
        return check_moment(self.cleaned_data.get("occurred_at"))

    def clean_direction(self):
        direction = self.cleaned_data.get("direction", "")
        if self.cleaned_data.get("kind") not in Interaction.DIRECTED_KINDS:
            return ""
        return direction

    def _post_clean(self):
        # The version the editor saw goes on the instance before the model's checks, so that full_clean reports a
        # change made meanwhile as the form's error rather than saving over it.
        if "version" in self.cleaned_data:
            self.instance.version = self.cleaned_data["version"]
        super()._post_clean()
