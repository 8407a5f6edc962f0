"""Events a cluster holds, their editions, and the people invited to each (who answered, who came)."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clusters.models import Organisation
from contacts.models import Person
from core.constraints import FieldCheckConstraint
from core.history import KeptHistory, VersionedModel


class Event(VersionedModel):
    """A meeting a cluster holds, once or edition after edition (the RNAEN meetings, for example)."""

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Short unique identifier used in addresses.")
    )
    name = models.CharField(_("name"), max_length=300, help_text=_("The event's name, in full."))
    acronym = models.CharField(
        _("acronym"), max_length=40, blank=True, help_text=_("Short name, if the event has one.")
    )
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisers"),
        related_name="events_organised",
        blank=True,
        help_text=_("The organisations that hold the event together."),
    )
    organised_since = models.PositiveSmallIntegerField(
        _("organised since"),
        null=True,
        blank=True,
        help_text=_("The year the organisers started holding it together, when known."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("What the event is about."))

    history = KeptHistory(table_name="contacts_historicalevent")

    class Meta:
        db_table = "contacts_event"  # from when events were part of contacts: the table stays where it was
        ordering = ["name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            FieldCheckConstraint(
                field="organised_since",
                condition=Q(organised_since__isnull=True) | Q(organised_since__gte=1800, organised_since__lte=2200),
                name="event_organised_since_plausible",
                violation_error_message=_("Enter a year between 1800 and 2200."),
            ),
        ]

    def __str__(self):
        return self.acronym or self.name

    def get_absolute_url(self):
        return reverse("events:event_detail", args=[self.slug])


class EventEdition(VersionedModel):
    """One edition of an event: when and where it is held, and whom it invites."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), related_name="editions", on_delete=models.CASCADE, help_text=_("The event.")
    )
    starts_on = models.DateField(_("date"), help_text=_("The day the edition opens."))
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("The last day, when the edition lasts several days.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("The town where it is held."))
    venue = models.CharField(_("venue"), max_length=300, blank=True, help_text=_("The premises, when known."))
    co_organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("co-organisers"),
        related_name="event_editions_organised",
        blank=True,
        help_text=_("Organisations holding this edition besides the event's organisers."),
    )
    invited = models.ManyToManyField(
        Person, verbose_name=_("invited"), related_name="invitations_received", through="Invitation", blank=True
    )

    history = KeptHistory(table_name="contacts_historicaleventedition")

    class Meta:
        db_table = "contacts_eventedition"
        ordering = ["-starts_on", "pk"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            FieldCheckConstraint(
                field="ends_on",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="event_edition_dates_in_order",
                violation_error_message=_("An edition cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["event", "starts_on"],
                name="event_edition_unique_per_day",
                violation_error_message=_("This event already has an edition on this day."),
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d}" + (f" — {self.place}" if self.place else "")

    def get_absolute_url(self):
        return reverse("events:edition_detail", args=[self.event.slug, self.pk])


class Invitation(VersionedModel):
    """A person invited to an edition, their answer, and whether they came."""

    class Answer(models.TextChoices):
        NONE = "none", _("No answer yet")
        YES = "yes", _("Coming")
        NO = "no", _("Not coming")

    edition = models.ForeignKey(
        EventEdition, verbose_name=_("edition"), related_name="invitations", on_delete=models.CASCADE
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), related_name="invitations", on_delete=models.CASCADE)
    answer = models.CharField(_("answer"), max_length=4, choices=Answer.choices, default=Answer.NONE)
    attended = models.BooleanField(
        _("attended"), null=True, blank=True, help_text=_("Empty until the edition is held.")
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    history = KeptHistory(table_name="contacts_historicalinvitation")

    class Meta:
        db_table = "contacts_invitation"
        ordering = ["edition_id", "person_id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "person"],
                name="invitation_unique",
                violation_error_message=_("This person is already invited to this edition."),
            ),
        ]

    def __str__(self):
        return str(self.get_answer_display())
