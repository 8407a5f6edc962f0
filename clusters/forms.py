"""The form each row of an organisations import goes through: the model's own rules on each cell (lengths, no NUL
character), a name required, a kind and a country as French or English write them, a web address, a date; and
the cells of several items (``clusters.organisation_sheet``), each read into a list of what the row brings."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.search import fold

from .models import Membership, MembershipType, Organisation, OrganisationName, Sector, Site, Territory
from .organisation_sheet import Item, choice_lookup, lines_of, multi_line, one_line, read_items


def country_code(value: str) -> str | None:
    """The ISO code of a country written as a code or a name, in French or English, whatever its case and
    accents ("espagne", "Spain", "ES")."""
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    for language in ("fr", "en"):
        code = countries.by_name(value, language=language, insensitive=True)
        if code:
            return code
    wanted = fold(value)
    for language in ("fr", "en"):
        with translation.override(language):
            for code, name in countries:
                if fold(str(name)) == wanted:
                    return code
    return None


def model_field(name: str, **kwargs):
    return Organisation._meta.get_field(name).formfield(required=False, **kwargs)


# The cells of several items: what each line brings. A part left empty is not given (None or ""): an import adds
# and completes, it never clears.


@dataclass(frozen=True)
class OtherNameLine:
    name: str
    kind: str | None
    used_from: datetime.date | None
    used_until: datetime.date | None


@dataclass(frozen=True)
class SiteLine:
    name: str
    kind: str | None
    city: str
    region: str
    country: str
    address: str


@dataclass(frozen=True)
class TerritoryLine:
    region: str
    kind: str | None
    country: str
    through: str  # the identifier or name of an organisation


@dataclass(frozen=True)
class MembershipTypeLine:
    name: str
    slug: str
    annual_fee: Decimal | None


@dataclass(frozen=True)
class MembershipLine:
    cluster: str  # the identifier or name of an organisation
    membership_type: str  # the slug of one of the cluster's membership types
    started_on: datetime.date | None
    ended_on: datetime.date | None
    cancelled_on: datetime.date | None
    notes: str


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def read_date(written: str) -> datetime.date | None:
    if not written:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(written, date_format).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date: write it as 2010-10-27."), params={"value": written[:40]})


def read_period(written: str) -> tuple[datetime.date | None, datetime.date | None]:
    if not written:
        return None, None
    ends = written.split("/")
    if len(ends) != 2:
        raise ValidationError(
            _("“%(value)s” is not a period: write it as 2010-10-27/2015-12-31, either date may be left out."),
            params={"value": written[:40]},
        )
    start, end = (read_date(end.strip()) for end in ends)
    return start, end


def read_choice(written: str, choices) -> str | None:
    if not written:
        return None
    value = choice_lookup(choices).get(fold(written))
    if value is None:
        raise ValidationError(
            _("“%(value)s” is not one of: %(choices)s."),
            params={"value": written[:60], "choices": ", ".join(str(label) for label in choices.labels)},
        )
    return value


def read_country(written: str) -> str:
    if not written:
        return ""
    code = country_code(written)
    if code is None:
        raise ValidationError(_("“%(value)s” is not a country."), params={"value": written[:60]})
    return code


def checked(model, name: str, value):
    """``value`` as the model's field ``name`` cleans it (its length, its format), or its error, naming the field."""
    model_field = model._meta.get_field(name)
    try:
        return model_field.clean(value, None)
    except ValidationError as error:
        raise ValidationError(
            gettext("%(field)s: %(error)s") % {"field": model_field.verbose_name, "error": " ".join(error.messages)}
        ) from error


def constraint_error(model, constraint_name: str) -> ValidationError:
    """The error of the model's constraint ``constraint_name``, for a value refused before it reaches the database."""
    constraint = next(rule for rule in model._meta.constraints if rule.name == constraint_name)
    return ValidationError(constraint.violation_error_message)


def dates_in_order(model, constraint_name: str, start, end) -> None:
    if start and end and end < start:
        raise constraint_error(model, constraint_name)


class ItemsField(forms.CharField):
    """A cell of several items (``clusters.organisation_sheet``), cleaned into the list of what each line brings.
    Each line's error names the line."""

    part_names: tuple = ()

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        errors, lines = [], []
        for item in read_items(super().clean(value)):
            try:
                if len(item.parts) > len(self.part_names):
                    raise ValidationError(
                        _("Too many parts between the parentheses: at most %(parts)s."),
                        params={"parts": ", ".join(str(name) for name in self.part_names)},
                    )
                lines.append(self.read(item, [*item.parts, *[""] * len(self.part_names)]))
            except ValidationError as error:
                errors.append(item.error(" ".join(error.messages)))
        if errors:
            raise ValidationError(errors)
        return lines

    def read(self, item: Item, parts: list[str]):
        raise NotImplementedError


