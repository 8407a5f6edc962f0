"""Database constraints that report their violation against the field to correct."""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class FieldCheckConstraint(models.CheckConstraint):
    """A CheckConstraint whose violation is reported against one field.

    A plain CheckConstraint names no field, so forms show its message above the whole record and the API
    under ``non_field_errors``. "A membership cannot end before it starts." belongs next to "until", where
    the user corrects it: ``field="ended_on"`` puts it there. The database constraint itself is unchanged.
    """

    def __init__(self, *, field: str, **kwargs):
        super().__init__(**kwargs)
        self.field = field

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.field: error}) from error

    def __eq__(self, other):
        if isinstance(other, FieldCheckConstraint):
            return super().__eq__(other) and self.field == other.field
        return super().__eq__(other)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs
