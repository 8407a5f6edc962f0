"""Agreements, press releases, quotes and provenance from the two press releases."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from agreements.models import Agreement, PressRelease, Provenance, Quote
from clusters.models import Organisation
from contacts.models import ContactPoint, Person

pytestmark = pytest.mark.usefixtures("seed")


def test_hendaye_convention_was_signed_on_12_may_2022_at_the_euroregion(db):
    agreement = Agreement.objects.get(signed_on=datetime.date(2022, 5, 12))
    assert agreement.kind == Agreement.Kind.CONVENTION
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.place == "Hendaye"
    assert agreement.host.slug == "euroregion-nouvelle-aquitaine-pays-basque-navarre"
    assert set(agreement.organisations.values_list("slug", flat=True)) == {"polepharma", "basque-health-cluster"}
    assert agreement.parties.get(organisation__slug="polepharma").name_as_written == "Polepharma-GIPSO"
    assert set(agreement.topics.values_list("slug", flat=True)) >= {
        "cooperation-transfrontaliere",
        "relocalisation-industrielle",
    }


def test_hendaye_convention_signatories_with_their_title_at_signing(db):
    agreement = Agreement.objects.get(signed_on=datetime.date(2022, 5, 12))
    assert set(agreement.signatories.values_list("person__slug", "organisation__slug", "title_at_signing")) == {
        ("fabien-riolet", "polepharma", "Directeur Général de Polepharma-GIPSO"),
        ("mikel-alvarez-yeregui", "basque-health-cluster", "Président du Basque Health Cluster"),
    }


def test_leem_gipso_convention_covers_training_innovation_and_public_affairs(db):
    agreement = Agreement.objects.get(signed_on=datetime.date(2020, 6, 12))
    assert set(agreement.organisations.values_list("slug", flat=True)) == {"leem", "gipso"}
    assert set(agreement.topics.values_list("slug", flat=True)) >= {
        "formation",
        "innovation-translationnelle",
        "affaires-publiques",
    }
    # The release does not say who signed it: the seed invents no signatory.
    assert not agreement.signatories.exists()


def test_press_releases_keep_date_place_issuers_and_full_text(db):
    hendaye = PressRelease.objects.get(published_on=datetime.date(2022, 5, 12))
    assert hendaye.place == "Hendaye"
    assert hendaye.language == "fr"
    assert set(hendaye.issuers.values_list("slug", flat=True)) == {"polepharma", "basque-health-cluster"}
    assert "Partenaires depuis 2013" in hendaye.text
    assert "sbou" not in hendaye.text
    leem = PressRelease.objects.get(published_on=datetime.date(2020, 6, 12))
    assert leem.kicker == "Développement des entreprises du médicament en régions"
    assert "sbou@leem.org/" in leem.text  # verbatim: the cleaning happens in the records, not the source


def test_releases_list_their_agreements_and_press_contacts(db):
    hendaye = PressRelease.objects.get(published_on=datetime.date(2022, 5, 12))
    assert list(hendaye.agreements.values_list("signed_on", flat=True)) == [datetime.date(2022, 5, 12)]
    assert set(hendaye.press_contacts.values_list("person__slug", flat=True)) == {
        "maria-pascual-de-zulueta",
        "camille-garcia",
        "capucine-sarrade-loucheur",
    }
    leem = PressRelease.objects.get(published_on=datetime.date(2020, 6, 12))
    assert leem.press_contacts.count() == 4


def test_quotes_say_who_said_what(db):
    quotes = {quote.person.slug: quote for quote in Quote.objects.select_related("person", "organisation")}
    assert set(quotes) == {"philippe-lamoureux", "luc-grislain"}
    assert quotes["philippe-lamoureux"].text.startswith("Le GIPSO fédère près d'une centaine")
    assert quotes["philippe-lamoureux"].organisation.slug == "leem"
    assert quotes["luc-grislain"].title_at_time == "Président du GIPSO"
    assert "innovation translationnelle" in quotes["luc-grislain"].text


def test_every_seeded_record_points_to_the_release_it_comes_from(db):
    for model in (Organisation, Person, ContactPoint, Agreement, Quote):
        for record in model.objects.all():
            assert Provenance.objects.for_object(record).exists(), f"{model.__name__} {record.pk} has no source"
    bou = Person.objects.get(slug="stephanie-bou")
    assert list(Provenance.objects.for_object(bou).values_list("press_release__published_on", flat=True)) == [
        datetime.date(2020, 6, 12)
    ]
    gipso = Organisation.objects.get(slug="gipso")
    assert Provenance.objects.for_object(gipso).count() == 2


def test_loading_the_seed_twice_changes_nothing(db):
    models = (Organisation, Person, ContactPoint, Agreement, PressRelease, Quote, Provenance)
    before = {model: sorted(model.objects.values_list("pk", flat=True)) for model in models}
    texts = list(PressRelease.objects.values_list("text", flat=True))
    call_command("loaddata", "seed", verbosity=0)
    assert {model: sorted(model.objects.values_list("pk", flat=True)) for model in models} == before
    assert list(PressRelease.objects.values_list("text", flat=True)) == texts


def test_deleting_a_record_deletes_its_provenance(db):
    bou = Person.objects.get(slug="stephanie-bou")
    content_type = ContentType.objects.get_for_model(Person)
    bou.delete()
    assert not Provenance.objects.filter(content_type=content_type, object_id=bou.pk).exists()
