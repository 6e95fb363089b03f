"""The ``fqda`` command line, run from a checkout: ``python cli.py COMMAND``.

The app is assembled in :mod:`framework_qda.cli`, one module per Framework
stage; the installed console script ``fqda`` and ``python -m framework_qda``
run the same :func:`main`.
"""

from framework_qda.cli import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
