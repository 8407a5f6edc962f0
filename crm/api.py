"""What every API endpoint shares: permissions, pagination, validation through the models' own rules."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.settings import api_settings

MAX_PAGE_SIZE = 200


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included: listing people needs ``contacts.view_person``."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class NameCursorPagination(CursorPagination):
    """People are many: a cursor keeps paging fast however deep, and stable while records are added."""

    ordering = ("family_name", "given_name", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class ModelRulesSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also applies the model's ``clean()`` and database constraints before saving,
    so that a rule the admin enforces answers 400 here rather than reach the database."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        values = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is not None:
            candidate = model(
                **{field.attname: getattr(self.instance, field.attname) for field in model._meta.concrete_fields}
            )
            for name, value in values.items():
                setattr(candidate, name, value)
        else:
            candidate = model(**values)
        try:
            candidate.full_clean(
                exclude=[name for name in many_to_many], validate_unique=True, validate_constraints=True
            )
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from error
        return attrs
