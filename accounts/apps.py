from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who may come in and do what: logins and their protection, two-factor authentication, API tokens, roles."""

    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # After every migrate the roles hold the permissions of any model added since. Permissions are made app by
        # app as the signal is sent for each (this app has no models, so none is sent for it): the roles are set
        # again after each, the last time with every app's.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")


def sync_roles_after_migrate(sender, **kwargs):
    from .roles import sync_roles

    sync_roles()
