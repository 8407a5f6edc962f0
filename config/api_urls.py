"""The REST API at /api/: one router for the three apps, the OpenAPI schema and its documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agreements.api import AgreementPartyViewSet, AgreementViewSet, PressReleaseViewSet, SignatoryViewSet
from clusters.api import (
    KeyFigureViewSet,
    MembershipViewSet,
    OrganisationRelationViewSet,
    OrganisationViewSet,
    SiteViewSet,
)
from contacts.api import (
    ContactListViewSet,
    ContactPointViewSet,
    PersonViewSet,
    PositionViewSet,
    PressContactViewSet,
)
from core.api_views import SchemaView
from interactions.api import FollowUpViewSet, InteractionViewSet
from jobs.api import JobViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("relations", OrganisationRelationViewSet, basename="organisationrelation")
router.register("sites", SiteViewSet, basename="site")
router.register("key-figures", KeyFigureViewSet, basename="keyfigure")
router.register("people", PersonViewSet, basename="person")
router.register("positions", PositionViewSet, basename="position")
router.register("contact-points", ContactPointViewSet, basename="contactpoint")
router.register("press-contacts", PressContactViewSet, basename="presscontact")
router.register("contact-lists", ContactListViewSet, basename="contactlist")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-parties", AgreementPartyViewSet, basename="agreementparty")
router.register("signatories", SignatoryViewSet, basename="signatory")
router.register("press-releases", PressReleaseViewSet, basename="pressrelease")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("jobs", JobViewSet, basename="job")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the content security policy allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="core/swagger_ui.html"),
        name="docs",
    ),
]
