"""The append-only audit trail: who did or saw what, when, from where."""
