"""What a person may see of a secret: nothing. The one place that hides secret values in text.

Which values are secret is decided once, in app/settings.py (SECRET_VALUES: secret settings, and
the userinfo, password and query values of every URL setting, through app.env.url_secrets). A
message that names a URL shows it through app.env.shown_url (scheme://host:port/path); anything
that slips through (an exception quoting the URL it was given) is masked here, in every log line,
JobRun row and check detail.
"""

MASK = "***"
# Shorter values would mask ordinary words ("1", "on"); real secrets are longer.
SHORTEST_SECRET = 4


def mask(text: str, secrets) -> str:
    # Longest first: "user:password" is masked whole, not as "user:***".
    for secret in sorted((s for s in secrets if len(s) >= SHORTEST_SECRET), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
