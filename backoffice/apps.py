from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The back office: every model's admin, composed and registered once (backoffice.admin)."""

    name = "backoffice"
    verbose_name = _("Back office")
