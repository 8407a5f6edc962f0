"""The apps of logins and tokens (django-otp's TOTP and backup-code plugins, django-rest-knox), under names staff
understand in the back office: theirs are "Otp_Totp", "Otp_Static" and "Knox".

Kept out of accounts/apps.py: Django picks a package's app configuration in its apps module only when it holds one.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static
from django_otp.plugins.otp_totp import apps as otp_totp


class AuthenticatorAppsConfig(otp_totp.DefaultConfig):
    verbose_name = _("Authenticator apps")


class BackupCodesConfig(otp_static.DefaultConfig):
    verbose_name = _("Backup codes")


class ApiTokensConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")
