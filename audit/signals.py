"""Sign-in, sign-out, refused sign-ins and sign-in lockouts.

These four are the only audit rows written from signal handlers, and the handlers do nothing but
call the audit service. There is no service of ours on this path: Django's `login()`/`logout()`
and `authenticate()` are reached from the login page, the admin's login page and any future
entry point (SSO, another view), and the signals are the one hook all of them share. Wrapping
LoginView/LogoutView would miss the admin's login form, and `user_login_failed` is the only place
a refused password is reported, with the attempted username already separated from the password.
"""

from __future__ import annotations

from contextlib import nullcontext

from axes import signals as axes_signals
from django.contrib.auth import signals as auth_signals

from audit import context
from audit.models import Action, Outcome
from audit.services import audit_record


def _bound(request):
    """The middleware has usually bound the request already; `authenticate()` can also be called
    with a request that never went through it (a test client, another entry point)."""
    if request is None:
        return nullcontext()
    return context.bound(context.context_from_request(request))


def on_logged_in(sender, request, user, **kwargs):
    with _bound(request):
        audit_record(
            actor=user,
            action=Action.LOGIN,
            object_type="user",
            object_id=user.pk,
            object_repr=user.get_username(),
        )


def on_logged_out(sender, request, user, **kwargs):
    if user is None:  # signing out without having signed in
        return
    with _bound(request):
        audit_record(
            actor=user,
            action=Action.LOGOUT,
            object_type="user",
            object_id=user.pk,
            object_repr=user.get_username(),
        )


def on_login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already replaced by Django; keep only the username.
    username = str(credentials.get("username", ""))[:150]
    with _bound(request):
        audit_record(
            actor=None,
            action=Action.LOGIN_FAILED,
            outcome=Outcome.FAILURE,
            object_type="user",
            object_repr=username,
            after={"username": username},
            error="Wrong username or password.",
        )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes refused this username from this address: the limit was reached, or a locked
    pair tried again (one row each time, like refused sign-ins)."""
    username = str(username or "")[:150]
    with _bound(request):
        audit_record(
            actor=None,
            action=Action.LOCKED_OUT,
            outcome=Outcome.FAILURE,
            object_type="user",
            object_repr=username,
            after={"username": username, "ip": ip_address},
            error="Too many failed sign-ins; locked out for a while.",
        )


def connect() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="audit.logged_in")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="audit.logged_out")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    axes_signals.user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
