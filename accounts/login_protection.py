"""Failed logins (django-axes): whose address they come from, the limit per address, the lockout page.

django-axes counts failures per username and address (``AXES_FAILURE_LIMIT``). This module adds what it lacks:
- the client's address read through the reverse proxies the deployment trusts (``TRUSTED_PROXY_COUNT``), so that
  clients behind one load balancer are not one address;
- a limit per address whatever the usernames (``AXES_ADDRESS_FAILURE_LIMIT``, higher), against password spraying:
  one guess for each of many usernames never reaches the per-username limit.
"""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum
from django.shortcuts import render
from ipware import get_client_ip


def client_address(request) -> str | None:
    """The address of the client that sent the request.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so the client's address is the
    ``TRUSTED_PROXY_COUNT``-th entry from the right; whatever a client wrote there itself lies further left and is
    ignored. Without trusted proxies, or without the header, REMOTE_ADDR.
    """
    if settings.TRUSTED_PROXY_COUNT:
        # django-ipware counts the proxies whose addresses follow the client's in the header: the last proxy's own
        # address is REMOTE_ADDR, not in the header. Not strict: a longer chain is one the client started itself.
        address, _routable = get_client_ip(
            request,
            proxy_count=settings.TRUSTED_PROXY_COUNT - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR")


def failures_from_address(request) -> int:
    """Failed logins from the request's address within the cool-off time, whatever the usernames."""
    return (
        AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(failures=Sum("failures_since_start"))["failures"]
        or 0
    )


def address_is_locked_out(request) -> bool:
    return failures_from_address(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT


class AddressLimitHandler(AxesDatabaseHandler):
    """django-axes' database handler, which also locks out an address after AXES_ADDRESS_FAILURE_LIMIT failures."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_is_locked_out(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is None
            or request.axes_locked_out
            or self.is_whitelisted(request, credentials)
            or not address_is_locked_out(request)
        ):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (``AXES_LOCKOUT_CALLABLE``), saying whether the username or the whole address is locked."""
    by_address = address_is_locked_out(request)
    context = {
        "by_address": by_address,
        "failure_limit": settings.AXES_ADDRESS_FAILURE_LIMIT if by_address else settings.AXES_FAILURE_LIMIT,
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
