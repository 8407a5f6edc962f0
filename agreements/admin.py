"""Back office for agreements, their parties and signatories, press releases, quotes and provenance.

This app comes after clusters and contacts in INSTALLED_APPS, and is the only one allowed to import
both: it adds the "Sources" inline (the press releases a record was taken from) to their admins, and
links from organisations and people to the agreements they signed and the releases that name them,
by subclassing the registered admins and registering the subclasses in their place.
"""

import re
from collections import defaultdict

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from clusters.admin import OrganisationColumnMixin
from clusters.models import Organisation
from contacts.admin import PersonColumnMixin
from contacts.models import ContactList, ContactListEntry, Erasure, ExportLog, Person, PressContact, Tag
from core.admin import (
    HistoryAdmin,
    RecordSubtitleMixin,
    RelatedRecordsMixin,
    SlugFixedOnceSavedMixin,
    VersionedFormMixin,
    admin_link,
    admin_link_list,
    admin_links,
)
from core.admin_widgets import LoadedChoicesInline
from core.views import see_other
from jobs.models import Job

from .documents import ReleaseFileError, check_file_size, read_release
from .models import Agreement, AgreementParty, PressRelease, Provenance, Quote, Signatory
from .signals import TRACKED_APPS
from .tasks import review_release_text, start_ingestion

# A record taken from a press release is named after the people, organisations and agreements it is about.
OWNER_MODELS = (Person, Organisation, Agreement)


def owner_fields(model):
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.many_to_one and issubclass(field.related_model, OWNER_MODELS)
    ]


def record_label(record):
    """``str(record)`` and whom it is about, as ``__str__`` may say little: "Président (Luc Grislain, GIPSO)"."""
    owners = [str(owner) for owner in (getattr(record, name) for name in owner_fields(type(record))) if owner]
    return f"{record} ({', '.join(owners)})" if owners else str(record)


# Staff build these themselves, or they record what happened: no press release is the source of any of them.
STAFF_MADE_MODELS = (Tag, ContactList, ContactListEntry, ExportLog, Erasure)


def tracked_models():
    """The models whose records can be taken from a press release, hence carry provenance."""
    return [
        model
        for app_label in sorted(TRACKED_APPS)
        for model in apps.get_app_config(app_label).get_models()
        if model not in (PressRelease, Provenance, *STAFF_MADE_MODELS) and not issubclass(model, HistoricalChanges)
    ]


def records_prefetch():
    """Prefetches ``Provenance.record`` with what ``record_label`` reads: one query per kind of record."""
    return GenericPrefetch(
        "record", [model._default_manager.select_related(*owner_fields(model)) for model in tracked_models()]
    )


class PressReleaseColumnMixin:
    @admin.display(description=_("press release"), ordering="press_release__published_on")
    def press_release_link(self, obj):
        return admin_link(obj.press_release)


class SourceInline(PressReleaseColumnMixin, VersionedFormMixin, GenericTabularInline):
    """The press releases a record was taken from, read-only: provenance is recorded from the release's side."""

    model = Provenance
    fields = ["press_release_link", "published_on"]
    readonly_fields = fields
    verbose_name = _("source")
    verbose_name_plural = _("sources")
    extra = 0
    classes = ["collapse"]  # a <details>, closed until opened (or shown open with errors)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("press_release").order_by("-press_release__published_on")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"))
    def published_on(self, provenance):
        # A read-only callable is shown as returned: format the date the way the user's language writes it.
        return date_format(provenance.press_release.published_on, "SHORT_DATE_FORMAT")


class TopicAdmin(SlugFixedOnceSavedMixin, HistoryAdmin):
    list_display = ["name", "slug", "agreement_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    list_per_page = 100
    inlines = [SourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agreement_count=Count("agreements"))

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, topic):
        return topic.agreement_count


class AgreementColumnMixin:
    @admin.display(description=_("agreement"), ordering="agreement__title")
    def agreement_link(self, obj):
        return admin_link(obj.agreement)


class PartyInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = AgreementParty
    fields = ["organisation", "role", "name_as_written"]
    autocomplete_fields = ["organisation"]
    extra = 0


def _party_checked_by_the_formset():
    """Stands in for Signatory.clean() on the agreement form: see SignatoryForm."""


