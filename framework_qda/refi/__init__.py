"""REFI-QDA, the exchange standard of QDA software: codebooks (``.qdc``,
``codebook.py``) and whole projects (``.qdpx``), read into plain records
(``reading.py``) and written from them (``writing.py``).  Nothing here knows the
study's store: ``project.py`` and ``project_export.py`` map between the two.
"""
