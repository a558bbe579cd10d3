"""The subject-access download of a household (lending.privacy.subject_export)."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse

from lending.access import households_visible_to
from lending.privacy.access_log import What, record_access
from lending.privacy.subject_export import build_subject_archive


@permission_required("lending.view_household", raise_exception=True)
def household_subject_export(request, code):
    household = households_visible_to(request.user).filter(code=code.strip().upper()).first()
    if household is None:
        raise Http404
    # Logged first, so that the copy lists its own download among who opened the file.
    record_access(request.user, household, What.SUBJECT_EXPORT)
    content, filename = build_subject_archive(request.user, household)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
