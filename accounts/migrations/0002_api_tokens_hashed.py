"""API tokens move from rest_framework.authtoken (plain text) to django-rest-knox (SHA-512 digests).

On a database migrated before the change, each token in authtoken_token becomes a knox token with the same key
(so that the tools using it keep working) and an expiry API_TOKEN_DAYS from now, then the table is dropped: it
would otherwise keep every token in plain text, in every backup. The app is no longer installed, so the table is
read by name. A fresh database has no such table, and nothing is done.
"""

import datetime

from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings

OLD_TABLE = "authtoken_token"


def hash_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    table = schema_editor.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    for key, user_id, created in rows:
        if timezone.is_naive(created):  # SQLite's raw rows: stored in UTC
            created = created.replace(tzinfo=datetime.UTC)
        token = AuthToken.objects.create(
            digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry
        )
        # `created` is set on creation: the token's own date is written after.
        AuthToken.objects.filter(pk=token.pk).update(created=created)
    schema_editor.execute(f"DROP TABLE {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_roles"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(hash_old_tokens, migrations.RunPython.noop)]
