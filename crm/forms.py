"""The login forms of the pages and of the admin."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


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
