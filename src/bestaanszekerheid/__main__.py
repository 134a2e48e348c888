"""``python -m bestaanszekerheid`` runs the ``bsz`` command line."""

from bestaanszekerheid.cli import main

if __name__ == "__main__":
    main()
