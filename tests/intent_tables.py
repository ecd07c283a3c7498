"""The utterance table of the Dutch answer parser, and `parse_duration`, the weeks an answer gives.

`TABLE` is a list of `pytest.param(question_id, text, expected, over_six)` rows: one utterance as
a user might type it or a recogniser might write it, and the one result the parser must give:
True/False for yes/no, a choice's value, a duration in unrounded weeks (`over_six` also checks
the six-week boundary: True > 6, False <= 6, None not checked), a `Command`, or None when the
utterance must be asked again (the parser never guesses). The durations are read as on `TODAY`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.dialog.intents import Command, Understood, interpret
from assistant.protocol import load_protocol
from assistant.protocol.model import Question, Vocabulary

VOCABULARY = load_protocol().vocabulary
TODAY = date(2026, 11, 30)  # the consultation date of the calendar answers ('sinds september')


def parse_duration(text: str, question: Question,
                   vocab: Vocabulary = VOCABULARY) -> float | None:
    """The weeks `text` gives as an answer, or None when it is no answer."""
    reading = interpret(text, question, vocab, TODAY)
    return reading.value if isinstance(reading, Understood) else None  # type: ignore[return-value]


YES_NO = "improving"
TUMOUR = "rf_tumour_history"
IMPACT = "adl_impact"
ONSET = "weeks_since_onset"
ABSENCE = "work_absence_weeks"

# Units in days, written out here so the test does not read them from the parser.
DAY = 1.0
WEEK = 7.0
MONTH = 30.4375
YEAR = 365.25
SIX_WEEKS = 6.0


def weeks(days: float) -> float:
    """A duration in days as unrounded weeks."""
    return days / WEEK


def row(question: str, text: str, expected: Any, over_six: bool | None = None,
        row_id: str | None = None) -> Any:
    """One table row. `over_six` also checks the six-week boundary (True: > 6, False: <= 6)."""
    shown = text if text.strip() else repr(text)
    return pytest.param(question, text, expected, over_six, id=row_id or f"{question}|{shown}")


def yes(text: str, question: str = YES_NO) -> Any:
    return row(question, text, True)


def no(text: str, question: str = YES_NO) -> Any:
    return row(question, text, False)


def cmd(text: str, name: str, question: str = YES_NO) -> Any:
    return row(question, text, Command(name))


def dur(text: str, expected_weeks: float, over_six: bool | None = None,
        question: str = ONSET) -> Any:
    return row(question, text, expected_weeks, over_six)


def none(text: str, question: str = YES_NO) -> Any:
    return row(question, text, None)


YES_ROWS = [
    yes("oké, ja"),
    yes("jawel hoor"),
    yes("ja"),
    yes("jawel"),
    yes("ja hoor"),
    yes("jazeker"),
    yes("ja zeker"),
    yes("zeker"),
    yes("klopt"),
    yes("dat klopt"),
    yes("ja dat klopt"),
    yes("ja klopt"),
    yes("inderdaad"),
    yes("ja inderdaad"),
    yes("correct"),
    yes("juist"),
    yes("dat is zo"),
    yes("jep"),
    yes("zeker wel"),
    yes("natuurlijk"),
    yes("yes"),
    # case, punctuation, fillers
    yes("Ja!"),
    yes("JA HOOR."),
    yes("Ja."),
    yes("  ja  "),
    yes("ja..."),
    yes("Jazeker!"),
    yes("Ja, dat klopt."),
    yes("ja, inderdaad"),
    yes("Ja natuurlijk!"),
    yes("eh ja"),
    yes("uhm, jawel"),
    yes("hmm ja"),
    yes("euh... ja"),
    yes("nou, ja"),
    yes("ok ja"),
    yes("Dat klopt!"),
    # the same on another yes/no question
    yes("ja", TUMOUR),
    yes("Klopt.", TUMOUR),
    yes("ehm, ja hoor", TUMOUR),
]

NO_ROWS = [
    no("nee hoor, helemaal niet"),
    no("nee, nee"),
    no("nee"),
    no("nee hoor"),
    no("neen"),
    no("niet"),
    no("helemaal niet"),
    no("klopt niet"),
    no("dat klopt niet"),
    no("nee dat klopt niet"),
    no("nee niet"),
    no("zeker niet"),
    no("absoluut niet"),
    no("nooit"),
    no("nee nooit"),
    no("niet waar"),
    no("nope"),
    no("geen"),
    no("niks"),
    no("niets"),
    # case, punctuation, fillers
    no("Nee."),
    no("NEE!"),
    no("nee, hoor"),
    no("Nee, helemaal niet."),
    no("Nee, dat klopt niet."),
    no("ehm nee"),
    no("uh, nee"),
    no("nou, nee"),
    no("tja, nee"),
    # the same on another yes/no question
    no("nee", TUMOUR),
    no("Nooit!", TUMOUR),
    no("eh, nee hoor", TUMOUR),
    # found by the benchmark corpus (bench/corpus.tsv)
    no("welnee"),
    no("Welnee hoor!", TUMOUR),
]

CHOICE_ROWS = [
    row(IMPACT, "ja, een beetje", "mild"),
    row(IMPACT, "nee, geen", "none"),
    row(IMPACT, "heel erg veel", "severe"),
    row(IMPACT, "geen enkele invloed", "none"),
    row(IMPACT, "geen", "none"),
    row(IMPACT, "helemaal niet", "none"),
    row(IMPACT, "geen invloed", "none"),
    row(IMPACT, "helemaal geen", "none"),
    row(IMPACT, "niet", "none"),
    row(IMPACT, "nee", "none"),
    row(IMPACT, "niks", "none"),
    row(IMPACT, "Geen.", "none"),
    row(IMPACT, "nauwelijks", "mild"),
    row(IMPACT, "een beetje", "mild"),
    row(IMPACT, "beetje", "mild"),
    row(IMPACT, "licht", "mild"),
    row(IMPACT, "weinig", "mild"),
    row(IMPACT, "een klein beetje", "mild"),
    row(IMPACT, "enigszins", "mild"),
    row(IMPACT, "niet veel", "mild"),
    row(IMPACT, "Een beetje.", "mild"),
    row(IMPACT, "uhm, nauwelijks", "mild"),
    row(IMPACT, "fors", "severe"),
    row(IMPACT, "veel", "severe"),
    row(IMPACT, "erg veel", "severe"),
    row(IMPACT, "heel veel", "severe"),
    row(IMPACT, "ernstig", "severe"),
    row(IMPACT, "flink", "severe"),
    row(IMPACT, "zwaar", "severe"),
    row(IMPACT, "forse invloed", "severe"),
    row(IMPACT, "Fors!", "severe"),
    row(IMPACT, "eh, erg veel", "severe"),
    row(IMPACT, "Fors hoor.", "severe"),
    row(IMPACT, "best veel", "severe"),
]

DURATION_ROWS = [
    dur("nog geen week", weeks(6 * DAY), False),
    dur("een week of drie", 3.0, False),
    dur("een dag of tien", weeks(10 * DAY), False),
    dur("een halfjaar", weeks(182.625), True),
    dur("maand", weeks(30.4375), False),
    dur("helemaal geen", 0.0, question=ABSENCE),
    dur("nee hoor", 0.0, question=ABSENCE),
    # digits, bare numbers take the question's unit (weeks)
    dur("3", 3.0),
    dur("3 weken", 3.0),
    dur("3weken", 3.0),
    dur("1 week", 1.0),
    dur("6", 6.0, over_six=False),
    dur("7", 7.0, over_six=True),
    dur("2,5 weken", 2.5),
    dur("2.5 weken", 2.5),
    dur("1,5 maand", weeks(1.5 * MONTH), over_six=True),
    dur("10 dagen", weeks(10 * DAY)),
    # number words
    dur("drie", 3.0),
    dur("drie weken", 3.0),
    dur("een week", 1.0),
    dur("één week", 1.0),
    dur("elf weken", 11.0),
    dur("tweeëntwintig", 22.0),
    dur("tweeentwintig", 22.0),
    dur("tweeëntwintig weken", 22.0),
    dur("twee en twintig weken", 22.0),
    dur("twee-en-twintig weken", 22.0),
    dur("eenentwintig weken", 21.0),
    dur("vijfenvijftig weken", 55.0),
    dur("tien dagen", weeks(10 * DAY)),
    dur("veertien dagen", 2.0),
    dur("honderd dagen", weeks(100 * DAY)),
    dur("drie weekjes", 3.0),
    # months and years
    dur("een maand", weeks(MONTH)),
    dur("een maandje", weeks(MONTH)),
    dur("twee maanden", weeks(2 * MONTH), over_six=True),
    dur("anderhalve maand", weeks(1.5 * MONTH), over_six=True),
    dur("een half jaar", weeks(0.5 * YEAR)),
    dur("half jaar", weeks(0.5 * YEAR)),
    dur("een jaar", weeks(YEAR)),
    dur("anderhalf jaar", weeks(1.5 * YEAR)),
    dur("drie en een half jaar", weeks(3.5 * YEAR)),
    dur("een jaar en twee maanden", weeks(YEAR + 2 * MONTH)),
    # halves
    dur("drieënhalve week", 3.5),
    dur("twee en een halve week", 2.5),
    dur("zesenhalve week", 6.5, over_six=True),
    dur("een halve week", 0.5),
    # words that do not change the duration
    dur("zo'n drie weken", 3.0),
    dur("al vier weken", 4.0),
    dur("ongeveer een maand", weeks(MONTH)),
    dur("sinds twee weken", 2.0),
    dur("twee weken geleden", 2.0),
    dur("inmiddels vijf weken", 5.0),
    dur("drie weken ongeveer", 3.0),
    dur("twee maanden of zo", weeks(2 * MONTH)),
    dur("een week of zo", 1.0),
    dur("al zo'n twee maanden", weeks(2 * MONTH)),
    # case, punctuation, fillers
    dur("Eh, drie weken.", 3.0),
    dur("DRIE WEKEN", 3.0),
    dur("uhm... 3 weken", 3.0),
    # the six-week boundary
    dur("zes weken", 6.0, over_six=False),
    dur("42 dagen", 6.0, over_six=False),
    dur("43 dagen", weeks(43 * DAY), over_six=True),
    dur("41 dagen", weeks(41 * DAY), over_six=False),
    dur("meer dan zes weken", weeks(6 * WEEK + DAY), over_six=True),
    dur("al meer dan zes weken", weeks(6 * WEEK + DAY), over_six=True),
    dur("langer dan zes weken", weeks(6 * WEEK + DAY), over_six=True),
    dur("ruim zes weken", weeks(6 * WEEK + DAY), over_six=True),
    dur("bijna zes weken", weeks(6 * WEEK - DAY), over_six=False),
    dur("minder dan zes weken", weeks(6 * WEEK - DAY), over_six=False),
    dur("korter dan zes weken", weeks(6 * WEEK - DAY), over_six=False),
    dur("nog geen zes weken", weeks(6 * WEEK - DAY), over_six=False),
    dur("bijna zeven weken", weeks(7 * WEEK - DAY), over_six=True),
    dur("ruim een maand", weeks(MONTH + DAY), over_six=False),
    dur("nog geen twee weken", weeks(2 * WEEK - DAY)),
    # combined units
    dur("drie weken en twee dagen", weeks(3 * WEEK + 2 * DAY)),
    dur("drie weken twee dagen", weeks(3 * WEEK + 2 * DAY)),
    dur("vijf weken en zes dagen", weeks(5 * WEEK + 6 * DAY), over_six=False),
    dur("zes weken en een dag", weeks(6 * WEEK + DAY), over_six=True),
    # sick leave: 'none' means zero weeks there, and only there
    dur("geen", 0.0, question=ABSENCE),
    dur("Geen.", 0.0, question=ABSENCE),
    dur("nee", 0.0, question=ABSENCE),
    dur("niet", 0.0, question=ABSENCE),
    dur("niks", 0.0, question=ABSENCE),
    dur("nee, geen", 0.0, question=ABSENCE),
    dur("geen verzuim", 0.0, question=ABSENCE),
    dur("helemaal niet", 0.0, question=ABSENCE),
    dur("nul weken", 0.0, question=ABSENCE),
    dur("nul", 0.0, question=ABSENCE),
    dur("twee weken", 2.0, question=ABSENCE),
    dur("vijf weken", 5.0, question=ABSENCE),
    dur("tien dagen", weeks(10 * DAY), question=ABSENCE),
]

COMMAND_ROWS = [
    cmd("kunt u dat herhalen?", "repeat", TUMOUR),
    cmd("herhaal", "repeat"),
    cmd("herhalen", "repeat"),
    cmd("herhaal de vraag", "repeat"),
    cmd("nog een keer", "repeat"),
    cmd("nog eens", "repeat"),
    cmd("opnieuw", "repeat"),
    cmd("wat zei je?", "repeat"),
    cmd("pardon", "repeat"),
    cmd("HERHAAL", "repeat"),
    cmd("nog een keer", "repeat", question=ONSET),
    cmd("terug", "back"),
    cmd("ga terug", "back"),
    cmd("vorige", "back"),
    cmd("vorige vraag", "back"),
    cmd("een vraag terug", "back"),
    cmd("eh, terug", "back"),
    cmd("Vorige vraag.", "back", question=IMPACT),
    cmd("help", "help"),
    cmd("hulp", "help"),
    cmd("uitleg", "help"),
    cmd("Help?", "help"),
    cmd("wat moet ik zeggen?", "help", question=ONSET),
    cmd("pauze", "pause"),
    cmd("wacht", "pause"),
    cmd("wacht even", "pause"),
    cmd("Pauze!", "pause", question=ABSENCE),
    cmd("verder", "resume"),
    cmd("ga verder", "resume"),
    cmd("ga door", "resume"),
    cmd("doorgaan", "resume"),
    cmd("ga maar verder", "resume", question=ONSET),
    cmd("kun je de vraag herhalen?", "repeat", question=IMPACT),
    cmd("stop", "stop"),
    cmd("Stop!", "stop"),
    cmd("STOP", "stop"),
    cmd("stoppen", "stop"),
    cmd("stop maar", "stop"),
    cmd("afbreken", "stop"),
    cmd("stop", "stop", question=IMPACT),
]

NOT_UNDERSTOOD_ROWS = [
    none("een week of", ONSET),
    none("misschien"),
    none("weet ik niet"),
    none("geen idee"),
    none("blauw"),
    none(""),
    none("   "),
    none("?!"),
    none("eh"),
    none("ja nee"),
    none("nee ja"),
    none("ja geen"),
    none("soms"),
    none("een beetje"),  # an impact answer, not a yes or a no
    none("drie weken"),
    none("twee weken", TUMOUR),
    none("misschien", TUMOUR),
    none("matig", IMPACT),
    none("gemiddeld", IMPACT),
    none("ja", IMPACT),
    none("3", IMPACT),
    none("misschien", IMPACT),
    none("", IMPACT),
    none("een paar weken", ONSET),
    none("paar weken", ONSET),
    none("een paar", ONSET),
    none("een tijdje", ONSET),
    none("lang", ONSET),
    none("weken", ONSET),
    none("drie of vier weken", ONSET),
    none("drie tot vier weken", ONSET),
    none("3 à 4 weken", ONSET),
    none("misschien drie weken", ONSET),
    none("weken drie", ONSET),
    none("drie drie weken", ONSET),
    none("3 weken 3", ONSET),
    none("drie weken en", ONSET),
    none("of zo", ONSET),
    none("en drie weken", ONSET),
    none("meer dan", ONSET),
    none("minder dan een dag", ONSET),
    none("bijna 0 weken", ONSET),
    none("ja", ONSET),
    none("fors", ONSET),
    none("", ONSET),
    none("blauw", ONSET),
    # 'none' is not an answer to how long the pain has lasted
    none("geen", ONSET),
    none("nee", ONSET),
    none("niks", ONSET),
    none("geen verzuim", ONSET),
    none("een paar dagen", ABSENCE),
    none("weet ik niet", ABSENCE),
]

TABLE = YES_ROWS + NO_ROWS + CHOICE_ROWS + DURATION_ROWS + COMMAND_ROWS + NOT_UNDERSTOOD_ROWS
