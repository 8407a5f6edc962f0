"""Filters that the FilterSets of every app share."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
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


def _descending(label) -> str:
    return gettext("%s (descending)") % label


descending_label = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's, whose descending choices ("Name (descending)") are translated when shown, as the ascending
    ones are: django-filter writes them once, when the FilterSet is defined, in the language active then, so that
    the English pages and the English API schema said "Nom (décroissant)"."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices)
        return [
            (param, descending_label(ascending[param[1:]]) if param.startswith("-") and param not in labels else label)
            for param, label in choices
        ]


class StableOrderingFilter(OrderingFilter):
    """An OrderingFilter that breaks ties on the primary key, so that pages never repeat or skip a record."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "pk")
