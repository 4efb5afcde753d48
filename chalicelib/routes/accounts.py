"""Accounts: register, log in, log out, who am I."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import auth, throttling
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import BODY_IGNORED, OPTIONAL, PUBLIC, USER, Answer
from chalicelib.web import pages

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/auth/register",
    "POST",
    access=PUBLIC,
    tag="Accounts",
    summary="Create an account (and get a token)",
    description=(
        "Emails are trimmed and compared case-insensitively. Every account starts with the "
        "role `user`; no request can choose or change a role. Registrations from one address "
        "are limited per window (429 with `Retry-After`)."
    ),
    body=schemas.RegisterSchema,
    body_example=examples.REGISTER,
    answer=Answer(201, "Registered and logged in.", answers.Registered, examples.REGISTERED),
    domain_errors=(auth.EmailTaken(), throttling.RateLimited(retry_after=600)),
)
def register(body, request):
    return auth.register(**body, source_ip=request.context["identity"]["sourceIp"])


@routes.route(
    "/auth/login",
    "POST",
    access=PUBLIC,
    tag="Accounts",
    summary="Exchange email and password for a token",
    description=(
        "Attempts are counted before the password is checked, in fixed windows: too many "
        "for one email from one address, for one email from addresses that never logged in "
        "to it, or from one address at all answer 429 until the window ends (`Retry-After`). "
        "The limits are settings (docs/configuration.md)."
    ),
    body=schemas.LoginSchema,
    body_example=examples.LOGIN,
    answer=Answer(200, "A Bearer token, valid for an hour.", answers.Token, examples.TOKEN),
    domain_errors=(
        auth.InvalidCredentials(),
        throttling.LoginThrottled(retry_after=900),
        throttling.RateLimited(retry_after=600),
    ),
)
def login(body, request):
    return auth.login(body["email"], body["password"], request.context["identity"]["sourceIp"])


LOGGED_OUT = Answer(200, "Logged out.", answers.Message, examples.LOGGED_OUT)


@routes.route(
    "/logout",
    "GET",
    access=OPTIONAL,
    tag="Accounts",
    summary="Revoke the caller's token (a link's GET)",
    description=(
        "Revokes the Bearer token, and a session cookie sent with it. A browser holding only "
        "the dashboard's session cookie gets a page with a Log out button instead: a link on "
        "another site cannot log anyone out."
    ),
    answer=LOGGED_OUT,
    content_types=BODY_IGNORED,
    operation_id="logoutByLink",
)
def logout_by_link(request):
    return pages.logout_link(request)


@routes.route(
    "/auth/logout",
    "POST",
    access=OPTIONAL,
    tag="Accounts",
    summary="Revoke the caller's token",
    description=(
        "Revokes the Bearer token, and the dashboard's session cookie when one is sent. Any "
        "body is ignored. Logging out twice is as good as once."
    ),
    answer=LOGGED_OUT,
    content_types=BODY_IGNORED,
)
def logout(request):
    return pages.logout_api(request)


@routes.route(
    "/auth/me",
    "GET",
    access=USER,
    tag="Accounts",
    summary="Who the token belongs to",
    answer=Answer(200, "The caller's account.", answers.Me, examples.ME),
)
def get_me(principal):
    return auth.me(principal)
