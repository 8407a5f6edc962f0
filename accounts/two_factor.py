"""Two-factor authentication (django-otp): who must use it, the login's second step, devices and backup codes.

A user with an authenticator app (a confirmed ``TOTPDevice``) logs in in two steps: the password, then a code of the
app or one of their backup codes (a ``StaticDevice``). Between the two, the session holds only who passed the first
step, for a few minutes: the user is not logged in, so no page, back-office page or API call sees them.

With ``TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS``, administrators (superusers and the Administrateur group) must
have confirmed a code in their session before anything else: ``TwoFactorRequiredMiddleware`` sends them to set up
their app, and ``accounts.api_auth.SessionAuthentication`` does not count their session for the API.
"""

import base64
import math
import time

import segno
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp import verify_token as verify_device_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ADMINISTRATOR_GROUP = "Administrateur"  # accounts.roles
BACKUP_CODE_COUNT = 10
TOTP_DIGITS = 6  # TOTPDevice's default, which the setup page keeps
# The second step of a login must follow the first within this many seconds.
SECOND_STEP_SECONDS = 5 * 60
PENDING_LOGIN_SESSION_KEY = "crm_pending_login"
# Pages an administrator who must set up two-factor authentication can still reach.
OPEN_TO_UNVERIFIED = {
    "login",
    "login_verify",
    "logout",
    "two_factor",
    "set_language",
    "admin:logout",
    "admin_login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def is_administrator(user) -> bool:
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR_GROUP).exists()


def two_factor_required(user) -> bool:
    return settings.TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS and user.is_active and is_administrator(user)


def must_verify(user) -> bool:
    """Whether this signed-in user may not use the CRM before confirming a code in this session."""
    return (
        settings.TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS
        and user.is_authenticated
        and not user.is_verified()
        and is_administrator(user)
    )


class TwoFactorRequiredMiddleware:
    """Sends an administrator without a confirmed code to the two-factor page (``TWO_FACTOR_REQUIRED_FOR_
    ADMINISTRATORS``). One who already has an app but a session without its code (opened before the requirement,
    or before the app was added elsewhere) is logged out, to log in again with the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        # The API answers for itself: a session that must be verified does not authenticate there.
        if match is None or match.view_name in OPEN_TO_UNVERIFIED or match.namespace == "api":
            return None
        if not must_verify(request.user):
            return None
        if user_has_device(request.user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")


def start_second_step(request, user) -> None:
    """The password was right: remember who, until they give a code (``finish_second_step``)."""
    request.session[PENDING_LOGIN_SESSION_KEY] = {
        "user": str(user.pk),
        "backend": user.backend,
        "since": time.time(),
    }


def user_of_second_step(request):
    """The user who gave the right password in this session a few minutes ago, or None."""
    pending = request.session.get(PENDING_LOGIN_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > SECOND_STEP_SECONDS:
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend")
    return user


def finish_second_step(request) -> None:
    request.session.pop(PENDING_LOGIN_SESSION_KEY, None)


def devices_for_code(user, code: str):
    """The user's devices that may accept this code: the app for six digits, the backup codes otherwise. Trying a
    backup code on the app too would count a wrong code against the app, and make the next code wait."""
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    return model.objects.devices_for_user(user, confirmed=True)


def verified_device(user, code: str):
    """The user's device that accepts this code (an authenticator app's, or a backup code, used up), or None."""
    code = "".join(code.split()).lower()
    for device in devices_for_code(user, code):
        accepted = verify_device_token(user, device.persistent_id, code)
        if accepted is not None:
            return accepted
    return None


def seconds_before_next_try(user, code: str) -> int:
    """How long the user must wait before such a code is checked again, after wrong ones (django-otp's
    throttling: 1, 2, 4… seconds)."""
    wait = 0
    for device in devices_for_code(user, "".join(code.split()).lower()):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            wait = max(wait, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
    return wait


def app_of(user):
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def app_being_set_up(user):
    """The authenticator app the user is adding: the same secret until they confirm it, so reloading the page
    shows the same QR code."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_key_text(device) -> str:
    """The secret as an app asks for it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device) -> str:
    """The app's setup address as a QR code, an SVG image in a data: address (the content security policy allows
    data: images, and nothing is fetched)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replaces the user's backup codes with BACKUP_CODE_COUNT new ones, each valid once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Backup codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
