from django.template.response import TemplateResponse

from .hashers import PasswordCheckBusy

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 5


class PasswordCheckBusyMiddleware:
    """Answer ``PasswordCheckBusy`` with a fast 503 and ``Retry-After``.

    Nothing was written: the password was never checked, so the request
    neither signed anyone in nor counted as a failed attempt.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PasswordCheckBusy):
            return None
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response.render()
