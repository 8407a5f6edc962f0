from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clusters"
    verbose_name = _("Organisations and clusters")

    def ready(self):
        from . import signals
        from .models import Organisation, OrganisationName

        pre_save.connect(
            signals.organisation_saving, sender=Organisation, dispatch_uid="clusters.organisation_search_text"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                signals.other_name_changed,
                sender=OrganisationName,
                dispatch_uid=f"clusters.organisationname_search_text_{signal is post_save}",
            )
