"""Membership periods: their status from dates and dues, renewals, dues, who is a member on a given day."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clusters.models import Due, Membership, Organisation
from clusters.services import cancel_membership, mark_dues_paid, next_period_end, renew_membership
from tests.factories import ClusterFactory, MembershipFactory, MembershipTypeFactory, OrganisationFactory

D = datetime.date


@pytest.fixture
def period(db, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    return MembershipFactory(started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31))


def status(membership, day):
    """The status on ``day``, checked to be the same computed in Python and by the database."""
    in_python = Membership.objects.get(pk=membership.pk).status_on(day)
    in_database = Membership.objects.with_status(day).get(pk=membership.pk).status_on_day
    assert in_python == in_database, day
    return in_python


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2023, 12, 31), "pending"),  # the day before it starts
        (D(2024, 1, 1), "current"),  # its first day
        (D(2024, 12, 31), "current"),  # its last day
        (D(2025, 1, 1), "grace"),  # the day after it ends
        (D(2025, 1, 30), "grace"),  # the 30th day of grace
        (D(2025, 1, 31), "expired"),  # the day after
    ],
)
def test_status_follows_the_dates_to_the_day(period, day, expected):
    assert status(period, day) == expected


def test_the_grace_period_is_a_setting(period, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 0
    assert status(period, D(2025, 1, 1)) == "expired"


def test_an_unpaid_due_makes_the_period_pending_until_the_day_it_is_paid(period):
    due = Due.objects.create(membership=period, amount=Decimal("1200"), invoiced_on=D(2024, 1, 10))
    assert status(period, D(2024, 1, 9)) == "current"  # not invoiced yet
    assert status(period, D(2024, 1, 10)) == "pending"
    due.paid_on = D(2024, 2, 1)
    due.save()
    assert status(period, D(2024, 1, 31)) == "pending"
    assert status(period, D(2024, 2, 1)) == "current"


def test_a_cancelled_period_is_cancelled_from_that_day(period):
    cancel_membership(membership=period, on=D(2024, 6, 1))
    assert status(period, D(2024, 5, 31)) == "current"
    assert status(period, D(2024, 6, 1)) == "cancelled"
    assert status(period, D(2025, 1, 10)) == "cancelled"  # no grace after a cancellation


def test_a_period_without_dates_is_current(db):
    assert status(MembershipFactory(), D(2024, 1, 1)) == "current"


def test_renewal_creates_the_next_period_with_its_due(period):
    period.membership_type = MembershipTypeFactory(cluster=period.cluster, annual_fee=Decimal("1500.00"))
    period.save()
    renewal = renew_membership(membership=period, today=D(2024, 12, 1))
    assert (renewal.started_on, renewal.ended_on, renewal.membership_type) == (
        D(2025, 1, 1),
        D(2025, 12, 31),
        period.membership_type,
    )
    assert list(renewal.dues.values_list("amount", "invoiced_on", "paid_on")) == [
        (Decimal("1500.00"), D(2024, 12, 1), None)
    ]
    # The renewal is pending until paid, then current; the member stays a member across the change of year.
    assert status(renewal, D(2025, 1, 1)) == "pending"
    mark_dues_paid(membership=renewal, on=D(2024, 12, 20))
    assert status(renewal, D(2025, 1, 1)) == "current"
    with pytest.raises(ValidationError, match="déjà été renouvelée"):
        renew_membership(membership=period)


def test_what_cannot_be_renewed(db):
    with pytest.raises(ValidationError, match="sans date de fin"):
        renew_membership(membership=MembershipFactory(started_on=D(2024, 1, 1)))
    cancelled = MembershipFactory(started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31), cancelled_on=D(2024, 3, 1))
    with pytest.raises(ValidationError, match="annulée"):
        renew_membership(membership=cancelled)


def test_a_period_starting_on_29_february_ends_on_28_february():
    assert next_period_end(D(2024, 2, 29)) == D(2025, 2, 28)
    assert next_period_end(D(2025, 3, 1)) == D(2026, 2, 28)
    assert next_period_end(D(2027, 3, 1)) == D(2028, 2, 29)


def test_members_of_a_cluster_on_a_given_day(db, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    cluster = ClusterFactory()
    always, lapsed, cancelled, later, elsewhere = (OrganisationFactory() for _ in range(5))
    MembershipFactory(cluster=cluster, member=always, started_on=D(2023, 1, 1), ended_on=D(2023, 12, 31))
    renew_membership(membership=Membership.objects.get(member=always))
    MembershipFactory(cluster=cluster, member=lapsed, started_on=D(2023, 1, 1), ended_on=D(2023, 12, 31))
    MembershipFactory(cluster=cluster, member=cancelled, started_on=D(2023, 1, 1), cancelled_on=D(2023, 7, 1))
    MembershipFactory(cluster=cluster, member=later, started_on=D(2024, 3, 1))
    MembershipFactory(member=elsewhere, started_on=D(2020, 1, 1))

    def members(day):
        return set(Organisation.objects.members_of(cluster, on=day))

    assert members(D(2023, 6, 30)) == {always, lapsed, cancelled}
    assert members(D(2024, 1, 15)) == {always, lapsed}  # lapsed is in its grace period
    assert members(D(2024, 2, 15)) == {always}
    assert members(D(2024, 3, 1)) == {always, later}


def test_unpaid_dues_and_renewals_due_soon(db):
    soon = MembershipFactory(started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31))
    MembershipFactory(started_on=D(2024, 6, 1), ended_on=D(2025, 5, 31))  # ends later
    renewed = MembershipFactory(started_on=D(2024, 1, 1), ended_on=D(2024, 12, 20))
    renew_membership(membership=renewed, today=D(2024, 12, 1))
    MembershipFactory(started_on=D(2024, 1, 1), ended_on=D(2024, 12, 15), cancelled_on=D(2024, 5, 1))
    assert list(Membership.objects.renewals_due(within_days=60, today=D(2024, 12, 1))) == [soon]
    assert list(Membership.objects.renewals_due(within_days=10, today=D(2024, 12, 1))) == []

    unpaid = Due.objects.create(membership=soon, amount=100, invoiced_on=D(2024, 1, 5))
    Due.objects.create(membership=soon, amount=100, invoiced_on=D(2023, 1, 5), paid_on=D(2023, 2, 1))
    dropped = MembershipFactory(started_on=D(2024, 1, 1), cancelled_on=D(2024, 2, 1))
    Due.objects.create(membership=dropped, amount=100, invoiced_on=D(2024, 1, 5))
    assert list(Due.objects.unpaid()) == [unpaid]


def test_a_due_cannot_be_paid_before_it_is_invoiced_nor_be_negative(db):
    due = Due(membership=MembershipFactory(), amount=-1, invoiced_on=D(2024, 2, 1), paid_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        due.full_clean()
    assert set(error.value.message_dict) == {"amount", "paid_on"}


# The back office.

CHANGELIST = "/admin/clusters/membership/"


def test_the_admin_renews_marks_paid_and_cancels(admin_client, db):
    fee = MembershipTypeFactory(annual_fee=Decimal("900"))
    first = MembershipFactory(
        cluster=fee.cluster, membership_type=fee, started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31)
    )
    endless = MembershipFactory(started_on=D(2024, 1, 1))
    selection = {"_selected_action": [first.pk, endless.pk]}
    response = admin_client.post(CHANGELIST, {**selection, "action": "renew"}, follow=True)
    page = response.content.decode()
    assert "1 adhésion renouvelée." in page and "il n’y a rien à renouveler" in page
    renewal = Membership.objects.get(started_on=D(2025, 1, 1))
    assert renewal.dues.get().paid_on is None

    admin_client.post(CHANGELIST, {"_selected_action": [renewal.pk], "action": "mark_paid"})
    assert renewal.dues.get().paid_on is not None
    admin_client.post(CHANGELIST, {"_selected_action": [endless.pk], "action": "cancel"})
    endless.refresh_from_db()
    assert endless.cancelled_on is not None


def test_the_admin_filters_memberships_by_status_today_and_type(admin_client, db):
    current = MembershipFactory(started_on=D(2020, 1, 1))
    MembershipFactory(started_on=D(2020, 1, 1), ended_on=D(2020, 12, 31))
    response = admin_client.get(CHANGELIST, {"status": "current"})
    assert list(response.context["cl"].result_list) == [current]
    assert "statut aujourd’hui" in response.content.decode()
    assert admin_client.get(CHANGELIST, {"membership_type__id__exact": "1"}).status_code == 200


# The lists of unpaid dues and renewals due.


@pytest.fixture
def lists(db):
    today = timezone.localdate()
    fee = MembershipTypeFactory(name="Adhérent", annual_fee=Decimal("1200"))
    ending = MembershipFactory(
        cluster=fee.cluster,
        member=OrganisationFactory(name="=Pharma Formule"),
        membership_type=fee,
        started_on=today - datetime.timedelta(days=300),
        ended_on=today + datetime.timedelta(days=20),
    )
    Due.objects.create(membership=ending, amount=Decimal("1200"), invoiced_on=today - datetime.timedelta(days=290))
    MembershipFactory(started_on=today, ended_on=today + datetime.timedelta(days=200))
    return ending


def test_the_unpaid_dues_page_and_its_downloads(viewer_client, lists):
    page = viewer_client.get("/organisations/memberships/unpaid-dues/")
    html = page.content.decode()
    assert "=Pharma Formule" in html and "1200,00 €" in html
    csv = b"".join(viewer_client.get("/organisations/memberships/unpaid-dues/", {"format": "csv"}).streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Membre;Cluster;Type d’adhésion")
    assert lines[1].startswith("'=Pharma Formule;")  # neutralised: never a formula
    xlsx = viewer_client.get("/organisations/memberships/unpaid-dues/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{sheet.max_row}" and sheet.max_row > 1
    assert sheet.column_dimensions["A"].width >= len("=Pharma Formule")


def test_the_membership_lists_downloads_say_what_they_hold(viewer_client, lists):
    for url, stem in [("unpaid-dues", "unpaid-dues"), ("renewals", "renewals-due")]:
        response = viewer_client.get(f"/en/organisations/memberships/{url}/", {"format": "xlsx"})
        assert re.fullmatch(
            rf'attachment; filename="{stem}-\d{{4}}-\d{{2}}-\d{{2}}-\d{{4}}\.xlsx"', response["Content-Disposition"]
        )


def test_the_renewals_page_takes_a_number_of_days(viewer_client, lists):
    assert "=Pharma Formule" in viewer_client.get("/organisations/memberships/renewals/").content.decode()
    assert (
        "=Pharma Formule"
        not in viewer_client.get("/organisations/memberships/renewals/", {"days": "10"}).content.decode()
    )
    for days in ["abc", "-5", "100000", "\u00e9"]:
        assert viewer_client.get("/organisations/memberships/renewals/", {"days": days}).status_code == 200
    csv = b"".join(
        viewer_client.get("/organisations/memberships/renewals/", {"format": "csv", "days": "30"}).streaming_content
    )
    assert "1200.00" in csv.decode("utf-8-sig")


def test_the_membership_lists_need_their_view_permissions(client, user_with, lists):
    client.force_login(user_with())
    user = user_with()
    user.user_permissions.clear()
    client.force_login(user)
    assert client.get("/organisations/memberships/unpaid-dues/").status_code == 403
    assert client.get("/organisations/memberships/renewals/").status_code == 403


# A cluster's page: its members, with filters, figures and the export of their people.


@pytest.fixture
def cluster_with_members(db):
    today = timezone.localdate()
    cluster = ClusterFactory(slug="pole", name="Pôle")
    founder = MembershipTypeFactory(cluster=cluster, slug="fondateur", name="Membre fondateur")
    basque = OrganisationFactory(name="Bihotz", region="Euskadi")
    MembershipFactory(cluster=cluster, member=basque, membership_type=founder, started_on=D(2013, 1, 1))
    landes = OrganisationFactory(name="Labo des Landes", region="Nouvelle-Aquitaine")
    MembershipFactory(cluster=cluster, member=landes, started_on=today - datetime.timedelta(days=400),
                      ended_on=today - datetime.timedelta(days=100))  # fmt: skip
    return cluster, basque, landes


def test_a_cluster_page_shows_its_members_with_figures_and_filters(viewer_client, cluster_with_members):
    cluster, basque, landes = cluster_with_members
    html = viewer_client.get("/organisations/pole/").content.decode()
    assert "<strong>1</strong> membre aujourd’hui" in html
    assert "Bihotz" in html and "Labo des Landes" in html
    assert ">Expirée :</a> 1" in html

    def members(**params):
        response = viewer_client.get("/organisations/pole/", params)
        return [period.member.name for period in response.context["member_periods"]]

    assert members(status="expired") == ["Labo des Landes"]
    assert members(type="fondateur") == ["Bihotz"]
    assert members(region="Euskadi") == ["Bihotz"]
    assert members(since="2020-01-01") == ["Labo des Landes"]
    assert members(region="Atlantide") == []  # not a choice: the form says so, the page still answers
    assert viewer_client.get("/organisations/pole/", {"since": "pas une date"}).status_code == 200


def test_the_people_of_a_clusters_members_are_one_click_away(exporter_client, cluster_with_members):
    from tests.factories import PositionFactory

    cluster, basque, landes = cluster_with_members
    PositionFactory(organisation=basque, person__family_name="Etxeberria")
    PositionFactory(organisation=landes, person__family_name="Dupuy")
    html = exporter_client.get("/organisations/pole/").content.decode()
    assert "/contacts/export/?member_of=pole&amp;format=csv" in html
    csv = b"".join(exporter_client.get("/contacts/export/", {"member_of": "pole", "format": "csv"}).streaming_content)
    assert "Etxeberria" in csv.decode("utf-8-sig") and "Dupuy" not in csv.decode("utf-8-sig")


def test_a_cluster_page_with_three_hundred_members_reads_a_fixed_number_of_queries(
    viewer_client, db, django_assert_num_queries
):
    cluster = ClusterFactory(slug="grand-pole")
    member_type = MembershipTypeFactory(cluster=cluster)
    for index in range(300):
        membership = MembershipFactory(
            cluster=cluster,
            member=OrganisationFactory(region=["Euskadi", "Occitanie", "Normandie"][index % 3]),
            membership_type=member_type,
            started_on=D(2020, 1, 1) + datetime.timedelta(days=index),
            ended_on=D(2030, 1, 1) if index % 4 else D(2021, 1, 1),
        )
        if index % 5 == 0:
            Due.objects.create(membership=membership, amount=100, invoiced_on=D(2020, 1, 1))
    viewer_client.get("/organisations/grand-pole/")  # content types cached, as on a running server
    # Not one query per member, nor per year of the chart of members over time: one for all its years. The
    # timeline: its page of keys, and the memberships on it.
    with django_assert_num_queries(32):
        response = viewer_client.get("/organisations/grand-pole/")
    assert len(response.context["member_periods"]) == 300
    figures = {value: count for _label, count, value in response.context["member_figures"]}
    assert figures["expired"] == 75 and figures["pending"] == 45 and figures["current"] == 180


# The charts.


def test_members_over_time_by_region_and_by_kind(db, settings):
    from clusters.statistics import members_by_kind, members_by_region, members_over_time

    settings.MEMBERSHIP_GRACE_DAYS = 0
    cluster = ClusterFactory()
    basque = OrganisationFactory(region="Euskadi", kind="company")
    landes = OrganisationFactory(region="", kind="research_education")
    MembershipFactory(cluster=cluster, member=basque, started_on=D(2019, 6, 1))
    MembershipFactory(cluster=cluster, member=landes, started_on=D(2020, 1, 1), ended_on=D(2021, 6, 30))
    today = D(2022, 3, 1)
    assert members_over_time(cluster, today=today) == [("2019", 1), ("2020", 2), ("2021", 1), ("2022", 1)]
    assert members_over_time(cluster, today=today, years=2) == [("2021", 1), ("2022", 1)]
    assert members_by_region(cluster, today=D(2020, 6, 1)) == [("Euskadi", 1), ("Inconnue", 1)]
    assert members_by_kind(cluster, today=D(2020, 6, 1)) == [("Entreprise", 1), ("Recherche et enseignement", 1)]
    assert members_over_time(ClusterFactory()) == []


def test_agreements_per_year_counts_years_without_any(db):
    from agreements.statistics import agreements_per_year
    from tests.factories import AgreementFactory

    for signed_on in [D(2013, 5, 1), D(2016, 1, 1), D(2016, 9, 1), None]:
        AgreementFactory(signed_on=signed_on, status="draft" if signed_on is None else "signed")
    assert agreements_per_year() == [("2013", 1), ("2014", 0), ("2015", 0), ("2016", 2)]


def test_charts_are_svg_with_their_figures_as_a_table(viewer_client, seed):
    html = viewer_client.get("/agreements/").content.decode()
    assert '<svg viewBox="0 0 480 240" role="img"' in html
    assert "Conventions signées chaque année — 2020: 1; 2021: 0; 2022: 1" in html
    assert '<table class="chart-data">' in html and '<th scope="row">2021</th><td>0</td>' in html
    assert 'x="' in html and "," not in html.split('<rect class="chart-bar" x="')[1].split('"')[0]  # not localised


@pytest.mark.parametrize("slug", ["polepharma", "gipso", "basque-health-cluster", "leem"])
def test_every_cluster_page_of_the_seed_renders_its_members_section(seed, viewer_client, slug):
    response = viewer_client.get(f"/organisations/{slug}/")
    assert response.status_code == 200
    if Organisation.objects.get(slug=slug).kind == "cluster":
        assert 'id="members"' in response.content.decode()
        # The releases name no member: an empty state, not three empty charts and a filter form.
        assert 'class="empty-state"' in response.content.decode()
        assert "Pas encore de données." not in response.content.decode()
