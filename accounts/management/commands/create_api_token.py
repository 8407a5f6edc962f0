from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from knox.models import AuthToken
from knox.settings import knox_settings


def positive_days(value: str) -> int:
    days = int(value)
    if days < 1:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = gettext_lazy(
        "Create an API token for a user and print it, this once: only its digest is stored. "
        "Revoke it by deleting it in the back office (API tokens)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=gettext_lazy("The user the token acts as, with their permissions."))
        parser.add_argument(
            "--expires-in",
            type=positive_days,
            metavar="DAYS",
            help=gettext_lazy("Days before the token expires (default: API_TOKEN_DAYS, 90)."),
        )

    def handle(self, *args, username, expires_in, **options):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(_("No user is called “%(username)s”.") % {"username": username}) from None
        if not user.is_active:
            raise CommandError(_("The user “%(username)s” is inactive.") % {"username": username})
        lifetime = timedelta(days=expires_in) if expires_in else knox_settings.TOKEN_TTL
        token, key = AuthToken.objects.create(user=user, expiry=lifetime)
        expiry = formats.date_format(timezone.localtime(token.expiry), "DATETIME_FORMAT")
        self.stderr.write(
            _("API token for %(username)s, valid until %(expiry)s. It is shown only now: keep it safe.")
            % {"username": username, "expiry": expiry}
        )
        self.stdout.write(key)
