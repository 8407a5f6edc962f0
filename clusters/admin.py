"""Back office for organisations, their names, sites, territories, figures, memberships and relations.

contacts/admin.py and agreements/admin.py extend the Organisation admin registered here (links to
people, agreements, sources) by subclassing and re-registering it, so that this module never imports
them: cross-app imports go one way, agreements → contacts → clusters.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from core.admin import (
    HistoryAdmin,
    RecordSubtitleMixin,
    RelatedRecordsMixin,
    RowRule,
    RowRulesFormSet,
    SlugFixedOnceSavedMixin,
    VersionedFormMixin,
    admin_link,
)
from core.admin_widgets import LoadedChoicesInline
from core.merging import merge_action
from jobs.admin_imports import ImportJobAdminMixin

from .exports import export_organisations
from .models import (
    Due,
    KeyFigure,
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    OrganisationRelation,
    Site,
    Territory,
)
from .search import search_organisations
from .services import cancel_membership, mark_dues_paid, merge_organisations, renew_membership
from .tasks import start_merge


class SectorAdmin(SlugFixedOnceSavedMixin, HistoryAdmin):
    list_display = ["name", "slug", "organisation_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(organisation_count=Count("organisations"))

    @admin.display(description=_("organisations"), ordering="organisation_count")
    def organisation_count(self, sector):
        return sector.organisation_count


class OrganisationNameInline(VersionedFormMixin, admin.TabularInline):
    model = OrganisationName
    fields = ["name", "kind", "used_from", "used_until"]
    extra = 0
    classes = ["collapse"]  # a <details>, closed until opened (or shown open with errors)


class SiteFormSet(RowRulesFormSet):
    row_rules = (
        RowRule(
            "kind",
            (),
            lambda site: site.get("kind") == Site.Kind.HEAD_OFFICE,
            _("An organisation has only one head office."),
        ),
    )


class SiteInline(VersionedFormMixin, admin.TabularInline):
    model = Site
    formset = SiteFormSet
    fields = ["name", "kind", "city", "region", "country"]
    extra = 0
    classes = ["collapse"]
    show_change_link = True

    def get_queryset(self, request):
        # Rows are saved in this order: the current head office first, so that moving the head office to
        # another site clears the old one before setting the new one.
        head_office_first = Case(When(kind=Site.Kind.HEAD_OFFICE, then=Value(0)), default=Value(1))
        return super().get_queryset(request).order_by(head_office_first, "name")


class TerritoryInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = Territory
    fk_name = "organisation"
    fields = ["region", "country", "kind", "through"]
    autocomplete_fields = ["through"]
    extra = 0
    classes = ["collapse"]


class KeyFigureInline(VersionedFormMixin, admin.TabularInline):
    model = KeyFigure
    fields = ["label", "qualifier", "value", "unit", "year", "as_written", "source"]
    extra = 0
    classes = ["collapse"]
    show_change_link = True


class MembershipTypeInline(VersionedFormMixin, admin.TabularInline):
    model = MembershipType
    fk_name = "cluster"
    fields = ["name", "slug", "annual_fee"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    classes = ["collapse"]


class MemberInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    """The organisation's members, when it is a cluster or a federation."""

    model = Membership
    fk_name = "cluster"
    fields = ["member", "membership_type", "started_on", "ended_on", "cancelled_on"]
    autocomplete_fields = ["member", "membership_type"]
    verbose_name = _("member")
    verbose_name_plural = _("members")
    extra = 0
    classes = ["collapse"]
    show_change_link = True


class RelationInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    """Relations read from this organisation: "<this organisation> is a partner of <target>"."""

    model = OrganisationRelation
    fk_name = "source"
    fields = ["kind", "target", "started_on", "started_on_precision", "ended_on"]
    autocomplete_fields = ["target"]
    extra = 0
    classes = ["collapse"]
    show_change_link = True


