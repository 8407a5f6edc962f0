"""factory_boy factories for every model the tests build by hand."""

import factory
from django.contrib.auth import get_user_model

from agreements.models import Agreement, AgreementParty, PressRelease, Quote, Signatory, Topic
from clusters.models import (
    KeyFigure,
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    OrganisationRelation,
    Sector,
    Site,
    Territory,
)
from contacts.models import ContactList, ContactPoint, Person, Position, PressContact, Tag
from interactions.models import FollowUp, Interaction


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    name = factory.Sequence(lambda n: f"Secteur {n}")
    slug = factory.Sequence(lambda n: f"secteur-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.COMPANY
    country = "FR"


class ClusterFactory(OrganisationFactory):
    kind = Organisation.Kind.CLUSTER


class OrganisationNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationName

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Ancien nom {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = Site.Kind.ANTENNA


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    organisation = factory.SubFactory(OrganisationFactory)
    region = factory.Sequence(lambda n: f"Région {n}")


class KeyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyFigure

    organisation = factory.SubFactory(OrganisationFactory)
    label = "Emplois"
    value = 100


class MembershipTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipType

    cluster = factory.SubFactory(ClusterFactory)
    name = factory.Sequence(lambda n: f"Adhérent {n}")
    slug = factory.Sequence(lambda n: f"adherent-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cluster = factory.SubFactory(ClusterFactory)
    member = factory.SubFactory(OrganisationFactory)


class OrganisationRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRelation

    source = factory.SubFactory(OrganisationFactory)
    target = factory.SubFactory(OrganisationFactory)
    kind = OrganisationRelation.Kind.PARTNERSHIP


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Étiquette {n}")
    slug = factory.Sequence(lambda n: f"etiquette-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Camille{n}")
    family_name = factory.Sequence(lambda n: f"Martin{n}")
    slug = factory.Sequence(lambda n: f"personne-{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Directrice"


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    person = factory.SubFactory(PersonFactory)
    medium = ContactPoint.Medium.EMAIL
    email = factory.Sequence(lambda n: f"contact{n}@example.org")


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    person = factory.SubFactory(PersonFactory)
    medium = ContactPoint.Medium.PHONE
    phone = factory.Sequence(lambda n: f"+3314500{n:04d}")


class PressContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressContact

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ContactListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactList

    name = factory.Sequence(lambda n: f"Liste presse {n}")
    slug = factory.Sequence(lambda n: f"liste-presse-{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Convention {n}")
    slug = factory.Sequence(lambda n: f"convention-{n}")
    signed_on = factory.Faker("date_between", start_date="-5y", end_date="today")


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title_at_signing = "Président"


class PressReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressRelease

    title = factory.Sequence(lambda n: f"Communiqué {n}")
    slug = factory.Sequence(lambda n: f"communique-{n}")
    published_on = factory.Faker("date_between", start_date="-5y", end_date="today")
    text = "COMMUNIQUE DE PRESSE"


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    press_release = factory.SubFactory(PressReleaseFactory)
    person = factory.SubFactory(PersonFactory)
    text = "Une citation."


class InteractionFactory(factory.django.DjangoModelFactory):
    """An interaction; ``people`` and ``organisations`` are set after it is saved, as the service does."""

    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    kind = Interaction.Kind.CALL
    direction = Interaction.Direction.OUTBOUND
    subject = factory.Sequence(lambda n: f"Appel n° {n}")
    logged_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.set(extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Rappeler n° {n}")
    due_on = factory.Faker("date_between", start_date="-10d", end_date="+30d")
    assigned_to = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("assigned_to")

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.set(extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)
