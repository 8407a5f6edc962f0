"""Organisations, how they relate to each other over time, and what they state about themselves."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.constraints import FieldCheckConstraint
from core.history import KeptHistory, VersionedModel, VersionedQuerySet
from core.models import SlugManager


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: "since 2013" is stored as 2013-01-01 with precision YEAR."""

    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Sector(VersionedModel):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    objects = SlugManager()

    history = KeptHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class OrganisationQuerySet(VersionedQuerySet):
    def suggested_for(self, typed: str):
        """Organisations whose name or acronym holds ``typed``, or whose slug holds it slugified (so that
        "leem" or "gipso" find them, and "Pôle" finds "pole" without its accent), by name."""
        condition = Q(name__icontains=typed) | Q(acronym__icontains=typed)
        if slug := slugify(typed):
            condition |= Q(slug__contains=slug)
        return self.filter(condition).order_by("name", "pk")

    def clusters(self):
        return self.filter(kind=Organisation.Kind.CLUSTER)

    def members_of(self, cluster, on: datetime.date | None = None):
        """The organisations that are members of ``cluster`` on ``on`` (today by default): one of their
        membership periods is current or in its grace period."""
        return self.filter(pk__in=Membership.objects.filter(cluster=cluster).active_on(on).values("member"))

    def listing(self):
        """Organisations with what a list row shows: how many people work there, how many members it has
        today.

        Both are subqueries of each row, not a join grouped by organisation: PostgreSQL then counts for the 25
        rows of a page only, after sorting and paginating, where a GROUP BY counted the positions of every
        organisation first (13 s for 20 000 organisations and 1 300 000 positions)."""
        members = (
            Membership.objects.filter(cluster=OuterRef("pk"))
            .active_on()
            .order_by()
            .values("cluster")
            .annotate(count=models.Count("member", distinct=True))
            .values("count")
        )
        # contacts' Position, reached through its relation: this app imports none of the apps above it.
        position = self.model.positions.rel.related_model
        people = (
            position.objects.filter(organisation=OuterRef("pk"))
            .order_by()
            .values("organisation")
            .annotate(count=models.Count("person", distinct=True))
            .values("count")
        )
        return self.annotate(
            people_count=Coalesce(Subquery(people), 0),
            member_count=Coalesce(Subquery(members), 0),
        )

    def for_page(self):
        """An organisation with everything its page shows, in a fixed number of queries."""
        return self.prefetch_related(
            "sectors",
            "other_names",
            "sites",
            models.Prefetch("territories", queryset=Territory.objects.select_related("through")),
            models.Prefetch("key_figures", queryset=KeyFigure.objects.prefetch_related("source_organisations")),
            models.Prefetch(
                "memberships_held",
                queryset=Membership.objects.select_related("cluster", "membership_type")
                .with_status()
                .order_by("cluster__name"),
            ),
            models.Prefetch("relations_from", queryset=OrganisationRelation.objects.select_related("target")),
            models.Prefetch("relations_to", queryset=OrganisationRelation.objects.select_related("source")),
        )

    def for_sheet(self):
        """Organisations with everything a row of their spreadsheet holds (``clusters.organisation_sheet``): one
        query per kind of related record, whatever the number of organisations."""
        return self.prefetch_related(
            "other_names",
            "sectors",
            "sites",
            models.Prefetch("territories", queryset=Territory.objects.select_related("through")),
            "membership_types",
            models.Prefetch(
                "memberships_held",
                queryset=Membership.objects.select_related("cluster", "membership_type").order_by(
                    "cluster__slug", F("started_on").asc(nulls_first=True), "pk"
                ),
            ),
        )


class OrganisationManager(SlugManager.from_queryset(OrganisationQuerySet)):
    pass


