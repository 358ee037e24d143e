"""A lawyer sees the people and episodes assigned to them, beyond their own cities."""

import pytest
from django.test import Client

from qandas.accounts.models import Membership, Role, User
from qandas.incidents import actions
from qandas.incidents.models import Assignment
from qandas.incidents.tests.helpers import raid
from qandas.test import Cast

# Assigning locks the episode's row (select_for_update): engine-dependent, so both.
pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def test_an_assigned_lawyer_sees_the_case_until_the_assignment_ends(
    client: Client, cast: Cast
) -> None:
    counsel = User.objects.create(username="counsel")
    Membership.objects.create(user=counsel, organisation=cast.organisation, role=Role.LAWYER)
    taken = raid(cast.organisation, cast.peshawar, cast.admin, hours_ago=30, names=("Nurbol",))
    person, episode = taken.people[0], taken.people[0].custody_episodes.get()
    client.force_login(counsel)
    assert client.get(f"/people/{person.code}/").status_code == 404
    assert "Nurbol" not in client.get("/custody/").content.decode()

    client.force_login(cast.admin)
    response = client.post(f"/episodes/{episode.code}/assign/", {"lawyer": str(counsel.code)})
    assert response.status_code == 302
    client.force_login(counsel)
    assert client.get(f"/people/{person.code}/").status_code == 200
    assert client.get(f"/episodes/{episode.code}/").status_code == 200
    assert client.get(f"/events/{taken.arrest.code}/").status_code == 200
    board = client.get("/custody/").content.decode()
    assert "Nurbol" in board and "Not located" in board

    # Replacing the lawyer ends the assignment (kept, with its end) and the access.
    actions.assign(episode, by=cast.admin, wanted={"lawyer": cast.lawyer})
    ended = Assignment.objects.get(user=counsel)
    assert ended.ended_at is not None and ended.ended_by == cast.admin
    assert client.get(f"/people/{person.code}/").status_code == 404


def test_a_lawyer_of_another_organisation_cannot_be_assigned(client: Client, cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=3, names=("Aidos",))
    episode = taken.people[0].custody_episodes.get()
    stranger = User.objects.create(username="stranger-lawyer")
    Membership.objects.create(user=stranger, organisation=cast.other_organisation, role=Role.LAWYER)
    client.force_login(cast.coordinator)
    response = client.post(f"/episodes/{episode.code}/assign/", {"lawyer": str(stranger.code)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()
