"""Webhooks in the back office (registered by backoffice): endpoints, and deliveries with their attempts.

Both need ``webhooks.manage_webhooks`` (superusers have it): a staff member without it sees neither.
"""

import json

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import EndpointForm
from .models import DeliveryAttempt, new_secret
from .services import retry_now

PERMISSION = "webhooks.manage_webhooks"


class ManagedByWebhookAdministrators:
    """Every page and action for users with ``webhooks.manage_webhooks``, none for anyone else."""

    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)


class EndpointAdmin(ManagedByWebhookAdministrators, admin.ModelAdmin):
    form = EndpointForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["url", "description", "is_active", "event_count", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "created_at", "updated_at"]
    actions = ["new_secrets"]

    def get_fieldsets(self, request, obj=None):
        fields = ["url", "description", "events", "is_active"]
        if obj is not None:
            fields += ["secret", "created_at", "updated_at"]
        return [(None, {"fields": fields})]

    @admin.display(description=_("events"))
    def event_count(self, endpoint):
        return len(endpoint.events)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("The endpoint signs its deliveries with this secret; give it to the receiver: %(secret)s")
            % {"secret": obj.secret},
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Generate a new signing secret for the selected endpoints"))
    def new_secrets(self, request, queryset):
        count = 0
        for endpoint in queryset:
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint has a new secret: its receiver needs it before the next delivery.",
                "%(count)d endpoints have a new secret: their receivers need it before the next delivery.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)


class DeliveryAdmin(ManagedByWebhookAdministrators, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["endpoint__url"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    fields = [
        "public_id",
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "created_at",
        "delivered_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("payload"))
    def body(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["change"])
    def send_again(self, request, queryset):
        retried = sum(retry_now(delivery) for delivery in queryset)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", retried)
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