class SignatoryForm(forms.ModelForm):
    """A signatory row of the agreement form.

    Signatory.clean() asks the database whether the organisation is a party, so it would reject a party
    added in the same save; SignatoryFormSet.clean() checks the parties as submitted instead.
    """

    def _post_clean(self):
        self.instance.clean = _party_checked_by_the_formset
        try:
            super()._post_clean()
        finally:
            del self.instance.clean


class SignatoryFormSet(BaseInlineFormSet):
    """Each signatory signs for one of the parties the agreement will have once this save goes through."""

    # The parties formset of the same submission, set by AgreementAdmin; None means the saved parties count.
    party_formset = None

    def party_organisation_ids(self):
        if self.party_formset is None or not self.party_formset.is_bound:
            if self.instance.pk is None:
                return set()
            return set(AgreementParty.objects.filter(agreement=self.instance).values_list("organisation_id", flat=True))
        self.party_formset.is_valid()
        organisation_ids = set()
        for form in self.party_formset.forms:
            cleaned = getattr(form, "cleaned_data", {})
            organisation = cleaned.get("organisation")
            if organisation and not cleaned.get("DELETE"):
                organisation_ids.add(getattr(organisation, "pk", organisation))
        return organisation_ids

    def clean(self):
        super().clean()
        party_ids = self.party_organisation_ids()
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            organisation = cleaned.get("organisation")
            if not organisation or cleaned.get("DELETE"):
                continue
            if getattr(organisation, "pk", organisation) not in party_ids:
                form.add_error(
                    "organisation",
                    ValidationError(
                        _("%(organisation)s is not a party to this agreement: add it to the parties, or pick a party."),
                        code="not_a_party",
                        params={"organisation": organisation},
                    ),
                )


class SignatoryInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = Signatory
    form = SignatoryForm
    formset = SignatoryFormSet
    fields = ["person", "organisation", "title_at_signing"]
    autocomplete_fields = ["person", "organisation"]
    extra = 0


