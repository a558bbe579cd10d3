"""Lending pages: overview."""

urlpatterns = []
