"""What staff did with people and organisations (interactions) and what they owe them (follow-ups), and the date
each person and organisation was last in touch, kept beside their records rather than in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, PressRelease
from clusters.models import Membership, Organisation
from contacts.models import Person
from core.constraints import FieldCheckConstraint
from core.history import KeptHistory, VersionedModel, VersionedQuerySet
from events.models import EventEdition


class InteractionQuerySet(VersionedQuerySet):
    def with_people(self):
        """With their people and organisations, for a list that names them."""
        return self.select_related("logged_by").prefetch_related("people", "organisations")

    def involving_person(self, person):
        return self.filter(people=person)

    def involving_organisation(self, organisation):
        return self.filter(organisations=organisation)


class Interaction(VersionedModel):
    """A call, a meeting, an email, a letter, an event attended or a note: something that happened between staff
    and people or organisations, on a date, logged by a member of staff."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        EVENT = "event", _("Event attendance")
        NOTE = "note", _("Note")

    class Direction(models.TextChoices):
        NONE = "", _("Not applicable")
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    # Kinds that go one way or the other: a note or an event attended has no direction.
    DIRECTED_KINDS = (Kind.CALL, Kind.EMAIL, Kind.LETTER)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    direction = models.CharField(
        _("direction"),
        max_length=3,
        choices=Direction.choices,
        blank=True,
        default=Direction.NONE,
        help_text=_("For a call, an email or a letter: whether it came to us or went from us."),
    )
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, help_text=_("When it happened."))
    subject = models.CharField(_("subject"), max_length=300, blank=True, help_text=_("What it was about, in a line."))
    text = models.TextField(_("text"), blank=True, help_text=_("What was said or written, what was agreed."))
    people = models.ManyToManyField(
        Person,
        verbose_name=_("people"),
        related_name="interactions",
        through="InteractionPerson",
        blank=True,
        help_text=_("The people it involved."),
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        related_name="interactions",
        through="InteractionOrganisation",
        blank=True,
        help_text=_("The organisations it involved."),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        related_name="interactions_logged",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The member of staff who logged it."),
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        related_name="interactions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The agreement it was about, if any."),
    )
    press_release = models.ForeignKey(
        PressRelease,
        verbose_name=_("press release"),
        related_name="interactions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The press release it was about, if any."),
    )
    event_edition = models.ForeignKey(
        EventEdition,
        verbose_name=_("event edition"),
        related_name="interactions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The event's edition it was about, if any."),
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        related_name="interactions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The membership it was about, if any."),
    )
    message_id = models.CharField(
        _("message identifier"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("The Message-ID of the email it was read from, so that the same email is not logged twice."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InteractionQuerySet.as_manager()
    history = KeptHistory()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="interaction_occurred_idx"),
            models.Index(fields=["logged_by", "-occurred_at"], name="interaction_logged_by_idx"),
        ]
        constraints = [
            FieldCheckConstraint(
                field="direction",
                condition=Q(direction="") | Q(kind__in=["call", "email", "letter"]),
                name="interaction_direction_only_when_directed",
                violation_error_message=_("Only a call, an email or a letter has a direction."),
            ),
            FieldCheckConstraint(
                field="direction",
                condition=Q(direction__in=["", "in", "out"]),
                name="interaction_direction_valid",
                violation_error_message=_("Choose a direction from the list."),
            ),
            FieldCheckConstraint(
                field="kind",
                condition=Q(kind__in=["call", "meeting", "email", "letter", "event", "note"]),
                name="interaction_kind_valid",
                violation_error_message=_("Choose a kind from the list."),
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="interaction_message_id_unique",
                violation_error_message=_("This email is already logged."),
            ),
        ]

    def __str__(self):
        return self.subject or str(self.get_kind_display())

    def get_absolute_url(self):
        return reverse("interactions:interaction_detail", args=[self.pk])

    def may_be_changed_by(self, user) -> bool:
        """Its author may change it (if they may log interactions at all), an editor may change any."""
        if user.has_perm("interactions.change_interaction"):
            return True
        return self.logged_by_id == user.pk and user.has_perm("interactions.add_interaction")


class InteractionPerson(models.Model):
    """A person an interaction involved."""

    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), related_name="person_links", on_delete=models.CASCADE
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), related_name="interaction_links", on_delete=models.CASCADE
    )

    class Meta:
        ordering = ["interaction_id", "person_id"]
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "person"],
                name="interaction_person_unique",
                violation_error_message=_("This person is already named in this interaction."),
            ),
        ]
        indexes = [models.Index(fields=["person", "interaction"], name="interaction_person_idx")]

    def __str__(self):
        return f"{self.interaction_id}–{self.person_id}"


class InteractionOrganisation(models.Model):
    """An organisation an interaction involved."""

    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), related_name="organisation_links", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="interaction_links", on_delete=models.CASCADE
    )

    class Meta:
        ordering = ["interaction_id", "organisation_id"]
        verbose_name = _("organisation involved")
        verbose_name_plural = _("organisations involved")
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "organisation"],
                name="interaction_organisation_unique",
                violation_error_message=_("This organisation is already named in this interaction."),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "interaction"], name="interaction_organisation_idx")]

    def __str__(self):
        return f"{self.interaction_id}–{self.organisation_id}"