class OrganisationAdmin(ImportJobAdminMixin, RelatedRecordsMixin, SlugFixedOnceSavedMixin, HistoryAdmin):
    importer = "clusters.imports.import_organisations"
    import_subject = _("organisations")
    import_help = _(
        "CSV or Excel (XLSX) files: the CRM's own export of organisations, or a spreadsheet with French or "
        "English column names. A row updates the organisation it names by its identifier, else by its name, "
        "acronym or another name; any other row is a new organisation."
    )
    actions = [
        merge_action(merge_organisations, _("Merge the two selected organisations"), in_background=start_merge),
        "export_csv",
        "export_xlsx",
    ]
    list_display = ["name", "acronym", "kind", "city", "region", "country", "sector_names"]
    list_filter = ["kind", "sectors", ("country", CountryFilter)]
    search_fields = ["name", "acronym", "slug", "other_names__name", "city", "region"]
    ordering = ["name"]
    list_per_page = 50
    autocomplete_fields = ["sectors"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["member_of", "relations_towards", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "legal_form"]}),
        (_("Location and website"), {"fields": ["country", "region", "city", "website"]}),
        (_("Description and sectors"), {"fields": ["founded_on", "sectors", "description"]}),
        (_("Membership and relations"), {"fields": ["member_of", "relations_towards"]}),
        (_("Created and updated"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [
        OrganisationNameInline,
        SiteInline,
        TerritoryInline,
        KeyFigureInline,
        MembershipTypeInline,
        MemberInline,
        RelationInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sectors")

    def get_search_results(self, request, queryset, search_term):
        # Every folded word in the indexed search_text (clusters.search), as the organisations' page: Django's own
        # search joins the other names and removes the duplicates the join makes. search_fields stays declared:
        # it shows the search box, says what the search covers, and lets other admins autocomplete organisations.
        return search_organisations(queryset, search_term), False

    @admin.display(description=_("sectors"))
    def sector_names(self, organisation):
        return ", ".join(sector.name for sector in organisation.sectors.all()) or None

    def _export(self, queryset, export_format: str):
        organisations = Organisation.objects.for_sheet().filter(pk__in=queryset.values("pk")).order_by("name", "pk")
        return export_organisations(organisations, export_format=export_format)

    @admin.action(description=_("Export the selected organisations (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description=_("Export the selected organisations (XLSX)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(queryset, "xlsx")

    @admin.display(description=_("member of"))
    def member_of(self, organisation):
        memberships = organisation.memberships_held.select_related("cluster").with_status().order_by("cluster__name")
        return self.related_links(
            (membership, f"{membership.cluster.name} ({membership.get_status_display()})") for membership in memberships
        )

    @admin.display(description=_("relations from other organisations"))
    def relations_towards(self, organisation):
        relations = organisation.relations_to.select_related("source").order_by("source__name")
        return self.related_links(
            (relation, f"{relation.source.name} {relation.get_kind_display()} {organisation.name}")
            for relation in relations
        )


class OrganisationColumnMixin:
    """A list column linking to the record's organisation (use with ``list_select_related``)."""

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_link(self, obj):
        return admin_link(obj.organisation)


class OrganisationNameAdmin(OrganisationColumnMixin, HistoryAdmin):
    list_display = ["name", "organisation_link", "kind", "used_from", "used_until"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    ordering = ["organisation__name", "used_from", "name"]
    list_per_page = 100


class SiteAdmin(OrganisationColumnMixin, HistoryAdmin):
    list_display = ["name", "organisation_link", "kind", "city", "region", "country"]
    list_filter = ["kind", ("country", CountryFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "city", "region", "organisation__name"]
    autocomplete_fields = ["organisation"]
    ordering = ["organisation__name", "kind", "name"]
    list_per_page = 100


class TerritoryAdmin(OrganisationColumnMixin, HistoryAdmin):
    list_display = ["region", "organisation_link", "kind", "country", "through_link"]
    list_filter = ["kind", ("country", CountryFilter)]
    list_select_related = ["organisation", "through"]
    search_fields = ["region", "organisation__name"]
    autocomplete_fields = ["organisation", "through"]
    ordering = ["organisation__name", "kind", "region"]
    list_per_page = 100

    @admin.display(description=_("through"), ordering="through__name")
    def through_link(self, territory):
        return admin_link(territory.through)


class KeyFigureAdmin(OrganisationColumnMixin, HistoryAdmin):
    list_display = ["__str__", "label", "organisation_link", "value", "unit", "year", "source"]
    list_filter = ["unit", "qualifier", "year"]
    list_select_related = ["organisation"]
    search_fields = ["label", "as_written", "scope", "source", "organisation__name"]
    autocomplete_fields = ["organisation", "source_organisations"]
    ordering = ["organisation__name", "label"]
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["organisation", "label", "scope"]}),
        (_("Figure"), {"fields": ["qualifier", "value", "unit", "year", "as_written"]}),
        (_("Source"), {"fields": ["source", "source_organisations"]}),
    ]


class MembershipTypeAdmin(HistoryAdmin):
    list_display = ["name", "cluster_link", "annual_fee"]
    list_select_related = ["cluster"]
    search_fields = ["name", "slug", "cluster__name"]
    autocomplete_fields = ["cluster"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["cluster__name", "name"]
    list_per_page = 100

    @admin.display(description=_("cluster"), ordering="cluster__name")
    def cluster_link(self, membership_type):
        return admin_link(membership_type.cluster)


class MembershipStatusFilter(admin.SimpleListFilter):
    """Today's status, computed from the period's dates and dues (``Membership.objects.with_status``)."""

    title = _("status today")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Membership.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Membership.Status.values:
            return queryset.with_status().filter(status_on_day=self.value())
        return queryset


class DueInline(VersionedFormMixin, admin.TabularInline):
    model = Due
    fields = ["amount", "invoiced_on", "paid_on"]
    extra = 0


class MembershipAdmin(RecordSubtitleMixin, HistoryAdmin):
    list_display = [
        "member_link",
        "cluster_link",
        "membership_type",
        "period",
        "status_today",
        "started_on",
        "ended_on",
    ]
    list_display_links = ["period"]
    list_filter = [MembershipStatusFilter, "membership_type", ("cluster", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["member", "cluster", "membership_type"]
    search_fields = ["member__name", "member__acronym", "cluster__name", "cluster__acronym"]
    autocomplete_fields = ["cluster", "member", "membership_type"]
    ordering = ["cluster__name", "member__name", "-started_on"]
    list_per_page = 100
    fields = ["cluster", "member", "membership_type", "started_on", "ended_on", "cancelled_on", "notes"]
    inlines = [DueInline]
    actions = ["renew", "mark_paid", "cancel"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    def record_subtitle(self, membership):
        return f"{membership.member.name} — {membership.cluster.name} ({membership.get_status_display()})"

    @admin.display(description=_("period"))
    def period(self, membership):
        return str(membership)

    @admin.display(description=_("status today"), ordering="status_on_day")
    def status_today(self, membership):
        return membership.get_status_display()

    @admin.display(description=_("member"), ordering="member__name")
    def member_link(self, membership):
        return admin_link(membership.member)

    @admin.display(description=_("cluster"), ordering="cluster__name")
    def cluster_link(self, membership):
        return admin_link(membership.cluster)

    @admin.action(description=_("Renew the selected memberships for a year"), permissions=["add"])
    def renew(self, request, queryset):
        renewed, refused = 0, []
        for membership in queryset.select_related("cluster", "member", "membership_type"):
            try:
                renew_membership(membership=membership)
            except ValidationError as error:
                label = _("%(label)s:") % {"label": f"{membership.member.name} ({membership})"}
                refused.append(f"{label} {' '.join(error.messages)}")
            else:
                renewed += 1
        if renewed:
            self.message_user(
                request,
                ngettext("%(count)s membership renewed.", "%(count)s memberships renewed.", renewed)
                % {"count": renewed},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description=_("Mark the dues of the selected memberships as paid today"), permissions=["change"])
    def mark_paid(self, request, queryset):
        paid = sum(mark_dues_paid(membership=membership) for membership in queryset)
        self.message_user(
            request, ngettext("%(count)s due marked paid.", "%(count)s dues marked paid.", paid) % {"count": paid}
        )

    @admin.action(description=_("Cancel the selected memberships from today"), permissions=["change"])
    def cancel(self, request, queryset):
        memberships = list(queryset.filter(cancelled_on__isnull=True))
        for membership in memberships:
            cancel_membership(membership=membership)
        count = len(memberships)
        self.message_user(
            request,
            ngettext("%(count)s membership cancelled.", "%(count)s memberships cancelled.", count) % {"count": count},
        )


class DueAdmin(HistoryAdmin):
    list_display = ["membership", "member_name", "cluster_name", "amount", "invoiced_on", "paid_on"]
    list_filter = [("paid_on", admin.EmptyFieldListFilter), "invoiced_on"]
    list_select_related = ["membership__member", "membership__cluster"]
    search_fields = ["membership__member__name", "membership__cluster__name"]
    autocomplete_fields = ["membership"]
    ordering = ["-invoiced_on"]
    fields = ["membership", "amount", "invoiced_on", "paid_on"]

    @admin.display(description=_("member"), ordering="membership__member__name")
    def member_name(self, due):
        return due.membership.member.name

    @admin.display(description=_("cluster"), ordering="membership__cluster__name")
    def cluster_name(self, due):
        return due.membership.cluster.name


class OrganisationRelationAdmin(RecordSubtitleMixin, HistoryAdmin):
    list_display = ["source_link", "kind", "target_link", "started_on", "ended_on"]
    list_display_links = ["kind"]
    list_filter = ["kind"]
    list_select_related = ["source", "target"]
    search_fields = ["source__name", "source__acronym", "target__name", "target__acronym", "description"]
    autocomplete_fields = ["source", "target"]
    ordering = ["source__name", "kind", "started_on"]
    list_per_page = 100
    fields = ["source", "kind", "target", "started_on", "started_on_precision", "ended_on", "description"]

    def record_subtitle(self, relation):
        return f"{relation.source.name} {relation.get_kind_display()} {relation.target.name}"

    @admin.display(description=_("organisation"), ordering="source__name")
    def source_link(self, relation):
        return admin_link(relation.source)

    @admin.display(description=_("related organisation"), ordering="target__name")
    def target_link(self, relation):
        return admin_link(relation.target)
