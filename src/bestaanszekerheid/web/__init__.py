"""Het goede gesprek: the casework web app (Django) for consultants and team leads.

Installed with the ``web`` extra. The analysis library never imports this package; this
package may import the library, never the other way round.
"""
