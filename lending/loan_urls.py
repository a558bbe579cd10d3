"""Lending pages: loan."""

urlpatterns = []
