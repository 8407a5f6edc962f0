from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    """The relationship with people and organisations: calls, meetings, emails and notes logged by staff, the
    follow-ups they owe, the timeline of each record, and the review of people kept without a reason. Over every
    domain app (an interaction may concern an agreement, a press release, an event's edition or a membership)."""

    name = "interactions"
    verbose_name = _("Interactions")

    def ready(self):
        from . import signals  # noqa: F401
