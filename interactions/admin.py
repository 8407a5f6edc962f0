"""Back office for interactions and follow-ups: the people and organisations involved picked row by row, each
record changed by its author or by an editor, follow-ups marked done in bulk.

The last contacts (``PersonLastContact``, ``OrganisationLastContact``) are computed from the interactions: they
have no admin of their own."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import HistoryAdmin, admin_link, admin_links
from core.admin_widgets import LoadedChoicesInline
from core.pages import CappedPaginator

from .admin_emails import EmailImportAdminMixin
from .models import (
    FollowUpOrganisation,
    FollowUpPerson,
    Interaction,
    InteractionOrganisation,
    InteractionPerson,
)
from .services import complete_follow_up, reopen_follow_up


def _permission(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class AuthorOrEditorAdmin:
    """A record its author may change as well as an editor (``may_be_changed_by``): a member of staff who may only
    add them changes their own, and reads no one else's."""

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request) or self.has_add_permission(request)
        return obj.may_be_changed_by(request.user)

    def get_queryset(self, request):
        records = super().get_queryset(request)
        user = request.user
        if user.has_perm(_permission(self.model, "view")) or user.has_perm(_permission(self.model, "change")):
            return records
        return records.filter(self.authored_by(user))

    def authored_by(self, user) -> Q:
        raise NotImplementedError


