"""Lending pages: programme."""

urlpatterns = []
