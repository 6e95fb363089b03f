"""Deterministic synthetic studies for the benchmark.

A study is written the way a researcher lays one out: ``transcripts/`` with
one ``.txt`` interview per case (``Interviewer:`` / first-name turns),
``cases.csv`` with sample groups and attributes, ``codebooks/framework.yaml``
with themes, sub-topics and keyword rules, and ``codings.csv`` coding whole
participant turns by segment number.  Participants' answers carry phrases
that match the codebook's keywords, so rule suggestions have something to
find, and the codings point at the turns that carry them.

Everything comes from one seeded ``random.Random``: the same arguments give
byte-identical files.

    python bench/generate.py out/study-100 --transcripts 100
    python bench/generate.py out/survey --survey 100000
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

SEED = 20131117

# Ordinary spoken-English words; function words repeat so their frequency is
# closer to speech (spaCy's cost depends on token count, not on vocabulary).
_WORD_LIST = """
the the the the a a a and and and to to to of of of in in it it is is was was
that that you you we we they they I I I but but so so just just really really
like like know know think think mean mean well well yes no not not there there
this this what when where which who how because if then than also very quite
be been being have has had do did does done can could would should will might
get got go went going come came make made take took see saw say said tell told
ward team staff shift night day week morning evening patient patients family
families doctor doctors nurse nurses manager managers colleague colleagues
people person everyone someone nobody somebody thing things time times way ways
work working worked job role roles place places room rooms office corridor
phone call calls email emails letter form forms system computer screen sheet
note notes folder file files record records list lists board meeting meetings
problem problems issue issues question questions answer answers reason reasons
change changes changed plan plans idea ideas point points case cases part parts
good bad better worse best worst big small little long short hard easy busy
quiet new old same different important difficult simple clear certain sure
always never often sometimes usually rarely maybe perhaps probably actually
about around after before during while until since through over under between
first second last next early late later soon now then again still already
every each any some many much more most less few lot lots bit enough other
our their his her my your its them us him me myself ourselves themselves
honestly basically obviously generally especially particularly anyway though
remember remembered feel felt seem seemed try tried want wanted need needed
ask asked help helped start started stop stopped keep kept leave left find found
bring brought give gave write wrote read talk talked listen listened wait waited
happen happened happens worry worried trust learn learned understand understood
"""
WORDS = _WORD_LIST.split()

OPENERS = ["I think", "To be honest", "Well", "I mean", "You know", "Mostly", "Sometimes",
           "In my experience", "On a good day", "If I'm honest", "Looking back", "Usually"]

QUESTIONS = [
    "Can you tell me a bit about how that works on your ward?",
    "What happens when that goes wrong?",
    "How did you feel about that at the time?",
    "Could you give me an example?",
    "Who else is involved when that happens?",
    "What would make that easier for you?",
    "Has that changed since you started?",
    "Why do you think that is?",
    "How do your colleagues see it?",
    "Is there anything you would add to that?",
]

GROUPS = ["Staff nurse", "Ward manager", "Junior doctor", "Healthcare assistant",
          "Family carer", "Patient"]
AREAS = ["Urban", "Rural", "Coastal"]
SITES = ["North", "South", "East", "West"]
NAMES = ["Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kit",
         "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rhea", "Sol", "Tess", "Uma", "Vic",
         "Wren", "Xan", "Yara", "Zed"]

# themes -> sub-topics: (label, definition, keywords, phrases spoken in answers)
FRAMEWORK: list[tuple[str, list[tuple[str, str, list[str], list[str]]]]] = [
    ("Communication", [
        ("Handover notes", "Written notes passed between shifts.", ["handover sheet", "notes"],
         ["the handover sheet was half empty", "we rely on the notes from the night"]),
        ("Talking in person", "Face-to-face handover.", ["face to face", "bedside"],
         ["a proper chat at the bedside", "I prefer face to face every time"]),
        ("Electronic records", "Screens, systems and logins.", ["electronic record", "login"],
         ["the electronic record kept freezing", "my login expired again"]),
        ("Families informed", "Telling relatives what is going on.", ["relatives", "visiting"],
         ["the relatives rang three times", "visiting hours are when they ask"]),
    ]),
    ("Pressures", [
        ("Staffing", "Too few staff on shift.", ["short-staffed", "agency staff"],
         ["we were short-staffed again", "half the shift was agency staff"]),
        ("Time", "Running out of time.", ["overrun", "no time"],
         ["the shift would overrun by an hour", "there was simply no time"]),
        ("Beds", "Bed pressures and flow.", ["bed management", "discharge"],
         ["bed management wanted the bay cleared", "the discharge was delayed"]),
        ("Fatigue", "Tiredness and breaks.", ["exhausted", "break"],
         ["I was exhausted by the end", "nobody got a break that night"]),
    ]),
    ("Safety", [
        ("Errors", "Mistakes and near misses.", ["near miss", "mistake"],
         ["it was a near miss with the insulin", "a mistake in the drug chart"]),
        ("Escalation", "Raising concerns upward.", ["escalate", "speak up"],
         ["I had to escalate it to the registrar", "you learn to speak up"]),
        ("Incident reporting", "Formal reports.", ["incident form", "datix"],
         ["I filled in an incident form", "it went on datix the next morning"]),
    ]),
    ("Support", [
        ("Managers", "Support from managers.", ["my manager", "supportive"],
         ["my manager backed me up", "the matron was really supportive"]),
        ("Peers", "Support from colleagues.", ["team spirit", "colleagues helped"],
         ["the team spirit kept us going", "my colleagues helped me out"]),
        ("Training", "Learning and induction.", ["training", "induction"],
         ["the training never covered that", "my induction was two days"]),
        ("Wellbeing", "Looking after staff.", ["wellbeing", "burnout"],
         ["the wellbeing service was hard to reach", "burnout is real on this ward"]),
    ]),
    ("Change", [
        ("New processes", "Changes to how work is done.", ["new process", "pilot"],
         ["the new process came in last spring", "we were the pilot ward"]),
        ("Resistance", "Reluctance to change.", ["resistance", "set in their ways"],
         ["there was a lot of resistance", "some staff are set in their ways"]),
        ("Ideas", "Suggestions for improvement.", ["suggestion", "improve"],
         ["my suggestion would be a shorter form", "we could improve the huddle"]),
    ]),
]


@dataclass(frozen=True)
class Subtopic:
    code: str
    label: str
    definition: str
    keywords: list[str]
    phrases: list[str]


def subtopics() -> list[Subtopic]:
    """Every sub-topic of the synthetic framework, in codebook order."""
    return [Subtopic(f"{t}.{s}", label, definition, keywords, phrases)
            for t, (_, subs) in enumerate(FRAMEWORK, start=1)
            for s, (label, definition, keywords, phrases) in enumerate(subs, start=1)]


def _sentence(rng: random.Random, phrase: str = "") -> str:
    n = max(3, min(40, int(rng.lognormvariate(2.4, 0.55))))
    words = rng.choices(WORDS, k=n)
    if phrase:
        words.insert(rng.randrange(len(words) + 1), phrase)
    if rng.random() < 0.3:
        words.insert(0, rng.choice(OPENERS) + ",")
    text = " ".join(words)
    end = "?" if rng.random() < 0.05 else "."
    return text[0].upper() + text[1:] + end


def _answer(rng: random.Random, topic: Subtopic | None) -> tuple[str, int]:
    """A participant's turn: some sentences, one carrying a topic phrase."""
    count = rng.randint(2, 12)
    hit = rng.randrange(count) if topic else -1
    sentences = [_sentence(rng, rng.choice(topic.phrases) if topic and i == hit else "")
                 for i in range(count)]
    # Long answers run over several lines, as transcription software wraps them.
    lines, line = [], []
    for s in sentences:
        line.append(s)
        if rng.random() < 0.25:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    text = "\n".join(lines)
    return text, len(text.split())


