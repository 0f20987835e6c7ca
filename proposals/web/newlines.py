"""Line breaks as the user sees them: browsers send each line break of a text box as CR LF, but
count it as one character (the counter beside the box, its maxlength). Every posted form value
arrives here with LF only, so that the server counts as the counter does, refuses nothing the
counter accepted, and stores one kind of line break."""

from django.http import HttpRequest, HttpResponse


class NewlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            posted = request.POST.copy()
            for key in posted:
                values = posted.getlist(key)
                if any("\r" in value for value in values):
                    posted.setlist(key, [value.replace("\r\n", "\n").replace("\r", "\n") for value in values])
            posted._mutable = False
            request.POST = posted
        return self.get_response(request)
