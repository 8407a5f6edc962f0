from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user

DEMO_USERNAME = "demo"
# Documented in the README: the account only ever exists on a developer's machine (refused in production).
DEMO_PASSWORD = "demo-cluster-crm"  # noqa: S105
DEMO_EMAIL = "demo@example.org"
LOGIN_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = gettext_lazy(
        "Create or update the local demo superuser (username “demo”) and print how to log in. Refused in production."
    )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                _("The demo account is for local development only: it is refused when DJANGO_ENV=production.")
            )
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                **{user_model.USERNAME_FIELD: DEMO_USERNAME}, defaults={"email": DEMO_EMAIL}
            )
            user.is_active = True
            user.is_staff = True
            user.is_superuser = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            # The printed password alone must log in: an authenticator app added to the demo account is removed.
            for device in devices_for_user(user, confirmed=None):
                device.delete()

        # `make run` prints this among Django's English lines, and the README shows it in English: not in French,
        # the language Django activates for a command (LANGUAGE_CODE).
        with translation.override("en"):
            message = _("Demo account created.") if created else _("Demo account updated.")
            self.stdout.write(self.style.SUCCESS(message))
            self.stdout.write(_("Log in at %(url)s") % {"url": LOGIN_URL})
            self.stdout.write(_("  username: %(username)s") % {"username": DEMO_USERNAME})
            self.stdout.write(_("  password: %(password)s") % {"password": DEMO_PASSWORD})