class AgreementAdmin(RelatedRecordsMixin, SlugFixedOnceSavedMixin, HistoryAdmin):
    slug_prepopulated_from = ("title",)
    list_display = ["title", "kind", "status", "signed_on", "place", "party_links"]
    list_filter = ["status", "kind", "topics", "signed_on"]
    search_fields = ["title", "slug", "place", "venue", "summary", "organisations__name", "organisations__acronym"]
    date_hierarchy = "signed_on"
    ordering = ["-signed_on", "title"]
    list_per_page = 50
    autocomplete_fields = ["host", "topics"]
    readonly_fields = ["press_release_links", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status"]}),
        (_("Signing"), {"fields": ["signed_on", "ends_on", "place", "venue", "host"]}),
        (_("Content"), {"fields": ["topics", "summary"]}),
        (_("Press releases"), {"fields": ["press_release_links"]}),
        (_("Created and updated"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [PartyInline, SignatoryInline, SourceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation")))
        )

    def _create_formsets(self, request, obj, change):
        # Let the signatories be checked against the parties submitted with them (see SignatoryFormSet).
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        party_formset = next((formset for formset in formsets if formset.model is AgreementParty), None)
        for formset in formsets:
            if isinstance(formset, SignatoryFormSet):
                formset.party_formset = party_formset
        return formsets, inline_instances

    @admin.display(description=_("parties"))
    def party_links(self, agreement):
        return admin_links((party.organisation, party.organisation.name) for party in agreement.parties.all())

    @admin.display(description=_("press releases announcing it"))
    def press_release_links(self, agreement):
        return self.related_links(
            (press_release, f"{date_format(press_release.published_on, 'SHORT_DATE_FORMAT')} — {press_release.title}")
            for press_release in agreement.press_releases.order_by("published_on")
        )


class AgreementPartyAdmin(RecordSubtitleMixin, AgreementColumnMixin, OrganisationColumnMixin, HistoryAdmin):
    list_display = ["organisation_link", "role", "agreement_link", "name_as_written"]
    list_display_links = ["role"]
    list_filter = ["role"]
    list_select_related = ["agreement", "organisation"]
    search_fields = ["agreement__title", "organisation__name", "organisation__acronym", "name_as_written"]
    autocomplete_fields = ["agreement", "organisation"]
    ordering = ["-agreement__signed_on", "agreement__title", "pk"]
    list_per_page = 100
    fields = ["agreement", "organisation", "role", "name_as_written"]
    inlines = [SourceInline]

    def record_subtitle(self, party):
        return f"{party.organisation.name} — {party.agreement.title}"


class SignatoryAdmin(
    RecordSubtitleMixin, AgreementColumnMixin, PersonColumnMixin, OrganisationColumnMixin, HistoryAdmin
):
    list_display = ["person_link", "title_at_signing", "organisation_link", "agreement_link"]
    list_display_links = ["title_at_signing"]
    list_select_related = ["agreement", "person", "organisation"]
    search_fields = ["person__family_name", "person__given_name", "agreement__title", "organisation__name"]
    autocomplete_fields = ["agreement", "person", "organisation"]
    ordering = ["-agreement__signed_on", "agreement__title", "pk"]
    list_per_page = 100
    fields = ["agreement", "person", "organisation", "title_at_signing"]
    inlines = [SourceInline]

    def record_subtitle(self, signatory):
        return f"{signatory.person.full_name} — {signatory.agreement.title}"


class QuoteInline(LoadedChoicesInline, VersionedFormMixin, admin.StackedInline):
    model = Quote
    fields = [("person", "organisation", "title_at_time"), "text"]
    autocomplete_fields = ["person", "organisation"]
    extra = 0


class PressContactChoiceField(forms.ModelMultipleChoiceField):
    """Press contacts named after the person and the organisation (their ``__str__`` follows no foreign key)."""

    def label_from_instance(self, press_contact):
        return f"{press_contact.person.full_name} — {press_contact.organisation.name}"


INGEST_PERMISSIONS = [
    "agreements.add_pressrelease",
    "contacts.add_person",
    "contacts.change_person",
    "clusters.add_organisation",
]


class ReleaseTextForm(forms.Form):
    """The release pasted, or its file read into text (``agreements.documents``): either one, passed on as text."""

    text = forms.CharField(
        label=_("Text of the release"),
        max_length=200_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
        help_text=_(
            "Paste the whole release, from its heading to its press contacts. Nothing is stored before you confirm."
        ),
    )
    file = forms.FileField(
        label=_("Or its file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.html,.htm,.eml,.msg,.txt,text/plain"}),
        help_text=_(
            "A PDF, a Word document (.docx), an HTML page, an e-mail (.eml, .msg) or a text file: its text is read "
            "as if it had been pasted."
        ),
    )

    def clean_text(self):
        # Browsers send line ends as CRLF; the release is kept with the plain line ends it was written with.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return None
        try:
            check_file_size(upload.size)
            return read_release(upload.read(), upload.name)
        except ReleaseFileError as error:
            raise ValidationError(str(error)) from error

    def clean(self):
        cleaned_data = super().clean()
        document = cleaned_data.get("file")
        if self.errors:
            return cleaned_data
        if document and cleaned_data.get("text"):
            raise ValidationError(_("Paste the release or choose its file, not both."))
        if document:
            cleaned_data["text"] = document.text
        elif not cleaned_data.get("text"):
            raise ValidationError(_("Paste the release or choose its file."))
        return cleaned_data


class ConfirmationKeysField(forms.MultipleChoiceField):
    """The keys of the review's checked boxes (``agreements.ingestion.Confirmation``): any well-formed key is
    accepted here, since the worker that stores the release reads it again and ignores a key it does not hold."""

    def valid_value(self, value):
        return len(value) <= 300 and re.fullmatch(r"(?:email|phone):[\w-]+:\S+|quote:\d+|agreement", value) is not None


class ReviewConfirmationForm(forms.Form):
    """What the reviewer checked on the review of a release."""

    confirmed = ConfirmationKeysField(required=False)


class PressReleaseAdmin(RelatedRecordsMixin, SlugFixedOnceSavedMixin, HistoryAdmin):
    slug_prepopulated_from = ("title",)
    list_display = ["title", "published_on", "place", "language", "issuer_links"]
    list_filter = ["language", ("issuers", admin.RelatedOnlyFieldListFilter), "published_on"]
    search_fields = ["title", "kicker", "subtitle", "place", "text", "issuers__name", "issuers__acronym"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "title"]
    list_per_page = 50
    autocomplete_fields = ["issuers", "agreements"]
    # PressContact.__str__ cannot name the person, so autocomplete results would all read "Press contact".
    filter_horizontal = ["press_contacts"]
    readonly_fields = ["records_taken_from_it", "created_at"]
    fieldsets = [
        (None, {"fields": ["kicker", "title", "subtitle", "slug"]}),
        (_("Publication"), {"fields": ["published_on", "place", "language", "issuers"]}),
        (_("Full text"), {"fields": ["text"]}),
        (_("Announces and lists"), {"fields": ["agreements", "press_contacts"]}),
        (_("Records taken from it"), {"fields": ["records_taken_from_it"]}),
        (_("Created"), {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
    inlines = [QuoteInline]
    change_list_template = "admin/agreements/pressrelease/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("issuers")

    def get_urls(self):
        return [
            path("ingest/", self.admin_site.admin_view(self.ingest_view), name="agreements_pressrelease_ingest"),
            *super().get_urls(),
        ]

    def has_ingest_permission(self, request) -> bool:
        return request.user.has_perms(INGEST_PERMISSIONS)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_ingest_permission": self.has_ingest_permission(request)}
        return super().changelist_view(request, extra_context)

    def ingest_view(self, request):
        """Paste a release or upload its file (read into text here, within ``agreements.documents``' bounds); a
        worker reads it (``agreements.tasks``), and its review — new, matching, conflicting — shows here (``?job=``)
        for confirmation; a worker then stores it. Reading it against every record takes seconds at a million
        people: never within the request."""
        if not self.has_ingest_permission(request):
            raise PermissionDenied
        form = ReleaseTextForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            confirmation = ReviewConfirmationForm(request.POST)
            confirmed = confirmation.cleaned_data["confirmed"] if confirmation.is_valid() else []
            job = start_ingestion(
                form.cleaned_data["text"], request.user, store="confirm" in request.POST, confirmed=confirmed
            )
            return see_other(job.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ingest a press release"),
            "opts": self.opts,
            "form": form,
        }
        reviewed = self._reviewed(request)
        if reviewed is not None:
            context.update(
                preview=mark_safe(reviewed.result.get("preview", "")),  # noqa: S308  (our template, rendered by the worker)
                can_save=reviewed.result.get("can_save", False),
                text=reviewed.params["text"],
            )
        return TemplateResponse(request, "admin/agreements/pressrelease/ingest.html", context)

    def _reviewed(self, request):
        """The caller's finished review of a release named by ``?job=``, if there is one."""
        number = request.GET.get("job", "")
        if not number.isdigit():
            return None
        return Job.objects.filter(
            pk=int(number),
            owner=request.user,
            status=Job.Status.DONE,
            task_path=review_release_text.module_path,
        ).first()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "press_contacts":
            kwargs["queryset"] = PressContact.objects.select_related("person", "organisation").order_by(
                "person__family_name", "person__given_name", "organisation__name"
            )
            kwargs["form_class"] = PressContactChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("issuing organisations"))
    def issuer_links(self, press_release):
        return admin_links((organisation, organisation.name) for organisation in press_release.issuers.all())

    @admin.display(description=_("records taken from it"))
    def records_taken_from_it(self, press_release):
        provenances = press_release.provenances.select_related("content_type").prefetch_related(records_prefetch())
        records_by_kind = defaultdict(list)
        for provenance in provenances:
            if provenance.record is not None:
                records_by_kind[provenance.content_type].append(provenance.record)
        if not records_by_kind:
            return self.get_empty_value_display()
        kinds = sorted(records_by_kind, key=lambda content_type: str(content_type.model_class()._meta.verbose_name))
        return format_html(
            '<dl class="records-taken">{}</dl>',
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                (
                    (
                        f"{content_type.model_class()._meta.verbose_name_plural.capitalize()}"
                        f" ({len(records_by_kind[content_type])})",
                        admin_link_list((record, record_label(record)) for record in records_by_kind[content_type]),
                    )
                    for content_type in kinds
                ),
            ),
        )


class QuoteAdmin(
    RecordSubtitleMixin, PressReleaseColumnMixin, PersonColumnMixin, OrganisationColumnMixin, HistoryAdmin
):
    list_display = ["__str__", "person_link", "organisation_link", "press_release_link"]
    list_filter = [("press_release", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["press_release", "person", "organisation"]
    search_fields = ["text", "title_at_time", "person__family_name", "person__given_name", "press_release__title"]
    autocomplete_fields = ["press_release", "person", "organisation"]
    ordering = ["-press_release__published_on", "pk"]
    list_per_page = 50
    fields = ["press_release", "person", "organisation", "title_at_time", "text"]
    inlines = [SourceInline]

    def record_subtitle(self, quote):
        return f"{quote.person.full_name} — {quote.press_release.title}"


class TrackedContentTypeFilter(admin.RelatedOnlyFieldListFilter):
    """Kinds of record, named by the model's plural."""

    def field_choices(self, field, request, model_admin):
        return sorted(
            (
                (content_type.pk, str(content_type.model_class()._meta.verbose_name_plural).capitalize())
                for content_type in ContentType.objects.filter(
                    pk__in=model_admin.get_queryset(request).values("content_type")
                )
                if content_type.model_class() is not None
            ),
            key=lambda choice: choice[1],
        )


class ProvenanceAdmin(RecordSubtitleMixin, PressReleaseColumnMixin, HistoryAdmin):
    list_display = ["record_kind", "record_link", "press_release_link", "published_on"]
    list_display_links = ["record_kind"]
    list_filter = [("content_type", TrackedContentTypeFilter), ("press_release", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["press_release", "content_type"]
    search_fields = ["press_release__title"]
    autocomplete_fields = ["press_release"]
    ordering = ["-press_release__published_on", "content_type__model", "object_id"]
    list_per_page = 100
    fields = ["press_release", "content_type", "object_id", "record_link"]
    readonly_fields = ["record_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(records_prefetch())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(model).pk for model in tracked_models()]
            ).order_by("app_label", "model")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def record_subtitle(self, provenance):
        if provenance.record is None:
            return str(provenance)
        return f"{record_label(provenance.record)} — {provenance.press_release.title}"

    @admin.display(description=_("kind of record"), ordering="content_type__model")
    def record_kind(self, provenance):
        model = provenance.content_type.model_class()
        return str(model._meta.verbose_name).capitalize() if model else str(provenance.content_type)

    @admin.display(description=_("record"))
    def record_link(self, provenance):
        if provenance.record is None:
            return None
        return admin_link(provenance.record, record_label(provenance.record))

    @admin.display(description=_("date"), ordering="press_release__published_on")
    def published_on(self, provenance):
        return provenance.press_release.published_on


class OrganisationAgreementLinks:
    """What agreements adds to the organisation form (composed in backoffice.admin): links to its agreements and
    to the press releases it issued."""

    links = ["agreement_links", "issued_press_release_links"]
    section = (_("Agreements and press releases"), {"fields": links})

    @admin.display(description=_("agreements"))
    def agreement_links(self, organisation):
        parties = organisation.agreement_parties.select_related("agreement").order_by("-agreement__signed_on")
        return self.related_links(
            (party.agreement, f"{party.agreement.title} ({party.get_role_display()})") for party in parties
        )

    @admin.display(description=_("press releases issued"))
    def issued_press_release_links(self, organisation):
        return self.related_links(
            (press_release, f"{date_format(press_release.published_on, 'SHORT_DATE_FORMAT')} — {press_release.title}")
            for press_release in organisation.press_releases.order_by("-published_on")
        )


class PersonAgreementLinks:
    """What agreements adds to the person form (composed in backoffice.admin): links to the agreements they signed
    and to the quotes attributed to them."""

    links = ["signature_links", "quote_links"]
    section = (_("Agreements and press releases"), {"fields": links})

    @admin.display(description=_("agreements signed"))
    def signature_links(self, person):
        signatures = person.signatures.select_related("agreement").order_by("-agreement__signed_on")
        return self.related_links((signature.agreement, signature.agreement.title) for signature in signatures)

    @admin.display(description=_("quotes"))
    def quote_links(self, person):
        quotes = person.quotes.select_related("press_release").order_by("-press_release__published_on")
        return self.related_links((quote, f"{quote.press_release.title} — “{quote}”") for quote in quotes)
