"""Back office for events, their editions and invitations (registered by backoffice.admin)."""

from django.contrib import admin

from core.admin import HistoryAdmin, VersionedFormMixin
from core.admin_widgets import LoadedChoicesInline

from .models import EventEdition, Invitation


class EditionInline(VersionedFormMixin, admin.TabularInline):
    model = EventEdition
    fields = ["starts_on", "ends_on", "place", "venue"]
    extra = 0
    show_change_link = True


class EventAdmin(HistoryAdmin):
    list_display = ["name", "acronym", "organised_since"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisers"]
    fields = ["name", "acronym", "slug", "organisers", "organised_since", "description"]
    inlines = [EditionInline]


class InvitationInline(LoadedChoicesInline, VersionedFormMixin, admin.TabularInline):
    model = Invitation
    fields = ["person", "answer", "attended"]
    autocomplete_fields = ["person"]
    extra = 0
    classes = ["collapse"]  # a <details>, closed until opened (or shown open with errors)


class EventEditionAdmin(HistoryAdmin):
    list_display = ["event", "starts_on", "place"]
    list_filter = ["event"]
    list_select_related = ["event"]
    search_fields = ["event__name", "event__acronym", "place"]
    autocomplete_fields = ["event", "co_organisers"]
    date_hierarchy = "starts_on"
    fields = ["event", "starts_on", "ends_on", "place", "venue", "co_organisers"]
    inlines = [InvitationInline]
