"""French first: every label a user sees in the back office has a French translation."""

from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.utils import translation

# Words spelt the same in both languages: their French "translation" is the English word.
SAME_IN_BOTH = {
    "slug",
    "export",
    "worker",
    "invitation",
    "invitations",
    "format",
    "csv",
    "xlsx",
    "vcard",
    "json",
    "api",
    "notes",
    "note",
    "interaction",
    "interactions",
    "description",
    "site",
    "sites",
    "cluster",
    "convention",
    "contacts",
    "date",
    "relation",
    "organisation",
    "organisations",
    "parties",
    "mobile",
    "euros",
    "source",
    "import",
    "provenance",
    "provenances",
    "version",
}


def labels_of(model):
    yield model._meta.verbose_name
    yield model._meta.verbose_name_plural
    for field in model._meta.get_fields():
        if (field.auto_created and not field.concrete) or isinstance(field, GenericForeignKey):
            continue
        if hasattr(model, "instance_type") and field.name.startswith("history_"):
            # django-simple-history's own columns: its pages show them under their own translated headings.
            continue
        if getattr(field, "verbose_name", None) and field.name != "id":
            yield field.verbose_name
        if getattr(field, "help_text", ""):
            yield field.help_text
        for _value, label in getattr(field, "flatchoices", None) or []:
            if field.name not in {"country", "language"}:
                yield label


@pytest.mark.parametrize(
    "app_label", ["clusters", "contacts", "events", "agreements", "webhooks", "jobs", "interactions"]
)
def test_every_model_field_and_choice_has_a_french_label(app_label):
    config = apps.get_app_config(app_label)
    untranslated = []
    for model in config.get_models():
        for label in labels_of(model):
            with translation.override("en"):
                english = str(label)
            with translation.override("fr"):
                french = str(label)
            if french == english and english.lower() not in SAME_IN_BOTH:
                untranslated.append(f"{model.__name__}: {english}")
    assert untranslated == []


def test_english_stays_available():
    person = apps.get_model("contacts", "Person")
    with translation.override("en"):
        assert str(person._meta.verbose_name_plural) == "people"
        assert str(person._meta.get_field("family_name").verbose_name) == "family name"
    with translation.override("fr"):
        assert str(person._meta.verbose_name_plural) == "personnes"
        assert str(person._meta.get_field("family_name").verbose_name) == "nom de famille"


def translation_of(entry):
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def test_compiled_catalogue_matches_the_po_file():
    # The .mo is committed so that no gettext is needed to run; it must not lag behind the .po.
    locale = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
    # Keyed by context and msgid: "organisation" alone is a model's name, with the context "definite article" it
    # is « l'organisation » (backoffice/titles.py).
    po = {
        (entry.msgctxt, entry.msgid): translation_of(entry)
        for entry in polib.pofile(str(locale / "django.po"))
        if not entry.obsolete
    }
    mo = {(entry.msgctxt, entry.msgid): translation_of(entry) for entry in polib.mofile(str(locale / "django.mo"))}
    untranslated = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert untranslated == []
    assert {key: msgstr for key, msgstr in mo.items() if key[1]} == po
