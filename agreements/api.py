"""The agreements app in the REST API: agreements with their parties and signatories, press releases."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from clusters.api import organisation_field
from contacts.api import person_field
from core.api import DescribedSerializer, ModelRulesSerializer, SlugRelation
from core.api_views import RecordViewSet

from .filters import AgreementFilterSet, AgreementPartyFilterSet, PressReleaseFilterSet, SignatoryFilterSet
from .models import Agreement, AgreementParty, PressRelease, Quote, Signatory, Topic


class AgreementPartySerializer(DescribedSerializer):
    organisation = SlugRelation(slug_field="slug", read_only=True)

    class Meta:
        model = AgreementParty
        fields = ["organisation", "role", "name_as_written"]


class SignatorySerializer(DescribedSerializer):
    person = SlugRelation(slug_field="slug", read_only=True)
    organisation = SlugRelation(slug_field="slug", read_only=True)

    class Meta:
        model = Signatory
        fields = ["person", "organisation", "title_at_signing"]


class AgreementSerializer(ModelRulesSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:agreement-detail", lookup_field="slug")
    host = organisation_field(required=False, allow_null=True)
    topics = SlugRelation(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    parties = AgreementPartySerializer(
        many=True, read_only=True, help_text=_("The organisations party to the agreement, with their role.")
    )
    signatories = SignatorySerializer(
        many=True, read_only=True, help_text=_("Who signed, for which party, with which title.")
    )
    press_releases = SlugRelation(
        slug_field="slug", many=True, read_only=True, help_text=_("Slugs of the press releases announcing it.")
    )

    class Meta:
        model = Agreement
        fields = [
            "url",
            "slug",
            "title",
            "kind",
            "status",
            "signed_on",
            "ends_on",
            "place",
            "venue",
            "host",
            "topics",
            "summary",
            "parties",
            "signatories",
            "press_releases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema(
    description=_(
        "Agreements between organisations, with their parties and signatories (edited through their own endpoints)."
    )
)
class AgreementViewSet(RecordViewSet):
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return Agreement.objects.for_page().order_by("-signed_on", "pk")


class AgreementPartyWriteSerializer(ModelRulesSerializer):
    agreement = SlugRelation(slug_field="slug", queryset=Agreement.objects.all())
    organisation = organisation_field()

    class Meta:
        model = AgreementParty
        fields = ["id", "agreement", "organisation", "role", "name_as_written"]


@extend_schema(description=_("The organisations party to an agreement."))
class AgreementPartyViewSet(RecordViewSet):
    queryset = AgreementParty.objects.select_related("agreement", "organisation").order_by("pk")
    serializer_class = AgreementPartyWriteSerializer
    filterset_class = AgreementPartyFilterSet


class SignatoryWriteSerializer(ModelRulesSerializer):
    agreement = SlugRelation(slug_field="slug", queryset=Agreement.objects.all())
    person = person_field()
    organisation = organisation_field()

    class Meta:
        model = Signatory
        fields = ["id", "agreement", "person", "organisation", "title_at_signing"]


@extend_schema(description=_("Who signed an agreement, for which party, with which title."))
class SignatoryViewSet(RecordViewSet):
    queryset = Signatory.objects.select_related("agreement", "person", "organisation").order_by("pk")
    serializer_class = SignatoryWriteSerializer
    filterset_class = SignatoryFilterSet


class QuoteSerializer(DescribedSerializer):
    person = SlugRelation(slug_field="slug", read_only=True)
    organisation = SlugRelation(slug_field="slug", read_only=True)

    class Meta:
        model = Quote
        fields = ["person", "organisation", "title_at_time", "text"]


class PressReleaseSerializer(ModelRulesSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:pressrelease-detail", lookup_field="slug")
    issuers = organisation_field(many=True, required=False)
    agreements = SlugRelation(slug_field="slug", queryset=Agreement.objects.all(), many=True, required=False)
    quotes = QuoteSerializer(many=True, read_only=True, help_text=_("The words the release quotes, and whose."))

    class Meta:
        model = PressRelease
        fields = [
            "url",
            "slug",
            "title",
            "kicker",
            "subtitle",
            "published_on",
            "place",
            "language",
            "issuers",
            "agreements",
            "quotes",
            "text",
            "created_at",
        ]
        read_only_fields = ["created_at"]


@extend_schema(description=_("Press releases, kept verbatim as the source of the facts taken from them."))
class PressReleaseViewSet(RecordViewSet):
    serializer_class = PressReleaseSerializer
    filterset_class = PressReleaseFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return PressRelease.objects.prefetch_related(
            "issuers", "agreements", "quotes__person", "quotes__organisation"
        ).order_by("-published_on", "pk")
