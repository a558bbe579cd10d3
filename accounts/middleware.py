class IgnoreBrowserLanguageMiddleware:
    """Serve the site's language (French) unless the person picked another with the switch.

    Donated and refurbished computers often keep an English browser set-up; reading the
    browser's Accept-Language would show the staff an English interface by surprise.
    The language switch stores the choice in a cookie, which LocaleMiddleware still reads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