class FollowUpQuerySet(VersionedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def for_list(self):
        """Open ones first, the most overdue first; then the done ones, the latest done first."""
        return (
            self.select_related("assigned_to", "interaction")
            .prefetch_related("people", "organisations")
            .order_by(F("done_at").desc(nulls_first=True), "due_on", "pk")
        )


class FollowUp(VersionedModel):
    """Something a member of staff has to do by a date about people or organisations ("call back in two weeks"),
    done or not."""

    title = models.CharField(
        _("what to do"), max_length=300, help_text=_("For example: “Call back about the renewal”.")
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Anything useful to do it."))
    due_on = models.DateField(_("due on"), help_text=_("The day it should be done by."))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        related_name="follow_ups",
        on_delete=models.SET_NULL,
        null=True,
        help_text=_("The member of staff who has to do it."),
    )
    people = models.ManyToManyField(
        Person,
        verbose_name=_("people"),
        related_name="follow_ups",
        through="FollowUpPerson",
        blank=True,
        help_text=_("The people it is about."),
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        related_name="follow_ups",
        through="FollowUpOrganisation",
        blank=True,
        help_text=_("The organisations it is about."),
    )
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("interaction"),
        related_name="follow_ups",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The interaction it came from, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="follow_ups_created",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, help_text=_("Empty while it is still to do."))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        related_name="follow_ups_done",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()
    history = KeptHistory()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(
                fields=["assigned_to", "due_on"], condition=Q(done_at__isnull=True), name="follow_up_open_idx"
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                field="done_by",
                condition=Q(done_by__isnull=True) | Q(done_at__isnull=False),
                name="follow_up_done_by_only_when_done",
                violation_error_message=_("A follow-up still to do has no one who did it."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("interactions:follow_up_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today=None) -> bool:
        return not self.is_done and self.due_on < (today or timezone.localdate())

    def may_be_changed_by(self, user) -> bool:
        if user.has_perm("interactions.change_followup"):
            return True
        return user.pk in (self.assigned_to_id, self.created_by_id) and user.has_perm("interactions.add_followup")


class FollowUpPerson(models.Model):
    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), related_name="person_links", on_delete=models.CASCADE
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), related_name="follow_up_links", on_delete=models.CASCADE
    )

    class Meta:
        ordering = ["follow_up_id", "person_id"]
        verbose_name = _("person concerned")
        verbose_name_plural = _("people concerned")
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "person"], name="follow_up_person_unique"),
        ]
        indexes = [models.Index(fields=["person", "follow_up"], name="follow_up_person_idx")]

    def __str__(self):
        return f"{self.follow_up_id}–{self.person_id}"


class FollowUpOrganisation(models.Model):
    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), related_name="organisation_links", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="follow_up_links", on_delete=models.CASCADE
    )

    class Meta:
        ordering = ["follow_up_id", "organisation_id"]
        verbose_name = _("organisation concerned")
        verbose_name_plural = _("organisations concerned")
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "organisation"], name="follow_up_organisation_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "follow_up"], name="follow_up_organisation_idx")]

    def __str__(self):
        return f"{self.follow_up_id}–{self.organisation_id}"


class PersonLastContact(models.Model):
    """When a person was last in touch: the date of their latest interaction. Kept beside the person, not in the
    person's record, so that logging a call raises no version and writes no history of the person."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), related_name="last_contact", on_delete=models.CASCADE, primary_key=True
    )
    occurred_at = models.DateTimeField(_("last contact"))

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("last contact of a person")
        verbose_name_plural = _("last contacts of people")
        indexes = [models.Index(fields=["occurred_at", "person"], name="person_last_contact_idx")]

    def __str__(self):
        return f"{self.person_id}: {self.occurred_at:%Y-%m-%d}"


class OrganisationLastContact(models.Model):
    """When an organisation was last in touch: the date of the latest interaction that names it."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        related_name="last_contact",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    occurred_at = models.DateTimeField(_("last contact"))

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("last contact of an organisation")
        verbose_name_plural = _("last contacts of organisations")
        indexes = [models.Index(fields=["occurred_at", "organisation"], name="organisation_last_contact_idx")]

    def __str__(self):
        return f"{self.organisation_id}: {self.occurred_at:%Y-%m-%d}"


class DigestSent(models.Model):
    """The day a member of staff was sent the digest of their follow-ups due: at most one digest a day, however
    many times the daily job runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="follow_up_digests",
        on_delete=models.CASCADE,
    )
    sent_on = models.DateField(_("sent on"), help_text=_("The day the digest was sent (local time)."))
    follow_up_count = models.PositiveIntegerField(
        _("follow-ups"), default=0, help_text=_("How many follow-ups the digest listed.")
    )

    class Meta:
        ordering = ["-sent_on", "user_id"]
        verbose_name = _("follow-up digest sent")
        verbose_name_plural = _("follow-up digests sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"],
                name="digest_sent_once_a_day",
                violation_error_message=_("This user was already sent the digest on that day."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.sent_on:%Y-%m-%d}"


class RetentionDecision(models.Model):
    """That staff reviewed a person the CRM had no recent reason to keep, and kept them: why, and when to look again.
    Until ``review_on`` the person leaves the retention review (``interactions.retention``); each decision is a row
    of its own, the latest one counts."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="retention_decisions",
        on_delete=models.CASCADE,
        help_text=_("The person kept."),
    )
    reason = models.CharField(
        _("reason"), max_length=300, help_text=_("Why the person is kept, for example: “Board member until 2028”.")
    )
    review_on = models.DateField(_("review on"), help_text=_("The day the person comes back to the review."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        related_name="retention_decisions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("retention decision")
        verbose_name_plural = _("retention decisions")
        indexes = [models.Index(fields=["person", "-review_on"], name="retention_person_review_idx")]
        constraints = [
            FieldCheckConstraint(
                field="reason",
                condition=~Q(reason=""),
                name="retention_reason_not_empty",
                violation_error_message=_("Say why the person is kept."),
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.review_on:%Y-%m-%d}"
