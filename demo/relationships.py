"""The demo's relationship with its people: interactions (calls, emails, meetings… about three per person, over the
three years before the demo's creation date), follow-ups (some done, the others overdue by the demo's date), the
consents of the people whose lawful basis is consent, and the members of staff who logged them.

Written as ``demo.generation`` writes the people: on PostgreSQL, rows in COPY's text format into temporary files,
then one COPY per table; elsewhere ``bulk_create`` in batches. No signal is sent and no history row is written: the
last contacts are computed once at the end (``interactions.last_contacts.rebuild_last_contacts``).
"""

import datetime
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models

from contacts.models import Consent
from interactions.last_contacts import rebuild_last_contacts
from interactions.models import (
    FollowUp,
    FollowUpPerson,
    Interaction,
    InteractionOrganisation,
    InteractionPerson,
)

INTERACTION_FIELDS = (
    "id", "version", "kind", "direction", "occurred_at", "subject", "text", "logged_by_id", "agreement_id",
    "press_release_id", "event_edition_id", "membership_id", "message_id", "created_at", "updated_at",
)  # fmt: skip
INTERACTION_PERSON_FIELDS = ("id", "interaction_id", "person_id")
INTERACTION_ORGANISATION_FIELDS = ("id", "interaction_id", "organisation_id")
FOLLOW_UP_FIELDS = (
    "id", "version", "title", "notes", "due_on", "assigned_to_id", "interaction_id", "created_by_id", "done_at",
    "done_by_id", "created_at", "updated_at",
)  # fmt: skip
FOLLOW_UP_PERSON_FIELDS = ("id", "follow_up_id", "person_id")
CONSENT_FIELDS = ("id", "version", "person_id", "given", "method", "at", "recorded_by_id", "note", "created_at")
# In the order they are written (each link after the row it points at).
TABLES = (
    (Interaction, INTERACTION_FIELDS),
    (InteractionPerson, INTERACTION_PERSON_FIELDS),
    (InteractionOrganisation, INTERACTION_ORGANISATION_FIELDS),
    (FollowUp, FOLLOW_UP_FIELDS),
    (FollowUpPerson, FOLLOW_UP_PERSON_FIELDS),
    (Consent, CONSENT_FIELDS),
)
FILLED_MODELS = tuple(model for model, _fields in TABLES)

# The members of staff who log them: usernames, given and family names. They cannot log in (no password).
STAFF = (
    ("demo-claire", "Claire", "Martin"),
    ("demo-julien", "Julien", "Lefèvre"),
    ("demo-ainhoa", "Ainhoa", "Etxeberria"),
    ("demo-marta", "Marta", "García"),
    ("demo-thomas", "Thomas", "Bernard"),
    ("demo-sophie", "Sophie", "Durand"),
)

MAX_INTERACTIONS_PER_PERSON = 6  # drawn evenly from 0 to 6: three on average
DAYS_BACK = 3 * 365
FOLLOW_UP_SHARE = 0.25
ORGANISATION_SHARE = 0.4
KINDS = (("call", 35), ("email", 30), ("meeting", 15), ("note", 10), ("letter", 5), ("event", 5))
DIRECTED = {"call", "email", "letter"}

# fmt: off
SUBJECTS = {
    "fr": (
        "Renouvellement de l'adhésion", "Invitation aux Rencontres de la filière", "Point sur le projet collaboratif",
        "Demande d'information sur les formations", "Compte rendu du comité de pilotage", "Appel à projets régional",
        "Cotisation annuelle", "Préparation de l'assemblée générale", "Mise en relation avec un industriel",
        "Relecture du communiqué de presse", "Candidature au salon", "Suivi de la convention",
    ),
    "es": (
        "Renovación de la cuota de socio", "Invitación a las Jornadas del sector", "Seguimiento del proyecto",
        "Solicitud de información sobre formación", "Acta del comité de dirección", "Convocatoria de ayudas",
        "Preparación de la asamblea general", "Contacto con una empresa", "Revisión de la nota de prensa",
        "Seguimiento del convenio",
    ),
}
TEXTS = {
    "fr": (
        "Échange cordial : la personne rappellera après en avoir parlé à sa direction.",
        "Intéressée par le prochain atelier ; lui envoyer le programme.",
        "Questions sur le montant de la cotisation, réponse faite par courriel.",
        "Rendez-vous pris pour présenter les services du pôle.",
        "Souhaite être mise en relation avec un laboratoire partenaire.",
        "Pas disponible cette semaine, relancer dans quinze jours.",
        "",
    ),
    "es": (
        "Conversación cordial: volverá a llamar tras hablar con su dirección.",
        "Interesada en el próximo taller; enviarle el programa.",
        "Dudas sobre la cuota, respondidas por correo.",
        "Reunión fijada para presentar los servicios del clúster.",
        "",
    ),
}
FOLLOW_UP_TITLES = {
    "fr": (
        "Rappeler au sujet du renouvellement", "Envoyer le programme de l'atelier", "Relancer pour la cotisation",
        "Envoyer la convention signée", "Proposer une date de rendez-vous", "Transmettre le compte rendu",
    ),
    "es": (
        "Llamar sobre la renovación", "Enviar el programa del taller", "Reclamar la cuota",
        "Enviar el convenio firmado", "Proponer una fecha de reunión",
    ),
}
CONSENT_NOTES = ("Formulaire d'inscription à la lettre d'information", "Bulletin d'adhésion signé", "")
# fmt: on


