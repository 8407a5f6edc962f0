from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and that imports no domain app (docs/architecture.md)."""

    name = "core"
    verbose_name = _("Shared core")
