"""The forms of emails read from .eml files: the upload of one or several files, and a new person made from an
address the email named."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.models import Person


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe): cleans to a list of uploaded files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        kwargs.setdefault("allow_empty_file", True)  # an empty file is refused alone, among the others
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = list(data) if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads or [None]]


class EmailUploadForm(forms.Form):
    """One or several emails saved as .eml files; each file's size is checked as it is read (``size_error``), so
    that one file too large does not refuse the others."""

    files = MultipleFileField(
        label=_("Emails (.eml files)"),
        help_text=_("Save the message from Outlook or Thunderbird as a file (.eml), then choose it here."),
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        limit = settings.EMAIL_IMPORT_MAX_FILES
        if len(uploads) > limit:
            raise ValidationError(
                ngettext(
                    "Choose at most %(limit)d file at a time.",
                    "Choose at most %(limit)d files at a time.",
                    limit,
                )
                % {"limit": limit}
            )
        return uploads


class NewPersonForm(forms.Form):
    """A person made from an address an email named: their name as the email wrote it, and the address. The names
    are the person's fields; the family name, which a person needs, is asked for by the person's own validation,
    since it is not needed when someone has the address by now (they are linked instead)."""

    given_name = Person._meta.get_field("given_name").formfield()
    family_name = Person._meta.get_field("family_name").formfield(required=False)
    email = forms.EmailField(label=_("Email address"), max_length=254)
