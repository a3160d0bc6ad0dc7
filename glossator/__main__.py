"""``python -m glossator`` runs the command line."""

from glossator.cli import main

main()
