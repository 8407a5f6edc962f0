from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements and press releases")

    def ready(self):
        from .models import AgreementParty
        from .signals import delete_provenance, party_name_changed

        post_delete.connect(delete_provenance, dispatch_uid="agreements.delete_provenance")
        for signal in (post_save, post_delete):
            signal.connect(
                party_name_changed,
                sender=AgreementParty,
                dispatch_uid=f"agreements.party_search_text_{signal is post_save}",
            )
