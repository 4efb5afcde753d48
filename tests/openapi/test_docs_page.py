"""/docs: Swagger UI from the API's own files, under a CSP that allows only those."""

import re
from urllib.parse import urljoin

import pytest

from chalicelib.openapi import docs_page

POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}


def policy_of(response):
    directives = response.headers["Content-Security-Policy"].split(";")
    return dict(directive.strip().split(" ", 1) for directive in directives)


def links_of(html):
    return re.findall(r'(?:src|href|data-spec-url)="([^"]*)"', html)


def test_docs_is_an_html_page_under_a_strict_csp(client):
    response = client.http.get("/docs")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert policy_of(response) == POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.body.decode()
    assert 'id="swagger-ui"' in html
    # No inline script or style for the CSP to have to allow.
    assert re.findall(r"<script[^>]*>[^<]+</script>|<style|style=", html) == []


@pytest.mark.parametrize("page", ["/docs", "/docs/"])
def test_every_link_of_the_page_is_served_by_the_api(client, page):
    html = client.http.get(page).body.decode()

    links = links_of(html)

    assert len(links) == 5
    for link in links:
        assert "//" not in link, "the page must not load anything from elsewhere"
        if link.startswith("data:"):
            continue
        target = urljoin(f"http://127.0.0.1{page}", link).removeprefix("http://127.0.0.1")
        assert client.http.get(target).status_code == 200, target


def test_page_loads_swagger_ui_the_document_and_its_own_setup(client):
    html = client.http.get("/docs").body.decode()

    assert links_of(html) == [
        "data:,",
        "docs/swagger-ui.css",
        "openapi.json",
        "docs/swagger-ui-bundle.js",
        "docs/docs.js",
    ]


@pytest.mark.parametrize("name", sorted(docs_page.ASSETS))
def test_each_file_of_the_page_is_served_with_its_type(client, name):
    response = client.http.get(f"/docs/{name}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == docs_page.ASSETS[name][1]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.body) > 100


def test_setup_script_sends_the_document_to_no_outside_validator(client):
    script = client.http.get("/docs/docs.js").body.decode()

    assert "validatorUrl: null" in script
    assert "http" not in script


@pytest.mark.parametrize("name", ["index.html", "LICENSE", "vendor", "..", "app.py", "docs.js.map"])
def test_nothing_else_is_served_from_the_docs_folder(client, name):
    response = client.http.get(f"/docs/{name}")

    assert response.status_code == 404
