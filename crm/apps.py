from django.apps import AppConfig
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError


def keys_the_field_can_hold(widget, value) -> list:
    """The posted keys that could name a record of the autocomplete's model: no text in a number field, no number
    beyond the database's range."""
    remote_opts = widget.field.remote_field.model._meta
    to_field = remote_opts.get_field(getattr(widget.field.remote_field, "field_name", remote_opts.pk.attname))
    kept = []
    for key in value:
        try:
            to_field.run_validators(to_field.to_python(key))
        except (ValidationError, TypeError):
            continue
        kept.append(key)
    return kept


class CrmConfig(AppConfig):
    name = "crm"

    def ready(self):
        # Django's admin autocomplete widget redraws a refused form by looking up the posted key as it is: a key
        # that is not a number (or too large a one) made the page answer 500 instead of showing the form's error.
        # Every admin and inline with autocomplete fields uses this widget, so it is mended once, here.
        redraw = AutocompleteMixin.optgroups

        def optgroups(widget, name, value, attr=None):
            return redraw(widget, name, keys_the_field_can_hold(widget, value), attr)

        AutocompleteMixin.optgroups = optgroups
