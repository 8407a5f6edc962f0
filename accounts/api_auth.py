"""Who an API request comes from, and how often they may call: session authentication and throttling.

Tokens are django-rest-knox's (``knox.auth.TokenAuthentication``: stored as digests, with an expiry). Like core.api,
this module is imported by DRF's settings while rest_framework.views is loading: it must not import that module.
"""

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, throttling
from rest_framework.settings import api_settings

from accounts.login_protection import client_address
from accounts.two_factor import must_verify


class SessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts only once it may use the CRM: not that of an administrator who must still confirm a
    code of their authenticator app (``TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS``)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and must_verify(request._request.user):
            return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """The schema names this session authentication as drf-spectacular names Django REST framework's."""

    target_class = "accounts.api_auth.SessionAuthentication"


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's throttle per user (per address for a request without credentials), answering 429 with Retry-After.

    The rate is read at each request, so that a test can change it (DRF reads it once, when the class is loaded),
    and the address through the trusted proxies, as for failed logins.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)
