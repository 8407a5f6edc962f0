"""Filters that the FilterSets of every app share."""

import django_filters
from django_filters.constants import EMPTY_VALUES


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by its slug (``?organisation=polepharma``); an unknown slug is a validation error.

    Where it filters through a ``method``, type the method's ``value`` (``value: Organisation``): the API
    schema reads the type from there.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """An OrderingFilter that breaks ties on the primary key, so that pages never repeat or skip a record."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "pk")
