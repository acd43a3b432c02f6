"""Closed vocabularies: each value with what it means. Models, schemas, DuckDB ENUMs and the
codebook all read them from here."""

from __future__ import annotations

SOURCE_ROLE = {
    "analyzed": "The essay this dataset encodes.",
    "cited": "A work the essay cites, known only as the essay cites it.",
}

VOICE = {
    "author": "The essay author's own words.",
    "primary": "Words of a historical actor that the essay quotes (speech, letter, diary, memorandum).",
    "secondary": "Words of another scholar that the essay quotes.",
}

CITATION_KIND = {
    "in_text": "A parenthetical or named reference in the running text.",
    "footnote": "A reference given in a footnote.",
}

PERSON_KIND = {
    "actor": "A historical actor: leader, official, victim, witness, diarist, memoirist.",
    "scholar": "A historian or other scholar, cited or discussed as such.",
}

PLACE_KIND = {
    "country": "A sovereign state or a country as a whole.",
    "republic": "A constituent republic of a federal state (e.g. a Soviet republic).",
    "region": "A region, province or area inside or across states.",
    "city": "A city or town.",
    "island": "An island or island group.",
}

DATE_PRECISION = {
    "day": "The essay gives the day.",
    "month": "The essay gives the month.",
    "season": "The essay gives a season (spring, summer, autumn).",
    "year": "The essay gives the year.",
    "interval": "The essay gives a span (e.g. 1937-38, February-May 1930, winter 1932-33).",
}

EVENT_TYPE = {
    "party_meeting": "A plenum, conference, congress or Politburo session of a ruling party.",
    "policy_decision": "A decision, decree, order or measure adopted by a leadership.",
    "publication": "An article or other text published, e.g. in Pravda.",
    "letter": "A letter, memorandum or report from one actor to another.",
    "speech": "A speech or statement made on a given occasion.",
    "diary_entry": "An entry in a diary or journal.",
    "diplomatic": "A treaty, pact, protocol, break of relations or other act between states.",
    "military_action": "The use of armed force: bombing, deployment of troops.",
    "uprising": "A revolt or uprising against a regime.",
    "repression": "Arrests, purges, expulsions, deportations or killings by a regime.",
    "personnel_change": "An appointment, promotion, dismissal or removal from office.",
    "campaign": "The launch, suspension, halt or resumption of a mass campaign.",
    "trial": "A judicial or show trial.",
    "famine": "Famine, and measures that caused or enforced it.",
    "intelligence": "What a leader learned from spies or secret reports.",
    "assassination": "The killing of an individual for political ends.",
    "other": "A dated happening of none of the kinds above.",
}

EVENT_PERSON_ROLE = {
    "author": "Wrote the text (letter, article, diary, memorandum).",
    "speaker": "Spoke the words (speech, exchange).",
    "recipient": "Received the letter or report; was addressed.",
    "instigator": "Ordered, led or initiated the action.",
    "target": "Was its object or victim (expelled, removed, criticized).",
    "participant": "Took part in it.",
    "beneficiary": "Gained from it (appointed, promoted).",
    "subject": "Was discussed or reported on.",
}

PHASE_TYPE = {
    "offensive": "A wave: the leader pushes the campaign forward.",
    "retreat": "A tactical retreat or truce: measures suspended or softened.",
    "radicalization": "A new wave going further than the last.",
    "consolidation": "Gains locked in: power or policy made permanent.",
}

PHASE_CAMPAIGN = {
    "collectivization": (
        "Collectivization and the radicalization that grew out of it, as the essay's comparison of collectivization "
        "in China and in the USSR tells each leader's course: for the USSR from the first “extraordinary measures” "
        "(1928) to the famine of 1932-33; for Maoist China from the turn to “socialism” (1953) to the Great Leap "
        "Forward, the Party's reaction (1962) and the Cultural Revolution (1966), which the essay narrates as one "
        "sequence of \"extreme radicalization\" against the Party establishment (¶18-19)."),
}

PURGE_OUTCOME = {
    "expelled": "Expelled from a party body or the party.",
    "removed": "Removed, dismissed or replaced in office.",
    "arrested": "Arrested.",
    "executed": "Executed or killed.",
    "discredited": "Blamed or denounced; position undermined.",
    "planned": "Marked for elimination; the essay does not say it was carried out.",
    "unspecified": "The essay does not say what happened to them.",
}

