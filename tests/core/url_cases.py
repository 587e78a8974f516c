from tests.url_cases import DENIED, UrlCase, api, page

CASES = {
    "home": UrlCase(page()),
    "bare": UrlCase(page()),
    "health": UrlCase(page(anonymous=200)),
    "login": UrlCase(
        page(
            anonymous=200, employee=302, colleague=302, manager=302, other_manager=302, director=302
        )
    ),
    "logout": UrlCase(
        dict(
            anonymous=302, employee=302, colleague=302, manager=302, other_manager=302, director=302
        ),
        method="post",
    ),
    "set_language": UrlCase(
        dict(
            anonymous=302, employee=302, colleague=302, manager=302, other_manager=302, director=302
        ),
        method="post",
        data=lambda world: {"language": "ru", "next": "/"},
    ),
    "api-schema": UrlCase(api(anonymous=DENIED)),
    "api-docs": UrlCase(page()),
}
