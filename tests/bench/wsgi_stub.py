"""A stand-in site for the HTTP run's own test: answers like the real one, from no database.

``/health/`` answers 200; a page answers 200 to a request with a session cookie and redirects
to the login without one; ``/missing/`` answers 404.
"""


def application(environ, start_response):
    path = environ["PATH_INFO"]
    logged_in = "sessionid=" in environ.get("HTTP_COOKIE", "")
    if path == "/health/":
        status, headers = "200 OK", []
    elif path == "/missing/":
        status, headers = "404 Not Found", []
    elif not logged_in:
        status, headers = "302 Found", [("Location", "/accounts/login/")]
    else:
        status, headers = "200 OK", []
    start_response(status, [("Content-Type", "text/plain"), *headers])
    return [status.encode()]