class OtherNamesField(ItemsField):
    part_names = (OrganisationName._meta.get_field("kind").verbose_name, _("period"))

    def read(self, item, parts):
        used_from, used_until = read_period(parts[1])
        dates_in_order(OrganisationName, "organisation_name_dates_in_order", used_from, used_until)
        return OtherNameLine(
            name=checked(OrganisationName, "name", one_line(item.main)),
            kind=read_choice(parts[0], OrganisationName.Kind),
            used_from=used_from,
            used_until=used_until,
        )


class SectorNamesField(forms.CharField):
    """One sector's name a line, taken whole."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        names = [one_line(line) for line in lines_of(super().clean(value))]
        errors, sectors = [], []
        for name in dict.fromkeys(name for name in names if name):
            try:
                sectors.append(checked(Sector, "name", name))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return sectors


class SitesField(ItemsField):
    part_names = tuple(Site._meta.get_field(name).verbose_name for name in ("kind", "city", "region", "country"))

    def read(self, item, parts):
        return SiteLine(
            name=checked(Site, "name", one_line(item.main)),
            kind=read_choice(parts[0], Site.Kind),
            city=checked(Site, "city", parts[1]),
            region=checked(Site, "region", parts[2]),
            country=read_country(parts[3]),
            address=multi_line("\n".join(item.following)),
        )


class TerritoriesField(ItemsField):
    part_names = tuple(Territory._meta.get_field(name).verbose_name for name in ("kind", "country", "through"))

    def read(self, item, parts):
        return TerritoryLine(
            region=checked(Territory, "region", one_line(item.main)),
            kind=read_choice(parts[0], Territory.Kind),
            country=read_country(parts[1]),
            through=parts[2],
        )


class MembershipTypesField(ItemsField):
    part_names = tuple(MembershipType._meta.get_field(name).verbose_name for name in ("slug", "annual_fee"))

    def read(self, item, parts):
        name = checked(MembershipType, "name", one_line(item.main))
        fee = None
        if parts[1]:
            try:
                fee = Decimal("".join(parts[1].split()).replace(",", "."))
            except InvalidOperation:
                fee = Decimal("NaN")
            if not fee.is_finite():
                raise ValidationError(
                    _("“%(value)s” is not an amount: write it as 1500.00."), params={"value": parts[1][:40]}
                )
            if fee < 0:
                raise constraint_error(MembershipType, "membership_type_fee_not_negative")
        return MembershipTypeLine(
            name=name,
            slug=checked(MembershipType, "slug", parts[0] or slugify(name)[:80] or "type"),
            annual_fee=checked(MembershipType, "annual_fee", fee),
        )


class MembershipsField(ItemsField):
    part_names = (
        Membership._meta.get_field("membership_type").verbose_name,
        _("period"),
        Membership._meta.get_field("cancelled_on").verbose_name,
    )

    def read(self, item, parts):
        started_on, ended_on = read_period(parts[1])
        dates_in_order(Membership, "membership_dates_in_order", started_on, ended_on)
        return MembershipLine(
            cluster=one_line(item.main),
            membership_type=parts[0],
            started_on=started_on,
            ended_on=ended_on,
            cancelled_on=read_date(parts[2]),
            notes=multi_line("\n".join(item.following)),
        )


class OrganisationRowForm(forms.Form):
    name = Organisation._meta.get_field("name").formfield(error_messages={"required": _("The name is missing.")})
    acronym = model_field("acronym")
    kind = forms.CharField(required=False, max_length=120)
    legal_form = model_field("legal_form")
    country = forms.CharField(required=False, max_length=120)
    region = model_field("region")
    city = model_field("city")
    website = forms.URLField(
        required=False,
        max_length=Organisation._meta.get_field("website").max_length,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": _("“%(value)s” is not a web address.")},
    )
    founded_on = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Write the date as 2010-10-27.")},
    )
    description = model_field("description")
    identifier = model_field("slug")
    other_names = OtherNamesField()
    sectors = SectorNamesField()
    sites = SitesField()
    territories = TerritoriesField()
    membership_types = MembershipTypesField()
    memberships = MembershipsField()

    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds  # folded label or value → kind, in French and English

    def clean_kind(self):
        written = self.cleaned_data["kind"]
        if not written:
            return None
        kind = self.kinds.get(fold(written))
        if kind is None:
            raise ValidationError(
                _("“%(value)s” is not a kind of organisation: %(choices)s."),
                params={
                    "value": written[:60],
                    "choices": ", ".join(str(label) for label in Organisation.Kind.labels),
                },
            )
        return kind

    def clean_country(self):
        written = self.cleaned_data["country"]
        if not written:
            return None
        code = country_code(written)
        if code is None:
            raise ValidationError(_("“%(value)s” is not a country."), params={"value": written[:60]})
        return code
