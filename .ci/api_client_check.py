"""What an integrator does with a client generated from the API's schema (openapi-python-client), against a live
server: search people, page through them by cursor, create a person with a position and contact points, change
them with If-Match (and get the 412 of a stale version), delete them.

Run by .ci/api-client, with the generated package ``crm_client`` on the path:
    api_client_check.py BASE_URL   (the token in API_CLIENT_TOKEN)
Exits non-zero at the first answer that is not the one the contract promises.
"""

import os
import sys
import time
import uuid
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

from crm_client import AuthenticatedClient
from crm_client.api.contact_points import contact_points_create
from crm_client.api.people import (
    people_create,
    people_destroy,
    people_list,
    people_partial_update,
    people_retrieve,
)
from crm_client.api.positions import positions_create
from crm_client.models import (
    ContactPoint,
    ContactPointRequest,
    Error,
    MediumEnum,
    PaginatedPersonList,
    PatchedPersonRequest,
    Person,
    PersonRequest,
    Position,
    PositionRequest,
)


def expect(response, status: HTTPStatus, parsed_type, what: str):
    if response.status_code != status or not isinstance(response.parsed, parsed_type):
        sys.exit(
            f"FAIL {what}: {int(response.status_code)} {type(response.parsed).__name__}, expected {int(status)} "
            f"{parsed_type.__name__}: {response.content[:300]!r}"
        )
    print(f"ok   {what}: {int(response.status_code)} {parsed_type.__name__}")
    return response.parsed


def cursor_of(next_url) -> str | None:
    if not isinstance(next_url, str):
        return None
    return parse_qs(urlparse(next_url).query)["cursor"][0]


def main(base_url: str, token: str) -> None:
    started = time.monotonic()
    client = AuthenticatedClient(base_url=base_url, token=token, prefix="Token", headers={"Accept-Language": "en"})

    found = expect(people_list.sync_detailed(client=client, q="ivanes"), HTTPStatus.OK, PaginatedPersonList, "search")
    if [person.slug for person in found.results] != ["philippe-ivanes"]:
        sys.exit(f"FAIL search: {[person.slug for person in found.results]}")

    everyone = expect(
        people_list.sync_detailed(client=client, page_size=200), HTTPStatus.OK, PaginatedPersonList, "one page"
    )
    seen, cursor, pages = [], None, 0
    while True:
        page = people_list.sync_detailed(client=client, page_size=3, cursor=cursor or people_list.UNSET)
        page = expect(page, HTTPStatus.OK, PaginatedPersonList, f"page {pages + 1} by cursor")
        seen += [person.slug for person in page.results]
        pages += 1
        cursor = cursor_of(page.next_)
        if cursor is None:
            break
    if seen != [person.slug for person in everyone.results] or len(set(seen)) != len(seen):
        sys.exit(f"FAIL paging: {len(seen)} people over {pages} pages, {len(everyone.results)} on one page")
    print(f"ok   paging: {len(seen)} people over {pages} pages of 3, none twice, none missed")

    slug = f"ada-lovelace-{uuid.uuid4().hex[:8]}"
    created = people_create.sync_detailed(
        client=client, body=PersonRequest(slug=slug, given_name="Ada", family_name="Lovelace")
    )
    expect(created, HTTPStatus.CREATED, Person, f"person created, ETag {created.headers['ETag']}")
    expect(
        positions_create.sync_detailed(
            client=client,
            body=PositionRequest(person=slug, organisation="polepharma", title="Analyste", is_primary=True),
        ),
        HTTPStatus.CREATED,
        Position,
        "position created",
    )
    for point in (
        ContactPointRequest(person=slug, medium=MediumEnum.EMAIL, email=f"{slug}@example.org", is_primary=True),
        ContactPointRequest(person=slug, medium=MediumEnum.PHONE, phone="+33 6 12 34 56 78", email=None),
    ):
        expect(
            contact_points_create.sync_detailed(client=client, body=point),
            HTTPStatus.CREATED,
            ContactPoint,
            f"{point.medium.value} contact point created",
        )
    person = expect(people_retrieve.sync_detailed(client=client, slug=slug), HTTPStatus.OK, Person, "person read")
    if [position.title for position in person.current_positions] != ["Analyste"] or len(person.contact_points) != 2:
        sys.exit(f"FAIL person read: {person.to_dict()}")
    etag = people_retrieve.sync_detailed(client=client, slug=slug).headers["ETag"]

    changed = people_partial_update.sync_detailed(
        client=client, slug=slug, body=PatchedPersonRequest(notes="Changed from a generated client."), if_match=etag
    )
    expect(changed, HTTPStatus.OK, Person, "change with a current If-Match")
    stale = people_partial_update.sync_detailed(
        client=client, slug=slug, body=PatchedPersonRequest(notes="From a stale version."), if_match=etag
    )
    refused = expect(stale, HTTPStatus.PRECONDITION_FAILED, Error, "change with a stale If-Match")
    print(f"     412 detail: {refused.detail}")
    expect(
        people_destroy.sync_detailed(client=client, slug=slug, if_match=etag),
        HTTPStatus.PRECONDITION_FAILED,
        Error,
        "deletion with a stale If-Match",
    )
    deleted = people_destroy.sync_detailed(client=client, slug=slug, if_match=changed.headers["ETag"])
    if deleted.status_code != HTTPStatus.NO_CONTENT:
        sys.exit(f"FAIL deletion: {int(deleted.status_code)} {deleted.content[:300]!r}")
    print("ok   deletion with the current If-Match: 204")
    expect(people_retrieve.sync_detailed(client=client, slug=slug), HTTPStatus.NOT_FOUND, Error, "deleted person")
    print(f"The generated client kept the contract in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main(sys.argv[1], os.environ["API_CLIENT_TOKEN"])