class Organisation(VersionedModel):
    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        FEDERATION = "federation", _("Federation / trade association")
        COMPANY = "company", _("Company")
        PUBLIC_BODY = "public_body", _("Public body")
        RESEARCH_EDUCATION = "research_education", _("Research & education")
        OTHER = "other", _("Other")

    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Current official name of the organisation."))
    acronym = models.CharField(
        _("acronym"), max_length=40, blank=True, help_text=_("Short name or acronym, if the organisation uses one.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_("What sort of organisation this is."),
    )
    legal_form = models.CharField(
        _("legal form"), max_length=120, blank=True, help_text=_("For example: non-profit association, SAS.")
    )
    country = CountryField(_("country"), blank=True, help_text=_("Country of the head office."))
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        help_text=_("Region of the head office, as the organisation names it, for example Nouvelle-Aquitaine."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True, help_text=_("Town of the head office."))
    website = models.URLField(
        _("website"), max_length=300, blank=True, help_text=_("Address of the organisation's website.")
    )
    founded_on = models.DateField(
        _("founded on"), null=True, blank=True, help_text=_("Date the organisation was founded, when known.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the organisation does, in a few sentences.")
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors"),
        related_name="organisations",
        blank=True,
        help_text=_("The industries the organisation works in."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Kept up to date automatically: the words the search for organisations looks in."),
    )

    objects = OrganisationManager()
    history = KeptHistory(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["kind", "name"], name="organisation_kind_name_idx"),
            # The directory's country and region filters list the values in use on every page load.
            models.Index(fields=["country"], name="organisation_country_idx"),
            models.Index(fields=["region"], name="organisation_region_idx"),
        ]
        constraints = [
            FieldCheckConstraint(
                field="name",
                condition=~Q(name=""),
                name="organisation_name_not_empty",
                violation_error_message=_("An organisation needs a name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("clusters:organisation_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class OrganisationName(VersionedModel):
    """Another name an organisation goes or went by: a former name, or the way documents write it."""

    class Kind(models.TextChoices):
        FORMER = "former", _("Former name")
        ALIAS = "alias", _("Also written as")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="other_names", on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FORMER)
    used_from = models.DateField(_("used from"), null=True, blank=True)
    used_until = models.DateField(_("used until"), null=True, blank=True)

    history = KeptHistory()

    class Meta:
        ordering = ["organisation_id", "used_from", "name"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="organisation_name_unique_per_organisation",
                violation_error_message=_("This organisation already has this name."),
            ),
            FieldCheckConstraint(
                field="used_until",
                condition=Q(used_until__isnull=True) | Q(used_from__isnull=True) | Q(used_until__gte=F("used_from")),
                name="organisation_name_dates_in_order",
                violation_error_message=_("The name cannot stop being used before it started."),
            ),
        ]

    def __str__(self):
        return self.name


class Site(VersionedModel):
    class Kind(models.TextChoices):
        HEAD_OFFICE = "head_office", _("Head office")
        ANTENNA = "antenna", _("Antenna")
        ESTABLISHMENT = "establishment", _("Establishment")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="sites", on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Name of the site, for example the town it is in."))
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, help_text=_("What the site is for.")
    )
    address = models.TextField(_("address"), blank=True, help_text=_("Postal address, as written on an envelope."))
    city = models.CharField(_("city"), max_length=120, blank=True, help_text=_("Town of the site."))
    region = models.CharField(_("region"), max_length=120, blank=True, help_text=_("Region of the site."))
    country = CountryField(_("country"), blank=True, help_text=_("Country of the site."))

    # Merging two organisations: the kept one's head office stays the head office (core.merging).
    merge_demotion = {"kind": "establishment"}

    history = KeptHistory()

    class Meta:
        ordering = ["organisation_id", "kind", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="site_name_unique_per_organisation",
                violation_error_message=_("This organisation already has a site with this name."),
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(kind="head_office"),
                name="site_one_head_office_per_organisation",
                violation_error_message=_("An organisation has only one head office."),
            ),
        ]

    def __str__(self):
        return self.name


class Territory(VersionedModel):
    """A region where an organisation is rooted or has established itself."""

    class Kind(models.TextChoices):
        HISTORIC = "historic", _("Historic founding territory")
        ESTABLISHMENT = "establishment", _("New establishment")
        SCOPE = "scope", _("Area of activity")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="territories", on_delete=models.CASCADE
    )
    region = models.CharField(_("region"), max_length=120)
    country = CountryField(_("country"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SCOPE)
    through = models.ForeignKey(
        Organisation,
        verbose_name=_("through"),
        related_name="territories_served",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The network or branch through which the organisation is present there, if any."),
    )

    history = KeptHistory()

    class Meta:
        ordering = ["organisation_id", "kind", "region"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "region"],
                name="territory_unique_per_organisation",
                violation_error_message=_("This territory is already listed for the organisation."),
            ),
        ]

    def __str__(self):
        return self.region


