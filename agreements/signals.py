from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete
from simple_history.models import HistoricalChanges

# Records of these apps can be taken from a press release, so they can carry provenance.
TRACKED_APPS = {"clusters", "contacts", "events", "agreements"}


def delete_provenance(sender, instance, **kwargs):
    """A deleted record takes its provenance with it: nothing is left pointing at a missing row."""
    if sender._meta.app_label not in TRACKED_APPS or sender._meta.model_name == "provenance":
        return
    if issubclass(sender, HistoricalChanges):  # a row of a history: it is no record of its own
        return
    from .models import Provenance

    Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(sender, for_concrete_model=False), object_id=instance.pk
    ).delete()


def party_name_changed(sender, instance, signal, created=False, **kwargs):
    """People are searched by the names agreements write their organisations by (``name_as_written``): a party
    saved or deleted with one changes the search text of the organisation's people. A party added or deleted
    without one changes nothing (a party saved without one may have just lost it)."""
    if not instance.name_as_written and (created or signal is post_delete):
        return
    from contacts.search import people_of_organisations
    from contacts.signals import search_text_changed

    search_text_changed(people_of_organisations([instance.organisation_id]))
