from typing import Any

from django import forms

from businesses.models import Business, Invitation, Membership
from businesses.services.members import has_open_invitation, is_member

ROLE_HELP = (
    "Owners and managers edit the profile, offers and needs and arrange internships; "
    "employees can be sent as interns or named host mentors."
)

NOT_OWNER = [(value, label) for value, label in Membership.Role.choices if value != Membership.Role.OWNER]


class InviteForm(forms.ModelForm):
    def __init__(self, *args: Any, business: Business, inviter: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        role = self.fields["role"]
        assert isinstance(role, forms.TypedChoiceField)
        role.help_text = ROLE_HELP
        if inviter.role != Membership.Role.OWNER:
            # Only an owner may make someone an owner.
            role.choices = NOT_OWNER

    class Meta:
        model = Invitation
        fields = ["email", "role"]
        labels = {"email": "Email address"}
        help_texts = {"email": "We email them a link; they can accept with a new or an existing account."}

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if is_member(business=self.business, email=email):
            raise forms.ValidationError(f"{email} is already a member of {self.business.name}.")
        if has_open_invitation(business=self.business, email=email):
            raise forms.ValidationError(
                f"{email} has already been invited and the invitation is still open. "
                "Revoke it below if you want to send a new one."
            )
        return email


class RoleForm(forms.ModelForm):
    """One member's role, changed from the members list."""

    def __init__(self, *args: Any, can_grant_owner: bool, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_member_{kwargs['instance'].pk}_%s")
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.TypedChoiceField)
        role.widget.attrs["class"] = "form-select form-select-sm"
        if not can_grant_owner and self.instance.role != Membership.Role.OWNER:
            role.choices = NOT_OWNER

    class Meta:
        model = Membership
        fields = ["role"]
