"""``manage.py loaddata``, which never overwrites, resurrects or un-erases a record.

Django's loaddata saves every object of a fixture as it is written, over the row of the same key: loading the
seed again (``make run`` does, each time) would put back what staff changed since — without a version or a
history entry —, bring back a seed record someone deleted, and reload a person whose personal data was erased
(GDPR). This one loads only what is missing, and never:

- a record already in the database (it is left as it is: staff's changes and its version stay);
- a record deleted since it was loaded (its history's last entry is a deletion; the back office can restore it);
- an erased person, a record pointing at one, or a record an erasure deleted or blanked (``contacts.Erasure``).
"""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.management.commands import loaddata
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from core.history import loading_fixtures


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database, leaving alone the records already there, the records "
        "deleted since and the people erased (GDPR)."
    )

    def handle(self, *fixture_labels, **options):
        from contacts.erasure import erased_records

        self.erased_people, self.erased = erased_records()
        self.person_model = apps.get_model("contacts", "Person")
        self.left_alone = self.not_brought_back = 0
        self.new_models = {}
        with loading_fixtures(fixture_labels):
            super().handle(*fixture_labels, **options)
        if options["verbosity"] >= 1 and (self.left_alone or self.not_brought_back):
            # In English, as Django's own lines around it ("Installed 123 object(s)…") and the README's `make run`.
            with translation.override("en"):
                self.stdout.write(
                    _(
                        "Left %(kept)d records as they are in the database; did not bring back %(gone)d records "
                        "deleted or erased since."
                    )
                    % {"kept": self.left_alone, "gone": self.not_brought_back}
                )

    def save_obj(self, obj):
        record = obj.object
        if self.started_empty(type(record)):
            return super().save_obj(obj)  # nothing of this kind was ever stored: nothing to leave alone
        if self.forgotten(record) or self.names_a_missing_person(obj) or self.deleted(record):
            self.not_brought_back += 1
            return False
        if record.pk is not None and type(record)._base_manager.using(self.using).filter(pk=record.pk).exists():
            self.left_alone += 1
            return False
        return super().save_obj(obj)

    def started_empty(self, model) -> bool:
        """Whether ``model`` had no record and no history when this load started (a new database)."""
        if model not in self.new_models:
            history = getattr(model, "history", None)
            self.new_models[model] = not self.erased and not (
                model._base_manager.using(self.using).exists() or (history is not None and history.exists())
            )
        return self.new_models[model]

    def forgotten(self, record) -> bool:
        """Whether an erasure removed ``record``, blanked it, or erased the person it points at."""
        model = type(record)
        if (model._meta.label_lower, record.pk) in self.erased:
            return True
        if model is self.person_model and record.pk in self.erased_people:
            return True
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.ForeignKey) and model_field.related_model is self.person_model:
                if getattr(record, model_field.attname) in self.erased_people:
                    return True
        for private_field in model._meta.private_fields:
            if isinstance(private_field, GenericForeignKey):
                content_type_id = getattr(record, model._meta.get_field(private_field.ct_field).attname)
                if content_type_id is None:
                    continue
                target = apps.get_model("contenttypes", "ContentType").objects.get_for_id(content_type_id)
                object_id = getattr(record, private_field.fk_field)
                if (f"{target.app_label}.{target.model}", object_id) in self.erased:
                    return True
                if target.model_class() is self.person_model and object_id in self.erased_people:
                    return True
        return False

    def names_a_missing_person(self, obj) -> bool:
        """Whether the record names by slug a person no longer there (erased, since the fixture was written)."""
        return bool(self.erased_people) and any(
            model_field.related_model is self.person_model for model_field in obj.deferred_fields
        )

    def deleted(self, record) -> bool:
        """Whether ``record`` was deleted since it was loaded: its history's last entry says so."""
        history = getattr(type(record), "history", None)
        if history is None or record.pk is None:
            return False
        last = history.filter(id=record.pk).order_by("-history_date", "-history_id").values_list("history_type")
        return last.first() == ("-",)
