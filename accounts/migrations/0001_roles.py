"""The four roles (accounts.roles) as groups: Lecteur, Éditeur, Exports, Administrateur."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after every migration has run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from accounts.roles import sync_roles

    sync_roles(apps)


def remove_roles(apps, schema_editor):
    from accounts.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clusters", "0003_membership_periods_and_dues"),
        ("contacts", "0006_events_address_reserved"),
        ("agreements", "0002_field_help_texts"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
