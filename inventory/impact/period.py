"""A reporting period: two dates, both included, read in the site's time zone."""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"A period ends on or after its start ({self.start} > {self.end}).")

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def month(cls, year, month):
        first = datetime.date(year, month, 1)
        return cls(first, next_month(first) - datetime.timedelta(days=1))

    def __contains__(self, day):
        return self.start <= day <= self.end

    def months(self):
        """The first day of every month the period touches, in order."""
        first, found = self.start.replace(day=1), []
        while first <= self.end:
            found.append(first)
            first = next_month(first)
        return found

    def month_periods(self):
        """The period cut at month boundaries: one Period per month, clipped to it."""
        return [
            Period(max(first, self.start), min(next_month(first) - datetime.timedelta(1), self.end))
            for first in self.months()
        ]

    def bounds(self):
        """(first instant, first instant after) as aware datetimes in the current time
        zone: filter DateTimeFields with `__gte` the first and `__lt` the second."""
        return day_start(self.start), day_start(self.end + datetime.timedelta(days=1))


def next_month(day):
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def day_start(day):
    """Midnight at the start of `day`, aware, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
