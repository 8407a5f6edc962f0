"""Managers the apps' models share. (The core has no table of its own: its abstract models are in core.history.)"""

from django.db import models

from .history import VersionedQuerySet


class SlugManager(models.Manager.from_queryset(VersionedQuerySet)):
    """Looks records up by their slug, so that fixtures can refer to them by name."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)
