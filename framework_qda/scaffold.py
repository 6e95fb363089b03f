"""What `fqda init` writes into a new study folder for a newcomer to fill in."""

from __future__ import annotations

SETTINGS_TEMPLATE = """\
# framework-qda study settings. Every key is optional; docs/SETTINGS.md lists them all.
# groups: [Nurses, Ward managers]        # sample groups, in the order matrix rows are grouped
# order_by: [site]                       # case attributes that order rows within a group
# attribution: '— {group}, {case}'       # how quotes are attributed
# roles:
#   interviewer: [Interviewer, 'Moderator.*']   # speaker labels (or regular expressions)
# paper: a4                              # or letter: how workbooks and the quote bank print
"""
CODEBOOK_TEMPLATE = """\
# The working analytical framework: themes (one matrix each) and their sub-topics
# (the matrix columns). Replace the example below with your own, then run
# `fqda codebook import codebooks/framework.yaml` (or `fqda run`).
title: My study
groups: []            # sample groups in the order matrix rows show them
themes:
  - code: "1"
    label: Example theme
    definition: What this theme is about.
    subtopics:
      - code: "1.1"
        label: Example sub-topic
        definition: What belongs here.
        include: What to code here even if it looks like something else.
        exclude: What belongs elsewhere (name the other sub-topic).
        example: "A short quote that is a clear case."
        keywords: [example]   # words that make `fqda suggest` propose a coding
        # exclude_keywords: [for example]   # phrases inside which a keyword does not count
"""
GITIGNORE = """\
# The store is rebuilt from the files beside it; keep it out of version control.
.fqda/
"""
NEXT_STEPS = (
    "put the transcripts in transcripts/ and one row per case in cases.csv",
    "fqda cases import cases.csv && fqda ingest",
    "edit codebooks/framework.yaml, then: fqda codebook import codebooks/framework.yaml",
)
