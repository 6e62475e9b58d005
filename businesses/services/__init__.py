"""Writes that span models or have side effects, one module per feature:
profiles, members, assessment, offers, needs, partnerships, competitors."""
