from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed HTTP notifications of the records' changes, to the endpoints administrators register."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from contacts.models import Erasure

        from . import signals
        from .events import SOURCES

        for model in SOURCES:
            post_save.connect(signals.record_saved, sender=model, dispatch_uid=f"webhooks.{model._meta.label}_saved")
            post_delete.connect(
                signals.record_deleted, sender=model, dispatch_uid=f"webhooks.{model._meta.label}_deleted"
            )
        post_save.connect(signals.person_erased, sender=Erasure, dispatch_uid="webhooks.person_erased")
