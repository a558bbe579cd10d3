"""Comments written on households, enrolments and loans before they had an audience were
read by the workshop on a loan's page: from now on, only the social team reads them."""

from django.db import migrations


def to_social_team(apps, schema_editor):
    Comment = apps.get_model("inventory", "Comment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    lending_types = ContentType.objects.filter(
        app_label="lending", model__in=["household", "enrolment", "loan"]
    )
    Comment.objects.filter(content_type__in=lending_types).update(audience="social")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0014_leaks_comment_audience"),
        ("lending", "0005_rights_household_access"),
    ]

    operations = [migrations.RunPython(to_social_team, migrations.RunPython.noop)]
