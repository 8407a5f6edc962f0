"""The back office's autocomplete boxes: safe with any posted key, and, in inline rows, naming their chosen record
without a query each.

Django's ``AutocompleteSelect`` reads its chosen option from the database to label it: one query per row of an
inline, so a person with five positions cost four queries more than a person with one. The rows' records
already hold that record when the inline's queryset selects it (``select_related``); ``LoadedChoicesInline``
hands its label to the box, which then asks the database only for a value it was not given (a row sent back
with another choice, after an error).
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
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


class CheckedKeysAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, which redraws a refused form without looking up a posted key that cannot be one:
    Django's own looks it up as it is, and a key that is not a number (or too large a one) answered 500 instead
    of showing the form's error."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, keys_the_field_can_hold(self, value), attr)


class CheckedKeysAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """``CheckedKeysAutocompleteSelect`` for many records."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, keys_the_field_can_hold(self, value), attr)


class CheckedKeysAutocompleteMixin:
    """A ModelAdmin or inline whose autocomplete boxes are ``CheckedKeysAutocompleteSelect``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedKeysAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedKeysAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LoadedAutocompleteSelect(CheckedKeysAutocompleteSelect):
    """An autocomplete box that labels its chosen option from ``loaded`` ({value: label}) when it is there."""

    loaded: dict[str, str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.loaded = {}
        return copy

    def optgroups(self, name, value, attr=None):
        chosen = [str(item) for item in value if str(item) not in self.choices.field.empty_values]
        if not chosen or any(item not in self.loaded for item in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:  # the empty choice, as Django's
            options.append(self.create_option(name, "", "", False, 0))
        for item in chosen:
            options.append(self.create_option(name, item, self.loaded[item], set(chosen), len(options)))
        return [(None, options, 0)]


class LoadedChoicesFormSetMixin:
    """Gives each row's ``LoadedAutocompleteSelect`` boxes the label of the record the row already holds."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None:
            return form
        for name, field in form.fields.items():
            box = getattr(field.widget, "widget", field.widget)  # inside the admin's add/change-link wrapper
            if not isinstance(box, LoadedAutocompleteSelect):
                continue
            relation = form.instance._meta.get_field(name)
            related = relation.get_cached_value(form.instance, default=None)
            if related is not None:
                box.loaded[str(getattr(related, relation.target_field.attname))] = field.label_from_instance(related)
        return form


class LoadedChoicesInline:
    """An inline whose autocomplete boxes (``autocomplete_fields``) take their chosen record from the row's,
    which its queryset selects with the row (see the module)."""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.get_autocomplete_fields(request))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LoadedChoicesFormSetMixin, formset), {})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = LoadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
