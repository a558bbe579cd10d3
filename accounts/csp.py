"""The Content-Security-Policy header (django-csp), with one exception of our own.

The policy is settings.CONTENT_SECURITY_POLICY: nothing but this site's own scripts,
styles and images, and no page may be framed (frame-ancestors 'none'). A view that
Django's own @xframe_options_sameorigin lets this site frame (the label PDFs shown in
the print page's preview) is framed by this site under the CSP too: the two headers
then say the same thing.
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and response.get("X-Frame-Options") == "SAMEORIGIN":
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
