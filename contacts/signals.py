"""Keep each person's ``search_text`` current when what it is built from changes."""

from .search import refresh_search_text


def person_saved(sender, instance, **kwargs):
    refresh_search_text([instance.pk])


def person_detail_changed(sender, instance, **kwargs):
    """A position, contact point or press-contact role was saved or deleted."""
    refresh_search_text([instance.person_id])


def organisation_saved(sender, instance, **kwargs):
    """A renamed organisation is found under its new name: its people are searched by it."""
    from .models import Position, PressContact

    people = set(Position.objects.filter(organisation=instance).values_list("person_id", flat=True))
    people |= set(PressContact.objects.filter(organisation=instance).values_list("person_id", flat=True))
    refresh_search_text(people)
