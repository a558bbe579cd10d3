"""Lending pages: household."""

urlpatterns = []
