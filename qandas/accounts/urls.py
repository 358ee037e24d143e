from django.urls import path

from qandas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("accounts/two-factor/verify/", views.verify, name="verify"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<uuid:code>/revoke/", views.revoke_token, name="revoke_token"),
    path("organisations/<uuid:code>/", views.organisation_settings, name="organisation"),
    path("members/<uuid:code>/edit/", views.membership_edit, name="membership_edit"),
]
