"""Keep the last contacts current whatever writes an interaction (a page, the admin, the API, an import of
emails), and take an erased person out of the interactions and follow-ups."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from contacts.erasure import person_erasing

from .last_contacts import refresh_last_contacts
from .models import FollowUp, Interaction, InteractionOrganisation, InteractionPerson


def _refresh_on_commit(*, people=(), organisations=()) -> None:
    people, organisations = set(people), set(organisations)
    if people or organisations:
        transaction.on_commit(lambda: refresh_last_contacts(people=people, organisations=organisations))


def _involved(interaction_id: int) -> tuple[list[int], list[int]]:
    return (
        list(InteractionPerson.objects.filter(interaction_id=interaction_id).values_list("person_id", flat=True)),
        list(
            InteractionOrganisation.objects.filter(interaction_id=interaction_id).values_list(
                "organisation_id", flat=True
            )
        ),
    )


@receiver(post_save, sender=Interaction)
def interaction_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:  # a new one has no one involved yet: they come with the links
        people, organisations = _involved(instance.pk)
        _refresh_on_commit(people=people, organisations=organisations)


@receiver(pre_delete, sender=Interaction)
def interaction_deleted(sender, instance, **kwargs):
    people, organisations = _involved(instance.pk)
    _refresh_on_commit(people=people, organisations=organisations)


@receiver(post_save, sender=InteractionPerson)
@receiver(post_delete, sender=InteractionPerson)
def person_link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_on_commit(people=[instance.person_id])


@receiver(post_save, sender=InteractionOrganisation)
@receiver(post_delete, sender=InteractionOrganisation)
def organisation_link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_on_commit(organisations=[instance.organisation_id])


@receiver(m2m_changed, sender=InteractionPerson)
@receiver(m2m_changed, sender=InteractionOrganisation)
def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``interaction.people.add()`` and the like, which send no save of the links."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    field = "person_id" if sender is InteractionPerson else "organisation_id"
    if reverse:  # from the person's or the organisation's side: ``instance`` is the one concerned
        ids = [instance.pk]
    elif action == "pre_clear":
        ids = list(sender.objects.filter(interaction=instance).values_list(field, flat=True))
    else:
        ids = list(pk_set or ())
    if sender is InteractionPerson:
        _refresh_on_commit(people=ids)
    else:
        _refresh_on_commit(organisations=ids)


@receiver(person_erasing)
def erase_from_interactions(sender, person_id, **kwargs):
    """The interactions and follow-ups that concern the erased person alone go with them; the others stay, without
    them (the erasure then blanks their name in the texts). Returns the records deleted, for the erasure's
    tombstone; their history goes too, since it holds what was said to or about the person."""
    deleted = []
    for model, link_name in ((Interaction, "person_links"), (FollowUp, "person_links")):
        concerned = model.objects.filter(**{f"{link_name}__person_id": person_id})
        alone = list(
            concerned.exclude(**{f"{link_name}__person_id__gt": person_id})
            .exclude(**{f"{link_name}__person_id__lt": person_id})
            .values_list("pk", flat=True)
        )
        for record in model.objects.filter(pk__in=alone):
            record.delete()
        model.history.filter(id__in=alone).delete()
        deleted += [(model._meta.label_lower, pk) for pk in alone]
    return deleted
