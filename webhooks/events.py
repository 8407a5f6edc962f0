"""What an event says: the records that send them, and the JSON each delivery posts.

``created`` and ``changed`` carry the record as the API represents it (its serializer, so that a payload matches
the schema); ``deleted`` only the record's identifiers; ``person.erased`` only the record number. Every event
names the record by ``record_id``, its record number, which no rename or erasure changes. A person's payload never
carries contact points (``contact_points`` is null, as in a list read without the export permission): an endpoint
is no user, and a receiver that needs them reads the person through the API with a token that may.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from agreements.api import AgreementSerializer
from agreements.models import Agreement
from clusters.api import MembershipSerializer, OrganisationSerializer
from clusters.models import Membership, Organisation
from contacts.api import PersonSerializer
from contacts.models import ANONYMISED_SLUG_PREFIX, Person


class PersonPayloadSerializer(PersonSerializer):
    def shows_contact_details(self, person) -> bool:
        return False


@dataclass(frozen=True)
class Source:
    """A model whose records send events: their name in the event types, how the API reads and shows one."""

    kind: str
    serializer: type
    identifiers: tuple[str, ...]  # what a deletion says of the record besides its number
    queryset: object

    def representation(self, pk) -> dict | None:
        record = self.queryset().filter(pk=pk).first()
        if record is None:
            return None
        # No request: the records' "url" is the API's path (/api/people/<slug>/), relative to the CRM's address.
        return dict(self.serializer(record, context={"request": None}).data)


SOURCES = {
    Person: Source(
        "person",
        PersonPayloadSerializer,
        ("slug",),
        lambda: Person.objects.directory().prefetch_related("tags").exclude(slug__startswith=ANONYMISED_SLUG_PREFIX),
    ),
    Organisation: Source(
        "organisation",
        OrganisationSerializer,
        ("slug",),
        lambda: Organisation.objects.prefetch_related("sectors", "other_names"),
    ),
    Membership: Source(
        "membership",
        MembershipSerializer,
        (),
        lambda: Membership.objects.select_related("cluster", "member", "membership_type").with_status(),
    ),
    Agreement: Source("agreement", AgreementSerializer, ("slug",), lambda: Agreement.objects.for_page()),
}


def envelope(event_type: str, record_id: int, data: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "created": timezone.now().isoformat(),
        "record_id": record_id,
        "data": data,
    }


def record_payload(model, action: str, pk: int) -> dict | None:
    """The payload of ``<kind>.created`` or ``<kind>.changed`` for record ``pk``, read now (once the transaction
    committed): None if the record is gone since (its deletion sends its own event) or was erased (the erasure
    does)."""
    source = SOURCES[model]
    with translation.override(settings.LANGUAGE_CODE):
        data = source.representation(pk)
    if data is None:
        return None
    return envelope(f"{source.kind}.{action}", pk, data)


def deletion_payload(model, instance) -> dict:
    source = SOURCES[model]
    data = {"id": instance.pk} | {name: getattr(instance, name) for name in source.identifiers}
    return envelope(f"{source.kind}.deleted", instance.pk, data)


def erasure_payload(person_id: int) -> dict:
    """Nothing personal: the record number and the time, no name, slug, address, number or note."""
    return envelope("person.erased", person_id, {"id": person_id})
