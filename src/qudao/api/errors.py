"""One shape for every API error: {"code", "message", "fields"}."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from qudao.core.errors import BusinessRuleViolation, PermissionDenied


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"code": exc.code, "message": exc.message, "fields": {}}, status=403
        )

    @api.exception_handler(BusinessRuleViolation)
    def rule_violation(request: HttpRequest, exc: BusinessRuleViolation) -> HttpResponse:
        return api.create_response(
            request, {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=409
        )

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for error in exc.errors:
            location = [
                str(part)
                for part in error.get("loc", ())
                if part not in ("body", "payload", "query", "path")
            ]
            fields[".".join(location) or "__all__"] = str(error.get("msg", ""))
        return api.create_response(
            request,
            {"code": "invalid", "message": _("Some fields are not valid."), "fields": fields},
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            {
                "code": "unauthenticated",
                "message": _("Log in or send a valid API token."),
                "fields": {},
            },
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, {"code": "not_found", "message": _("Not found."), "fields": {}}, status=404
        )
