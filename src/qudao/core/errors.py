"""Refusals that the business rules raise; views and the API turn them into messages."""

from __future__ import annotations


class BusinessRuleViolation(Exception):
    """A rule refused the change; nothing was written. `code` is stable, `message` translated."""

    def __init__(self, message: str, *, code: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.fields = fields or {}


class PermissionDenied(BusinessRuleViolation):
    """The actor's role does not allow this act."""

    def __init__(self, message: str, *, code: str = "permission_denied") -> None:
        super().__init__(message, code=code)
