"""Agreements between organisations, and the press releases that announce them and feed the CRM."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clusters.models import Organisation
from contacts.models import Person, PressContact
from core.constraints import FieldCheckConstraint
from core.history import KeptHistory, VersionedModel, VersionedQuerySet
from core.models import SlugManager


class Topic(VersionedModel):
    """A subject an agreement covers: training, cross-border cooperation, …"""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    objects = SlugManager()

    history = KeptHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class AgreementQuerySet(VersionedQuerySet):
    def listing(self):
        """Agreements with what a list row shows: their parties."""
        return self.prefetch_related(
            models.Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation"))
        )

    def for_page(self):
        """An agreement with everything its page shows, in a fixed number of queries."""
        return self.select_related("host").prefetch_related(
            "topics",
            models.Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation")),
            models.Prefetch("signatories", queryset=Signatory.objects.select_related("person", "organisation")),
            models.Prefetch(
                "press_releases",
                queryset=PressRelease.objects.prefetch_related(
                    models.Prefetch("quotes", queryset=Quote.objects.select_related("person", "organisation"))
                ),
            ),
        )


class AgreementManager(SlugManager.from_queryset(AgreementQuerySet)):
    pass


class Agreement(VersionedModel):
    class Kind(models.TextChoices):
        CONVENTION = "convention", _("Convention")
        PARTNERSHIP = "partnership", _("Partnership agreement")
        MEMORANDUM = "memorandum", _("Memorandum of understanding")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        ENDED = "ended", _("Ended")
        TERMINATED = "terminated", _("Terminated")

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    title = models.CharField(_("title"), max_length=300, help_text=_("Title of the agreement, as its parties call it."))
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.CONVENTION,
        help_text=_("What sort of agreement this is."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.SIGNED,
        help_text=_("Where the agreement stands."),
    )
    signed_on = models.DateField(
        _("signed on"), null=True, blank=True, help_text=_("Date of the signing; empty for a draft.")
    )
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Date the agreement ends, when it says.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("The town where it was signed."))
    venue = models.CharField(
        _("venue"), max_length=300, blank=True, help_text=_("The premises where it was signed, if the source says.")
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host"),
        related_name="agreements_hosted",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The organisation whose premises hosted the signing."),
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        related_name="agreements",
        blank=True,
        help_text=_("The subjects the agreement covers."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What the agreement provides for, in a few sentences.")
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("parties"), related_name="agreements", through="AgreementParty", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementManager()
    history = KeptHistory()

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            FieldCheckConstraint(
                field="title",
                condition=~Q(title=""),
                name="agreement_title_not_empty",
                violation_error_message=_("An agreement needs a title."),
            ),
            FieldCheckConstraint(
                field="ends_on",
                condition=Q(ends_on__isnull=True) | Q(signed_on__isnull=True) | Q(ends_on__gte=models.F("signed_on")),
                name="agreement_dates_in_order",
                violation_error_message=_("An agreement cannot end before it is signed."),
            ),
            FieldCheckConstraint(
                field="signed_on",
                condition=Q(status="draft") | Q(signed_on__isnull=False),
                name="agreement_signed_has_date",
                violation_error_message=_("Only a draft agreement can have no signing date."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class AgreementParty(VersionedModel):
    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        COORDINATOR = "coordinator", _("Coordinator")
        WITNESS = "witness", _("Witness")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        related_name="parties",
        on_delete=models.CASCADE,
        help_text=_("The agreement."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="agreement_parties",
        on_delete=models.PROTECT,
        help_text=_("The organisation party to the agreement."),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.PARTY,
        help_text=_("How the organisation takes part in the agreement."),
    )
    name_as_written = models.CharField(
        _("name as written"),
        max_length=200,
        blank=True,
        help_text=_("How the agreement names the party, when it differs from the organisation's name."),
    )

    history = KeptHistory()

    class Meta:
        ordering = ["agreement_id", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="agreement_party_unique",
                violation_error_message=_("This organisation is already a party to the agreement."),
            ),
        ]

    def __str__(self):
        return self.name_as_written or str(self.get_role_display())


class Signatory(VersionedModel):
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        related_name="signatories",
        on_delete=models.CASCADE,
        help_text=_("The agreement signed."),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="signatures",
        on_delete=models.PROTECT,
        help_text=_("The person who signed."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("signed for"),
        related_name="signatures",
        on_delete=models.PROTECT,
        help_text=_("The party the person signed for."),
    )
    title_at_signing = models.CharField(
        _("title at signing"), max_length=200, blank=True, help_text=_("The person's title on the day of the signing.")
    )

    history = KeptHistory()

    class Meta:
        ordering = ["agreement_id", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person"],
                name="signatory_unique_per_agreement",
                violation_error_message=_("This person already signed the agreement."),
            ),
        ]

    def __str__(self):
        return self.title_at_signing or str(_("Signatory"))

    def clean(self):
        if (
            self.agreement_id
            and self.organisation_id
            and not AgreementParty.objects.filter(
                agreement_id=self.agreement_id, organisation_id=self.organisation_id
            ).exists()
        ):
            raise ValidationError({"organisation": _("A signatory signs for one of the agreement's parties.")})


class PressReleaseQuerySet(VersionedQuerySet):
    def listing(self):
        return self.prefetch_related("issuers")

    def for_page(self):
        """A release with what its page shows and links: issuers, agreements with their hosts, parties and
        signatories, press contacts, quotes, and the people and organisations it was the source of."""
        people_and_organisations = Q()
        for model in (Person, Organisation):
            people_and_organisations |= Q(
                content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
            )
        sourced_records = Provenance.objects.filter(people_and_organisations).prefetch_related(
            GenericPrefetch("record", [Person.objects.all(), Organisation.objects.all()])
        )
        return self.prefetch_related(
            "issuers",
            models.Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("host").prefetch_related(
                    models.Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation")),
                    models.Prefetch("signatories", queryset=Signatory.objects.select_related("person")),
                ),
            ),
            models.Prefetch("press_contacts", queryset=PressContact.objects.select_related("person", "organisation")),
            models.Prefetch("quotes", queryset=Quote.objects.select_related("person", "organisation")),
            models.Prefetch("provenances", queryset=sourced_records, to_attr="sourced_records"),
        )


class PressReleaseManager(SlugManager.from_queryset(PressReleaseQuerySet)):
    pass


class PressRelease(VersionedModel):
    """A press release, kept verbatim as the source of the facts taken from it."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        BASQUE = "eu", _("Basque")

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    title = models.CharField(_("title"), max_length=400, help_text=_("Title of the release."))
    kicker = models.CharField(
        _("kicker"), max_length=300, blank=True, help_text=_("The line printed above the title, if any.")
    )
    subtitle = models.CharField(
        _("subtitle"), max_length=400, blank=True, help_text=_("The line printed under the title, if any.")
    )
    published_on = models.DateField(_("date"), help_text=_("Date of the release."))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("The town the release was issued from, when it says.")
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.FRENCH,
        help_text=_("The language the release is written in."),
    )
    issuers = models.ManyToManyField(
        Organisation,
        verbose_name=_("issuing organisations"),
        related_name="press_releases",
        blank=True,
        help_text=_("The organisations that issued the release."),
    )
    text = models.TextField(_("full text"), help_text=_("The release exactly as it was received."))
    agreements = models.ManyToManyField(
        Agreement,
        verbose_name=_("agreements announced"),
        related_name="press_releases",
        blank=True,
        help_text=_("The agreements the release announces."),
    )
    press_contacts = models.ManyToManyField(
        PressContact,
        verbose_name=_("press contacts listed"),
        related_name="press_releases",
        blank=True,
        help_text=_("The press contacts the release lists."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PressReleaseManager()

    history = KeptHistory()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")
        constraints = [
            FieldCheckConstraint(
                field="title",
                condition=~Q(title=""),
                name="press_release_title_not_empty",
                violation_error_message=_("A press release needs a title."),
            ),
            FieldCheckConstraint(
                field="text",
                condition=~Q(text=""),
                name="press_release_text_not_empty",
                violation_error_message=_("A press release needs its text."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreements:press_release_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Quote(VersionedModel):
    """Words a press release attributes to a person."""

    press_release = models.ForeignKey(
        PressRelease, verbose_name=_("press release"), related_name="quotes", on_delete=models.CASCADE
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("speaker"),
        related_name="quotes",
        on_delete=models.PROTECT,
        help_text=_("The person quoted."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("speaking for"),
        related_name="quotes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The organisation the person spoke for, when the release says."),
    )
    title_at_time = models.CharField(
        _("title at the time"), max_length=200, blank=True, help_text=_("The speaker's title as the release gives it.")
    )
    text = models.TextField(_("quote"), help_text=_("The words quoted, verbatim."))

    history = KeptHistory()

    class Meta:
        ordering = ["press_release_id", "pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            FieldCheckConstraint(
                field="text",
                condition=~Q(text=""),
                name="quote_text_not_empty",
                violation_error_message=_("A quote needs its words."),
            ),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


class ProvenanceQuerySet(VersionedQuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def for_objects(self, objects):
        """Provenance of several records, possibly of different models, in one query."""
        condition = Q(pk__in=[])
        for obj in objects:
            condition |= Q(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        return self.filter(condition).select_related("press_release", "content_type")


class Provenance(VersionedModel):
    """Points a record to the press release its data was taken from."""

    press_release = models.ForeignKey(
        PressRelease, verbose_name=_("press release"), related_name="provenances", on_delete=models.CASCADE
    )
    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")

    objects = ProvenanceQuerySet.as_manager()

    history = KeptHistory()

    class Meta:
        ordering = ["press_release_id", "content_type_id", "object_id"]
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        constraints = [
            models.UniqueConstraint(
                fields=["press_release", "content_type", "object_id"],
                name="provenance_unique_per_record",
                violation_error_message=_("This record already points to this press release."),
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="provenance_record_idx")]

    def __str__(self):
        return str(_("Source"))
