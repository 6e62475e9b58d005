from datetime import date, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils.text import slugify

from accounts.models import User
from accounts.services import add_authenticator_app
from businesses.models import (
    Business,
    Department,
    Industry,
    Invitation,
    Membership,
    Mode,
    Need,
    Offer,
    Practice,
)
from internships.models import ImplementationPlan, Internship, Match, Objective, PlanStep, Task

PASSWORD = "correct-horse-battery-staple"
# The authenticator app's secret of every moderator the factories make (tests.mfa.totp_code reads it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """A verified primary address, as after a confirmed signup (pass verified=False to skip)."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def moderator(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """In the Moderators group, with an authenticator app as moderators must have
        (moderator__authenticator_app=False: one who has not set it up yet)."""
        if create and extracted:
            obj.groups.add(Group.objects.get(name="Moderators"))
            if kwargs.get("authenticator_app", True):
                add_authenticator_app(user=obj, secret=TOTP_SECRET)


class IndustryFactory(factory.django.DjangoModelFactory[Industry]):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = "541"
    title = "Professional, Scientific, and Technical Services"
    parent = factory.LazyFunction(
        lambda: Industry.objects.get_or_create(
            code="54", defaults={"title": "Professional, Scientific, and Technical Services"}
        )[0]
    )


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    slug = "marketing"
    name = "Marketing"


class PracticeFactory(factory.django.DjangoModelFactory[Practice]):
    class Meta:
        model = Practice
        django_get_or_create = ("slug",)

    department = factory.SubFactory(DepartmentFactory)
    slug = factory.Sequence(lambda n: f"practice-{n}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    suggested_days = 5


class BusinessFactory(factory.django.DjangoModelFactory[Business]):
    class Meta:
        model = Business
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Business {n}")
    slug = factory.LazyAttribute(lambda b: slugify(b.name))
    industry = factory.SubFactory(IndustryFactory)
    city = "Pune"
    country = "IN"
    size_band = Business.SizeBand.SMALL
    sells = "Services"
    sells_to = "Small businesses"
    verification = Business.Verification.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Membership.Role.EMPLOYEE


class OfferFactory(factory.django.DjangoModelFactory[Offer]):
    class Meta:
        model = Offer

    business = factory.SubFactory(BusinessFactory)
    practice = factory.SubFactory(PracticeFactory)
    level = 5
    description = "Work alongside our content team on a real campaign."
    capacity = 1
    mode = Mode.ON_SITE
    available_from = factory.LazyFunction(lambda: date.today())
    available_until = factory.LazyFunction(lambda: date.today() + timedelta(days=120))
    min_days = 3
    max_days = 10


class NeedFactory(factory.django.DjangoModelFactory[Need]):
    class Meta:
        model = Need

    business = factory.SubFactory(BusinessFactory)
    practice = factory.SubFactory(PracticeFactory)
    current_level = 1
    target_level = 4
    outcome = "Triple our organic leads in three months."
    earliest_start = factory.LazyFunction(lambda: date.today())
    preferred_days = 5


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    business = factory.SubFactory(BusinessFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Membership.Role.EMPLOYEE
    invited_by = factory.SubFactory(UserFactory)


class MatchFactory(factory.django.DjangoModelFactory[Match]):
    """A pending single match: a need of one business and an offer of another in the same practice."""

    class Meta:
        model = Match

    need = factory.SubFactory(NeedFactory)
    offer = factory.SubFactory(OfferFactory, practice=factory.SelfAttribute("..need.practice"))
    learner = factory.SelfAttribute("need.business")
    host = factory.SelfAttribute("offer.business")
    score = factory.LazyAttribute(lambda m: round(sum(m.parts.values()), 6))
    parts = factory.LazyFunction(
        lambda: {
            "practice_fit": 1.0,
            "level_gain": 0.5,
            "urgency": 0.25,
            "distance": 0.5,
            "track_record": 0.0,
            "reciprocity": 0.0,
        }
    )
    flags = factory.LazyFunction(list)
    risk = factory.LazyAttribute(lambda m: len(m.flags))
    start = factory.LazyFunction(lambda: date.today() + timedelta(days=7))
    days = 5


class InternshipFactory(factory.django.DjangoModelFactory[Internship]):
    """A requested internship from an approved match: an employee of the learner goes to the host."""

    class Meta:
        model = Internship

    match = factory.SubFactory(MatchFactory, status=Match.Status.APPROVED)
    offer = factory.SelfAttribute("match.offer")
    learner = factory.SelfAttribute("match.learner")
    host = factory.SelfAttribute("match.host")
    intern = factory.LazyAttribute(
        lambda i: MembershipFactory.create(business=i.learner, role=Membership.Role.EMPLOYEE).user
    )
    start = factory.SelfAttribute("match.start")
    end = factory.LazyAttribute(lambda i: i.start + timedelta(days=i.match.days - 1))
    message = "We would love to learn how you do it."
    status = Internship.Status.REQUESTED


class ObjectiveFactory(factory.django.DjangoModelFactory[Objective]):
    class Meta:
        model = Objective

    internship = factory.SubFactory(InternshipFactory)
    title = "More organic leads"
    metric = "organic leads per month"
    baseline = 5
    target = 15


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    internship = factory.SubFactory(InternshipFactory)
    title = "Outline a blog article"
    good_looks_like = "A headline, five sections and a call to action that captures the reader's email."
    due = factory.LazyAttribute(lambda t: t.internship.start + timedelta(days=1))


class ImplementationPlanFactory(factory.django.DjangoModelFactory[ImplementationPlan]):
    """A draft plan of an internship; add PlanStepFactory rows for its steps."""

    class Meta:
        model = ImplementationPlan

    internship = factory.SubFactory(InternshipFactory)
    summary = "Publish two articles a month and capture leads with one landing page."


class PlanStepFactory(factory.django.DjangoModelFactory[PlanStep]):
    class Meta:
        model = PlanStep

    plan = factory.SubFactory(ImplementationPlanFactory)
    action = "Publish a long-form article on hiring seasonal staff"
    owner = "Neha"
    due = factory.LazyAttribute(lambda s: s.plan.internship.end + timedelta(days=14))
    kpi = "organic leads per month"
    position = factory.Sequence(lambda n: n)
