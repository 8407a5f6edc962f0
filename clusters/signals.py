"""Keep each organisation's ``search_text`` current (``clusters.search``): written before an organisation is
saved, rewritten when one of its other names is saved or deleted."""

from .search import organisation_search_text, refresh_search_text


def organisation_saving(sender, instance, raw=False, **kwargs):
    instance.search_text = organisation_search_text(instance)


def other_name_changed(sender, instance, **kwargs):
    refresh_search_text([instance.organisation_id])
