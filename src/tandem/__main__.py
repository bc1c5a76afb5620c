"""``python -m tandem``: the same command as the ``tandem`` script (the scheduler starts its jobs this way)."""

from tandem.cli.main import main

main()
