"""The test provider's client and users (plain values: imported by the test and by setup.py)."""

CLIENT_ID = "bsz-tests"
CLIENT_SECRET = "bsz-tests-geheim"
PASSWORD = "provider-wachtwoord-lang"
# username -> last name ("#role" adds a role claim, see validator.py)
USERS = {"sanne": "Demo", "onbekend": "Niemand", "nieuw": "Nieuwkomer#analist"}
