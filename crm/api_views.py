"""The viewset every API resource uses. Kept apart from crm.api, which DRF's settings import while
rest_framework.views is still loading."""

from django.db import transaction
from rest_framework import viewsets


class RecordViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose changes and deletions first lock the record's row.

    Without the lock, a deletion (which removes the rows pointing at the record, then the record) and a
    change (which updates the record, then its many-to-many rows) take the same locks in opposite orders,
    and PostgreSQL undoes one of them as a deadlock. Locking the record first makes them wait in turn.
    """

    def lock(self, instance) -> None:
        list(type(instance)._default_manager.select_for_update().filter(pk=instance.pk).values_list("pk"))

    def perform_update(self, serializer):
        with transaction.atomic():
            self.lock(serializer.instance)
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.lock(instance)
            instance.delete()
