from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property

if TYPE_CHECKING:
    from businesses.models import Membership


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)


class Standing(TypedDict):
    moderate: bool
    authenticator_app: bool


def standing_columns() -> dict[str, Exists]:
    """A person's standing as two columns of their own row: holds accounts.moderate (directly or through
    a group), and has activated an authenticator app (TOTP)."""
    holds_moderate = Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        codename="moderate",
        content_type__app_label="accounts",
    )
    authenticator_app = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return {
        "standing_moderate": Exists(holds_moderate),
        "standing_authenticator_app": Exists(authenticator_app),
    }


class User(AbstractUser):
    """A person; the email address is the login, there is no username."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    # Reminders go out at a sensible local hour, and pages show dates, in this zone.
    time_zone = models.CharField(max_length=64, default="UTC")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        permissions = [("moderate", "Can moderate the exchange (verify businesses, approve matches)")]

    def __str__(self) -> str:
        return self.name or self.email

    @cached_property
    def _standing(self) -> Standing:
        """Whether the person holds accounts.moderate and has activated an authenticator app: read with
        the signed-in person's row (accounts.backends), else one query for both, once per request."""
        row = getattr(self, "standing_moderate", None), getattr(self, "standing_authenticator_app", None)
        if None in row:
            columns = standing_columns()
            row = User.objects.filter(pk=self.pk).annotate(**columns).values_list(*columns).get()
        return {"moderate": bool(row[0]), "authenticator_app": bool(row[1])}

    @cached_property
    def memberships_held(self) -> list["Membership"]:
        """The person's memberships, each with its business, read once a request: the navigation
        (businesses.context_processors) and the internship pages' access check share them."""
        # By business name alone: the model's order adds the person's email, the same on every row, and
        # with it a join of the users' table.
        return list(self.memberships.select_related("business").order_by("business__name"))

    @property
    def business_ids_held(self) -> set[int]:
        """The ids of the businesses the person belongs to (from memberships_held: no query of its own)."""
        return {membership.business_id for membership in self.memberships_held}

    @property
    def in_a_verified_business(self) -> bool:
        """Belongs to a verified business (from memberships_held: no query of its own)."""
        return any(membership.business.is_verified for membership in self.memberships_held)

    @cached_property
    def is_moderator(self) -> bool:
        """Holds accounts.moderate, directly or through a group."""
        if not self.is_active:
            return False
        return self.is_superuser or self._standing["moderate"]

    @property
    def has_authenticator_app(self) -> bool:
        """Has activated an authenticator app (TOTP), the second factor moderators and staff must use."""
        return self._standing["authenticator_app"]

    @property
    def must_use_second_factor(self) -> bool:
        """Moderators and staff (who open the admin) sign in with an authenticator app as well."""
        return self.is_active and (self.is_staff or self.is_moderator)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email
