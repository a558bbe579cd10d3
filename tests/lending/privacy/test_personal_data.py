"""The inventory of personal data (lending.privacy.personal_data) covers every field."""

from django.apps import apps

from lending.privacy.personal_data import INVENTORY, Action, rules


def _lending_models():
    # Historical* tables are models of the lending app too.
    return list(apps.get_app_config("lending").get_models())


def test_every_field_of_every_lending_model_and_history_table_has_a_rule():
    missing = [
        f"{model._meta.label}.{name}"
        for model in _lending_models()
        for name, rule in rules(model).items()
        if rule is None
    ]

    assert not missing, (
        "Fields without a retention, export and anonymisation rule in "
        f"lending/privacy/personal_data.py: {', '.join(missing)}"
    )


def test_the_history_tables_are_walked_too():
    labels = {model._meta.label for model in _lending_models()}

    assert {"lending.HistoricalHousehold", "lending.HistoricalLoan"} <= labels


def test_a_new_field_without_a_rule_is_named(monkeypatch):
    household = INVENTORY["lending.Household"]
    monkeypatch.setitem(
        INVENTORY,
        "lending.Household",
        type(household)(
            fields={k: v for k, v in household.fields.items() if k != "phone"},
            household=household.household,
        ),
    )

    assert rules(apps.get_model("lending", "Household"))["phone"] is None
    assert rules(apps.get_model("lending", "HistoricalHousehold"))["phone"] is None


def test_no_declaration_names_a_field_that_does_not_exist():
    stale = []
    for label, declaration in INVENTORY.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields + model._meta.many_to_many}
        stale += [f"{label}.{name}" for name in declaration.fields if name not in names]

    assert not stale


def test_a_personal_field_is_erased_or_says_why_it_is_kept():
    kept = [
        f"{label}.{name}"
        for label, declaration in INVENTORY.items()
        for name, rule in declaration.fields.items()
        if rule.personal and rule.action == Action.KEEP and not rule.why
    ]

    assert not kept


def test_models_about_households_can_be_reached_from_the_household():
    for label, declaration in INVENTORY.items():
        if declaration.household:
            model = apps.get_model(label)
            # Raises FieldError when the lookup is wrong.
            str(model.objects.filter(**{declaration.household: 1}).query)
