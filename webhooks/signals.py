"""Events leave when the transaction that made them commits, never for a change rolled back. A record's payload
is read then, as committed; a deletion's identifiers now, while the record is still in memory."""

import functools

from django.db import transaction

from . import events, services


def record_saved(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata writes fixtures as they are
        return
    action = "created" if created else "changed"
    transaction.on_commit(functools.partial(services.emit_record_event, sender, action, instance.pk), robust=True)


def record_deleted(sender, instance, **kwargs):
    payload = events.deletion_payload(sender, instance)
    transaction.on_commit(functools.partial(services.emit, payload), robust=True)


def person_erased(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        services.forget_person(instance.person_id)
        payload = events.erasure_payload(instance.person_id)
        transaction.on_commit(functools.partial(services.emit, payload), robust=True)