def check_copy_safe() -> None:
    texts = [
        *(text for pool in (*SUBJECTS.values(), *TEXTS.values(), *FOLLOW_UP_TITLES.values()) for text in pool),
        *CONSENT_NOTES,
    ]
    unsafe = [text for text in texts if any(char in text for char in "\\\t\n\r")]
    if unsafe:
        raise ValueError(f"Demo texts must not hold backslashes, tabs or newlines: {unsafe}")


check_copy_safe()


@dataclass
class PeopleSeen:
    """What the relationships need of each person generated, kept compact for a million of them: their
    organisation (its record number and language) and whether their lawful basis is consent, by person number."""

    first_id: int
    organisations: array  # the primary organisation of person first_id + index
    flags: bytearray  # CONSENT | DO_NOT_CONTACT

    CONSENT = 1
    DO_NOT_CONTACT = 2

    @classmethod
    def empty(cls, first_id: int) -> "PeopleSeen":
        return cls(first_id=first_id, organisations=array("q"), flags=bytearray())

    def add(self, person: tuple, positions: list[tuple]) -> None:
        # The person's row: (id, slug, given, family, notes, do_not_contact, lawful_basis, …); their primary position
        # comes first: (id, person_id, organisation_id, …).
        self.organisations.append(positions[0][2])
        self.flags.append((self.CONSENT if person[6] == "consent" else 0) | (self.DO_NOT_CONTACT if person[5] else 0))

    def watch(self, rows):
        """``rows`` (each person's row, positions and contact points) as they go by, noting each person."""
        for person, positions, points in rows:
            self.add(person, positions)
            yield person, positions, points


def _copy_text(row: tuple) -> str:
    return "\t".join(["\\N" if value is None else str(value) for value in row]) + "\n"


class _Writer:
    """Rows of several tables: into temporary files, then COPY, on PostgreSQL; ``bulk_create`` in batches
    elsewhere (the tables' foreign keys are checked when the transaction commits, whatever the order)."""

    def __init__(self, postgres: bool):
        self.postgres = postgres
        self.counts = {model: 0 for model in FILLED_MODELS}
        self.files = (
            {model: tempfile.TemporaryFile("w+", encoding="utf-8") for model in FILLED_MODELS} if postgres else {}
        )
        self.pending: dict = {model: [] for model in FILLED_MODELS}
        self.names = dict(TABLES)

    def add(self, model, row: tuple) -> None:
        self.counts[model] += 1
        if self.postgres:
            self.files[model].write(_copy_text(row))
            return
        pending = self.pending[model]
        pending.append(model(**dict(zip(self.names[model], row, strict=True))))
        if len(pending) >= 2_000:
            self.flush(model)

    def flush(self, model) -> None:
        model.objects.bulk_create(self.pending[model], batch_size=2_000)
        self.pending[model] = []

    def finish(self, progress: Callable[[str], None], started: float) -> None:
        for model, names in TABLES:
            if not self.postgres:
                self.flush(model)
                continue
            stream = self.files[model]
            stream.seek(0)
            quote = connection.ops.quote_name
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
            ):
                while block := stream.read(1 << 20):
                    copy.write(block)
            stream.close()
            copied = f"{self.counts[model]:,}".replace(",", " ")
            progress(f"{copied} rows of {model._meta.db_table} copied ({time.monotonic() - started:.1f} s)")


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(highest=models.Max("pk"))["highest"] or 0) + 1


def demo_staff() -> list[int]:
    """The demo's members of staff (editors who cannot log in), created if need be: their record numbers."""
    users = []
    editors = Group.objects.filter(name="Éditeur").first()
    for username, given, family in STAFF:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": given, "last_name": family, "is_staff": True, "email": f"{username}@example.org"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            if editors is not None:
                user.groups.add(editors)
        users.append(user.pk)
    return users


