"""Interactions and follow-ups in the REST API: logged through the same services as the pages, so that the last
contact of the people and organisations involved moves, and changed by their author or by an editor."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from agreements.models import Agreement, PressRelease
from clusters.api import organisation_field
from contacts.api import person_field
from core.api import ModelPermissions, ModelRulesSerializer, SlugRelation, SortableCursorPagination
from core.api_views import RecordViewSet

from .filters import InteractionFilterSet
from .follow_up_filters import FollowUpFilterSet
from .models import FollowUp, Interaction
from .services import complete_follow_up, create_follow_up, log_interaction

CHANGES = ("PUT", "PATCH")


class AuthorOrEditorPermissions(ModelPermissions):
    """The model's permissions, except for a change: an editor (the change permission) changes any record, a
    member of staff who may add them changes their own (the model's ``may_be_changed_by``)."""

    def has_permission(self, request, view):
        if request.method not in CHANGES:
            return super().has_permission(request, view)
        if not request.user or not request.user.is_authenticated:
            return False
        opts = self._queryset(view).model._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("change", "add")
        )

    def has_object_permission(self, request, view, obj):
        if request.method in CHANGES:
            return obj.may_be_changed_by(request.user)
        return super().has_object_permission(request, view, obj)


def staff_field(**kwargs):
    """A member of staff, named by their user name."""
    return SlugRelation(slug_field="username", **kwargs)


class InteractionCursorPagination(SortableCursorPagination):
    """Interactions are many: paged by cursor, the latest first (the default), or by subject."""

    ordering = ("-occurred_at", "-id")
    orderings = {
        "date": ("occurred_at", "id"),
        "-date": ("-occurred_at", "-id"),
        "subject": ("subject", "id"),
        "-subject": ("-subject", "-id"),
    }


class InteractionSerializer(ModelRulesSerializer):
    people = person_field(many=True, required=False, help_text=_("Slugs of the people it involved."))
    organisations = organisation_field(
        many=True, required=False, help_text=_("Slugs of the organisations it involved.")
    )
    logged_by = staff_field(
        read_only=True,
        allow_null=True,
        help_text=_("User name of the member of staff who logged it: whoever created it."),
    )
    agreement = SlugRelation(
        slug_field="slug",
        queryset=Agreement.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Slug of the agreement it was about, if any."),
    )
    press_release = SlugRelation(
        slug_field="slug",
        queryset=PressRelease.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Slug of the press release it was about, if any."),
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "kind",
            "direction",
            "occurred_at",
            "subject",
            "text",
            "people",
            "organisations",
            "logged_by",
            "agreement",
            "press_release",
            "event_edition",
            "membership",
            "message_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["message_id", "created_at", "updated_at"]
        extra_kwargs = {
            "kind": {
                "required": True,
                "help_text": _("What it was: a call, a meeting, an email, a letter, an event attended or a note."),
            },
            "event_edition": {"help_text": _("Identifier of the event's edition it was about, if any.")},
            "membership": {"help_text": _("Identifier of the membership it was about, if any.")},
        }

    def create(self, validated_data):
        return log_interaction(logged_by=self.context["request"].user, **validated_data)


@extend_schema(
    description=_(
        "Calls, meetings, emails, letters, events attended and notes: what staff did with people and "
        "organisations. Logging one moves the last contact of those it involved without changing their records "
        "(nor their version). Its author may change it, as may any user with the permission to change "
        "interactions."
    )
)
class InteractionViewSet(RecordViewSet):
    queryset = Interaction.objects.all()  # the model's name; get_queryset() reads them with what they show
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    pagination_class = InteractionCursorPagination
    permission_classes = [AuthorOrEditorPermissions]

    def get_queryset(self):
        return Interaction.objects.with_people().select_related("agreement", "press_release")


class FollowUpSerializer(ModelRulesSerializer):
    assigned_to = staff_field(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,  # when the account it was assigned to is deleted
        help_text=_("User name of the member of staff who has to do it; by default, whoever creates it."),
    )
    people = person_field(many=True, required=False, help_text=_("Slugs of the people it is about."))
    organisations = organisation_field(
        many=True, required=False, help_text=_("Slugs of the organisations it is about.")
    )
    done = serializers.BooleanField(
        source="is_done",
        required=False,
        help_text=_("Whether it is done. Sending true marks it done by whoever sends it; false marks it still to do."),
    )
    done_by = staff_field(read_only=True, allow_null=True, help_text=_("User name of the member of staff who did it."))
    created_by = staff_field(
        read_only=True, allow_null=True, help_text=_("User name of the member of staff who created it.")
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "title",
            "notes",
            "due_on",
            "assigned_to",
            "people",
            "organisations",
            "interaction",
            "done",
            "done_at",
            "done_by",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["done_at", "created_at", "updated_at"]
        extra_kwargs = {"interaction": {"help_text": _("Identifier of the interaction it came from, if any.")}}

    def validate(self, attrs):
        # "done" is said by done_at and done_by, set when saving; the model's rules know nothing of it.
        done = attrs.pop("is_done", None)
        if self.instance is None and "assigned_to" not in attrs:
            attrs["assigned_to"] = self.context["request"].user
        attrs = super().validate(attrs)
        if done is not None:
            attrs["is_done"] = done
        return attrs

    def create(self, validated_data):
        done = validated_data.pop("is_done", False)
        user = self.context["request"].user
        follow_up = create_follow_up(created_by=user, **validated_data)
        if done:
            complete_follow_up(follow_up=follow_up, user=user)
        return follow_up

    def update(self, instance, validated_data):
        done = validated_data.pop("is_done", None)
        if done and instance.done_at is None:
            validated_data.update(done_at=timezone.now(), done_by=self.context["request"].user)
        elif done is False:
            validated_data.update(done_at=None, done_by=None)
        return super().update(instance, validated_data)


@extend_schema(
    description=_(
        "What staff have to do by a date about people or organisations, done or not; those still to do first, "
        "the most overdue first. The member of staff it is assigned to, its author and any user with the "
        "permission to change follow-ups may change it."
    )
)
class FollowUpViewSet(RecordViewSet):
    queryset = FollowUp.objects.all()  # the model's name; get_queryset() reads them with what they show
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    permission_classes = [AuthorOrEditorPermissions]

    def get_queryset(self):
        return FollowUp.objects.for_list().select_related("created_by", "done_by")
