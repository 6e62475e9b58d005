"""Signup, verification, login and recovery through allauth, email as the login."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "learn-by-doing-2026"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the browser would, running what the view defers to after its commit."""

    def _post(url: str, data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return _post


def signup(post, email: str, password: str = STRONG, password2: str | None = None):
    return post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password2 or password}
    )


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_signup_sends_a_verification_email_with_text_and_html(post, mailoutbox):
    response = signup(post, "afreen@staffing.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="afreen@staffing.example").exists()
    [message] = mailoutbox
    assert message.to == ["afreen@staffing.example"]
    assert message.subject == "Confirm your email address for Peership"
    assert "/accounts/confirm-email/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Confirm my email address" in html
    notification = Notification.objects.get(kind="account.email_confirmation_signup")
    assert notification.status == Notification.Status.SENT


def test_no_email_leaves_before_the_signup_commits(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("account_signup"),
            {"email": "afreen@staffing.example", "password1": STRONG, "password2": STRONG},
        )
        assert mailoutbox == []
    assert len(callbacks) == 1


def test_an_unverified_account_cannot_log_in_until_the_link_is_followed(client, post, mailoutbox):
    signup(post, "afreen@staffing.example")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "afreen@staffing.example", "password": STRONG})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    confirm_url = link_in(mailoutbox[-1])
    assert client.get(confirm_url).status_code == 200  # a page with a button, not a change on GET
    assert not EmailAddress.objects.get(email="afreen@staffing.example").verified
    client.post(confirm_url)
    assert EmailAddress.objects.get(email="afreen@staffing.example").verified

    response = client.post(reverse("account_login"), {"login": "afreen@staffing.example", "password": STRONG})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_signup_with_a_taken_email_does_not_reveal_it_but_tells_the_owner(post, user, mailoutbox):
    response = signup(post, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=user.email).count() == 1
    [message] = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "You already have a Peership account"


def test_a_weak_password_is_refused_with_a_message_and_the_email_kept(post):
    response = signup(post, "afreen@staffing.example", password="password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common" in html
    assert 'value="afreen@staffing.example"' in html
    assert not User.objects.filter(email="afreen@staffing.example").exists()


def test_mismatched_passwords_are_refused(post):
    response = signup(post, "afreen@staffing.example", password2=STRONG + "x")
    assert response.status_code == 200
    assert "You must type the same password each time" in response.content.decode()


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(post, user, mailoutbox):
    known = post(reverse("account_reset_password"), {"email": user.email})
    unknown = post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects == {
        user.email: "Reset your Peership password",
        "nobody@example.com": "Peership: no account for this address",
    }


def test_a_reset_link_sets_a_new_password(client, post, user, mailoutbox):
    post(reverse("account_reset_password"), {"email": user.email})
    url = link_in(mailoutbox[0])
    response = client.get(url)  # allauth moves the key into the session and redirects
    form_url = response["Location"]
    response = client.post(form_url, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_changing_the_password_needs_the_old_one_and_emails_a_notice(client, post, user, mailoutbox):
    client.force_login(user)
    url = reverse("account_change_password")
    wrong = client.post(url, {"oldpassword": "wrong", "password1": STRONG, "password2": STRONG})
    assert wrong.status_code == 200
    assert "Please type your current password" in wrong.content.decode()
    right = post(url, {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG})
    assert right.status_code == 302
    assert [m.subject for m in mailoutbox] == ["Your Peership password was changed"]


def test_logging_in_with_a_wrong_password_is_rate_limited(client, user):
    for _ in range(10):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, user):
    client.force_login(user)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_users_are_created_by_email_without_a_username():
    user = User.objects.create_user("Someone@Example.COM", "pw")
    assert user.email == "Someone@example.com"  # the domain is normalised
    assert not hasattr(user, "username") or user.username is None
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "pw")


def test_moderators_hold_the_moderate_permission(moderator, user):
    assert moderator.is_moderator
    assert not user.is_moderator
