from . import devices


class KnownDeviceMiddleware:
    """Give a browser the known-device cookie when it signs in successfully.

    Sign-ins happen in more than one view (the site's login page, the
    admin's), so the ``user_logged_in`` receiver only notes the sign-in and
    this middleware writes the cookie on whatever response follows.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        devices.remember_sign_in(request, response)
        return response
