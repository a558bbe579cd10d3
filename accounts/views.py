"""The login (password, then the second factor's code when the account has one) and the
"Account security" page."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import twofactor
from accounts.refusals import Refused

# The password was right: the code is asked for during this many seconds.
PENDING = "accounts_2fa_pending"
PENDING_SECONDS = 5 * 60


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class LoginView(DjangoLoginView):
    """Django's login; an account with a second factor goes on to the code's page."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "until": time.time() + PENDING_SECONDS,
        }
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or pending["until"] < time.time():
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify_login(user, form.cleaned_data["token"])
        except Refused as refusal:
            form.add_error("token", refusal.message)
        else:
            del request.session[PENDING]
            user.otp_device = device  # django-otp marks the session as verified
            login(request, user, backend=pending["backend"])
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = "dashboard"
            return redirect(target)
    return render(request, "registration/login_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def account_security(request):
    user = request.user
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "start":
                twofactor.start_enrolment(user)
                return redirect("account_security")
            if action in ("confirm", "remove") and form.is_valid():
                token = form.cleaned_data["token"]
                if action == "confirm":
                    twofactor.confirm_enrolment(request, token)
                    messages.success(request, _("The second factor is now in force."))
                else:
                    twofactor.remove_second_factor(request, token)
                    messages.success(request, _("The second factor was removed."))
                return redirect("account_security")
        except Refused as refusal:
            form.add_error("token" if action != "start" else None, refusal.message)
    pending = twofactor.pending_device(user) if twofactor.may_enrol(user) else None
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "may_enrol": twofactor.may_enrol(user),
            "must_enrol": twofactor.must_enrol(user),
            "device": twofactor.confirmed_device(user),
            "pending": pending,
            "qr_code": twofactor.qr_code_data_uri(pending) if pending else None,
            "secret": twofactor.secret_text(pending) if pending else None,
        },
    )