RHETORIC_THEME = {
    "burning_bridges": "Irreversibility: bridges burned, no way back.",
    "war_scare": "External threat, encirclement, imminent war.",
    "traitor_branding": "Opponents and dissidents labelled as traitors or enemy agents.",
    "dissimulation": "Words that hide the leader's real intentions.",
    "hypocrisy": "Blaming others for the results of one's own policy.",
    "modernization": "Rational, technocratic justification: progress, production, science.",
    "class_struggle": "Class struggle, kulaks, class enemies.",
    "party_unity": "Unity at the top; no fight among the leaders.",
    "requisition": "Grain requisitions and procurement.",
    "other": "None of the themes above.",
}

THESIS_STANCE = {
    "asserted": "The essay argues for it.",
    "rejected": "The essay argues against it.",
}

THESIS_TOPIC = {
    "dissimulation": "How Stalin hid his designs from colleagues and the apparatus.",
    "war_scare": "External threats invoked to justify the pace and brand adversaries.",
    "crisis_as_method": "Crises created or used to reinforce personal power.",
    "gradualism": "Offensives in waves, retreats and new waves.",
    "divide_and_rule": "Never confronting all groups at once.",
    "hypocrisy": "Blaming others for the effects of one's policy.",
    "camouflage": "Irrational aims camouflaged by rational arguments.",
    "party_renewal": "Collectivization as a weapon against the Party establishment.",
    "state_power": "Personal power and state power as one goal.",
    "national_question": "The national question as the peasant question; Ukraine targeted.",
    "secrecy": "Crimes surrounded by secrecy.",
    "irreversibility": "Irreversible measures that bind a people to the regime.",
    "historiography": "The debate among schools of historians.",
    "agency": "The individual's will as the driving force of history.",
    "comparison": "What the comparison of regimes shows.",
}

SCHOOL = {
    "essay": "The essay author's own position.",
    "totalitarian": "The 'totalitarian' school of Soviet historiography.",
    "revisionist": "The 'revisionist' school of Soviet historiography.",
    "historians": "Historians in general, as the essay invokes them.",
}

COMPARISON_RELATION = {
    "similarity": "The sides share the feature.",
    "difference": "The sides differ in the feature.",
    "analogy": "The essay draws an explicit analogy between the sides.",
}

BASIS = {
    "explicit": "The essay states it.",
    "inferred": "The encoder drew it from the essay's juxtaposition; `basis_note` says why.",
}

COMPARISON_DIMENSION = {
    "burning_bridges": "Rhetoric of irreversibility: bridges blown up, no way back.",
    "irreversible_measures": "Acts meant to cross the Rubicon and bind a people to the regime.",
    "party_establishment": "The leader's struggle against his own Party establishment.",
    "radicalization": "Extreme radicalism (revolutionary maximalism) used as a weapon against colleagues.",
    "secrecy": "Crimes surrounded by secrecy.",
    "uncertainty": "Rule by the 'tyranny of uncertainty'.",
    "camouflage": "Radical aims camouflaged by a stated ambition.",
    "outcome": "What the leader's campaigns did to his power and to his struggle with the Party establishment.",
    "regional_treatment": "Different treatment of regions inside one state.",
    "self_destruction": "How a leader leads a whole society to self-destruction: the questions the essay asks of every regime.",
    "collectivization": "Collectivization campaigns compared as wholes: their course and effects.",
    "campaign_sequence": "The course of a campaign in waves: offensive, retreat, then a new wave going further.",
    "party_rebuilding": "Destroying the existing Party and building a new one.",
    "isolation": "Irreversible acts meant to isolate the country from the outside world.",
    "crisis_as_pretext": "Setbacks and crises used as pretexts for tightening the screws.",
}

PARAGRAPH_SECTION = {
    "abstract": "The abstract printed at the head of the article.",
    "epigraph": "The epigraph (indented quotation) before the essay's body.",
    "body": "The running text of the essay.",
    "note": "A footnote, moved from the foot of its page to the notes section after the body.",
}

EDITORIAL_CHANGE_KIND = {
    "whitespace_folded": "Runs of whitespace (tabs, no-break spaces, line breaks inside a paragraph) folded to one space; one row for the rule, applied everywhere.",
    "running_head_removed": "A running head or copyright line of the printed page removed from the text.",
    "hyphen_folded": "The `-` + U+2010 pair (or a lone U+2010) of the extraction folded to `-`.",
    "line_end_hyphen_joined": "A word hyphenated at a line end joined without a space.",
    "drop_capital_restored": "The drop capital missing from the extraction restored.",
    "footnote_marker_removed": "A footnote marker removed from the body (the note is in the notes section).",
    "footnote_moved": "A footnote moved from the foot of its page to the notes section.",
}
