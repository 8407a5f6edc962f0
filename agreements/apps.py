from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements and press releases")

    def ready(self):
        from .signals import delete_provenance

        post_delete.connect(delete_provenance, dispatch_uid="agreements.delete_provenance")