def _weighted(rng: Random, shares) -> str:
    pick = rng.random() * sum(share for _value, share in shares)
    for value, share in shares:
        pick -= share
        if pick < 0:
            return value
    return shares[-1][0]


def create_relationships(
    rng: Random,
    seen: PeopleSeen,
    languages: dict[int, str],
    created: datetime.datetime,
    counts,
    progress: Callable[[str], None],
) -> None:
    """Interactions, follow-ups and consents for the people ``seen``, dated before ``created``; then every last
    contact computed once."""
    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    staff = demo_staff()
    writer = _Writer(postgres)
    ids = {model: _next_id(model) for model in FILLED_MODELS}

    def new_id(model) -> int:
        value = ids[model]
        ids[model] += 1
        return value

    today = created.date()
    random, randrange, choice = rng.random, rng.randrange, rng.choice
    kinds = [kind for kind, share in KINDS for _ in range(share)]
    people = len(seen.organisations)
    for index in range(people):
        person_id = seen.first_id + index
        organisation_id = seen.organisations[index]
        language = languages.get(organisation_id, "fr")
        last_interaction = None
        for _ in range(randrange(MAX_INTERACTIONS_PER_PERSON + 1)):
            kind = choice(kinds)
            interaction_id = new_id(Interaction)
            occurred = created - datetime.timedelta(seconds=randrange(DAYS_BACK * 86_400))
            writer.add(
                Interaction,
                (
                    interaction_id, 1, kind, choice(("in", "out")) if kind in DIRECTED else "", occurred,
                    choice(SUBJECTS[language]), choice(TEXTS[language]), choice(staff), None, None, None, None, "",
                    created, created,
                ),
            )  # fmt: skip
            writer.add(InteractionPerson, (new_id(InteractionPerson), interaction_id, person_id))
            # A meeting now and then with a colleague of the same organisation (the next person generated).
            if kind == "meeting" and index + 1 < people and seen.organisations[index + 1] == organisation_id:
                if random() < 0.3:
                    writer.add(InteractionPerson, (new_id(InteractionPerson), interaction_id, person_id + 1))
            if random() < ORGANISATION_SHARE:
                writer.add(InteractionOrganisation, (new_id(InteractionOrganisation), interaction_id, organisation_id))
            last_interaction = interaction_id
        if random() < FOLLOW_UP_SHARE:
            follow_up_id = new_id(FollowUp)
            assigned = choice(staff)
            due_on = today + datetime.timedelta(days=randrange(-90, 45))
            done = due_on < today and random() < 0.5
            done_at = datetime.datetime.combine(due_on, datetime.time(10), tzinfo=datetime.UTC) if done else None
            writer.add(
                FollowUp,
                (
                    follow_up_id, 1, choice(FOLLOW_UP_TITLES[language]), "", due_on, assigned,
                    last_interaction if random() < 0.5 else None, assigned, done_at, assigned if done else None,
                    created, created,
                ),
            )  # fmt: skip
            writer.add(FollowUpPerson, (new_id(FollowUpPerson), follow_up_id, person_id))
        flags = seen.flags[index]
        if flags & PeopleSeen.CONSENT:
            given_at = created - datetime.timedelta(days=30 + randrange(DAYS_BACK))
            method = choice(("form", "form", "email", "event", "in_person"))
            note = choice(CONSENT_NOTES)
            writer.add(Consent, (new_id(Consent), 1, person_id, True, method, given_at, choice(staff), note, created))
            if flags & PeopleSeen.DO_NOT_CONTACT:
                withdrawn_at = given_at + datetime.timedelta(days=1 + randrange(25))
                writer.add(
                    Consent, (new_id(Consent), 1, person_id, False, "email", withdrawn_at, choice(staff), "", created)
                )
        if (index + 1) % 100_000 == 0:
            progress(f"Relationships of {index + 1:,} people ({time.monotonic() - started:.1f} s)".replace(",", " "))
    writer.finish(progress, started)
    if not postgres:  # bulk_create stamps auto_now fields with the clock: put the demo's date back
        for model in (Interaction, FollowUp):
            model._base_manager.filter(pk__gte=ids[model] - writer.counts[model]).update(
                created_at=created, updated_at=created
            )
        Consent._base_manager.filter(pk__gte=ids[Consent] - writer.counts[Consent]).update(created_at=created)
    rebuild_last_contacts()
    counts.staff_users = len(staff)
    counts.interactions = writer.counts[Interaction]
    counts.interaction_links = writer.counts[InteractionPerson] + writer.counts[InteractionOrganisation]
    counts.follow_ups = writer.counts[FollowUp]
    counts.consents = writer.counts[Consent]
    progress(f"Last contacts rebuilt ({time.monotonic() - started:.1f} s)")
