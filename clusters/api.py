"""The clusters app in the REST API: organisations, memberships, relations, sites, key figures."""

from django.utils.translation import gettext_lazy as _
from django_countries import serializer_fields
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from core.api import ModelRulesSerializer, SlugRelation
from core.api_views import RecordViewSet

from .filters import (
    KeyFigureFilterSet,
    MembershipFilterSet,
    OrganisationFilterSet,
    OrganisationRelationFilterSet,
    SiteFilterSet,
)
from .models import KeyFigure, Membership, MembershipType, Organisation, OrganisationRelation, Sector, Site


class CountryField(serializer_fields.CountryField):
    """django-countries' field, which also refuses digits other than 0–9: it reads "²" as a numeric country code
    and fails on int("²") (an error 500)."""

    def to_internal_value(self, data):
        code = data.get("code") if isinstance(data, dict) else data
        if isinstance(code, str) and code.isdigit() and not code.isascii():
            self.fail("invalid_choice", input=code)
        return super().to_internal_value(data)


def organisation_field(**kwargs):
    """Organisations are named by their slug, in and out: "polepharma", not 8."""
    return SlugRelation(slug_field="slug", queryset=Organisation.objects.all(), **kwargs)


class OrganisationSerializer(ModelRulesSerializer):
    country = CountryField(
        required=False,
        allow_blank=True,
        help_text=_("Country of the head office: its ISO 3166-1 code, for example FR."),
    )
    sectors = SlugRelation(
        slug_field="slug",
        queryset=Sector.objects.all(),
        many=True,
        required=False,
        help_text=_("Slugs of the sectors the organisation works in."),
    )
    other_names = SlugRelation(
        slug_field="name", many=True, read_only=True, help_text=_("Former names and other spellings.")
    )
    url = serializers.HyperlinkedIdentityField(view_name="api:organisation-detail", lookup_field="slug")

    class Meta:
        model = Organisation
        fields = [
            "url",
            "slug",
            "name",
            "acronym",
            "kind",
            "legal_form",
            "country",
            "region",
            "city",
            "website",
            "founded_on",
            "description",
            "sectors",
            "other_names",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema(description=_("Organisations: clusters, federations, companies, public bodies, research and education."))
class OrganisationViewSet(RecordViewSet):
    queryset = Organisation.objects.prefetch_related("sectors", "other_names").order_by("name", "pk")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    lookup_field = "slug"


class MembershipSerializer(ModelRulesSerializer):
    cluster = organisation_field(help_text=_("Slug of the cluster or federation."))
    member = organisation_field(help_text=_("Slug of the member organisation."))
    # Membership type slugs are unique within a cluster only: types are named by id.
    membership_type = serializers.PrimaryKeyRelatedField(
        queryset=MembershipType.objects.all(), required=False, allow_null=True
    )

    status = serializers.ChoiceField(
        choices=Membership.Status.choices,
        read_only=True,
        help_text=_("Status today, computed from the period's dates, its dues and its cancellation."),
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "cluster",
            "member",
            "membership_type",
            "status",
            "started_on",
            "ended_on",
            "cancelled_on",
            "notes",
        ]


@extend_schema(description=_("An organisation's membership of a cluster or federation, over a period of time."))
class MembershipViewSet(RecordViewSet):
    queryset = Membership.objects.select_related("cluster", "member", "membership_type").with_status().order_by("pk")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet


class OrganisationRelationSerializer(ModelRulesSerializer):
    source = organisation_field()
    target = organisation_field()

    class Meta:
        model = OrganisationRelation
        fields = ["id", "source", "kind", "target", "started_on", "started_on_precision", "ended_on", "description"]


@extend_schema(description=_("Relations between organisations over time: network or branch, partnership, subsidiary."))
class OrganisationRelationViewSet(RecordViewSet):
    queryset = OrganisationRelation.objects.select_related("source", "target").order_by("pk")
    serializer_class = OrganisationRelationSerializer
    filterset_class = OrganisationRelationFilterSet


class SiteSerializer(ModelRulesSerializer):
    organisation = organisation_field()
    country = CountryField(
        required=False, allow_blank=True, help_text=_("Country of the site: its ISO 3166-1 code, for example ES.")
    )

    class Meta:
        model = Site
        fields = ["id", "organisation", "name", "kind", "address", "city", "region", "country"]


@extend_schema(description=_("Places an organisation works from: head office, antennas, establishments."))
class SiteViewSet(RecordViewSet):
    queryset = Site.objects.select_related("organisation").order_by("pk")
    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet


class KeyFigureSerializer(ModelRulesSerializer):
    organisation = organisation_field()
    source_organisations = organisation_field(many=True, required=False)

    class Meta:
        model = KeyFigure
        fields = [
            "id",
            "organisation",
            "label",
            "scope",
            "value",
            "unit",
            "qualifier",
            "as_written",
            "year",
            "source",
            "source_organisations",
        ]


@extend_schema(description=_("Figures an organisation states about itself or its sector, with their year and source."))
class KeyFigureViewSet(RecordViewSet):
    queryset = KeyFigure.objects.select_related("organisation").prefetch_related("source_organisations").order_by("pk")
    serializer_class = KeyFigureSerializer
    filterset_class = KeyFigureFilterSet
