"""The dashboard: HTML pages for people, over the same services as the JSON API.

It works without JavaScript (plain forms, POST-redirect-GET). The session is the API's own
JWT in an HttpOnly cookie, and every form POST carries a signed CSRF token (``csrf``).

The browser routes (``web/routes``) reach the pages and the stylesheet through these module
names, which import the dashboard on the first request for it (chalicelib.lazy): the stream
and retry Lambdas, which load app.py and its routes too, never do.
"""

from chalicelib import lazy

# Where the admin console's pages live: the admin API answers JSON at /admin/events and the like.
CONSOLE_ROOT = "/admin/console"
# The facilitator's console: /facilitator/... answers the facilitator's JSON API.
FACILITATOR_ROOT = "/facilitator/console"

attendance_pages = lazy.Module("chalicelib.web.attendance_pages")
calendar_pages = lazy.Module("chalicelib.web.calendar_pages")
console = lazy.Module("chalicelib.web.console")
facilitator_pages = lazy.Module("chalicelib.web.facilitator_pages")
pages = lazy.Module("chalicelib.web.pages")
payment_pages = lazy.Module("chalicelib.web.payment_pages")
rendering = lazy.Module("chalicelib.web.rendering")
