"""Members of a business: the list, invitations by email and their accept link, roles,
leaving, and the rule that a business always keeps an owner."""

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.access import SESSION_KEY
from businesses.models import Business, Invitation, Membership
from businesses.services.members import MembershipError, change_role, open_invitations_for, remove_member
from notifications.models import Notification
from tests.factories import BusinessFactory, InvitationFactory, MembershipFactory, UserFactory
from tests.helpers import assert_asks_to_log_in

pytestmark = pytest.mark.django_db

Role = Membership.Role
STRONG = "learn-by-doing-2026"


def url(name: str, business: Business, **kwargs: Any) -> str:
    return reverse(f"businesses:{name}", kwargs={"slug": business.slug, **kwargs})


def membership_of(user: Any, business: Business) -> Membership:
    return Membership.objects.get(user=user, business=business)


def invitation_url(invitation: Invitation) -> str:
    return reverse("businesses:invitation", kwargs={"token": invitation.token})


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks: Any) -> Any:
    """POST as the browser would, running what the view defers to after its commit."""

    def _post(path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, **extra)

    return _post


# The members page.


def test_every_member_sees_the_members_and_the_open_invitations(
    client: Client, owner: Any, manager: Any, member: Any, business: Business
) -> None:
    InvitationFactory.create(business=business, email="new@example.com", role=Role.MANAGER, invited_by=owner)
    client.force_login(member)
    response = client.get(url("members", business))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Afreen",
        "afreen@example.com",
        "Manny Manager",
        "Neha",
        "neha@example.com",
        "new@example.com",
    ):
        assert text in html
    assert "Owner" in html and "Manager" in html and "Employee" in html
    # An employee sees no controls but can leave.
    assert url("invite", business) not in html
    assert url("change_role", business, pk=membership_of(owner, business).pk) not in html
    assert url("remove_member", business, pk=membership_of(owner, business).pk) not in html
    assert url("remove_member", business, pk=membership_of(member, business).pk) in html
    assert "Leave On-Demand Staffing" in html
    assert "Ask an owner or a manager to invite someone" in html


def test_an_owner_sees_the_controls(client: Client, owner: Any, member: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business, invited_by=owner)
    client.force_login(owner)
    html = client.get(url("members", business)).content.decode()
    assert url("invite", business) in html
    assert url("change_role", business, pk=membership_of(member, business).pk) in html
    assert url("remove_member", business, pk=membership_of(member, business).pk) in html
    assert url("revoke_invitation", business, pk=invitation.pk) in html
    assert '<label class="visually-hidden" for="id_member_' in html  # each role select is labelled


def test_a_manager_does_not_see_controls_over_an_owner(
    client: Client, owner: Any, manager: Any, business: Business
) -> None:
    client.force_login(manager)
    html = client.get(url("members", business)).content.decode()
    owner_pk = membership_of(owner, business).pk
    assert url("change_role", business, pk=owner_pk) not in html
    assert url("remove_member", business, pk=owner_pk) not in html
    assert '<option value="owner"' not in html  # a manager cannot make anyone an owner


def test_the_members_list_says_when_no_invitation_is_waiting(
    client: Client, owner: Any, business: Business
) -> None:
    client.force_login(owner)
    assert "No invitation is waiting for an answer." in client.get(url("members", business)).content.decode()


def test_the_members_list_takes_the_same_queries_for_many_members(
    client: Client, owner: Any, business: Business, django_assert_max_num_queries: Any
) -> None:
    client.force_login(owner)
    # Session, user, the nav's memberships (2), the access check (2), members, invitations.
    with django_assert_max_num_queries(8):
        client.get(url("members", business))
    with CaptureQueriesContext(connection) as few:
        client.get(url("members", business))
    for _ in range(15):
        MembershipFactory.create(business=business)
        InvitationFactory.create(business=business, invited_by=UserFactory.create())
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("members", business))
    assert response.content.decode().count("<tr>") == 1 + 16 + 1 + 15  # headers and rows
    assert len(many) == len(few)


def test_the_members_page_rejects_outsiders(
    client: Client, outsider: Any, moderator: Any, business: Business
) -> None:
    for person in (outsider, moderator):
        client.force_login(person)
        assert client.get(url("members", business)).status_code == 404


