"""The routes for browsers, beside the pages they serve: the dashboard's and the admin
console's. They are not part of the JSON API (not in the OpenAPI document): each says why
(``browser_only``) and hands the request to its page, which the first request imports
(``chalicelib.web``)."""

# A dashboard or console form's body.
FORM = ["application/x-www-form-urlencoded"]
