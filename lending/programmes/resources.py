"""The programmes list exported, with their places."""

from django.utils.translation import gettext_lazy

from lending.models import (
    Programme,
)
from lending.programmes import services as programmes
from spreadsheets.columns import Column
from spreadsheets.exporting import ExportOnlyResource
from spreadsheets.resources import ExchangeResource
from spreadsheets.widgets import (
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    TextWidget,
)


class ProgrammeExportResource(ExportOnlyResource):
    name = Column("name", label=gettext_lazy("Programme"), widget=TextWidget())
    status = Column(
        "status", label=gettext_lazy("Status"), widget=ChoiceWidget(Programme.Status.choices)
    )
    starts_on = Column("starts_on", label=gettext_lazy("Starts on"), widget=DateWidget())
    ends_on = Column("ends_on", label=gettext_lazy("Ends on"), widget=DateWidget())
    capacity = Column("capacity", label=gettext_lazy("Capacity"), widget=IntegerWidget())
    enrolled = Column("enrolled", label=gettext_lazy("Enrolled"), widget=IntegerWidget())
    places_left = Column("places_left", label=gettext_lazy("Places left"), widget=IntegerWidget())
    waiting = Column("waiting", label=gettext_lazy("Waiting list"), widget=IntegerWidget())
    # Not named like the model's many-to-many fields, which would put them first.
    partners = Column("structures", label=gettext_lazy("Partner structures"), widget=TextWidget())
    funded_by = Column("funders", label=gettext_lazy("Funders"), widget=TextWidget())
    coordinated_by = Column("coordinators", label=gettext_lazy("Coordinators"), widget=TextWidget())

    class Meta(ExchangeResource.Meta):
        model = Programme

    def dehydrate_partners(self, programme):
        return ", ".join(structure.name for structure in programme.structures.all())

    def dehydrate_funded_by(self, programme):
        return ", ".join(funder.name for funder in programme.funders.all())

    def dehydrate_coordinated_by(self, programme):
        people = programme.coordinators.all()
        return ", ".join(user.get_full_name() or user.get_username() for user in people)

    @classmethod
    def export_queryset(cls, user):
        found = programmes.with_places(Programme.objects.all())
        found = found.prefetch_related("structures", "funders", "coordinators")
        return found.order_by("-starts_on", "name")