def test_the_members_page_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(url("members", business)))


def test_the_members_page_rejects_a_post(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    assert client.post(url("members", business)).status_code == 405


# Inviting.


@pytest.mark.parametrize("persona", ["owner", "manager"])
def test_owners_and_managers_invite_by_email(
    client: Client,
    post: Any,
    business: Business,
    mailoutbox: Any,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    inviter = request.getfixturevalue(persona)
    client.force_login(inviter)
    response = post(url("invite", business), {"email": "Ravi@Example.com", "role": Role.EMPLOYEE})
    assert response.status_code == 302
    assert response["Location"] == url("members", business)
    invitation = Invitation.objects.get(business=business)
    assert invitation.email == "ravi@example.com"
    assert invitation.role == Role.EMPLOYEE and invitation.invited_by == inviter
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    [message] = mailoutbox
    assert message.to == ["ravi@example.com"]
    assert message.subject == f"{inviter.name} invites you to join On-Demand Staffing on Peership"
    accept_url = f"http://testserver{invitation_url(invitation)}"
    assert accept_url in message.body
    assert "as employee" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{accept_url}"' in html and "On-Demand Staffing" in html
    assert Notification.objects.get(key=f"invitation:{invitation.pk}").status == Notification.Status.SENT


def test_no_invitation_email_leaves_before_the_commit(
    client: Client, owner: Any, business: Business, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
        assert mailoutbox == []
    assert len(callbacks) == 1


def test_the_text_part_of_the_email_is_not_html_escaped(
    client: Client, post: Any, business: Business, mailoutbox: Any
) -> None:
    inviter = MembershipFactory.create(
        business=business, role=Role.OWNER, user=UserFactory.create(name="Zoë O'Brien & Co")
    ).user
    client.force_login(inviter)
    post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    [message] = mailoutbox
    assert message.subject.startswith("Zoë O'Brien & Co invites you")
    assert "Zoë O'Brien & Co invites you" in message.body


def test_inviting_a_member_is_refused_and_keeps_what_was_typed(
    client: Client, owner: Any, member: Any, business: Business
) -> None:
    client.force_login(owner)
    response = client.post(url("invite", business), {"email": "NEHA@example.com", "role": Role.MANAGER})
    html = response.content.decode()
    assert response.status_code == 200
    assert "neha@example.com is already a member of On-Demand Staffing." in html
    assert 'value="NEHA@example.com"' in html
    assert '<option value="manager" selected>' in html
    assert not Invitation.objects.exists()


def test_inviting_an_address_already_invited_is_refused(
    client: Client, post: Any, owner: Any, business: Business, mailoutbox: Any
) -> None:
    client.force_login(owner)
    post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    response = post(url("invite", business), {"email": "ravi@example.com", "role": Role.MANAGER})
    assert response.status_code == 200
    assert "ravi@example.com has already been invited" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_same_address_may_be_invited_by_two_businesses(
    client: Client, post: Any, owner: Any, outsider: Any, business: Business, other_business: Business
) -> None:
    client.force_login(owner)
    post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    client.force_login(outsider)
    post(url("invite", other_business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    assert Invitation.objects.filter(email="ravi@example.com").count() == 2


def test_an_expired_invitation_can_be_sent_again(
    client: Client, post: Any, owner: Any, business: Business, mailoutbox: Any, time_machine: Any
) -> None:
    client.force_login(owner)
    post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    time_machine.move_to(timezone.now() + timedelta(days=15))
    client.force_login(owner)  # the session has expired too
    members_page = client.get(url("members", business)).content.decode()
    assert "Expired" in members_page
    response = post(url("invite", business), {"email": "ravi@example.com", "role": Role.EMPLOYEE})
    assert response.status_code == 302
    old, new = Invitation.objects.order_by("created_at")
    assert old.revoked_at is not None and new.is_open
    assert len(mailoutbox) == 2


def test_an_invalid_address_is_explained(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    response = client.post(url("invite", business), {"email": "ravi at example", "role": Role.EMPLOYEE})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html and 'value="ravi at example"' in html


def test_only_an_owner_invites_an_owner(client: Client, manager: Any, owner: Any, business: Business) -> None:
    client.force_login(manager)
    response = client.post(url("invite", business), {"email": "ravi@example.com", "role": Role.OWNER})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    client.force_login(owner)
    assert (
        client.post(url("invite", business), {"email": "ravi@example.com", "role": Role.OWNER}).status_code
        == 302
    )


def test_an_employee_cannot_invite(client: Client, member: Any, business: Business) -> None:
    client.force_login(member)
    assert (
        client.post(url("invite", business), {"email": "ravi@example.com", "role": "employee"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_invite_rejects_outsiders(client: Client, outsider: Any, business: Business) -> None:
    client.force_login(outsider)
    assert (
        client.post(url("invite", business), {"email": "ravi@example.com", "role": "employee"}).status_code
        == 404
    )


def test_invite_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(
        client.post(url("invite", business), {"email": "ravi@example.com", "role": "employee"})
    )


def test_invite_rejects_a_get(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    assert client.get(url("invite", business)).status_code == 405


# Accepting an invitation.


def test_a_brand_new_person_signs_up_from_the_invitation_and_joins(
    client: Client, post: Any, owner: Any, business: Business, mailoutbox: Any
) -> None:
    client.force_login(owner)
    post(url("invite", business), {"email": "ravi@example.com", "role": Role.MANAGER})
    client.logout()
    invitation_path = link_in(mailoutbox[0])

    page = client.get(invitation_path)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Afreen invited" in html and "as <strong>manager</strong>" in html
    signup_link = f"{reverse('account_signup')}?next={invitation_path}"
    assert signup_link in html
    assert f"{reverse('account_login')}?next=" in html

    response = post(signup_link, {"email": "ravi@example.com", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    post(link_in(mailoutbox[-1]))  # confirm the address
    response = post(
        f"{reverse('account_login')}?next={invitation_path}",
        {"login": "ravi@example.com", "password": STRONG},
    )
    assert response["Location"] == invitation_path

    assert "Accept and join On-Demand Staffing" in client.get(invitation_path).content.decode()
    response = post(invitation_path, follow=True)
    assert response.redirect_chain == [(url("detail", business), 302)]
    assert "Welcome to On-Demand Staffing!" in response.content.decode()
    membership = Membership.objects.get(business=business, user__email="ravi@example.com")
    assert membership.role == Role.MANAGER
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == membership.user and invitation.accepted_at is not None
    assert client.session[SESSION_KEY] == business.pk


def test_a_person_with_an_account_accepts_and_keeps_their_other_business(
    client: Client, outsider: Any, business: Business, other_business: Business
) -> None:
    invitation = InvitationFactory.create(business=business, email="RAJEEV@example.com", role=Role.EMPLOYEE)
    client.force_login(outsider)
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302
    assert set(Membership.objects.filter(user=outsider).values_list("business__slug", flat=True)) == {
        business.slug,
        other_business.slug,
    }
    assert client.session[SESSION_KEY] == business.pk


def test_accepting_twice_changes_nothing(client: Client, user: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business, email=user.email, role=Role.MANAGER)
    client.force_login(user)
    client.post(invitation_url(invitation))
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, business=business).count() == 1
    page = client.get(invitation_url(invitation)).content.decode()
    assert "You have accepted this invitation" in page


def test_a_member_accepting_an_invitation_keeps_their_role(
    client: Client, owner: Any, business: Business
) -> None:
    invitation = InvitationFactory.create(business=business, email=owner.email, role=Role.EMPLOYEE)
    client.force_login(owner)
    assert client.post(invitation_url(invitation)).status_code == 302
    assert membership_of(owner, business).role == Role.OWNER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_another_account_cannot_accept(client: Client, user: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business, email="ravi@example.com")
    client.force_login(user)
    get, post = client.get(invitation_url(invitation)), client.post(invitation_url(invitation))
    assert (get.status_code, post.status_code) == (200, 403)
    for response in (get, post):
        html = response.content.decode()
        assert "This invitation is for ravi@example.com, but you are signed in as member@example.com" in html
        assert "Accept and join" not in html
    assert not Membership.objects.filter(user=user).exists()


def test_an_expired_invitation_says_so(
    client: Client, user: Any, business: Business, time_machine: Any
) -> None:
    invitation = InvitationFactory.create(business=business, email=user.email)
    time_machine.move_to(invitation.expires_at + timedelta(minutes=1))
    client.force_login(user)
    for response in (client.get(invitation_url(invitation)), client.post(invitation_url(invitation))):
        assert response.status_code == 410
        assert "This invitation expired on" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    client.logout()
    assert client.get(invitation_url(invitation)).status_code == 410


def test_an_invitation_is_still_good_the_day_before_it_expires(
    client: Client, user: Any, business: Business, time_machine: Any
) -> None:
    invitation = InvitationFactory.create(business=business, email=user.email)
    time_machine.move_to(invitation.expires_at - timedelta(days=1))
    client.force_login(user)
    assert client.post(invitation_url(invitation)).status_code == 302


def test_a_revoked_invitation_says_so(client: Client, user: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business, email=user.email, revoked_at=timezone.now())
    client.force_login(user)
    response = client.post(invitation_url(invitation))
    assert response.status_code == 410
    assert "This invitation was withdrawn by the business." in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_an_invitation_accepted_by_someone_else_says_so(
    client: Client, user: Any, business: Business
) -> None:
    invitation = InvitationFactory.create(
        business=business, email=user.email, accepted_at=timezone.now(), accepted_by=UserFactory.create()
    )
    client.force_login(user)
    response = client.get(invitation_url(invitation))
    assert response.status_code == 410
    assert "already been accepted" in response.content.decode()


def test_a_removed_member_cannot_rejoin_with_their_old_invitation(
    client: Client, user: Any, business: Business
) -> None:
    invitation = InvitationFactory.create(business=business, email=user.email)
    client.force_login(user)
    client.post(invitation_url(invitation))
    Membership.objects.filter(user=user).delete()
    assert client.post(invitation_url(invitation)).status_code == 410
    assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_token_is_not_found(client: Client, user: Any) -> None:
    client.force_login(user)
    assert client.get(reverse("businesses:invitation", kwargs={"token": "nope"})).status_code == 404


def test_accepting_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    assert_asks_to_log_in(client.post(invitation_url(invitation)))
    assert invitation.business.memberships.count() == 0


def test_the_invitation_page_rejects_other_methods(client: Client, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    assert client.put(invitation_url(invitation)).status_code == 405


def test_open_invitations_are_listed_for_the_invited_person(
    user: Any, business: Business, other_business: Business, time_machine: Any
) -> None:
    wanted = InvitationFactory.create(business=business, email="Member@Example.com")
    InvitationFactory.create(business=other_business, email=user.email, revoked_at=timezone.now())
    InvitationFactory.create(business=BusinessFactory.create(), email=user.email, accepted_at=timezone.now())
    InvitationFactory.create(business=BusinessFactory.create(), email="someone.else@example.com")
    already = BusinessFactory.create()
    MembershipFactory.create(business=already, user=user)
    InvitationFactory.create(business=already, email=user.email)
    assert list(open_invitations_for(user)) == [wanted]
    time_machine.move_to(wanted.expires_at + timedelta(seconds=1))
    assert list(open_invitations_for(user)) == []


# Revoking an invitation.


def test_a_manager_revokes_an_invitation(client: Client, manager: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    client.force_login(manager)
    response = client.post(url("revoke_invitation", business, pk=invitation.pk), follow=True)
    assert response.redirect_chain == [(url("members", business), 302)]
    assert f"The invitation to {invitation.email} is withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.get(invitation_url(invitation)).status_code == 410


def test_an_accepted_invitation_cannot_be_revoked(client: Client, owner: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business, accepted_at=timezone.now())
    client.force_login(owner)
    response = client.post(url("revoke_invitation", business, pk=invitation.pk), follow=True)
    assert "has already accepted this invitation" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_revoke_rejects_employees(client: Client, member: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    client.force_login(member)
    assert client.post(url("revoke_invitation", business, pk=invitation.pk)).status_code == 403


def test_revoke_rejects_outsiders(client: Client, outsider: Any, owner: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    client.force_login(outsider)
    assert client.post(url("revoke_invitation", business, pk=invitation.pk)).status_code == 404
    # Nor can an owner revoke another business's invitation through their own.
    client.force_login(owner)
    other = InvitationFactory.create(business=BusinessFactory.create())
    assert client.post(url("revoke_invitation", business, pk=other.pk)).status_code == 404


def test_revoke_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    assert_asks_to_log_in(client.post(url("revoke_invitation", business, pk=invitation.pk)))


def test_revoke_rejects_a_get(client: Client, owner: Any, business: Business) -> None:
    invitation = InvitationFactory.create(business=business)
    client.force_login(owner)
    assert client.get(url("revoke_invitation", business, pk=invitation.pk)).status_code == 405


# Changing roles.


def test_an_owner_changes_a_role(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    pk = membership_of(member, business).pk
    response = client.post(url("change_role", business, pk=pk), {"role": Role.MANAGER}, follow=True)
    assert response.redirect_chain == [(url("members", business), 302)]
    assert "Neha is now manager." in response.content.decode()
    assert membership_of(member, business).role == Role.MANAGER


def test_an_owner_makes_another_owner_who_may_then_step_down(
    client: Client, owner: Any, manager: Any, business: Business
) -> None:
    client.force_login(owner)
    client.post(url("change_role", business, pk=membership_of(manager, business).pk), {"role": Role.OWNER})
    assert membership_of(manager, business).role == Role.OWNER
    response = client.post(
        url("change_role", business, pk=membership_of(owner, business).pk), {"role": "employee"}
    )
    assert response.status_code == 302
    assert membership_of(owner, business).role == Role.EMPLOYEE


def test_the_last_owner_cannot_be_demoted(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    pk = membership_of(owner, business).pk
    response = client.post(url("change_role", business, pk=pk), {"role": Role.MANAGER})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Afreen is the last owner of On-Demand Staffing. Make someone else an owner first" in html
    assert '<option value="manager" selected>' in html  # what was chosen, shown again
    assert membership_of(owner, business).role == Role.OWNER


def test_a_manager_cannot_make_an_owner(
    client: Client, manager: Any, member: Any, business: Business
) -> None:
    client.force_login(manager)
    response = client.post(
        url("change_role", business, pk=membership_of(member, business).pk), {"role": "owner"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert membership_of(member, business).role == Role.EMPLOYEE


def test_a_manager_cannot_change_an_owners_role(
    client: Client, owner: Any, manager: Any, business: Business
) -> None:
    MembershipFactory.create(business=business, role=Role.OWNER)  # not the last owner: the rule is the role
    client.force_login(manager)
    response = client.post(
        url("change_role", business, pk=membership_of(owner, business).pk), {"role": "employee"}
    )
    assert response.status_code == 403
    assert membership_of(owner, business).role == Role.OWNER


def test_a_manager_promotes_an_employee(
    client: Client, manager: Any, member: Any, business: Business
) -> None:
    client.force_login(manager)
    client.post(url("change_role", business, pk=membership_of(member, business).pk), {"role": Role.MANAGER})
    assert membership_of(member, business).role == Role.MANAGER


def test_an_unknown_role_is_refused(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    response = client.post(
        url("change_role", business, pk=membership_of(member, business).pk), {"role": "boss"}
    )
    assert response.status_code == 200
    assert membership_of(member, business).role == Role.EMPLOYEE


def test_change_role_rejects_employees(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(member)
    response = client.post(
        url("change_role", business, pk=membership_of(member, business).pk), {"role": "owner"}
    )
    assert response.status_code == 403
    assert membership_of(member, business).role == Role.EMPLOYEE


def test_change_role_rejects_outsiders(
    client: Client, outsider: Any, owner: Any, member: Any, business: Business, other_business: Business
) -> None:
    client.force_login(outsider)
    pk = membership_of(member, business).pk
    assert client.post(url("change_role", business, pk=pk), {"role": "manager"}).status_code == 404
    # A membership of another business is not reachable through one's own.
    assert client.post(url("change_role", other_business, pk=pk), {"role": "manager"}).status_code == 404
    assert membership_of(member, business).role == Role.EMPLOYEE


def test_change_role_asks_anonymous_visitors_to_log_in(
    client: Client, member: Any, business: Business
) -> None:
    pk = membership_of(member, business).pk
    assert_asks_to_log_in(client.post(url("change_role", business, pk=pk), {"role": "manager"}))


def test_change_role_rejects_a_get(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    assert client.get(url("change_role", business, pk=membership_of(member, business).pk)).status_code == 405


# Removing members and leaving.


def test_an_owner_removes_a_member(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    response = client.post(url("remove_member", business, pk=membership_of(member, business).pk), follow=True)
    assert response.redirect_chain == [(url("members", business), 302)]
    assert "Neha is no longer a member of On-Demand Staffing." in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()


def test_a_member_leaves(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(member)
    client.post(reverse("businesses:switch", kwargs={"slug": business.slug}))
    response = client.post(url("remove_member", business, pk=membership_of(member, business).pk), follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "You have left On-Demand Staffing." in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()
    assert SESSION_KEY not in client.session
    assert client.get(url("detail", business)).status_code == 404


def test_the_last_owner_cannot_leave(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    response = client.post(url("remove_member", business, pk=membership_of(owner, business).pk), follow=True)
    assert response.redirect_chain == [(url("members", business), 302)]
    assert "You are the last owner of On-Demand Staffing. Make someone else an owner first" in (
        response.content.decode()
    )
    assert membership_of(owner, business).role == Role.OWNER


def test_the_last_owner_cannot_be_removed(client: Client, owner: Any, business: Business) -> None:
    # Only an owner may remove an owner, so only the owner themselves could try: through the service.
    with pytest.raises(MembershipError, match="last owner"):
        remove_member(membership=membership_of(owner, business), removed_by=owner)
    assert membership_of(owner, business)


def test_one_of_two_owners_may_leave(client: Client, owner: Any, business: Business) -> None:
    MembershipFactory.create(business=business, role=Role.OWNER)
    client.force_login(owner)
    assert (
        client.post(url("remove_member", business, pk=membership_of(owner, business).pk)).status_code == 302
    )
    assert not Membership.objects.filter(user=owner).exists()


def test_a_manager_cannot_remove_an_owner(
    client: Client, owner: Any, manager: Any, business: Business
) -> None:
    client.force_login(manager)
    assert (
        client.post(url("remove_member", business, pk=membership_of(owner, business).pk)).status_code == 403
    )
    assert membership_of(owner, business)


def test_remove_rejects_employees(client: Client, manager: Any, member: Any, business: Business) -> None:
    client.force_login(member)
    assert (
        client.post(url("remove_member", business, pk=membership_of(manager, business).pk)).status_code == 403
    )
    assert membership_of(manager, business)


def test_remove_rejects_outsiders(client: Client, outsider: Any, member: Any, business: Business) -> None:
    client.force_login(outsider)
    assert (
        client.post(url("remove_member", business, pk=membership_of(member, business).pk)).status_code == 404
    )
    assert membership_of(member, business)


def test_remove_asks_anonymous_visitors_to_log_in(client: Client, member: Any, business: Business) -> None:
    assert_asks_to_log_in(client.post(url("remove_member", business, pk=membership_of(member, business).pk)))


def test_remove_rejects_a_get(client: Client, owner: Any, member: Any, business: Business) -> None:
    client.force_login(owner)
    assert (
        client.get(url("remove_member", business, pk=membership_of(member, business).pk)).status_code == 405
    )


@pytest.mark.django_db(transaction=True)
def test_two_owners_stepping_down_at_once_leave_one_owner(owner: Any, business: Business) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (SQLite serialises all writes anyway)")
    second = MembershipFactory.create(business=business, role=Role.OWNER).user
    first_holds_lock, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def step_down(name: str, actor: Any, target: Any, hold: bool) -> None:
        try:
            with transaction.atomic():
                change_role(membership=membership_of(target, business), role=Role.EMPLOYEE, changed_by=actor)
                if hold:
                    first_holds_lock.set()
                    first_may_commit.wait(5)
            outcomes[name] = "changed"
        except MembershipError as error:
            outcomes[name] = str(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=step_down, args=("first", owner, second, True))
    first.start()
    assert first_holds_lock.wait(5)
    other = threading.Thread(target=step_down, args=("second", second, owner, False))
    other.start()
    other.join(0.5)
    assert other.is_alive()  # waiting for the first change to commit
    first_may_commit.set()
    first.join(5)
    other.join(5)
    assert outcomes["first"] == "changed"
    assert "last owner" in outcomes["second"] or "Only the business's owners" in outcomes["second"]
    assert Membership.objects.filter(business=business, role=Role.OWNER).count() == 1
