from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events, their editions, invitations and attendance: over contacts (people are invited) and clusters
    (organisations organise)."""

    name = "events"
    verbose_name = _("Events")
