"""What the edition page posts: a contact list to invite, who came."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import ContactList
from core.filters import KeyChoiceField


class InviteListForm(forms.Form):
    contact_list = KeyChoiceField(
        label=_("Contact list"),
        queryset=ContactList.objects.order_by("name"),
        to_field_name="slug",
        error_messages={"required": _("Choose a contact list."), "invalid_choice": _("Choose a contact list.")},
    )


class AttendanceForm(forms.Form):
    """The invitations of one edition whose person came, by key; a key that is not one of them is refused."""

    attended = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["attended"].choices = [(str(pk), pk) for pk in edition.invitations.values_list("pk", flat=True)]

    def clean_attended(self):
        return self.edition.invitations.filter(pk__in=[int(key) for key in self.cleaned_data["attended"]])
