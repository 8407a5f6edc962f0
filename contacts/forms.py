from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContactList


class ContactListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=ContactList._meta.get_field("name").max_length)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the list a name."))
        return name
