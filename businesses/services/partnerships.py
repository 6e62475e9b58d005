from django.db import transaction

from businesses.models import Business, Partnership


@transaction.atomic
def open_partnership(*, business: Business, partner: Business) -> None:
    """After a moderator approves their match, each business may see the other's gaps."""
    for one, other in ((business, partner), (partner, business)):
        Partnership.objects.get_or_create(business=one, partner=other)
