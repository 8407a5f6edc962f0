"""Filters that the FilterSets of every app share."""

import django_filters
from django.core.exceptions import ValidationError
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField

from .guards import holds_nul


class KeyChoiceField(ModelChoiceField):
    """A record chosen by a key; a key holding a NUL character is an invalid choice.

    PostgreSQL refuses to compare text holding NUL: such a key must not reach the database. Query strings are
    already refused by ``core.middleware``, but a FilterSet also reads posted forms (invitations, contact lists).
    """

    def to_python(self, value):
        if holds_nul(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by its slug (``?organisation=polepharma``); an unknown slug is a validation error.

    Where it filters through a ``method``, type the method's ``value`` (``value: Organisation``): the API
    schema reads the type from there.
    """

    field_class = KeyChoiceField

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