def transcript(rng: random.Random, name: str, words: int, subs: list[Subtopic]
               ) -> tuple[str, list[tuple[int, str]]]:
    """One interview of about ``words`` words; returns its text and the codings.

    Codings are ``(segment number, sub-topic code)`` for participant turns
    whose answer carries that sub-topic's phrase.  The title line is segment
    1 (words before the first speaker are a segment of their own), then
    turns alternate starting with the interviewer, so participant turn k is
    segment 2k + 1.
    """
    parts = [f"Interview {name} — ward study, recorded and transcribed verbatim", ""]
    codings: list[tuple[int, str]] = []
    total, segment = 0, 1
    while total < words:
        question = rng.choice(QUESTIONS)
        if rng.random() < 0.4:
            question = _sentence(rng) + " " + question
        parts += [f"Interviewer: {question}", ""]
        segment += 1
        topic = rng.choice(subs) if rng.random() < 0.35 else None
        answer, n = _answer(rng, topic)
        parts += [f"{name}: {answer}", ""]
        segment += 1
        if topic is not None:
            codings.append((segment, topic.code))
        total += n + len(question.split())
    return "\n".join(parts), codings


def codebook_yaml(subs: list[Subtopic]) -> str:
    lines = ["title: Synthetic ward study (benchmark)",
             "groups: [" + ", ".join(GROUPS) + "]", "themes:"]
    by_theme: dict[str, list[Subtopic]] = {}
    for s in subs:
        by_theme.setdefault(s.code.split(".")[0], []).append(s)
    for t, (label, _) in enumerate(FRAMEWORK, start=1):
        lines += [f'  - code: "{t}"', f"    label: {label}", "    subtopics:"]
        for s in by_theme[str(t)]:
            keywords = ", ".join(f'"{k}"' for k in s.keywords)
            lines += [f'      - code: "{s.code}"', f"        label: {s.label}",
                      f"        definition: {s.definition}", f"        keywords: [{keywords}]"]
    return "\n".join(lines) + "\n"


