"""Back office for people, their positions and contact points, press contacts and contact lists."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from clusters.admin import OrganisationColumnMixin
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
from core.pages import CappedPaginator
from core.spreadsheets import file_stem, timestamped_filename
from jobs.admin_imports import ImportJobAdminMixin

from .exports import export_people, log_export
from .layouts import COLUMN_LABELS
from .models import (
    Consent,
    ContactListEntry,
    ContactPoint,
    ExportLog,
    Person,
    Position,
    PressContact,
)
from .normalisation import normalise_email
from .privacy import may_list_contact_details, may_see_contact_details, person_data
from .search import phone_number_searched
from .services import merge_people
from .tasks import start_erasure, start_merge


class PersonColumnMixin:
    """A list column linking to the record's person (use with ``list_select_related``)."""

    @admin.display(description=_("person"), ordering="person__family_name")
    def person_link(self, obj):
        return admin_link(obj.person)


class TagAdmin(SlugFixedOnceSavedMixin, HistoryAdmin):
    list_display = ["name", "slug", "person_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(person_count=Count("people"))

    @admin.display(description=_("people"), ordering="person_count")
    def person_count(self, tag):
        return tag.person_count


class NormalisedEmailFormField(forms.EmailField):
    """Takes an address the way documents write it ("sbou@leem.org/", "mailto:…") and keeps the clean address."""

    def to_python(self, value):
        return normalise_email(super().to_python(value))


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["medium", "kind", "email", "phone", "is_primary", "label"]
        field_classes = {"email": NormalisedEmailFormField}


class PositionFormSet(RowRulesFormSet):
    row_rules = (
        RowRule(
            "is_primary",
            (),
            lambda position: position.get("is_primary"),
            _("Only one position can be the primary one."),
        ),
    )


class ContactPointFormSet(RowRulesFormSet):
    row_rules = (
        RowRule(
            "is_primary",
            ("medium",),
            lambda point: point.get("is_primary"),
            _("Only one email address and one phone number can be preferred."),
        ),
        RowRule(
            "email",
            ("email",),
            lambda point: point.get("medium") == ContactPoint.Medium.EMAIL,
            _("This email address is already in the list."),
        ),
        RowRule(
            "phone",
            ("phone",),
            lambda point: point.get("medium") == ContactPoint.Medium.PHONE,
            _("This phone number is already in the list."),
        ),
    )


class PositionInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = Position
    formset = PositionFormSet
    fields = ["organisation", "title", "started_on", "ended_on", "is_primary"]
    autocomplete_fields = ["organisation"]
    extra = 0
    show_change_link = True


class ContactPointInline(VersionedFormMixin, admin.TabularInline):
    model = ContactPoint
    form = ContactPointForm
    formset = ContactPointFormSet
    extra = 0


class PressRoleInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = PressContact
    fields = ["organisation", "started_on", "ended_on", "notes"]
    autocomplete_fields = ["organisation"]
    verbose_name = _("press contact role")
    verbose_name_plural = _("press contact roles")
    extra = 0
    classes = ["collapse"]  # a <details>, closed until opened (or shown open with errors)
    show_change_link = True


class ConsentInline(admin.TabularInline):
    """The person's consents, read only: a record of consent is evidence, not edited after the fact. A new one is
    recorded on the person's page, which also marks them not to be contacted when they withdraw it
    (``contacts.services.record_consent``)."""

    model = Consent
    fields = ["at", "given", "method", "recorded_by", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ["collapse"]
    verbose_name = _("consent given or withdrawn")
    verbose_name_plural = _("consents given or withdrawn (recorded on the person's page)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PersonAdmin(ImportJobAdminMixin, RelatedRecordsMixin, SlugFixedOnceSavedMixin, HistoryAdmin):
    importer = "contacts.imports.import_people"
    import_columns = COLUMN_LABELS
    import_subject = _("people")
    import_help = _(
        "CSV or Excel (XLSX) files — the CRM's own exports, a spreadsheet, Google Contacts or Outlook — and vCard "
        "files (.vcf) from a phone or a mail client. A row updates the person it names by their identifier, by an "
        "email address or a phone number; a row without either, by the same name, title and organisation. Any "
        "other row is a new person."
    )
    slug_prepopulated_from = ("given_name", "family_name")
    list_display = [
        "full_name",
        "position_title",
        "position_organisation",
        "preferred_email",
        "preferred_phone",
        "do_not_contact",
    ]
    list_filter = ["do_not_contact", "tags", "data_source", "lawful_basis"]
    search_fields = [
        "family_name",
        "given_name",
        "slug",
        "contact_points__email",
        "positions__title",
        "positions__organisation__name",
        "positions__organisation__acronym",
    ]
    ordering = ["family_name", "given_name", "pk"]
    list_per_page = 50
    # No COUNT of the whole table on every page load: counting stops at 1 000 (core.pages.CappedPaginator).
    show_full_result_count = False
    paginator = CappedPaginator
    autocomplete_fields = ["tags"]
    readonly_fields = ["contact_list_links", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["given_name", "family_name", "slug"]}),
        (_("Notes and tags"), {"fields": ["notes", "tags", "contact_list_links"]}),
        (_("Personal data"), {"fields": ["do_not_contact", "lawful_basis", "data_source", "source_detail"]}),
        (_("Created and updated"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [PositionInline, ContactPointInline, PressRoleInline, ConsentInline]
    actions = [
        "mark_do_not_contact",
        "export_csv",
        "export_xlsx",
        "export_vcard",
        "export_everyone_csv",
        "export_everyone_xlsx",
        merge_action(merge_people, _("Merge the two selected people"), in_background=start_merge),
        "export_personal_data",
        "erase_personal_data",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).directory()

    def get_list_display(self, request):
        # Emails and phone numbers in a list only for those who may export them (contacts.privacy).
        columns = super().get_list_display(request)
        if may_list_contact_details(request.user):
            return columns
        return [column for column in columns if column not in ("preferred_email", "preferred_phone")]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and not may_see_contact_details(request.user, obj):
            return [inline for inline in inlines if not isinstance(inline, ContactPointInline)]
        return inlines

    def get_search_results(self, request, queryset, search_term):
        # The directory's search (contacts.search): every word in the indexed search_text, or the phone number
        # in any format. Django's own search runs LIKE over each of search_fields across joins, then removes
        # the duplicates the joins make: seconds per search at a million people (docs/benchmarks.md).
        # search_fields stays declared: it shows the search box and says what the search covers.
        return queryset.search(search_term), False

    @admin.display(description=_("name"), ordering="family_name")
    def full_name(self, person):
        return person.full_name

    @staticmethod
    def _main_position(person):
        # PersonQuerySet.directory() prefetches current positions, the primary one first.
        return person.current_positions[0] if person.current_positions else None

    @staticmethod
    def _preferred_contact_point(person, medium):
        # Prefetched by directory(), ordered by medium, then preferred first.
        return next((point for point in person.contact_points.all() if point.medium == medium), None)

    @admin.display(description=_("position"))
    def position_title(self, person):
        position = self._main_position(person)
        return position.title if position else None

    @admin.display(description=_("organisation"))
    def position_organisation(self, person):
        position = self._main_position(person)
        return admin_link(position.organisation) if position else None

    @admin.display(description=_("email"))
    def preferred_email(self, person):
        if person.do_not_contact:
            return None  # a list never shows them (contacts.privacy)
        point = self._preferred_contact_point(person, ContactPoint.Medium.EMAIL)
        return format_html('<a href="mailto:{}">{}</a>', point.email, point.email) if point else None

    @admin.display(description=_("phone"))
    def preferred_phone(self, person):
        if person.do_not_contact:
            return None
        point = self._preferred_contact_point(person, ContactPoint.Medium.PHONE)
        return format_html('<a href="tel:{}">{}</a>', point.phone, point.phone_display) if point else None

    @admin.display(description=_("contact lists"))
    def contact_list_links(self, person):
        return self.related_links((contact_list, contact_list.name) for contact_list in person.contact_lists.all())

    @admin.action(description=_("Mark the selected people as not to be contacted"), permissions=["change"])
    def mark_do_not_contact(self, request, queryset):
        people = list(queryset.filter(do_not_contact=False))
        for person in people:
            person.do_not_contact = True
            person.save(update_fields=["do_not_contact", "version", "updated_at"])
        updated = len(people)
        self.message_user(
            request,
            ngettext(
                "%(count)d person will no longer be contacted.",
                "%(count)d people will no longer be contacted.",
                updated,
            )
            % {"count": updated},
            messages.SUCCESS,
        )

    def has_export_permission(self, request):
        return request.user.has_perm("contacts.export_contacts")

    def has_full_export_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def _export(self, request, queryset, export_format, *, include_do_not_contact=False):
        # export_people leaves out the people who asked not to be contacted, and says how many; a superuser's
        # full export holds them, for a complete round trip of the data.
        people = Person.objects.directory().filter(pk__in=queryset.values("pk"))
        selection = (
            pgettext("file name", "full selection") if include_do_not_contact else pgettext("file name", "selection")
        )
        return export_people(
            people=people,
            export_format=export_format,
            user=request.user,
            origin=ExportLog.Origin.ADMIN,
            filters={"selected": queryset.count()},
            # A worker exports the selection in this order (the directory's), if it is too large to answer now.
            source=lambda: {"ids": list(people.prefetch_related(None).values_list("pk", flat=True))},
            file_stem=file_stem(pgettext("file name", "contacts"), selection),
            include_do_not_contact=include_do_not_contact,
        )

    @admin.action(description=_("Export the selected people (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, ExportLog.Format.CSV)

    @admin.action(description=_("Export the selected people (XLSX)"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, ExportLog.Format.XLSX)

    @admin.action(description=_("Export the selected people (vCard)"), permissions=["export"])
    def export_vcard(self, request, queryset):
        return self._export(request, queryset, ExportLog.Format.VCARD)

    @admin.action(
        description=_("Export the selected people, including those who asked not to be contacted (CSV)"),
        permissions=["full_export"],
    )
    def export_everyone_csv(self, request, queryset):
        return self._export(request, queryset, ExportLog.Format.CSV, include_do_not_contact=True)

    @admin.action(
        description=_("Export the selected people, including those who asked not to be contacted (XLSX)"),
        permissions=["full_export"],
    )
    def export_everyone_xlsx(self, request, queryset):
        return self._export(request, queryset, ExportLog.Format.XLSX, include_do_not_contact=True)

    def has_subject_access_permission(self, request):
        # One checker: the admin offers an action to a user who has ANY of the permissions it lists.
        return self.has_view_permission(request) and self.has_export_permission(request)

    @admin.action(
        description=_("Export everything held about the selected person (JSON, one person)"),
        permissions=["subject_access"],
    )
    def export_personal_data(self, request, queryset):
        """A GDPR subject access request: everything held about one person (contacts.privacy.person_data).

        One person at a time: the answer is for the person who asked, and a bulk copy of everyone's data would
        be an export that leaves no one out. Logged as an export and in the person's history; a person who
        asked not to be contacted only for users who may change people."""
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(
                request,
                _("Choose one person: a subject access answer is for the person who asked for it."),
                messages.WARNING,
            )
            return None
        (person,) = people
        if not may_see_contact_details(request.user, person):
            raise PermissionDenied
        log_export(
            user=request.user,
            export_format=ExportLog.Format.JSON,
            origin=ExportLog.Origin.ADMIN,
            filters={"subject_access": person.pk},
            row_count=1,
        )
        self.log_change(request, person, _("Everything held about this person was exported (subject access)."))
        response = HttpResponse(
            json.dumps([person_data(person)], ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = timestamped_filename("donnees-personnelles", "json")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Erase the personal data of the selected people (GDPR)"), permissions=["delete"])
    def erase_personal_data(self, request, queryset):
        """The GDPR right to erasure (contacts.erasure.erase_person), after a confirmation page."""
        people = list(queryset.order_by("family_name", "given_name", "pk"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data"),
                "people": people,
                "opts": self.model._meta,
                "action": request.POST.get("action", ""),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/contacts/erase.html", context)
        # Each erasure searches every text column of every table: a job each, on a worker (contacts.tasks).
        for person in people:
            start_erasure(person, request.user)
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                ngettext(
                    "The erasure of the personal data of %(count)d person has started.",
                    "The erasure of the personal data of %(count)d people has started.",
                    len(people),
                )
                % {"count": len(people)},
                reverse("jobs:job_list"),
                _("Follow it in “My exports and imports”."),
            ),
            messages.SUCCESS,
        )
        return None


class HeldTodayFilter(admin.SimpleListFilter):
    title = _("held today")
    parameter_name = "held_today"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.exclude(pk__in=Position.objects.current().values("pk"))
        return queryset


class PositionAdmin(RecordSubtitleMixin, PersonColumnMixin, OrganisationColumnMixin, HistoryAdmin):
    list_display = ["title", "person_link", "organisation_link", "started_on", "ended_on", "is_primary", "held_today"]
    list_filter = [HeldTodayFilter, "is_primary", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "organisation"]
    search_fields = ["title", "person__family_name", "person__given_name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    ordering = ["person__family_name", "person__given_name", "-is_primary", "-started_on"]
    list_per_page = 100
    fields = ["person", "organisation", "title", "started_on", "ended_on", "is_primary"]

    def record_subtitle(self, position):
        return f"{position.person.full_name} — {position.title}, {position.organisation.name}"

    @admin.display(description=_("held today"), boolean=True)
    def held_today(self, position):
        return position.is_current


class ContactableChangeList(ChangeList):
    """A list of contact points never holds those of people who asked not to be contacted."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).filter(person__do_not_contact=False)


class ContactPointAdmin(RecordSubtitleMixin, PersonColumnMixin, HistoryAdmin):
    """Every email and phone number: the list is for users who may export contacts, and leaves out the people who
    asked not to be contacted; one of theirs opens only for users who may change people (contacts.privacy)."""

    form = ContactPointForm
    list_display = ["value_column", "person_link", "medium", "kind", "is_primary", "label"]
    list_filter = ["medium", "kind", "is_primary"]
    list_select_related = ["person"]
    search_fields = ["email", "phone", "label", "person__family_name", "person__given_name"]
    autocomplete_fields = ["person"]
    ordering = ["person__family_name", "person__given_name", "medium", "-is_primary"]
    list_per_page = 100
    fields = ["person", "medium", "kind", "email", "phone", "is_primary", "label"]

    def get_queryset(self, request):
        points = super().get_queryset(request)
        if not request.user.has_perm("contacts.change_person"):
            points = points.filter(person__do_not_contact=False)
        return points

    def changelist_view(self, request, extra_context=None):
        if not may_list_contact_details(request.user):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request, **kwargs):
        return ContactableChangeList

    def get_search_results(self, request, queryset, search_term):
        points, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_number_searched(search_term)
        if phone:
            points |= queryset.filter(phone=phone)
        return points, may_have_duplicates

    def record_subtitle(self, point):
        return f"{point.person.full_name} — {point.value}"

    @admin.display(description=_("email address or phone number"), ordering="email")
    def value_column(self, point):
        return point.value


class PressContactAdmin(RecordSubtitleMixin, PersonColumnMixin, OrganisationColumnMixin, HistoryAdmin):
    list_display = ["person_link", "organisation_link", "started_on", "ended_on"]
    list_display_links = ["started_on"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "organisation"]
    search_fields = [
        "person__family_name",
        "person__given_name",
        "organisation__name",
        "organisation__acronym",
    ]
    autocomplete_fields = ["person", "organisation"]
    ordering = ["organisation__name", "person__family_name"]
    list_per_page = 100
    fields = ["person", "organisation", "started_on", "ended_on", "notes"]

    def record_subtitle(self, press_contact):
        return f"{press_contact.person.full_name} — {press_contact.organisation.name}"


class ContactListEntryInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = ContactListEntry
    fields = ["person", "added_at"]
    readonly_fields = ["added_at"]
    autocomplete_fields = ["person"]
    extra = 0


class ContactListAdmin(SlugFixedOnceSavedMixin, HistoryAdmin):
    list_display = ["name", "owner", "entry_count", "updated_at"]
    list_filter = [("owner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "description"]
    autocomplete_fields = ["owner"]
    date_hierarchy = "created_at"
    ordering = ["name"]
    list_per_page = 100
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "owner"]}),
        (_("Created and updated"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ContactListEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("people"), ordering="entry_count")
    def entry_count(self, contact_list):
        return contact_list.entry_count


class ContactListEntryAdmin(RecordSubtitleMixin, PersonColumnMixin, HistoryAdmin):
    list_display = ["person_link", "contact_list_link", "added_at"]
    list_display_links = ["added_at"]
    list_filter = [("contact_list", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "contact_list"]
    search_fields = ["person__family_name", "person__given_name", "contact_list__name"]
    autocomplete_fields = ["contact_list", "person"]
    ordering = ["contact_list__name", "person__family_name", "person__given_name"]
    list_per_page = 100
    fields = ["contact_list", "person", "added_at"]
    readonly_fields = ["added_at"]

    def record_subtitle(self, entry):
        return f"{entry.person.full_name} — {entry.contact_list.name}"

    @admin.display(description=_("contact list"), ordering="contact_list__name")
    def contact_list_link(self, entry):
        return admin_link(entry.contact_list)


class OrganisationPeopleLinks:
    """What contacts adds to the organisation form (composed in backoffice.admin): links to the people who work
    there and to its press contacts, in a section of their own."""

    links = ["people", "press_contact_people"]
    section = (_("People"), {"fields": links})

    @admin.display(description=_("people (positions)"))
    def people(self, organisation):
        positions = sorted(
            organisation.positions.select_related("person"),
            key=lambda position: (not position.is_current, position.person.family_name, position.person.given_name),
        )
        return self.related_links(
            (
                position.person,
                f"{position.person.full_name} — {position.title}"
                if position.is_current
                else _("%(name)s — %(title)s (former)") % {"name": position.person.full_name, "title": position.title},
            )
            for position in positions
        )

    @admin.display(description=_("press contacts"))
    def press_contact_people(self, organisation):
        press_contacts = organisation.press_contacts.select_related("person").order_by("person__family_name")
        return self.related_links(
            (press_contact.person, press_contact.person.full_name) for press_contact in press_contacts
        )


class ExportLogAdmin(admin.ModelAdmin):
    """Who exported which contacts: a record to read, never to edit."""

    list_display = ["created_at", "username", "export_format", "origin", "row_count", "filters"]
    list_filter = ["export_format", "origin", "created_at"]
    search_fields = ["username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "username", "export_format", "origin", "filters", "row_count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ErasureAdmin(admin.ModelAdmin):
    """Who erased whom (by record number) and when: the tombstones that keep erased people erased."""

    list_display = ["erased_at", "person_id", "erased_by"]
    list_filter = ["erased_at"]
    search_fields = ["=person_id"]
    list_select_related = ["erased_by"]
    readonly_fields = ["person_id", "erased_at", "erased_by", "records"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
