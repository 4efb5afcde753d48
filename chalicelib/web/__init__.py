"""The dashboard: HTML pages for people, over the same services as the JSON API.

It works without JavaScript (plain forms, POST-redirect-GET). The session is the API's own
JWT in an HttpOnly cookie, and every form POST carries a signed CSRF token (``csrf``).
"""
