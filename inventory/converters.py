"""The <tag:…> path converter: an asset tag in an address. Imported by every URL
module that names it, so that each one works whichever is loaded first."""

from django.urls import register_converter
from django.urls.converters import StringConverter


class AssetTagConverter(StringConverter):
    # PostgreSQL refuses text holding a NUL byte (a 500): such an address matches nothing.
    regex = r"[^/\x00]+"


register_converter(AssetTagConverter, "tag")
