from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from clusters.models import Organisation, OrganisationName
        from jobs.signals import file_downloaded

        from . import signals
        from .models import ContactPoint, Person, Position, PressContact, Tag

        post_save.connect(signals.person_saved, sender=Person, dispatch_uid="contacts.person_search_text")
        for model in (Position, ContactPoint, PressContact):
            for signal in (post_save, post_delete):
                signal.connect(
                    signals.person_detail_changed,
                    sender=model,
                    dispatch_uid=f"contacts.{model._meta.model_name}_search_text_{signal is post_save}",
                )
        m2m_changed.connect(
            signals.person_tags_changed, sender=Person.tags.through, dispatch_uid="contacts.person_tags"
        )
        post_save.connect(signals.tag_saved, sender=Tag, dispatch_uid="contacts.tag_export_lines")
        file_downloaded.connect(signals.export_file_downloaded, dispatch_uid="contacts.export_file_downloaded")
        post_save.connect(
            signals.organisation_saved, sender=Organisation, dispatch_uid="contacts.organisation_search_text"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                signals.organisation_name_changed,
                sender=OrganisationName,
                dispatch_uid=f"contacts.organisationname_search_text_{signal is post_save}",
            )
