"""Domain errors: what went wrong, in Chinese, for the person at the desk."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``message`` is Chinese and names what and where."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """A value does not satisfy its standard (ID number, credit code, phone, code table)."""


class NotFoundError(DomainError):
    """A record the caller named does not exist (or has been deleted)."""


class ConflictError(DomainError):
    """The change would duplicate a record or break a uniqueness rule."""


class StoreError(DomainError):
    """The database file cannot be used: locked by another instance, newer schema, damaged."""


class Cancelled(Exception):
    """The user cancelled a long operation; nothing was written."""


class PermissionDenied(DomainError):
    """The logged-in account (or nobody, where the database has accounts) may not do this; nothing was changed."""
