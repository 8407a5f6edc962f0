from axes.utils import reset as reset_failed_logins
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.forms import AdminLoginForm, AppConfirmationForm, CodeForm, LoginForm
from accounts.two_factor import (
    app_being_set_up,
    app_of,
    backup_codes_left,
    finish_second_step,
    new_backup_codes,
    qr_code_data_uri,
    secret_key_text,
    start_second_step,
    two_factor_required,
    user_of_second_step,
)


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """The site's login. A user with an authenticator app gives its code next (``LoginCodeView``) and is logged in
    only then; an administrator who must have one and has none is sent to add it."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user):
            start_second_step(self.request, user)
            return HttpResponseRedirect(with_next("login_verify", self.get_success_url()))
        response = super().form_valid(form)
        if two_factor_required(user):
            return HttpResponseRedirect(with_next("two_factor", self.get_success_url()))
        return response


class AdminLoginView(LoginView):
    """The back office's login page (its look, its staff-only form) with the site's two steps."""

    template_name = "admin/login.html"
    authentication_form = AdminLoginForm
    redirect_authenticated_user = False

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and admin.site.has_permission(request):
            return redirect("admin:index")
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return reverse("admin:index")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **admin.site.each_context(self.request),
            title=_("Log in"),
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
            **kwargs,
        )


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class LoginCodeView(RedirectURLMixin, FormView):
    """The second step of a login: a code of the user's authenticator app, or one of their backup codes."""

    template_name = "registration/login_code.html"
    form_class = CodeForm
    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request, *args, **kwargs):
        self.user = user_of_second_step(request)
        if self.user is None:
            return redirect_to_login(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)

    def form_valid(self, form):
        finish_second_step(self.request)
        auth_login(self.request, self.user)
        otp_login(self.request, form.device)
        if isinstance(form.device, StaticDevice):
            left = backup_codes_left(self.user)
            messages.warning(
                self.request,
                ngettext(
                    "You logged in with a backup code, which cannot be used again: %(count)d is left.",
                    "You logged in with a backup code, which cannot be used again: %(count)d are left.",
                    left,
                )
                % {"count": left},
            )
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, RedirectURLMixin, TemplateView):
    """Two-factor authentication of one's own account: add an authenticator app (QR code, then a code it shows),
    see how many backup codes are left, get new ones, remove the app."""

    template_name = "registration/two_factor.html"
    next_page = settings.LOGIN_REDIRECT_URL

    def get_context_data(self, **kwargs):
        user = self.request.user
        app = app_of(user)
        context = {
            "app": app,
            "required": two_factor_required(user),
            "next": self.get_redirect_url(),
            "continue_url": self.get_success_url(),
        }
        if app is None:
            device = app_being_set_up(user)
            context["qr_code"] = qr_code_data_uri(device)
            context["secret_key"] = secret_key_text(device)
            context.setdefault("form", AppConfirmationForm(device))
        else:
            context["backup_codes_left"] = backup_codes_left(user)
            context["verified"] = user.is_verified()
        return super().get_context_data(**{**context, **kwargs})

    def post(self, request, *args, **kwargs):
        if app_of(request.user) is not None:
            return redirect("two_factor")
        form = AppConfirmationForm(app_being_set_up(request.user), request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        form.device.confirmed = True
        form.device.save(update_fields=["confirmed"])
        otp_login(request, form.device)
        messages.success(request, _("Two-factor authentication is on: from now on, you log in with a code too."))
        return self.render_to_response(self.get_context_data(backup_codes=new_backup_codes(request.user)))


class BackupCodesView(TwoFactorView):
    """New backup codes, replacing the others; shown this once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if app_of(request.user) is None or not request.user.is_verified():
            raise PermissionDenied
        return self.render_to_response(self.get_context_data(backup_codes=new_backup_codes(request.user)))


@method_decorator(never_cache, name="dispatch")
class RemoveAppView(LoginRequiredMixin, View):
    """Removes one's authenticator app and backup codes, from a session that gave a code (an administrator who
    must have an app is then asked for a new one)."""

    def post(self, request, *args, **kwargs):
        if not request.user.is_verified():
            raise PermissionDenied
        for device in [app_of(request.user), *StaticDevice.objects.devices_for_user(request.user)]:
            if device is not None:
                device.delete()
        messages.success(request, _("Your authenticator app and backup codes have been removed."))
        return redirect("two_factor")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page for choosing a new password from the emailed link. It also lifts the user's lockouts for
    failed logins: whoever reads the mailbox may try again."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_failed_logins(username=form.user.get_username())
        return response
