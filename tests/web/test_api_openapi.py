"""The API's description: valid OpenAPI 3.1, naming every route the API serves, and drawn as a page with
nothing from elsewhere."""

from openapi_spec_validator import validate

from pulsebot.web.api.openapi import description


def test_the_description_is_valid_openapi_3_1_and_names_every_route(visitor, web_app):
    spec = visitor.get("/api/openapi.json").get_json()

    validate(spec)
    assert spec["openapi"] == "3.1.0" and spec == description()
    served = {
        rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for rule in web_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert served == set(spec["paths"])


def test_the_description_page_is_served_without_anything_from_elsewhere(visitor):
    page = visitor.get("/api/docs")

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "GET /teams/{team}/weeks" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