class KeyFigure(VersionedModel):
    """A figure an organisation or a document states, with its unit, year and source."""

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        EUR = "eur", _("Euros")
        PERCENT = "percent", _("Percent")
        YEARS = "years", _("Years")
        RANK = "rank", _("Rank")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("Exactly")
        MORE_THAN = "more_than", _("More than")
        ABOUT = "about", _("About")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="key_figures",
        on_delete=models.CASCADE,
        help_text=_("The organisation the figure is published by or about."),
    )
    label = models.CharField(
        _("label"), max_length=300, help_text=_("What is counted, for example: jobs in the sector.")
    )
    scope = models.CharField(
        _("scope"),
        max_length=200,
        blank=True,
        help_text=_("What the figure covers when it is not the organisation itself, for example a region's sector."),
    )
    value = models.DecimalField(
        _("value"), max_digits=20, decimal_places=2, help_text=_("The number, in the unit given.")
    )
    unit = models.CharField(
        _("unit"),
        max_length=10,
        choices=Unit.choices,
        default=Unit.COUNT,
        help_text=_("What the value counts or measures."),
    )
    qualifier = models.CharField(
        _("qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text=_("Whether the value is exact, a lower bound or an approximation, as the source puts it."),
    )
    as_written = models.CharField(
        _("as written"), max_length=300, blank=True, help_text=_("The figure exactly as the source writes it.")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("The year the figure refers to, when the source gives one.")
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Who or what the figure comes from.")
    )
    source_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("source organisations"),
        related_name="figures_sourced",
        blank=True,
        help_text=_("The organisations the source names for the figure."),
    )

    history = KeptHistory()

    class Meta:
        ordering = ["organisation_id", "label"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [
            FieldCheckConstraint(
                field="value",
                condition=Q(value__gte=0),
                name="key_figure_value_not_negative",
                violation_error_message=_("A key figure cannot be negative."),
            ),
            FieldCheckConstraint(
                field="year",
                condition=Q(year__isnull=True) | Q(year__gte=1800, year__lte=2200),
                name="key_figure_year_plausible",
                violation_error_message=_("Enter a year between 1800 and 2200."),
            ),
            FieldCheckConstraint(
                field="value",
                condition=~Q(unit="percent") | Q(value__lte=100),
                name="key_figure_percent_at_most_100",
                violation_error_message=_("A percentage cannot exceed 100."),
            ),
        ]

    def __str__(self):
        return self.as_written or f"{self.label}: {self.value}"


class MembershipType(VersionedModel):
    """A kind of membership a cluster offers (for example: adhérent, founding member), with its fee."""

    cluster = models.ForeignKey(
        Organisation, verbose_name=_("cluster"), related_name="membership_types", on_delete=models.CASCADE
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    annual_fee = models.DecimalField(
        _("annual fee"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("In euros, per year.")
    )

    history = KeptHistory()

    class Meta:
        ordering = ["cluster_id", "name"]
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "slug"],
                name="membership_type_slug_unique_per_cluster",
                violation_error_message=_("This cluster already has a membership type with this slug."),
            ),
            FieldCheckConstraint(
                field="annual_fee",
                condition=Q(annual_fee__isnull=True) | Q(annual_fee__gte=0),
                name="membership_type_fee_not_negative",
                violation_error_message=_("A fee cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


def membership_status(day: datetime.date) -> Case:
    """The status of each membership period on ``day``, as a database expression.

    The same rules as ``Membership.status_on``, in the same order: cancelled from the day it was
    cancelled; pending before it starts, or while a due invoiced by then is unpaid; in its grace period
    for ``MEMBERSHIP_GRACE_DAYS`` days after it ends; expired after that; current otherwise.
    """
    expired_before = day - datetime.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    unpaid = Due.objects.filter(membership=OuterRef("pk"), invoiced_on__lte=day).filter(
        Q(paid_on__isnull=True) | Q(paid_on__gt=day)
    )
    Status = Membership.Status
    return Case(
        When(cancelled_on__lte=day, then=Value(Status.CANCELLED)),
        When(started_on__gt=day, then=Value(Status.PENDING)),
        When(ended_on__lt=expired_before, then=Value(Status.EXPIRED)),
        When(ended_on__lt=day, then=Value(Status.GRACE)),
        When(Exists(unpaid), then=Value(Status.PENDING)),
        default=Value(Status.CURRENT),
        output_field=models.CharField(),
    )


class DueQuerySet(VersionedQuerySet):
    def unpaid(self):
        """Dues not paid yet, of memberships that were not cancelled."""
        return self.filter(paid_on__isnull=True, membership__cancelled_on__isnull=True)


class MembershipQuerySet(VersionedQuerySet):
    def on(self, day):
        """Membership periods whose dates cover ``day``, whatever their status."""
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )

    def with_status(self, day: datetime.date | None = None):
        """Each period with its status on ``day`` (today by default) as ``status_on_day``."""
        day = day or timezone.localdate()
        return self.annotate(status_on_day=membership_status(day))

    def active_on(self, day: datetime.date | None = None):
        """The periods that make their organisation a member on ``day``: current, or in their grace period."""
        return self.with_status(day).filter(status_on_day__in=Membership.ACTIVE_STATUSES)

    def renewals_due(self, *, within_days: int, today: datetime.date | None = None):
        """Periods ending within ``within_days`` days from ``today``, neither cancelled nor renewed yet."""
        today = today or timezone.localdate()
        renewed = Membership.objects.filter(
            cluster=OuterRef("cluster"), member=OuterRef("member"), started_on__gt=OuterRef("started_on")
        )
        return self.filter(
            cancelled_on__isnull=True,
            ended_on__gte=today,
            ended_on__lte=today + datetime.timedelta(days=within_days),
        ).exclude(Exists(renewed))


class Membership(VersionedModel):
    """An organisation's membership of a cluster or federation, over a period of time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CURRENT = "current", _("Current")
        GRACE = "grace", _("Grace period")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    # The statuses that make the period's organisation a member (``active_on``, ``members_of``, the charts).
    ACTIVE_STATUSES = (Status.CURRENT, Status.GRACE)

    cluster = models.ForeignKey(
        Organisation,
        verbose_name=_("cluster"),
        related_name="memberships",
        on_delete=models.CASCADE,
        help_text=_("The cluster or federation the member belongs to."),
    )
    member = models.ForeignKey(
        Organisation,
        verbose_name=_("member"),
        related_name="memberships_held",
        on_delete=models.CASCADE,
        help_text=_("The member organisation."),
    )
    membership_type = models.ForeignKey(
        MembershipType,
        verbose_name=_("membership type"),
        related_name="memberships",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The kind of membership, among those the cluster offers."),
    )
    started_on = models.DateField(
        _("since"), null=True, blank=True, help_text=_("Date the membership began, when known.")
    )
    ended_on = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("Date the membership ended or ends; empty while it runs with no end date."),
    )
    cancelled_on = models.DateField(
        _("cancelled on"),
        null=True,
        blank=True,
        help_text=_("Date the membership was cancelled: from that day it no longer counts."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Anything staff should know about this membership."))

    objects = MembershipQuerySet.as_manager()
    history = KeptHistory()

    class Meta:
        ordering = ["cluster_id", "-started_on"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            FieldCheckConstraint(
                field="member",
                condition=~Q(cluster=F("member")),
                name="membership_not_of_itself",
                violation_error_message=_("An organisation cannot be a member of itself."),
            ),
            FieldCheckConstraint(
                field="ended_on",
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_dates_in_order",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["cluster", "member", "started_on"],
                name="membership_unique_per_start",
                violation_error_message=_("This membership already exists with the same start date."),
            ),
        ]

    def __str__(self):
        if self.started_on and self.ended_on:
            return _("from %(start)s to %(end)s") % {"start": self.started_on, "end": self.ended_on}
        if self.started_on:
            return _("since %(start)s") % {"start": self.started_on}
        return str(_("membership"))

    def status_on(self, day: datetime.date | None = None) -> str:
        """The period's status on ``day`` (today by default); see ``membership_status``."""
        day = day or timezone.localdate()
        Status = self.Status
        if self.cancelled_on and self.cancelled_on <= day:
            return Status.CANCELLED
        if self.started_on and day < self.started_on:
            return Status.PENDING
        if self.ended_on and day > self.ended_on:
            grace_until = self.ended_on + datetime.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
            return Status.GRACE if day <= grace_until else Status.EXPIRED
        if self.pk and any(due.is_unpaid_on(day) for due in self.dues.all()):
            return Status.PENDING
        return Status.CURRENT

    @property
    def status(self) -> str:
        """Today's status: read from ``with_status()`` when the queryset computed it."""
        computed = getattr(self, "status_on_day", None)
        return computed if computed is not None else self.status_on()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class Due(VersionedModel):
    """What a member owes for a membership period: invoiced on a date, paid (or not yet) on another."""

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        related_name="dues",
        on_delete=models.CASCADE,
        help_text=_("The membership period the due is for."),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, help_text=_("In euros."))
    invoiced_on = models.DateField(_("invoiced on"), help_text=_("Date the invoice was sent."))
    paid_on = models.DateField(
        _("paid on"), null=True, blank=True, help_text=_("Date the payment was received; empty while unpaid.")
    )

    objects = DueQuerySet.as_manager()

    history = KeptHistory()

    class Meta:
        ordering = ["invoiced_on", "pk"]
        verbose_name = _("due")
        verbose_name_plural = _("dues")
        constraints = [
            FieldCheckConstraint(
                field="amount",
                condition=Q(amount__gte=0),
                name="due_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            FieldCheckConstraint(
                field="paid_on",
                condition=Q(paid_on__isnull=True) | Q(paid_on__gte=F("invoiced_on")),
                name="due_paid_after_invoiced",
                violation_error_message=_("A due cannot be paid before it is invoiced."),
            ),
        ]

    def __str__(self):
        return _("%(amount)s € invoiced on %(date)s") % {"amount": self.amount, "date": self.invoiced_on}

    def is_unpaid_on(self, day: datetime.date) -> bool:
        return self.invoiced_on <= day and (self.paid_on is None or self.paid_on > day)


class OrganisationRelation(VersionedModel):
    """A relation between two organisations over time, read as "source is <kind> target"."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("is a network or branch of")
        PARTNERSHIP = "partnership", _("is a partner of")
        SUBSIDIARY = "subsidiary", _("is a subsidiary of")
        OTHER = "other", _("is related to")

    source = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="relations_from",
        on_delete=models.CASCADE,
        help_text=_("The organisation the relation is read from."),
    )
    kind = models.CharField(
        _("relation"),
        max_length=20,
        choices=Kind.choices,
        help_text=_("How the organisation relates to the related organisation."),
    )
    target = models.ForeignKey(
        Organisation,
        verbose_name=_("related organisation"),
        related_name="relations_to",
        on_delete=models.CASCADE,
        help_text=_("The related organisation."),
    )
    started_on = models.DateField(
        _("since"), null=True, blank=True, help_text=_("Date the relation began, when known.")
    )
    started_on_precision = models.CharField(
        _("precision of the start date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Whether the start date is known to the day, the month or only the year."),
    )
    ended_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Date the relation ended; empty while it lasts.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the relation is about, for example the events run together.")
    )

    history = KeptHistory()

    class Meta:
        ordering = ["source_id", "kind", "started_on"]
        verbose_name = _("relation between organisations")
        verbose_name_plural = _("relations between organisations")
        constraints = [
            FieldCheckConstraint(
                field="target",
                condition=~Q(source=F("target")),
                name="relation_not_to_itself",
                violation_error_message=_("An organisation cannot be related to itself."),
            ),
            FieldCheckConstraint(
                field="ended_on",
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="relation_dates_in_order",
                violation_error_message=_("A relation cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "target"],
                name="relation_unique_per_kind",
                violation_error_message=_("This relation between the two organisations already exists."),
            ),
        ]

    def __str__(self):
        return str(self.get_kind_display())
