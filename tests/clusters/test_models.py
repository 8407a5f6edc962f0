"""Queries the rest of the CRM builds on."""

import datetime

from clusters.models import Membership, Organisation
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory


def test_members_of_a_cluster_on_a_date_include_both_boundary_days(db):
    cluster = ClusterFactory()
    spring = MembershipFactory(
        cluster=cluster, started_on=datetime.date(2022, 3, 1), ended_on=datetime.date(2022, 5, 31)
    )
    open_ended = MembershipFactory(cluster=cluster, started_on=datetime.date(2022, 5, 31))
    undated = MembershipFactory(cluster=cluster)

    def members_on(day):
        return set(Membership.objects.filter(cluster=cluster).on(day))

    assert members_on(datetime.date(2022, 2, 28)) == {undated}
    assert members_on(datetime.date(2022, 3, 1)) == {spring, undated}
    assert members_on(datetime.date(2022, 5, 31)) == {spring, open_ended, undated}
    assert members_on(datetime.date(2022, 6, 1)) == {open_ended, undated}


def test_clusters_lists_only_clusters(db):
    cluster = ClusterFactory()
    OrganisationFactory(kind=Organisation.Kind.COMPANY)
    assert list(Organisation.objects.clusters()) == [cluster]