def generate_study(root: Path, transcripts: int, words: int = 8000, seed: int = SEED) -> Path:
    """Write a study of ``transcripts`` interviews of about ``words`` words into ``root``.

    Returns ``root``.  Existing files of the same names are overwritten;
    nothing else in ``root`` is touched.
    """
    rng = random.Random(f"{seed}:{transcripts}:{words}")
    subs = subtopics()
    for sub in ("transcripts", "codebooks", "matrices"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "fqda.yaml").write_text("# synthetic benchmark study\n", encoding="utf-8")
    (root / "codebooks" / "framework.yaml").write_text(codebook_yaml(subs), encoding="utf-8")
    width = max(4, len(str(transcripts)))
    with (root / "cases.csv").open("w", encoding="utf-8", newline="") as cf, \
         (root / "codings.csv").open("w", encoding="utf-8", newline="") as kf:
        cases, codings = csv.writer(cf), csv.writer(kf)
        cases.writerow(["case", "group", "area", "site", "years"])
        codings.writerow(["case", "segment", "subtopic", "coder", "memo"])
        for i in range(1, transcripts + 1):
            case = f"P{i:0{width}d}"
            cases.writerow([case, GROUPS[i % len(GROUPS)], rng.choice(AREAS),
                            rng.choice(SITES), rng.randint(1, 30)])
            text, coded = transcript(rng, rng.choice(NAMES), words, subs)
            (root / "transcripts" / f"{case}.txt").write_text(text, encoding="utf-8")
            for segment, code in coded:
                codings.writerow([case, segment, code, rng.choice(["hb", "jk"]), ""])
    return root


SURVEY_QUESTION = "What one thing would most improve handovers on your ward?"


def generate_survey(path: Path, responses: int, seed: int = SEED) -> Path:
    """Write ``responses`` one-answer survey cases as one CSV at ``path``.

    Columns: ``id``, ``group``, ``area`` and the open-ended answer, headed by
    the question.  Answers are one to three sentences; about a third carry
    a codebook phrase.
    """
    rng = random.Random(f"{seed}:survey:{responses}")
    subs = subtopics()
    path.parent.mkdir(parents=True, exist_ok=True)
    width = len(str(responses))
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "group", "area", SURVEY_QUESTION])
        for i in range(1, responses + 1):
            topic = rng.choice(subs) if rng.random() < 0.35 else None
            count = rng.randint(1, 3)
            hit = rng.randrange(count)
            answer = " ".join(_sentence(rng, rng.choice(topic.phrases) if topic and j == hit
                                        else "") for j in range(count))
            out.writerow([f"R{i:0{width}d}", GROUPS[i % len(GROUPS)], rng.choice(AREAS),
                          answer])
    return path


def survey_config() -> str:
    """``fqda.yaml`` for a study that ingests :func:`generate_survey`'s file."""
    return ("# synthetic survey study\n"
            "survey:\n"
            "  id_column: id\n"
            f'  columns: ["{SURVEY_QUESTION}"]\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="study folder (or survey CSV with --survey)")
    parser.add_argument("--transcripts", type=int, default=10)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--survey", type=int, default=0, help="write N survey responses")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if args.survey:
        generate_survey(args.target, args.survey, args.seed)
    else:
        generate_study(args.target, args.transcripts, args.words, args.seed)


if __name__ == "__main__":
    main()
