"""Form bodies must be UTF-8: anything else is refused, never stored mangled.

Django decodes form fields with errors="replace", so "%ED%A0%80" (an encoded
surrogate, which UTF-8 forbids) would reach a form as "\ufffd\ufffd\ufffd" and be
stored like that. This middleware checks a URL-encoded body's raw bytes first and
answers 400 when any name or value is not valid UTF-8. Multipart bodies (uploads)
carry their text in parts Django also decodes leniently; our only multipart form
is the avatar upload, whose one text field is a fixed button value.
"""

from urllib.parse import unquote_to_bytes

from django.shortcuts import render

FORM_TYPE = "application/x-www-form-urlencoded"


def is_valid_form_body(body: bytes) -> bool:
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


class RejectInvalidUtf8Middleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.content_type == FORM_TYPE
            and not is_valid_form_body(request.body)
        ):
            return render(
                request,
                "400.html",
                {"message": "What you sent contained characters we could not read "
                            "(it was not valid UTF-8), so nothing was saved. Please try again."},
                status=400,
            )  # fmt: skip
        return self.get_response(request)
