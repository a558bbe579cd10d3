"""Households' personal data as the law expects it: what is kept, for how long, what is
exported to the person, what anonymisation does (one inventory, personal_data), the
retention rule (retention) and the anonymisation itself (anonymise).

Other modules of this package: the subject-access export and access log, consents and
the information notice. They declare their own models in personal_data.INVENTORY.
"""
