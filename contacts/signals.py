"""Keep each person's ``search_text`` current when what it is built from changes, and forget their export line
(``contacts.export_lines``), built from the same and from their tags.

One change refreshes one person at once. A bulk write (an import, a merge) runs inside
``search_text_deferred()``: the people concerned are collected and refreshed together, in a few queries
per 500 people, when ``flush_deferred_search_text()`` is called or the block ends.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from . import export_lines
from .search import people_of_organisations, refresh_search_text

_deferred: ContextVar[set | None] = ContextVar("contacts_deferred_search_text", default=None)


@contextmanager
def search_text_deferred():
    token = _deferred.set(set())
    try:
        yield
        flush_deferred_search_text()
    finally:
        _deferred.reset(token)


def flush_deferred_search_text() -> None:
    pending = _deferred.get()
    if pending:
        refresh_search_text(pending)
        export_lines.forget(pending)
        pending.clear()


def search_text_changed(person_ids) -> None:
    """What the search text of ``person_ids`` is built from changed without a signal (a bulk write)."""
    _refresh(person_ids)


def _refresh(person_ids) -> None:
    person_ids = set(person_ids)  # read twice below: a generator would give nothing the second time
    pending = _deferred.get()
    if pending is None:
        refresh_search_text(person_ids)
        export_lines.forget(person_ids)
    else:
        pending.update(person_ids)


def person_saved(sender, instance, **kwargs):
    _refresh([instance.pk])


def person_detail_changed(sender, instance, **kwargs):
    """A position, contact point or press-contact role was saved or deleted."""
    _refresh([instance.person_id])


def organisation_saved(sender, instance, **kwargs):
    """A renamed organisation is found under its new name: its people are searched by it."""
    _refresh(people_of_organisations([instance.pk]))


def organisation_name_changed(sender, instance, **kwargs):
    """An organisation's other name was added, changed or deleted: its people are searched by its names."""
    _refresh(people_of_organisations([instance.organisation_id]))


def person_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags given or taken away, from either side: the export lines list the tags."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # from the person's side
        people = [instance.pk]
    elif action == "pre_clear":
        people = list(sender.objects.filter(tag=instance).values_list("person_id", flat=True))
    else:
        people = list(pk_set or ())
    export_lines.forget(people)


def tag_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed tag: the lines of its people list it by name."""
    if not created and not raw:
        export_lines.forget(sender.people.through.objects.filter(tag=instance).values_list("person_id", flat=True))


def export_file_downloaded(sender, job, user, **kwargs):
    """A download of an export job's file is logged as an export (contacts.exports.log_download)."""
    from .exports import log_download

    log_download(job, user)
