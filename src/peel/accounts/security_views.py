"""A member of staff's own account pages (changing their password) and the supervisor of
security's lockouts page. Writes go through the accounts actions, which audit them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from peel.accounts.actions import do_change_own_password, do_lift_lockout
from peel.accounts.forms import LiftLockoutForm, OwnPasswordChangeForm
from peel.accounts.lockout import (
    account_limit,
    address_limit,
    cool_off,
    current_lockouts,
    recent_attempts,
)
from peel.accounts.middleware import client_address
from peel.accounts.requests import staff_user
from peel.audit.log import record_search
from peel.core.access_rules import staff

LOCKOUTS_PERMISSION = "accounts.manage_lockouts"
RECENT_ROWS = 200


@staff(methods=("GET", "POST"))
def password_change(request: HttpRequest) -> HttpResponse:
    """Any member of staff changes their own password; they stay signed in on this browser
    (their other sessions end: they were signed with the old password's hash)."""
    user = staff_user(request)
    form = OwnPasswordChangeForm(
        user, request, data=request.POST if request.method == "POST" else None
    )
    if form.is_bound and form.is_valid():
        do_change_own_password(user, form.cleaned_data["new_password1"], client_address(request))
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("password-change")
    return render(request, "accounts/password_change.html", {"form": form})


@staff(LOCKOUTS_PERMISSION)
def lockouts(request: HttpRequest) -> HttpResponse:
    """Current lockouts and the failed sign-ins still counted. It shows staff usernames (and
    names anyone typed) and addresses, no report or person; each look is still access-logged,
    as the auditor's pages are, so who watched sign-in failures can be found."""
    viewer = staff_user(request)
    now = timezone.now()
    record_search(viewer, "sign-in lockouts page", "", [])
    context = {
        "lockouts": current_lockouts(now),
        "attempts": list(recent_attempts(now)[:RECENT_ROWS]),
        "rows_cap": RECENT_ROWS,
        "account_limit": account_limit(),
        "address_limit": address_limit(),
        "cool_off_minutes": int(cool_off().total_seconds() // 60),
    }
    return render(request, "accounts/lockouts.html", context)


@staff(LOCKOUTS_PERMISSION, methods=("POST",))
def lift_lockout(request: HttpRequest) -> HttpResponse:
    viewer = staff_user(request)
    form = LiftLockoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That lockout could not be lifted: the form was not complete.")
        return redirect("lockouts")
    data = form.cleaned_data
    if data["kind"] == "account":
        do_lift_lockout(viewer, username=data["username"])
        messages.success(request, f"{data['username']} can sign in again.")
    else:
        do_lift_lockout(viewer, address=data["address"])
        messages.success(request, f"Sign-in from {data['address']} is allowed again.")
    return redirect("lockouts")
