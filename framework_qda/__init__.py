"""framework-qda: the Framework method of qualitative analysis, scriptable.

    >>> import framework_qda as fq
    >>> study = fq.open_study(".")
    >>> study.matrix("2").to_frame()          # a theme's matrix as a DataFrame
"""

from framework_qda.errors import FqdaError, InputError, StudyNotFound, ValidationError
from framework_qda.matrix import Matrix
from framework_qda.model import (
    Case,
    Cell,
    Codebook,
    CodebookImport,
    Coding,
    Evidence,
    Quote,
    Segment,
    Subtopic,
    Theme,
)
from framework_qda.study import Study, find_study, init_study, open_study

__version__ = "0.1.0"

__all__ = [
    "Case", "Cell", "Codebook", "CodebookImport", "Coding", "Evidence", "FqdaError",
    "InputError", "Matrix", "Quote", "Segment", "Study", "StudyNotFound", "Subtopic", "Theme",
    "ValidationError", "__version__", "find_study", "init_study", "open_study",
]
