"""``python -m attrib`` runs the command line."""

from attrib.cli.commands import main

main()
