from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from accounts import views as account_views
from config import views

handler404 = "config.views.page_not_found"
handler403 = "config.views.permission_denied"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("account/security/", account_views.account_security, name="account_security"),
    # The admin's own login would skip the second factor: it is ours, with the code.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
        name="admin_login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says (for a
    # bookmark, a PDF tab): the same icon, rather than a 404 logged on every visit.
    path("favicon.ico", views.favicon, name="favicon"),
    # The language switch is on the login page too, before anyone is signed in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("labels/", include("labels.urls")),
    path("", include("labels.api_urls")),
    path("imports/", include("exchange.urls")),
    path("sales/", include("sales.urls")),
    path("reports/", include("reports.urls")),
    path("", include("public.urls")),
    path("", include("lending.urls")),
    # Before inventory.urls: its devices/<tag>/ would otherwise catch devices/import-…/.
    path("", include("inventory.erasure.urls")),
    path("", include("inventory.refurbishment.urls")),
    path("", include("inventory.hardware.urls")),
    path("", include("inventory.scan.urls")),
    path("", include("inventory.organisation.urls")),
    path("", include("inventory.donors.urls")),
    path("", include("inventory.impact.urls")),
    path("", include("inventory.urls")),
]
