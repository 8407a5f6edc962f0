"""People, the positions they hold, how to reach them, and the lists staff build from them."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from clusters.models import Organisation
from core.constraints import FieldCheckConstraint
from core.history import KeptHistory, VersionedModel, VersionedQuerySet
from core.models import SlugManager

from .normalisation import normalise_email


class Tag(VersionedModel):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    objects = SlugManager()

    history = KeptHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class PositionQuerySet(VersionedQuerySet):
    def current(self, day=None):
        """Positions held on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )


class PersonQuerySet(VersionedQuerySet):
    # Beyond this many organisations, working_at() checks each person rather than gathering everyone first.
    BROAD = 200

    def directory(self):
        """People with what a directory row shows: current positions and their organisations, contact points,
        press-contact roles, and the date of their last contact (kept beside them by the interactions app)."""
        return self.select_related("last_contact").prefetch_related(
            Prefetch(
                "positions",
                queryset=Position.objects.current().select_related("organisation").order_by("-is_primary", "pk"),
                to_attr="current_positions",
            ),
            Prefetch("contact_points", queryset=ContactPoint.objects.order_by("medium", "-is_primary", "pk")),
            Prefetch(
                "press_roles",
                queryset=PressContact.objects.select_related("organisation").order_by("organisation__name"),
            ),
        )

    def for_page(self):
        """A person with everything their page shows, in a fixed number of queries."""
        return self.prefetch_related(
            Prefetch(
                "positions",
                queryset=Position.objects.select_related("organisation").order_by(
                    F("ended_on").desc(nulls_first=True), F("started_on").desc(nulls_last=True), "pk"
                ),
            ),
            Prefetch("contact_points", queryset=ContactPoint.objects.order_by("medium", "-is_primary", "pk")),
            Prefetch(
                "press_roles",
                queryset=PressContact.objects.select_related("organisation").prefetch_related("press_releases"),
            ),
            "tags",
            Prefetch("contact_lists", queryset=ContactList.objects.order_by("name")),
            "signatures__agreement",
            "signatures__organisation",
            "quotes__press_release",
            "quotes__organisation",
        )

    def search(self, query):
        """People whose name, organisation, title, email or phone number match ``query``; see contacts.search."""
        from .search import search_people

        return search_people(self, query)

    def with_email(self):
        return self.filter(pk__in=ContactPoint.objects.filter(medium=ContactPoint.Medium.EMAIL).values("person"))

    def with_phone(self):
        return self.filter(pk__in=ContactPoint.objects.filter(medium=ContactPoint.Medium.PHONE).values("person"))

    def press_contacts(self):
        return self.filter(pk__in=PressContact.objects.values("person"))

    def working_at(self, organisations):
        """People holding a current position at, or speaking to the press for, one of ``organisations``
        (a queryset of organisations)."""
        # Two plans, chosen by how many organisations there are (one query to read up to BROAD of their keys):
        # - a few: ``pk IN (positions UNION press roles)`` of those organisations, one small semi-join. Two INs
        #   joined by OR cannot become a join in PostgreSQL, and re-ran their subquery for every person once
        #   its result outgrew work_mem (minutes at a million people);
        # - many (a country, a kind): EXISTS for each person, so that a page sorted by name walks the name index
        #   and stops at its 25th match instead of gathering a third of a million people first.
        keys = list(organisations.order_by().values_list("pk", flat=True)[: self.BROAD + 1])
        if len(keys) <= self.BROAD:
            return self.filter(
                pk__in=Position.objects.current()
                .filter(organisation__in=keys)
                .order_by()
                .values("person")
                .union(PressContact.objects.filter(organisation__in=keys).order_by().values("person"))
            )
        return self.filter(
            Exists(Position.objects.current().filter(person=OuterRef("pk"), organisation__in=organisations))
            | Exists(PressContact.objects.filter(person=OuterRef("pk"), organisation__in=organisations))
        )

    def contactable(self):
        """People who have not asked to be left alone."""
        return self.filter(do_not_contact=False)


# Addresses under /contacts/ that are not people.
RESERVED_PERSON_SLUGS = ["export", "lists", "events"]

