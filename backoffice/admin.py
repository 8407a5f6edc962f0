"""The back office: every model's admin, composed from what each app provides and registered here, once.

An app's ``admin.py`` defines its ModelAdmins, and the pieces it adds to a lower app's forms: a section of links
(``OrganisationPeopleLinks``), the *Sources* inline of the records taken from a press release. They are put
together here, so that which class serves each model is written in one place, whatever the order of the apps.
"""

from django.contrib import admin

from agreements import admin as agreements
from agreements.models import Agreement, AgreementParty, PressRelease, Provenance, Quote, Signatory, Topic
from clusters import admin as clusters
from clusters.models import (
    Due,
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
from contacts import admin as contacts
from contacts.models import (
    ContactList,
    ContactListEntry,
    ContactPoint,
    Erasure,
    ExportLog,
    Person,
    Position,
    PressContact,
    Tag,
)
from events import admin as events
from events.models import Event, EventEdition
from jobs import admin as jobs
from jobs.models import ImportMapping, Job, Schedule
from webhooks import admin as webhooks
from webhooks.models import Delivery, Endpoint

Sources = agreements.SourceInline


# clusters


@admin.register(Organisation)
class OrganisationAdmin(
    contacts.OrganisationPeopleLinks, agreements.OrganisationAgreementLinks, clusters.OrganisationAdmin
):
    readonly_fields = [
        *clusters.OrganisationAdmin.readonly_fields,
        *contacts.OrganisationPeopleLinks.links,
        *agreements.OrganisationAgreementLinks.links,
    ]
    fieldsets = [
        *clusters.OrganisationAdmin.fieldsets[:-1],
        contacts.OrganisationPeopleLinks.section,
        agreements.OrganisationAgreementLinks.section,
        clusters.OrganisationAdmin.fieldsets[-1],  # the collapsed "Created and updated" section stays last
    ]
    inlines = [*clusters.OrganisationAdmin.inlines, Sources]


@admin.register(Sector)
class SectorAdmin(clusters.SectorAdmin):
    inlines = [*clusters.SectorAdmin.inlines, Sources]


@admin.register(OrganisationName)
class OrganisationNameAdmin(clusters.OrganisationNameAdmin):
    inlines = [*clusters.OrganisationNameAdmin.inlines, Sources]


@admin.register(Site)
class SiteAdmin(clusters.SiteAdmin):
    inlines = [*clusters.SiteAdmin.inlines, Sources]


@admin.register(Territory)
class TerritoryAdmin(clusters.TerritoryAdmin):
    inlines = [*clusters.TerritoryAdmin.inlines, Sources]


@admin.register(KeyFigure)
class KeyFigureAdmin(clusters.KeyFigureAdmin):
    inlines = [*clusters.KeyFigureAdmin.inlines, Sources]


@admin.register(MembershipType)
class MembershipTypeAdmin(clusters.MembershipTypeAdmin):
    inlines = [*clusters.MembershipTypeAdmin.inlines, Sources]


@admin.register(Membership)
class MembershipAdmin(clusters.MembershipAdmin):
    inlines = [*clusters.MembershipAdmin.inlines, Sources]


@admin.register(Due)
class DueAdmin(clusters.DueAdmin):
    inlines = [*clusters.DueAdmin.inlines, Sources]


@admin.register(OrganisationRelation)
class OrganisationRelationAdmin(clusters.OrganisationRelationAdmin):
    inlines = [*clusters.OrganisationRelationAdmin.inlines, Sources]


# contacts


@admin.register(Person)
class PersonAdmin(agreements.PersonAgreementLinks, contacts.PersonAdmin):
    readonly_fields = [*contacts.PersonAdmin.readonly_fields, *agreements.PersonAgreementLinks.links]
    fieldsets = [
        *contacts.PersonAdmin.fieldsets[:-1],
        agreements.PersonAgreementLinks.section,
        contacts.PersonAdmin.fieldsets[-1],  # the collapsed "Created and updated" section stays last
    ]
    inlines = [*contacts.PersonAdmin.inlines, Sources]


@admin.register(Position)
class PositionAdmin(contacts.PositionAdmin):
    inlines = [*contacts.PositionAdmin.inlines, Sources]


@admin.register(ContactPoint)
class ContactPointAdmin(contacts.ContactPointAdmin):
    inlines = [*contacts.ContactPointAdmin.inlines, Sources]


@admin.register(PressContact)
class PressContactAdmin(contacts.PressContactAdmin):
    inlines = [*contacts.PressContactAdmin.inlines, Sources]


# Made by staff, never taken from a press release: no sources.
admin.site.register(Tag, contacts.TagAdmin)
admin.site.register(ContactList, contacts.ContactListAdmin)
admin.site.register(ContactListEntry, contacts.ContactListEntryAdmin)
# Records of what happened, read only.
admin.site.register(ExportLog, contacts.ExportLogAdmin)
admin.site.register(Erasure, contacts.ErasureAdmin)


# events


@admin.register(Event)
class EventAdmin(events.EventAdmin):
    inlines = [*events.EventAdmin.inlines, Sources]


@admin.register(EventEdition)
class EventEditionAdmin(events.EventEditionAdmin):
    inlines = [*events.EventEditionAdmin.inlines, Sources]


# agreements (their admins list their own sources)

admin.site.register(Topic, agreements.TopicAdmin)
admin.site.register(Agreement, agreements.AgreementAdmin)
admin.site.register(AgreementParty, agreements.AgreementPartyAdmin)
admin.site.register(Signatory, agreements.SignatoryAdmin)
admin.site.register(PressRelease, agreements.PressReleaseAdmin)
admin.site.register(Quote, agreements.QuoteAdmin)
admin.site.register(Provenance, agreements.ProvenanceAdmin)

admin.site.register(Job, jobs.JobAdmin)
admin.site.register(Schedule, jobs.ScheduleAdmin)
admin.site.register(ImportMapping, jobs.ImportMappingAdmin)

# webhooks

admin.site.register(Endpoint, webhooks.EndpointAdmin)
admin.site.register(Delivery, webhooks.DeliveryAdmin)