class InvolvedInline(LoadedChoicesInline, admin.TabularInline):
    """A person or an organisation involved, picked in an autocomplete box. The rows are part of their record:
    whoever may change the record adds and removes them (no permission of their own)."""

    extra = 0

    def _may_edit(self, request, obj):
        if obj is None:
            return request.user.has_perm(_permission(self.parent_model, "add"))
        return obj.may_be_changed_by(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(_permission(self.parent_model, "view")) or self._may_edit(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


class InteractionPersonInline(InvolvedInline):
    model = InteractionPerson
    fields = ["person"]
    autocomplete_fields = ["person"]


class InteractionOrganisationInline(InvolvedInline):
    model = InteractionOrganisation
    fields = ["organisation"]
    autocomplete_fields = ["organisation"]


class InvolvedColumnsMixin:
    """The people and organisations of each row, linked (prefetched by the admin's queryset)."""

    @admin.display(description=_("people"))
    def people_links(self, obj):
        return admin_links((person, person.full_name) for person in obj.people.all())

    @admin.display(description=_("organisations"))
    def organisation_links(self, obj):
        return admin_links((organisation, organisation.name) for organisation in obj.organisations.all())


class InteractionAdmin(EmailImportAdminMixin, AuthorOrEditorAdmin, InvolvedColumnsMixin, HistoryAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "direction",
        "subject",
        "people_links",
        "organisation_links",
        "logged_by",
    ]
    list_display_links = ["occurred_at", "subject"]
    list_filter = ["kind", "direction", "occurred_at"]
    list_select_related = ["logged_by"]
    search_fields = ["subject", "text"]
    ordering = ["-occurred_at", "-pk"]
    list_per_page = 50
    # Interactions are many: no COUNT of the whole table on every page load (core.pages.CappedPaginator).
    show_full_result_count = False
    paginator = CappedPaginator
    autocomplete_fields = ["agreement", "press_release", "event_edition", "membership"]
    readonly_fields = ["logged_by", "message_id", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "direction", "occurred_at", "subject", "text"]}),
        (_("What it was about"), {"fields": ["agreement", "press_release", "event_edition", "membership"]}),
        (
            _("Logged, created and updated"),
            {"fields": ["logged_by", "message_id", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]
    inlines = [InteractionPersonInline, InteractionOrganisationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("people", "organisations")

    def authored_by(self, user):
        return Q(logged_by=user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.logged_by = request.user
        super().save_model(request, obj, form, change)


class FollowUpPersonInline(InvolvedInline):
    model = FollowUpPerson
    fields = ["person"]
    autocomplete_fields = ["person"]


class FollowUpOrganisationInline(InvolvedInline):
    model = FollowUpOrganisation
    fields = ["organisation"]
    autocomplete_fields = ["organisation"]


class FollowUpStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("To do")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


class FollowUpAdmin(AuthorOrEditorAdmin, InvolvedColumnsMixin, HistoryAdmin):
    list_display = [
        "title",
        "due_on",
        "assigned_to",
        "is_done",
        "people_links",
        "organisation_links",
        "interaction_link",
    ]
    list_filter = [FollowUpStateFilter, "due_on", ("assigned_to", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["assigned_to", "interaction"]
    search_fields = ["title", "notes"]
    # Those still to do first, the most overdue first; then those done. Nulls first on every database: SQLite and
    # PostgreSQL disagree on where NULL sorts by default.
    ordering = [F("done_at").desc(nulls_first=True), "due_on", "pk"]
    list_per_page = 50
    # Staff are few: the person it is assigned to is chosen from a list (an autocomplete box of users would need
    # the permission to view user accounts, which editors do not have).
    autocomplete_fields = ["interaction"]
    readonly_fields = ["done_at", "done_by", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "due_on", "assigned_to", "notes", "interaction"]}),
        (_("Done"), {"fields": ["done_at", "done_by"]}),
        (_("Created and updated"), {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [FollowUpPersonInline, FollowUpOrganisationInline]
    actions = ["mark_done", "mark_to_do"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("people", "organisations")

    def authored_by(self, user):
        return Q(assigned_to=user) | Q(created_by=user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"assigned_to": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("done"), boolean=True, ordering="done_at")
    def is_done(self, follow_up):
        return follow_up.is_done

    @admin.display(description=_("interaction"))
    def interaction_link(self, follow_up):
        return admin_link(follow_up.interaction)

    def _change_each(self, request, queryset, change) -> int:
        changed = refused = 0
        for follow_up in queryset:
            if not follow_up.may_be_changed_by(request.user):
                refused += 1
                continue
            change(follow_up=follow_up, user=request.user)
            changed += 1
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d follow-up was left as it was: only its author, the person it is assigned to or an "
                    "editor may change it.",
                    "%(count)d follow-ups were left as they were: only their author, the person they are assigned "
                    "to or an editor may change them.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )
        return changed

    @admin.action(description=_("Mark as done"), permissions=["change"])
    def mark_done(self, request, queryset):
        done = self._change_each(request, queryset.filter(done_at__isnull=True), complete_follow_up)
        self.message_user(
            request,
            ngettext("%(count)d follow-up marked as done.", "%(count)d follow-ups marked as done.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as still to do"), permissions=["change"])
    def mark_to_do(self, request, queryset):
        reopened = self._change_each(request, queryset.filter(done_at__isnull=False), reopen_follow_up)
        self.message_user(
            request,
            ngettext(
                "%(count)d follow-up marked as still to do.", "%(count)d follow-ups marked as still to do.", reopened
            )
            % {"count": reopened},
            messages.SUCCESS,
        )


# The latest interactions shown on a person's or an organisation's form; the timeline of their page has them all.
LATEST_INTERACTIONS = 10


def interaction_label(interaction) -> str:
    """ "02/12/2026 — Call — Renewal of the membership": its date, its kind and its subject, if any."""
    parts = [
        date_format(timezone.localtime(interaction.occurred_at), "SHORT_DATE_FORMAT"),
        interaction.get_kind_display(),
    ]
    return " — ".join(str(part) for part in [*parts, interaction.subject] if part)


class LatestInteractionLinks:
    """What interactions adds to the person and organisation forms (composed in backoffice.admin, with
    ``RelatedRecordsMixin``): links to their latest interactions, read only."""

    links = ["latest_interaction_links"]
    section = (_("Interactions"), {"fields": links})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.has_perm(_permission(Interaction, "view")):
            return fieldsets
        # Named by the class: ``self.links`` may be another mixin's.
        ours = LatestInteractionLinks.links
        return [(name, options) for name, options in fieldsets if list(options["fields"]) != ours]

    @admin.display(description=_("latest interactions"))
    def latest_interaction_links(self, obj):
        interactions = obj.interactions.order_by("-occurred_at", "-pk")[:LATEST_INTERACTIONS]
        return self.related_links((interaction, interaction_label(interaction)) for interaction in interactions)
