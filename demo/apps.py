from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Made-up data for trying the CRM at scale (`manage.py generate_demo`); installed in development only."""

    name = "demo"
    verbose_name = _("Demo data")
