"""Every view answers its own methods only (issue 14 §5): the portal's pages are read with GET
(and HEAD) and act on POST; anything else (PUT, DELETE, PATCH, OPTIONS, TRACE, …) is refused with
405 before any view runs. Views that take only one of the two say so themselves (require_GET,
require_POST), and answer 405 for the other."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

ALLOWED = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED:
            response = HttpResponseNotAllowed(ALLOWED)
            response.content = "不支持该请求方式。".encode()
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        return self.get_response(request)
