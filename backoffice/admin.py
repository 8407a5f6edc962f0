"""The back office: every model's admin, composed from what each app provides and registered here, once.

An app's ``admin.py`` defines its ModelAdmins, and the pieces it adds to a lower app's forms: a section of links
(``OrganisationPeopleLinks``), the *Sources* inline of the records taken from a press release. They are put
together here, so that which class serves each model is written in one place, whatever the order of the apps.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from knox.admin import AuthTokenAdmin
from knox.models import AuthToken

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
from interactions import admin as interactions
from interactions.models import FollowUp, Interaction
from jobs import admin as jobs
from jobs.models import ImportMapping, Job, Schedule
from webhooks import admin as webhooks
from webhooks.models import Delivery, Endpoint

from .titles import NaturalTitles

Sources = agreements.SourceInline


class ListedForSuperusers:
    """A technical model (failed logins, API tokens, the task queue's rows, where a field came from): listed in the
    index and the sidebar for superusers only, so that staff see the CRM's records and nothing else. Who holds its
    permissions still opens it by its address, and the records' own forms keep their inlines of it."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)


def register(model, model_admin=None, *, technical=False):
    """Register ``model`` with ``model_admin`` under the back office's titles (``NaturalTitles``), listed for
    superusers only if ``technical``; usable as a class decorator, like ``admin.register``."""

    def compose(model_admin):
        mixins = (NaturalTitles, ListedForSuperusers) if technical else (NaturalTitles,)
        composed = type(
            model_admin.__name__, (*mixins, model_admin), {"__module__": __name__, "__doc__": model_admin.__doc__}
        )
        admin.site.register(model, composed)
        return composed

    return compose if model_admin is None else compose(model_admin)


# clusters


@register(Organisation)
class OrganisationAdmin(
    contacts.OrganisationPeopleLinks,
    agreements.OrganisationAgreementLinks,
    interactions.LatestInteractionLinks,
    clusters.OrganisationAdmin,
):
    readonly_fields = [
        *clusters.OrganisationAdmin.readonly_fields,
        *contacts.OrganisationPeopleLinks.links,
        *agreements.OrganisationAgreementLinks.links,
        *interactions.LatestInteractionLinks.links,
    ]
    fieldsets = [
        *clusters.OrganisationAdmin.fieldsets[:-1],
        contacts.OrganisationPeopleLinks.section,
        agreements.OrganisationAgreementLinks.section,
        interactions.LatestInteractionLinks.section,
        clusters.OrganisationAdmin.fieldsets[-1],  # the collapsed "Created and updated" section stays last
    ]
    inlines = [*clusters.OrganisationAdmin.inlines, Sources]


@register(Sector)
class SectorAdmin(clusters.SectorAdmin):
    inlines = [*clusters.SectorAdmin.inlines, Sources]


@register(OrganisationName)
class OrganisationNameAdmin(clusters.OrganisationNameAdmin):
    inlines = [*clusters.OrganisationNameAdmin.inlines, Sources]


@register(Site)
class SiteAdmin(clusters.SiteAdmin):
    inlines = [*clusters.SiteAdmin.inlines, Sources]


@register(Territory)
class TerritoryAdmin(clusters.TerritoryAdmin):
    inlines = [*clusters.TerritoryAdmin.inlines, Sources]


@register(KeyFigure)
class KeyFigureAdmin(clusters.KeyFigureAdmin):
    inlines = [*clusters.KeyFigureAdmin.inlines, Sources]


@register(MembershipType)
class MembershipTypeAdmin(clusters.MembershipTypeAdmin):
    inlines = [*clusters.MembershipTypeAdmin.inlines, Sources]


@register(Membership)
class MembershipAdmin(clusters.MembershipAdmin):
    inlines = [*clusters.MembershipAdmin.inlines, Sources]


@register(Due)
class DueAdmin(clusters.DueAdmin):
    inlines = [*clusters.DueAdmin.inlines, Sources]


@register(OrganisationRelation)
class OrganisationRelationAdmin(clusters.OrganisationRelationAdmin):
    inlines = [*clusters.OrganisationRelationAdmin.inlines, Sources]


# contacts


@register(Person)
class PersonAdmin(agreements.PersonAgreementLinks, interactions.LatestInteractionLinks, contacts.PersonAdmin):
    readonly_fields = [
        *contacts.PersonAdmin.readonly_fields,
        *agreements.PersonAgreementLinks.links,
        *interactions.LatestInteractionLinks.links,
    ]
    fieldsets = [
        *contacts.PersonAdmin.fieldsets[:-1],
        agreements.PersonAgreementLinks.section,
        interactions.LatestInteractionLinks.section,
        contacts.PersonAdmin.fieldsets[-1],  # the collapsed "Created and updated" section stays last
    ]
    inlines = [*contacts.PersonAdmin.inlines, Sources]


@register(Position)
class PositionAdmin(contacts.PositionAdmin):
    inlines = [*contacts.PositionAdmin.inlines, Sources]


@register(ContactPoint)
class ContactPointAdmin(contacts.ContactPointAdmin):
    inlines = [*contacts.ContactPointAdmin.inlines, Sources]


@register(PressContact)
class PressContactAdmin(contacts.PressContactAdmin):
    inlines = [*contacts.PressContactAdmin.inlines, Sources]


# Made by staff, never taken from a press release: no sources.
register(Tag, contacts.TagAdmin)
register(ContactList, contacts.ContactListAdmin)
register(ContactListEntry, contacts.ContactListEntryAdmin)
# Records of what happened, read only.
register(ExportLog, contacts.ExportLogAdmin)
register(Erasure, contacts.ErasureAdmin)


# events


@register(Event)
class EventAdmin(events.EventAdmin):
    inlines = [*events.EventAdmin.inlines, Sources]


@register(EventEdition)
class EventEditionAdmin(events.EventEditionAdmin):
    inlines = [*events.EventEditionAdmin.inlines, Sources]


# agreements (their admins list their own sources)

register(Topic, agreements.TopicAdmin)
register(Agreement, agreements.AgreementAdmin)
register(AgreementParty, agreements.AgreementPartyAdmin)
register(Signatory, agreements.SignatoryAdmin)
register(PressRelease, agreements.PressReleaseAdmin)
register(Quote, agreements.QuoteAdmin)
register(Provenance, agreements.ProvenanceAdmin, technical=True)

# interactions (their last contacts are computed: no admin)

register(Interaction, interactions.InteractionAdmin)
register(FollowUp, interactions.FollowUpAdmin)

register(Job, jobs.JobAdmin)
register(Schedule, jobs.ScheduleAdmin)
register(ImportMapping, jobs.ImportMappingAdmin)

# webhooks

register(Endpoint, webhooks.EndpointAdmin)
register(Delivery, webhooks.DeliveryAdmin)

# Other libraries' technical models, registered by their own apps (listed before this one in INSTALLED_APPS):
# the same admins, listed for superusers only.

for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
    (AuthToken, AuthTokenAdmin),
    (DBTaskResult, DBTaskResultAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        register(model, model_admin, technical=True)