# An erased person (contacts.privacy.erase_person) keeps a random slug of this shape, and this name.
ANONYMISED_SLUG_PREFIX = "anonyme-"
ANONYMISED_SLUG = re.compile(rf"^{ANONYMISED_SLUG_PREFIX}[0-9a-f]{{16}}$")
ANONYMISED_NAME = _("Anonymised person")


class PersonManager(SlugManager.from_queryset(PersonQuerySet)):
    pass


class Person(VersionedModel):
    class LawfulBasis(models.TextChoices):
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Contract")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
        PUBLIC_TASK = "public_task", _("Public task")

    class DataSource(models.TextChoices):
        PRESS_RELEASE = "press_release", _("Press release")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Manual entry")

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    given_name = models.CharField(
        _("given name"), max_length=120, blank=True, help_text=_("Given name, as the person writes it.")
    )
    family_name = models.CharField(
        _("family name"),
        max_length=120,
        help_text=_("In ordinary case: “Pascual de Zulueta”, not “PASCUAL DE ZULUETA”."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Anything staff should know about this person."))
    tags = models.ManyToManyField(
        Tag,
        verbose_name=_("tags"),
        related_name="people",
        blank=True,
        help_text=_("Labels that group people, for example a working group."),
    )
    do_not_contact = models.BooleanField(
        _("do not contact"),
        default=False,
        help_text=_("The person asked not to be contacted: exports and mailings leave them out."),
    )
    lawful_basis = models.CharField(
        _("lawful basis"),
        max_length=20,
        choices=LawfulBasis.choices,
        default=LawfulBasis.LEGITIMATE_INTEREST,
        help_text=_("Why the GDPR allows us to keep this person's data."),
    )
    data_source = models.CharField(
        _("source of the data"),
        max_length=20,
        choices=DataSource.choices,
        default=DataSource.MANUAL,
        help_text=_("How the record came in: a press release, an import or a manual entry."),
    )
    source_detail = models.CharField(
        _("source detail"),
        max_length=300,
        blank=True,
        help_text=_("Where exactly the data came from, for example the file imported."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Kept up to date automatically: the words the directory's search box looks in."),
    )

    objects = PersonManager()
    history = KeptHistory(excluded_fields=["search_text"])

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            # Imports look for namesakes (the same family name, case aside) at the organisations of their rows.
            models.Index(Lower("family_name"), name="person_family_name_lower_idx"),
            # The few who asked not to be contacted, counted on every directory page that offers an export.
            models.Index(fields=["id"], condition=Q(do_not_contact=True), name="person_do_not_contact_idx"),
        ]
        constraints = [
            FieldCheckConstraint(
                field="family_name",
                condition=~Q(family_name=""),
                name="person_family_name_not_empty",
                violation_error_message=_("A person needs a family name."),
            ),
            FieldCheckConstraint(
                field="slug",
                condition=~Q(slug__in=RESERVED_PERSON_SLUGS),
                name="person_slug_not_reserved",
                violation_error_message=_("This slug is the address of another page: choose another one."),
            ),
        ]
        permissions = [("export_contacts", _("Can export contacts"))]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("contacts:person_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def full_name(self):
        if self.is_anonymised:
            return str(ANONYMISED_NAME)  # in the reader's language, whichever language it was stored in
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def is_anonymised(self) -> bool:
        """Whether the person's personal data was erased (GDPR): their slug tells, see contacts.privacy."""
        return bool(ANONYMISED_SLUG.match(self.slug or ""))


class Position(VersionedModel):
    """A title a person holds at an organisation, over a period of time."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="positions",
        on_delete=models.CASCADE,
        help_text=_("The person who holds the position."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="positions",
        on_delete=models.CASCADE,
        help_text=_("The organisation the position is held at."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("As the person uses it, for example: Directeur Général.")
    )
    started_on = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Date the person took up the position, when known.")
    )
    ended_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Leave empty while the position is held.")
    )
    is_primary = models.BooleanField(
        _("primary position"), default=False, help_text=_("The position shown first and used in exports.")
    )

    objects = PositionQuerySet.as_manager()
    history = KeptHistory()

    # Merging two people: the kept person's primary position stays the primary one (core.merging).
    merge_demotion = {"is_primary": False}

    class Meta:
        ordering = ["person_id", "-is_primary", "-started_on", "pk"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            FieldCheckConstraint(
                field="title",
                condition=~Q(title=""),
                name="position_title_not_empty",
                violation_error_message=_("A position needs a title."),
            ),
            FieldCheckConstraint(
                field="ended_on",
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="position_dates_in_order",
                violation_error_message=_("A position cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True),
                name="position_one_primary_per_person",
                violation_error_message=_("This person already has a primary position."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_current(self):
        today = timezone.localdate()
        return (self.started_on is None or self.started_on <= today) and (
            self.ended_on is None or self.ended_on >= today
        )


class ContactPoint(VersionedModel):
    """An email address or a phone number at which a person can be reached."""

    class Medium(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    class Kind(models.TextChoices):
        WORK = "work", _("Work")
        MOBILE = "mobile", _("Mobile")
        SWITCHBOARD = "switchboard", _("Switchboard")
        PERSONAL = "personal", _("Personal")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="contact_points",
        on_delete=models.CASCADE,
        help_text=_("The person reached at this address or number."),
    )
    medium = models.CharField(
        _("medium"),
        max_length=5,
        choices=Medium.choices,
        help_text=_("Whether this is an email address or a phone number."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        default=Kind.WORK,
        help_text=_("Which line or address this is: work, mobile, switchboard or personal."),
    )
    email = models.EmailField(
        _("email address"), max_length=254, blank=True, help_text=_("The email address, when the medium is email.")
    )
    phone = PhoneNumberField(
        _("phone number"),
        blank=True,
        help_text=_("Written as you like; stored in international format (E.164)."),
    )
    is_primary = models.BooleanField(
        _("preferred"), default=False, help_text=_("The address or number to use first for this person.")
    )
    label = models.CharField(_("label"), max_length=120, blank=True, help_text=_("For example: press office line."))

    # Merging two people: the kept person's preferred address and number stay the preferred ones.
    merge_demotion = {"is_primary": False}

    history = KeptHistory()

    class Meta:
        ordering = ["person_id", "medium", "-is_primary", "pk"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.CheckConstraint(
                condition=(Q(medium="email") & ~Q(email="") & Q(phone=""))
                | (Q(medium="phone") & ~Q(phone="") & Q(email="")),
                name="contact_point_one_value_per_medium",
                violation_error_message=_(
                    "An email contact point holds an email address only, a phone contact point a phone number only."
                ),
            ),
            FieldCheckConstraint(
                field="email",
                condition=Q(email=models.functions.Lower("email")),
                name="contact_point_email_lowercase",
                violation_error_message=_("Email addresses are stored in lower case."),
            ),
            FieldCheckConstraint(
                field="kind",
                condition=Q(medium="phone") | Q(kind__in=["work", "personal"]),
                name="contact_point_email_kind",
                violation_error_message=_("An email address is either work or personal."),
            ),
            models.UniqueConstraint(
                fields=["person", "email"],
                condition=Q(medium="email"),
                name="contact_point_unique_email_per_person",
                violation_error_message=_("This person already has this email address."),
            ),
            models.UniqueConstraint(
                fields=["person", "phone"],
                condition=Q(medium="phone"),
                name="contact_point_unique_phone_per_person",
                violation_error_message=_("This person already has this phone number."),
            ),
            models.UniqueConstraint(
                fields=["person", "medium"],
                condition=Q(is_primary=True),
                name="contact_point_one_preferred_per_medium",
                violation_error_message=_("This person already has a preferred contact point of this medium."),
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="contact_point_email_idx"),
            models.Index(fields=["phone"], name="contact_point_phone_idx"),
        ]

    def __str__(self):
        return self.value

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # "sbou@leem.org/" is a valid address once cleaned: normalise before the field validators run.
        self.email = normalise_email(self.email)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.error_dict
        else:
            errors = {}
        # The value the medium needs, checked here rather than in clean(): a form leaves out a field it already
        # refused ("not a valid address"), whose value the record never received; saying it is empty as well
        # would be a second, wrong message.
        needed = {self.Medium.EMAIL: "email", self.Medium.PHONE: "phone"}.get(self.medium)
        if needed and needed not in (exclude or ()) and needed not in errors and not getattr(self, needed):
            message = _("Enter the email address.") if needed == "email" else _("Enter the phone number.")
            errors[needed] = [ValidationError(message)]
        if errors:
            raise ValidationError(errors)

    def clean(self):
        if self.medium == self.Medium.EMAIL:
            if self.phone:
                raise ValidationError({"phone": _("An email contact point has no phone number.")})
            if self.kind not in (self.Kind.WORK, self.Kind.PERSONAL):
                raise ValidationError({"kind": _("An email address is either work or personal.")})
        elif self.medium == self.Medium.PHONE:
            if self.email:
                raise ValidationError({"email": _("A phone contact point has no email address.")})

    @property
    def value(self):
        if self.medium == self.Medium.EMAIL:
            return self.email
        return self.phone_display

    @property
    def phone_display(self):
        """National format for numbers of the default region, international format for the others."""
        if not self.phone or not self.phone.is_valid():
            return str(self.phone or "")
        region = phonenumbers.region_code_for_number(self.phone)
        if region == settings.PHONENUMBER_DEFAULT_REGION:
            return self.phone.format_as(phonenumbers.PhoneNumberFormat.NATIONAL)
        return self.phone.format_as(phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PressContact(VersionedModel):
    """A person acting as press contact for an organisation."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="press_roles",
        on_delete=models.CASCADE,
        help_text=_("The person who answers the press."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="press_contacts",
        on_delete=models.CASCADE,
        help_text=_("The organisation the person answers the press for."),
    )
    started_on = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Date the person became press contact, when known.")
    )
    ended_on = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("Date the role ended; empty while the person is still press contact."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Anything staff should know about this role."))

    history = KeptHistory()

    class Meta:
        ordering = ["organisation_id", "person_id"]
        verbose_name = _("press contact")
        verbose_name_plural = _("press contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                name="press_contact_unique_per_organisation",
                violation_error_message=_("This person is already a press contact for this organisation."),
            ),
            FieldCheckConstraint(
                field="ended_on",
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="press_contact_dates_in_order",
                violation_error_message=_("A press-contact role cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return str(_("Press contact"))


class ContactList(VersionedModel):
    """A named, reusable set of people: a media list, the guests of an event."""

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Name of the list, as staff see it."))
    description = models.TextField(_("description"), blank=True, help_text=_("What the list is for."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        related_name="contact_lists",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The staff member who made the list."),
    )
    people = models.ManyToManyField(
        Person,
        verbose_name=_("people"),
        related_name="contact_lists",
        through="ContactListEntry",
        blank=True,
        help_text=_("The people on the list."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SlugManager()

    history = KeptHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact list")
        verbose_name_plural = _("contact lists")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:list_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class ContactListEntry(VersionedModel):
    contact_list = models.ForeignKey(
        ContactList, verbose_name=_("contact list"), related_name="entries", on_delete=models.CASCADE
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), related_name="contact_list_entries", on_delete=models.CASCADE
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = KeptHistory()

    class Meta:
        ordering = ["contact_list_id", "person_id"]
        verbose_name = _("contact list entry")
        verbose_name_plural = _("contact list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["contact_list", "person"],
                name="contact_list_entry_unique",
                violation_error_message=_("This person is already on the list."),
            ),
        ]

    def __str__(self):
        return str(_("List entry"))


class ExportLog(models.Model):
    """One export of contacts: who took which people out of the CRM, when, and how they were chosen."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        VCARD = "vcf", "vCard"
        JSON = "json", "JSON"

    class Origin(models.TextChoices):
        DIRECTORY = "directory", _("Directory search")
        CONTACT_LIST = "contact_list", _("Contact list")
        ADMIN = "admin", _("Back office selection")
        API = "api", _("API")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="contact_exports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    username = models.CharField(
        _("username"), max_length=150, help_text=_("Kept even if the user account is deleted later.")
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    export_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    origin = models.CharField(_("exported from"), max_length=20, choices=Origin.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True, help_text=_("The search and filters used."))
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact export")
        verbose_name_plural = _("contact exports")
        indexes = [models.Index(fields=["-created_at"], name="export_log_created_idx")]

    def __str__(self):
        return f"{self.get_export_format_display()} · {self.row_count}"


class ExportLine(models.Model):
    """A person's line of the CSV export, its cells written out ahead of time from their positions, contact points,
    press roles and tags (``contacts.export_lines``), so that an export of a million people on PostgreSQL is one
    ``COPY`` of a row per person (docs/architecture.md). The person's own columns are read from the person.

    Derived data, never edited: a change to what a line is made of deletes it (``contacts.signals``), and an
    export writes the lines it lacks before it reads them. The organisation and title shown are those of the
    positions current on the day the line was written; ``changes_on`` is the next day that changes (a position
    starting or ending), from which the line is written again."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), related_name="export_line", on_delete=models.CASCADE, primary_key=True
    )
    organisation = models.TextField(_("organisation"), blank=True)
    title = models.TextField(_("job title"), blank=True)
    # The title is "Press contact", in the language of the export: the person has no current position.
    press_title = models.BooleanField(_("press contact title"), default=False)
    changes_on = models.DateField(_("changes on"), null=True, blank=True)
    email = models.TextField(_("email"), blank=True)
    work_emails = models.TextField(_("work emails"), blank=True)
    personal_emails = models.TextField(_("personal emails"), blank=True)
    phone = models.TextField(_("phone"), blank=True)
    work_phones = models.TextField(_("work phones"), blank=True)
    mobiles = models.TextField(_("mobiles"), blank=True)
    switchboards = models.TextField(_("switchboards"), blank=True)
    personal_phones = models.TextField(_("personal phones"), blank=True)
    positions = models.TextField(_("positions"), blank=True)
    press_for = models.TextField(_("press contact for"), blank=True)
    tags = models.TextField(_("tags"), blank=True)

    class Meta:
        verbose_name = _("export line")
        verbose_name_plural = _("export lines")
        indexes = [
            models.Index(
                fields=["changes_on"], name="export_line_changes_on_idx", condition=Q(changes_on__isnull=False)
            )
        ]

    def __str__(self):
        return str(self.person_id)


class Erasure(models.Model):
    """That a person's personal data was erased (GDPR), and what the erasure removed or blanked: the tombstone
    that keeps them erased. Loading the seed again (``loaddata``) brings none of these records back. It holds
    record numbers, never a name, an address or a number."""

    person_id = models.BigIntegerField(
        _("person's record number"), db_index=True, help_text=_("The record number (id) of the erased person.")
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    records = models.JSONField(
        _("records removed or blanked"),
        default=list,
        blank=True,
        help_text=_("The records the erasure deleted or blanked, as [model, record number] pairs."),
    )

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self):
        return f"#{self.person_id}"


class Consent(VersionedModel):
    """A person's consent given or withdrawn (GDPR, where the lawful basis is consent): when, how, recorded by
    whom. Records are added, not edited: the latest one is the person's current state (``record_consent``)."""

    class Method(models.TextChoices):
        FORM = "form", _("Form")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        EVENT = "event", _("At an event")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="consents",
        on_delete=models.CASCADE,
        help_text=_("The person who gave or withdrew their consent."),
    )
    given = models.BooleanField(
        _("consent given"),
        help_text=_("Ticked: the person gave their consent. Not ticked: they withdrew it."),
    )
    method = models.CharField(
        _("how"),
        max_length=10,
        choices=Method.choices,
        help_text=_("How the person gave or withdrew their consent."),
    )
    at = models.DateTimeField(_("when"), default=timezone.now, help_text=_("When they gave or withdrew it."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="consents_recorded",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The member of staff who recorded it."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Anything that proves or explains it, for example the form's name.")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = KeptHistory()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["person", "-at", "-id"], name="consent_person_at_idx")]
        constraints = [
            FieldCheckConstraint(
                field="method",
                condition=Q(method__in=["form", "email", "phone", "in_person", "event", "other"]),
                name="consent_method_valid",
                violation_error_message=_("Choose how the consent was given or withdrawn from the list."),
            ),
        ]

    def __str__(self):
        return str(_("Consent given") if self.given else _("Consent withdrawn"))
