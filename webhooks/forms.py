from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Endpoint, EventType
from .services import AddressRefused, check_address


def _https_by_default(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of event sent to this address."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "is_active"]
        formfield_callback = _https_by_default

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith("https://") and not settings.DEBUG:
            raise ValidationError(_("Use an https address: the deliveries carry records."), code="https")
        try:
            check_address(url)
        except AddressRefused as error:
            raise ValidationError(
                _("%(reason)s The CRM posts only to public addresses.") % {"reason": error}, code="private"
            ) from error
        except OSError as error:
            raise ValidationError(_("This host name cannot be found."), code="unknown_host") from error
        return url
