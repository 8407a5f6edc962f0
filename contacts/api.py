"""The contacts app in the REST API: people, positions, contact points, press-contact roles, contact lists."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from clusters.api import organisation_field
from core.api import (
    ChangeModelPermissions,
    DescribedSerializer,
    ModelRulesSerializer,
    SlugRelation,
    SortableCursorPagination,
)
from core.api_views import RecordViewSet

from .exports import FILE_FORMATS, export_people, log_export, query_source, search_file_stem
from .filters import (
    ContactListFilterSet,
    ContactPointFilterSet,
    PersonExportFilterSet,
    PersonFilterSet,
    PositionFilterSet,
    PressContactFilterSet,
)
from .models import ContactList, ContactPoint, ExportLog, Person, Position, PressContact, Tag
from .privacy import may_list_contact_details, may_see_contact_details
from .services import add_to_contact_list, remove_from_contact_list


class PersonCursorPagination(SortableCursorPagination):
    """People are many: paged by cursor, by name (the default) or by last change."""

    ordering = ("family_name", "given_name", "id")
    orderings = {
        "name": ("family_name", "given_name", "id"),
        "-name": ("-family_name", "-given_name", "-id"),
        "updated": ("updated_at", "id"),
        "-updated": ("-updated_at", "-id"),
    }


def person_field(**kwargs):
    """People are named by their slug, in and out."""
    return SlugRelation(slug_field="slug", queryset=Person.objects.all(), **kwargs)


class CurrentPositionSerializer(DescribedSerializer):
    organisation = SlugRelation(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, help_text=_("Name of the organisation.")
    )

    class Meta:
        model = Position
        fields = ["id", "title", "organisation", "organisation_name", "started_on", "is_primary"]


class NestedContactPointSerializer(DescribedSerializer):
    phone = PhoneNumberField(read_only=True)

    class Meta:
        model = ContactPoint
        fields = ["id", "medium", "kind", "email", "phone", "is_primary", "label"]


class PersonSerializer(ModelRulesSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail", lookup_field="slug")
    tags = SlugRelation(slug_field="slug", queryset=Tag.objects.all(), many=True, required=False)
    current_positions = CurrentPositionSerializer(
        many=True, read_only=True, help_text=_("The positions the person holds today.")
    )
    contact_points = NestedContactPointSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text=_(
            "The person's email addresses and phone numbers; null when withheld. Lists show them only to users who "
            "may export contacts, and never for people who asked not to be contacted; a person's own record shows "
            "them to everyone who may view people, but those of a person who asked not to be contacted only to "
            "users who may change people."
        ),
    )

    class Meta:
        model = Person
        fields = [
            "url",
            "slug",
            "given_name",
            "family_name",
            "notes",
            "tags",
            "do_not_contact",
            "lawful_basis",
            "data_source",
            "source_detail",
            "current_positions",
            "contact_points",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        # A person just created or changed was not read through directory(), which prefetches these.
        if not hasattr(instance, "current_positions"):
            instance.current_positions = list(
                Position.objects.current().filter(person=instance).select_related("organisation")
            )
        data = super().to_representation(instance)
        if not self.shows_contact_details(instance):
            data["contact_points"] = None
        return data

    def shows_contact_details(self, person) -> bool:
        user = self.context["request"].user
        view = self.context.get("view")
        if view is not None and not view.detail:
            return may_list_contact_details(user) and not person.do_not_contact
        return may_see_contact_details(user, person)


@extend_schema(
    description=_(
        "People, with their current positions and contact points. ``q`` searches as the directory does.\n\n"
        "A list carries emails and phone numbers only for users who may export contacts, and is then "
        "logged as an export; a person's own record carries them (docs/privacy.md, ``contacts.privacy``)."
    )
)
class PersonViewSet(RecordViewSet):
    # get_queryset() reads the directory (current positions as of today); this one names the model, for the
    # router, the permissions and the schema.
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    pagination_class = PersonCursorPagination
    lookup_field = "slug"

    def get_queryset(self):
        return Person.objects.directory().prefetch_related("tags")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if may_list_contact_details(request.user) and response.status_code == 200:
            shown = [row for row in response.data.get("results", []) if row.get("contact_points") is not None]
            if shown:
                log_export(
                    user=request.user,
                    export_format=ExportLog.Format.JSON,
                    origin=ExportLog.Origin.API,
                    filters={key: value[:200] for key, value in request.query_params.items()},
                    row_count=len(shown),
                )
        return response

    @extend_schema(
        description=_(
            "The people of this search as CSV, XLSX or vCard (``format``); needs contacts.export_contacts. "
            "People who asked not to be contacted are always left out; the X-Left-Out-Do-Not-Contact header "
            "says how many."
        ),
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "text/vcard"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            303: OpenApiResponse(
                description=_(
                    "More people than an export answers at once: a worker writes the file. Location is the job "
                    "(/api/jobs/{id}/): poll it until its status is done, then download its download_url."
                )
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        if not request.user.has_perm("contacts.export_contacts"):
            raise PermissionDenied
        export_format = request.query_params.get("format", "")
        if export_format not in FILE_FORMATS:
            raise ValidationError({"format": _("Choose one of: %(formats)s.") % {"formats": ", ".join(FILE_FORMATS)}})
        filterset = PersonExportFilterSet(request.query_params, queryset=Person.objects.directory())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        filters = {key: value[:200] for key, value in request.query_params.items() if key in filterset.filters}
        return export_people(
            people=filterset.qs,
            export_format=export_format,
            user=request.user,
            origin=ExportLog.Origin.API,
            filters=filters,
            source=query_source(filterset),
            file_stem=search_file_stem(filterset),
        )


class PositionSerializer(ModelRulesSerializer):
    person = person_field()
    organisation = organisation_field()

    class Meta:
        model = Position
        fields = ["id", "person", "organisation", "title", "started_on", "ended_on", "is_primary"]


@extend_schema(description=_("A title a person holds at an organisation, over a period of time."))
class PositionViewSet(RecordViewSet):
    queryset = Position.objects.select_related("person", "organisation").order_by("pk")
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet


class ContactPointSerializer(ModelRulesSerializer):
    person = person_field()
    phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = ContactPoint
        fields = ["id", "person", "medium", "kind", "email", "phone", "is_primary", "label"]


@extend_schema(
    description=_(
        "Email addresses and phone numbers.\n\n"
        "The list is an export: it needs the permission to export contacts, leaves out the people who "
        "asked not to be contacted, and is logged. One contact point of such a person is reachable only "
        "by users who may change people."
    )
)
class ContactPointViewSet(RecordViewSet):
    queryset = ContactPoint.objects.select_related("person").order_by("pk")
    serializer_class = ContactPointSerializer
    filterset_class = ContactPointFilterSet

    def get_queryset(self):
        points = super().get_queryset()
        user = self.request.user
        if not self.detail:
            return points.filter(person__do_not_contact=False)
        if not user.has_perm("contacts.change_person"):
            return points.filter(person__do_not_contact=False)
        return points

    def list(self, request, *args, **kwargs):
        if not may_list_contact_details(request.user):
            raise PermissionDenied(_("Listing email addresses and phone numbers needs the permission to export them."))
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            log_export(
                user=request.user,
                export_format=ExportLog.Format.JSON,
                origin=ExportLog.Origin.API,
                filters={"contact_points": "list", **{key: value[:200] for key, value in request.query_params.items()}},
                row_count=len(response.data.get("results", [])),
            )
        return response


class PressContactSerializer(ModelRulesSerializer):
    person = person_field()
    organisation = organisation_field()

    class Meta:
        model = PressContact
        fields = ["id", "person", "organisation", "started_on", "ended_on", "notes"]


@extend_schema(description=_("People acting as press contact for an organisation."))
class PressContactViewSet(RecordViewSet):
    queryset = PressContact.objects.select_related("person", "organisation").order_by("pk")
    serializer_class = PressContactSerializer
    filterset_class = PressContactFilterSet


class ContactListSerializer(ModelRulesSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:contactlist-detail", lookup_field="slug")
    owner = SlugRelation(slug_field="username", read_only=True)
    people = person_field(many=True, required=False)

    class Meta:
        model = ContactList
        fields = ["url", "slug", "name", "description", "owner", "people", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ContactListPeopleSerializer(serializers.Serializer):
    people = person_field(many=True, help_text=_("The slugs of the people to add or take off."))


@extend_schema(
    description=_(
        "Named, reusable sets of people.\n\n"
        "``people`` in a PUT or PATCH replaces the whole list (send If-Match: a list changed meanwhile "
        "answers 412); ``add-people`` and ``remove-people`` change only the people they name, so that "
        "several clients adding people at the same moment all see their additions kept."
    )
)
class ContactListViewSet(RecordViewSet):
    queryset = ContactList.objects.all()  # the model's name; get_queryset() reads the lists
    serializer_class = ContactListSerializer
    filterset_class = ContactListFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return ContactList.objects.select_related("owner").prefetch_related("people").order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def _change_people(self, request, change):
        contact_list = self.get_object()
        payload = ContactListPeopleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        slugs = [person.slug for person in payload.validated_data["people"]]
        with transaction.atomic():
            self.lock(contact_list)
            change(contact_list=contact_list, people=Person.objects.filter(slug__in=slugs))
        self.record = self.get_object()
        return Response(self.get_serializer(self.record).data)

    @extend_schema(
        description=_("Add people to the list; those already on it stay as they are."),
        request=ContactListPeopleSerializer,
        responses=ContactListSerializer,
    )
    @action(detail=True, methods=["post"], url_path="add-people", permission_classes=[ChangeModelPermissions])
    def add_people(self, request, slug=None):
        return self._change_people(request, add_to_contact_list)

    @extend_schema(
        description=_("Take people off the list."), request=ContactListPeopleSerializer, responses=ContactListSerializer
    )
    @action(detail=True, methods=["post"], url_path="remove-people", permission_classes=[ChangeModelPermissions])
    def remove_people(self, request, slug=None):
        return self._change_people(request, remove_from_contact_list)
