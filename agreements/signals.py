from django.contrib.contenttypes.models import ContentType
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
