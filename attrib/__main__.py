"""``python -m attrib`` runs the command line."""

from attrib.cli import main

main()
