"""``python -m framework_qda``: the ``fqda`` command line."""

from framework_qda.cli import main

main()
