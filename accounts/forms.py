"""The login forms of the pages and of the admin, and the forms of two-factor authentication."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.two_factor import seconds_before_next_try, verified_device


class UsernameLengthMixin:
    """Refuses a username longer than the user model allows, before any account is looked up.

    Django's login form sets the username field's ``max_length`` after the field is built, so no validator
    checks it: a longer username would reach ``authenticate()``, and django-axes would record the failed login
    with that username, which PostgreSQL refuses to store (a 500).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class CodeForm(forms.Form):
    """The second step of a login: a code of the user's authenticator app, or one of their backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        wait = seconds_before_next_try(self.user, code)
        if wait:
            raise ValidationError(
                ngettext(
                    "Too many wrong codes: try again in %(seconds)d second.",
                    "Too many wrong codes: try again in %(seconds)d seconds.",
                    wait,
                ),
                code="throttled",
                params={"seconds": wait},
            )
        self.device = verified_device(self.user, code)
        if self.device is None:
            raise ValidationError(
                _("This code is not valid. Check that your phone shows the right time, or use a backup code."),
                code="invalid",
            )
        return code


class AppConfirmationForm(forms.Form):
    """Adding an authenticator app: the code it shows proves that it holds the secret."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not self.device.verify_token(code):
            raise ValidationError(
                _("This code does not match. Type the six digits the app shows now, before they change."),
                code="invalid",
            )
        return code
