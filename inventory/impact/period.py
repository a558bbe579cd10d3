"""A reporting period, shared by every report (inclusive dates at both ends)."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    start: date
    end: date
