"""The reference data coordinators keep: referring structures, funders, eligibility
criteria. Their pages, forms and writes; programmes and households refer to them."""
