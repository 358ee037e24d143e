"""Helpers with no models, shared by every app."""
