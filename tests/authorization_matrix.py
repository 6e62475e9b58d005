"""The authorization matrix: for every URL pattern of the project, the status each persona gets.

tests/test_authorization_matrix.py walks the URL resolver and fails for a pattern that has no row here
(nor a prefix rule below), so a new page cannot ship without saying who may open it.

The personas, around one world (tests/test_authorization_matrix.py builds it): a sending business
("learner", On-Demand Staffing) and a host ("host", Pixelcraft UX) with an approved match and internships
between them.

- anonymous: not signed in.
- outsider: the owner of a third, unrelated verified business.
- member: a plain employee of the learner (no role in any internship).
- intern: an employee of the learner, the intern of every internship.
- mentor: an employee of the host, the mentor of the internships the host has accepted.
- host_owner: the owner of the host.
- owner: the owner of the learner.
- moderator: a moderator, member of no business.

Business pages use the learner's slug unless the row says otherwise, so "member" is the member without
the right role there. The house rule (STYLE.md): anonymous visitors are sent to the login page, people
the object does not exist for get 404, people who may see it but not do this get 403, a wrong method
gets 405."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PERSONAS = ("anonymous", "outsider", "member", "intern", "mentor", "host_owner", "owner", "moderator")

# What a persona gets, besides an exact status code.
LOGIN = "login"  # 302 to the login page
OK = "ok"  # GET: 200; POST: 200 (a form shown again, or a refusal that says why) or a redirect (done)
REDIRECT = "redirect"  # 302, but not a demand to sign in (the login page with ?next=)
ADMIN_LOGIN = "admin login"  # 302 to the admin's login page

type Status = int | str
type Expect = dict[str, Status]
type Kwargs = Callable[[Any], dict[str, Any]]


def expect(default: Status, **personas: Status) -> Expect:
    """`default` for every signed-in persona, the login page for anonymous visitors, unless named."""
    unknown = set(personas) - set(PERSONAS)
    if unknown:
        raise ValueError(f"Unknown personas: {sorted(unknown)}")
    return {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], default), **personas}


def no_kwargs(world: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Also:
    """The same pattern with another object (in another state, of another business): what the named
    personas get for it with GET."""

    kwargs: Kwargs
    expect: dict[str, Status]


@dataclass(frozen=True)
class Row:
    """One URL pattern: its kwargs in the world, and what each persona gets for each allowed method.

    `get`/`post` None: the method is not allowed (`actor` gets 405 for it). `crossed`: kwargs that name
    an object of another business instead (another business's internship, or its offer, task, member
    under this business's address): `actor` must get 404.
    `also`: the same page for other objects, where some personas must get something else."""

    kwargs: Kwargs = no_kwargs
    get: Expect | None = None
    post: Expect | None = None
    actor: str = "owner"
    crossed: tuple[Kwargs, ...] = ()
    also: tuple[Also, ...] = ()
    note: str = ""

    @property
    def methods(self) -> list[tuple[str, Expect]]:
        return [(method, e) for method, e in (("GET", self.get), ("POST", self.post)) if e is not None]


# Profiles shared by many rows.
PUBLIC = expect(OK, anonymous=OK)
SIGNED_IN = expect(OK)
MODERATORS = expect(403, moderator=OK)
# A business's own pages (member_access): its members; nobody else learns it has such a page.
LEARNER_MEMBERS = expect(404, member=OK, intern=OK, owner=OK)
# Its owners and managers (member_access(manage=True)): other members 403.
LEARNER_MANAGERS = expect(404, member=403, intern=403, owner=OK)
# Needs and self-assessment (gaps_access): members, moderators, and the approved partner's members.
GAPS_READERS = expect(OK, outsider=404)
# A business's lists for members and moderators (member_access(allow_moderator=True)).
LEARNER_MEMBERS_AND_MODERATORS = expect(404, member=OK, intern=OK, owner=OK, moderator=OK)


def internship(*allowed: str, **others: Status) -> Expect:
    """An internship page: 404 for the outsider and the plain member (the internship is not theirs),
    403 for the others who see the internship (intern, mentor, both owners, moderators), OK for `allowed`."""
    result = expect(403, outsider=404, member=404)
    result.update(dict.fromkeys(allowed, OK))
    result.update(others)
    return result


def learner(world: Any) -> dict[str, Any]:
    return {"slug": world.learner.slug}


def foreign(**more: Any) -> Kwargs:
    """The same page of an internship between two other businesses."""
    return lambda w: {"pk": w.foreign.pk, **more}


FOREIGN = (foreign(),)


MATRIX: dict[str, Row] = {
    # The site.
    "home": Row(get=expect(REDIRECT, anonymous=OK), note="signed-in people go to their dashboard"),
    "dashboard": Row(get=SIGNED_IN),
    "healthz": Row(get=PUBLIC, actor="anonymous", note="a load balancer's probe: public, no details"),
    # Accounts and notifications.
    "accounts:profile": Row(get=SIGNED_IN, post=SIGNED_IN),
    "notifications:settings": Row(get=SIGNED_IN, post=SIGNED_IN),
    "notifications:unsubscribe": Row(
        kwargs=lambda w: {"token": w.unsubscribe_token},
        get=PUBLIC,
        post=PUBLIC,
        note="the signed link is the credential (RFC 8058 one-click): anyone holding it, no sign-in",
    ),
    "notifications:failed": Row(get=MODERATORS, actor="moderator"),
    "notifications:resend": Row(
        kwargs=lambda w: {"pk": w.failed_email.pk}, post=MODERATORS, actor="moderator"
    ),
    # Businesses.
    "businesses:create": Row(get=SIGNED_IN, post=SIGNED_IN),
    "businesses:browse": Row(get=SIGNED_IN, note="people without a verified business see when it opens"),
    "businesses:invitation": Row(
        kwargs=lambda w: {"token": w.invitation.token},
        get=PUBLIC,
        post=expect(403),
        note="anyone with the link sees whom it invites; only the invited address accepts it",
    ),
    "businesses:detail": Row(
        kwargs=learner,
        get=SIGNED_IN,
        also=(
            # Not verified yet: only its own members and moderators see it.
            Also(lambda w: {"slug": w.unverified.slug}, expect(404, moderator=OK)),
        ),
        note="a verified business's profile is open to members of verified businesses",
    ),
    "businesses:edit": Row(kwargs=learner, get=LEARNER_MANAGERS, post=LEARNER_MANAGERS),
    "businesses:switch": Row(kwargs=learner, post=LEARNER_MEMBERS),
    "businesses:members": Row(kwargs=learner, get=LEARNER_MEMBERS),
    "businesses:invite": Row(kwargs=learner, post=LEARNER_MANAGERS),
    "businesses:change_role": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.memberships["member"].pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.memberships["mentor"].pk},),
    ),
    "businesses:remove_member": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.memberships["member"].pk},
        post=expect(404, member=OK, intern=403, owner=OK),
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.memberships["mentor"].pk},),
        note="the member named leaves by themselves; another employee may not remove them",
    ),
    "businesses:revoke_invitation": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.invitation.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_invitation.pk},),
    ),
    "businesses:assessment": Row(kwargs=learner, get=GAPS_READERS, post=LEARNER_MANAGERS),
    "businesses:proposals": Row(kwargs=learner, get=LEARNER_MANAGERS),
    "businesses:offers": Row(kwargs=learner, get=LEARNER_MEMBERS_AND_MODERATORS),
    "businesses:offer_create": Row(kwargs=learner, get=LEARNER_MANAGERS, post=LEARNER_MANAGERS),
    "businesses:offer_detail": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.learner_offer.pk},
        get=SIGNED_IN,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_offer.pk},),
        also=(
            # Paused, or a proposal not confirmed yet: the business's own (and moderators').
            Also(
                lambda w: {"slug": w.learner.slug, "pk": w.paused_offer.pk},
                LEARNER_MEMBERS_AND_MODERATORS,
            ),
            Also(
                lambda w: {"slug": w.learner.slug, "pk": w.draft_offer.pk},
                LEARNER_MEMBERS_AND_MODERATORS,
            ),
        ),
        note="an active offer of a verified business is open to members of verified businesses",
    ),
    "businesses:offer_edit": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.learner_offer.pk},
        get=LEARNER_MANAGERS,
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_offer.pk},),
    ),
    "businesses:offer_pause": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.learner_offer.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_offer.pk},),
    ),
    "businesses:offer_resume": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.paused_offer.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_offer.pk},),
    ),
    "businesses:offer_discard": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.draft_offer.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_offer.pk},),
    ),
    "businesses:needs": Row(kwargs=learner, get=GAPS_READERS),
    "businesses:need_create": Row(kwargs=learner, get=LEARNER_MANAGERS, post=LEARNER_MANAGERS),
    "businesses:need_edit": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.need.pk},
        get=LEARNER_MANAGERS,
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_need.pk},),
    ),
    "businesses:need_close": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.need.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_need.pk},),
    ),
    "businesses:need_discard": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.draft_need.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_need.pk},),
    ),
    "businesses:competitors": Row(kwargs=learner, get=LEARNER_MANAGERS, post=LEARNER_MANAGERS),
    "businesses:competitor_delete": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "pk": w.competitor.pk},
        post=LEARNER_MANAGERS,
        crossed=(lambda w: {"slug": w.learner.slug, "pk": w.host_competitor.pk},),
    ),
    "businesses:compare": Row(
        kwargs=lambda w: {"slug": w.learner.slug, "other": w.host.slug},
        get=LEARNER_MEMBERS,
        crossed=(lambda w: {"slug": w.learner.slug, "other": w.unverified.slug},),
        note="a member compares their own business with one whose profile they may see",
    ),
    # Matches and internship requests.
    "internships:match": Row(
        kwargs=lambda w: {"pk": w.match.pk},
        get=expect(OK, outsider=404),
        crossed=(lambda w: {"pk": w.pending_match.pk},),
        also=(Also(lambda w: {"pk": w.pending_match.pk}, expect(404)),),
        note="members of both businesses once approved (a pending match is 404 to them)",
    ),
    "internships:request": Row(
        kwargs=lambda w: {"pk": w.match.pk},
        get=expect(403, outsider=404, owner=OK),
        post=expect(403, outsider=404, owner=OK),
        crossed=(lambda w: {"pk": w.pending_match.pk},),
        also=(Also(lambda w: {"pk": w.pending_match.pk}, expect(404)),),
    ),
    "internships:index": Row(get=SIGNED_IN),
    "internships:detail": Row(
        kwargs=lambda w: {"pk": w.active.pk},
        get=internship("intern", "mentor", "host_owner", "owner", "moderator"),
        crossed=FOREIGN,
    ),
    "internships:calendar": Row(
        kwargs=lambda w: {"pk": w.active.pk},
        get=internship("intern", "mentor", "host_owner", "owner"),
        note="moderators read the internship but have no calendar of it",
        crossed=FOREIGN,
    ),
    # The host answers a request (the requested internship has no mentor yet: the mentor is a plain
    # employee of the host there, so 404).
    "internships:accept": Row(
        kwargs=lambda w: {"pk": w.requested.pk},
        get=internship("host_owner", mentor=404),
        post=internship("host_owner", mentor=404),
        actor="host_owner",
        crossed=FOREIGN,
    ),
    "internships:decline": Row(
        kwargs=lambda w: {"pk": w.requested.pk},
        get=internship("host_owner", mentor=404),
        post=internship("host_owner", mentor=404),
        actor="host_owner",
        crossed=FOREIGN,
    ),
    "internships:counter": Row(
        kwargs=lambda w: {"pk": w.requested.pk},
        get=internship("host_owner", mentor=404),
        post=internship("host_owner", mentor=404),
        actor="host_owner",
        crossed=FOREIGN,
    ),
    "internships:accept_counter": Row(
        kwargs=lambda w: {"pk": w.requested.pk},
        get=internship("owner", mentor=404),
        post=internship("owner", mentor=404),
        crossed=FOREIGN,
    ),
    "internships:decline_counter": Row(
        kwargs=lambda w: {"pk": w.requested.pk},
        get=internship("owner", mentor=404),
        post=internship("owner", mentor=404),
        crossed=FOREIGN,
    ),
    "internships:confirm": Row(
        kwargs=lambda w: {"pk": w.accepted.pk},
        get=internship("owner"),
        post=internship("owner"),
        crossed=FOREIGN,
    ),
    "internships:cancel": Row(
        kwargs=lambda w: {"pk": w.active.pk},
        get=internship("owner", "host_owner"),
        post=internship("owner", "host_owner"),
        crossed=FOREIGN,
    ),
    # Tasks, the plan and the final assessment.
    "internships:task_create": Row(
        kwargs=lambda w: {"pk": w.active.pk}, post=internship("mentor"), actor="mentor", crossed=FOREIGN
    ),
    "internships:task_done": Row(
        kwargs=lambda w: {"pk": w.active.pk, "task_pk": w.assigned_task.pk},
        post=internship("intern"),
        actor="intern",
        crossed=(
            lambda w: {"pk": w.active.pk, "task_pk": w.other_task.pk},
            lambda w: {"pk": w.foreign.pk, "task_pk": w.foreign_task.pk},
        ),
    ),
    "internships:task_review": Row(
        kwargs=lambda w: {"pk": w.active.pk, "task_pk": w.done_task.pk},
        post=internship("mentor"),
        actor="mentor",
        crossed=(
            lambda w: {"pk": w.active.pk, "task_pk": w.other_task.pk},
            lambda w: {"pk": w.foreign.pk, "task_pk": w.foreign_task.pk},
        ),
    ),
    "internships:plan": Row(
        kwargs=lambda w: {"pk": w.active.pk},
        get=internship("intern"),
        post=internship("intern"),
        actor="intern",
        crossed=FOREIGN,
    ),
    "internships:plan_submit": Row(
        kwargs=lambda w: {"pk": w.active.pk}, post=internship("intern"), actor="intern", crossed=FOREIGN
    ),
    "internships:plan_approve": Row(
        kwargs=lambda w: {"pk": w.active.pk}, post=internship("owner"), crossed=FOREIGN
    ),
    "internships:plan_changes": Row(
        kwargs=lambda w: {"pk": w.active.pk}, post=internship("owner"), crossed=FOREIGN
    ),
    "internships:final_assessment": Row(
        kwargs=lambda w: {"pk": w.active.pk}, post=internship("mentor"), actor="mentor", crossed=FOREIGN
    ),
    # Moderation.
    "internships:moderation_queue": Row(get=MODERATORS, actor="moderator"),
    "internships:moderation_bulk_approve": Row(post=MODERATORS, actor="moderator"),
    "internships:moderation_match": Row(
        kwargs=lambda w: {"pk": w.pending_match.pk}, get=MODERATORS, actor="moderator"
    ),
    "internships:moderation_approve": Row(
        kwargs=lambda w: {"pk": w.pending_match.pk}, post=MODERATORS, actor="moderator"
    ),
    "internships:moderation_reject": Row(
        kwargs=lambda w: {"pk": w.pending_match.pk}, post=MODERATORS, actor="moderator"
    ),
    "internships:moderation_businesses": Row(get=MODERATORS, actor="moderator"),
    "internships:moderation_business": Row(
        kwargs=learner, get=MODERATORS, post=MODERATORS, actor="moderator"
    ),
    "feedback:dashboard": Row(get=MODERATORS, actor="moderator"),
    "feedback:dashboard_csv": Row(get=MODERATORS, actor="moderator"),
    # Weekly reports: the intern, the mentor, the sending owners, moderators; the host's owners 403.
    "feedback:reports_index": Row(
        kwargs=lambda w: {"pk": w.active.pk},
        get=internship("intern", "mentor", "owner", "moderator"),
        crossed=FOREIGN,
    ),
    "feedback:reports_week": Row(
        kwargs=lambda w: {"pk": w.active.pk, "week": 1},
        get=internship("intern", "mentor", "owner", "moderator"),
        post=internship("intern"),
        actor="intern",
        crossed=(lambda w: {"pk": w.active.pk, "week": 99}, foreign(week=1)),
    ),
    "feedback:reports_review": Row(
        kwargs=lambda w: {"pk": w.active.pk, "week": 1},
        post=internship("mentor"),
        actor="mentor",
        crossed=(lambda w: {"pk": w.active.pk, "week": 99}, foreign(week=1)),
    ),
    # Outcomes of the completed internship.
    "feedback:outcomes_review": Row(
        kwargs=lambda w: {"pk": w.completed.pk},
        get=internship("owner", "host_owner", "moderator"),
        post=internship("owner", "host_owner"),
        note="moderators read the reviews; the two businesses write them",
        crossed=FOREIGN,
    ),
    "feedback:outcomes_follow_ups": Row(
        kwargs=lambda w: {"pk": w.completed.pk}, get=internship("owner", "moderator"), crossed=FOREIGN
    ),
    "feedback:outcomes_follow_up": Row(
        kwargs=lambda w: {"pk": w.completed.pk, "day": 30},
        get=internship("owner"),
        post=internship("owner"),
        crossed=(lambda w: {"pk": w.completed.pk, "day": 45}, foreign(day=30)),
    ),
    "feedback:outcomes_impact": Row(
        kwargs=lambda w: {"slug": w.host.slug},
        get=expect(404, mentor=OK, host_owner=OK, moderator=OK),
        actor="host_owner",
        note="the host's own page: its members and moderators",
    ),
}


# allauth's account and two-factor pages. Each is listed by name (they share accounts/ with our profile
# page, so a prefix rule could hide a project page). The statuses are allauth's own flows, checked for no
# 500 and no page for the wrong person: `force_login` leaves no recent authentication, so the pages that
# change a second factor first ask to reauthenticate, and the steps of a sign-in with no sign-in under way
# send people on.
SIGNED_IN_ELSEWHERE = expect(REDIRECT, anonymous=OK)  # a signed-in person has nothing to do there
ACCOUNT_PAGES: dict[str, Row] = {
    "account_login": Row(get=SIGNED_IN_ELSEWHERE),
    "account_signup": Row(get=SIGNED_IN_ELSEWHERE),
    "account_logout": Row(
        get=expect(OK, anonymous=REDIRECT), note="asks to confirm; anonymous: nothing to do"
    ),
    "account_inactive": Row(get=PUBLIC),
    "account_reauthenticate": Row(get=SIGNED_IN),
    "account_request_reauthentication_code": Row(get=SIGNED_IN),
    "account_confirm_reauthentication_code": Row(get=expect(REDIRECT), note="no code was sent: ask for one"),
    "account_email": Row(get=SIGNED_IN),
    "account_email_verification_sent": Row(get=PUBLIC),
    "account_change_password": Row(get=SIGNED_IN),
    "account_set_password": Row(get=expect(REDIRECT), note="everyone here has a password: go to change it"),
    "account_reset_password": Row(get=PUBLIC),
    "account_reset_password_done": Row(get=PUBLIC),
    "account_confirm_login_code": Row(get=expect(REDIRECT, anonymous=REDIRECT), note="no sign-in under way"),
    "account_confirm_email": Row(kwargs=lambda w: {"key": "not-a-real-key"}, get=PUBLIC),
    "account_reset_password_from_key": Row(
        kwargs=lambda w: {"uidb36": "zz", "key": "not-a-real-key"}, get=PUBLIC
    ),
    "account_reset_password_from_key_done": Row(get=PUBLIC),
    # Two-factor authentication. Only the moderator has an authenticator app (moderators must).
    "mfa_index": Row(get=SIGNED_IN),
    "mfa_authenticate": Row(get=expect(REDIRECT, anonymous=REDIRECT), note="no sign-in under way"),
    "mfa_reauthenticate": Row(
        get=expect(REDIRECT, moderator=OK), note="without a second factor: the password"
    ),
    "mfa_activate_totp": Row(get=expect(REDIRECT), note="reauthenticate first"),
    "mfa_deactivate_totp": Row(get=expect(404, moderator=REDIRECT), note="404 without an app to deactivate"),
    "mfa_view_recovery_codes": Row(get=expect(404), note="nobody here has generated recovery codes"),
    "mfa_generate_recovery_codes": Row(get=expect(REDIRECT), note="reauthenticate first"),
    "mfa_download_recovery_codes": Row(get=expect(404)),
}


@dataclass(frozen=True)
class PrefixRule:
    """Patterns covered as a group: every one must live under `route_prefix` and come from one of
    `modules` (so a project view added there is not hidden by the rule)."""

    namespace: str | None
    route_prefix: str
    modules: tuple[str, ...]
    rule: str


ADMIN = PrefixRule(
    namespace="admin",
    route_prefix="admin/",
    modules=("django.contrib.", "django.views.generic.base"),
    rule="non-staff people (every persona) are sent to the admin's login page; staff open it",
)

# Where the admin rule has exceptions, by pattern name.
# The admin's login is allauth's (exchange/urls.py: secure_admin_login, so staff give their second factor):
# anonymous visitors go to the site's login page, signed-in non-staff get 403, staff go on to the index.
ADMIN_NON_STAFF: dict[str, Expect] = {
    "admin:login": expect(403),
    "admin:logout": expect(REDIRECT, anonymous=REDIRECT),  # not signed in to the admin: to its index
}
ADMIN_STAFF: dict[str, Status] = {
    "admin:login": REDIRECT,
    "admin:logout": 405,  # logging out is a POST
    "admin:autocomplete": 403,  # without the field it completes
    "admin:view_on_site": REDIRECT,
    "admin/(?P<url>.*)$": 404,  # the catch-all, for a page that does not exist
    # Read-only in the admin: made by the site's own flows (invitations email their link, matches come
    # from the matching engine, match events record moderators' decisions).
    "admin:businesses_invitation_add": 403,
    "admin:internships_match_add": 403,
    "admin:internships_matchevent_add": 403,
}
