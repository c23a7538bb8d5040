"""The demo's scenarios: the force's common online reports and a few high-risk ones.

Each scenario is one kind of incident told coherently: the reporter's words, the risk answers
they would give, who was involved and how old, what was taken or damaged, the Home Office
offence an operator would record and what follows. The generator (demodata.py) varies names,
places, items and ages within a scenario, never across, so a cut lip is an assault with injury,
a child victim has a child's date of birth, and a teenage suspect is a teenager.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peel.reports.choices import HowInvolved
from peel.review.choices import CrimeFlag, NextAction, Outcome

ADULT = (18, 85)


@dataclass(frozen=True)
class Suspect:
    """Who did it, as the reporter can tell: (unknown, described, known) weights and ages."""

    weights: tuple[int, int, int] = (60, 30, 10)
    kinds: tuple[str, ...] = ("Man", "Man", "Woman")  # how a described suspect is called
    ages: tuple[int, int] = (20, 55)
    relationship: str = ""  # for a known suspect: "ex-partner", "neighbour", ...
    male: bool = False  # the story says "he": a known suspect gets a man's name


@dataclass(frozen=True)
class Scenario:
    key: str
    form_choice: str  # what the reporter picks on the public form (intake/wizard.py OFFENCES)
    weight: int  # how often it comes up, roughly in the mix of a force's online reports
    stories: tuple[str, ...]  # {street}, {item}, {amount}, {child_age}, {goods}
    offence_code: str  # the Home Office offence recorded ("" when no crime is recorded)
    how: str = HowInvolved.VICTIM
    threat: bool = False  # anyone threatened, abused or assaulted
    hurt: bool = False  # anyone physically hurt (an injury: the offence is "with injury")
    weapon: bool = False
    hate: bool = False
    child_present: bool = False
    domestic: bool = False
    drink: bool = False
    victim_ages: tuple[int, int] = ADULT
    suspect: Suspect = field(default_factory=Suspect)
    items: tuple[str, ...] = ()  # what {item} may be; it is recorded as stolen property
    item_link: str = "stolen"
    vehicle: bool = False
    outcome: str = Outcome.CRIME
    closing_code: str = ""  # "" for the offence's own category
    rationale: str = ""
    victim_message: str = "Thank you for reporting this. We have recorded it as a crime."
    actions: tuple[str, ...] = (NextAction.RESOLVE,)
    crime_flags: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    deploy_grade: str = ""
    referral_grade: str = ""
    high_risk: bool = False  # triage should grade it P1 or P2

    @property
    def child_victim(self) -> bool:
        return self.victim_ages[1] < 18


PHONES = ("mobile phone", "iPhone", "Samsung phone")
CAR_ITEMS = ("sat nav", "laptop bag", "handbag", "work tools", "sunglasses")
STRANGER = Suspect(weights=(45, 55, 0), kinds=("Man",), ages=(18, 45), male=True)
TEENAGERS = Suspect(weights=(20, 80, 0), kinds=("Teenage boy",), ages=(14, 17), male=True)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "theft", "Theft", 12,
        ("I left my {item} on a table in a café on {street} for a couple of minutes and when I "
         "turned round it had gone.",
         "A parcel with a new {item} in it was delivered to my doorstep on {street} and taken "
         "before I got home. The courier's photo shows it on the step."),
        "49", items=("mobile phone", "laptop", "tablet", "watch"),
    ),
    Scenario(
        "pickpocket", "Theft", 5,
        ("My {item} was taken from my bag while I was on a crowded bus along {street}. I only "
         "noticed when I got off.",),
        "39", items=("wallet", "purse", "mobile phone"), suspect=Suspect(weights=(100, 0, 0)),
    ),
    Scenario(
        "bicycle theft", "Bicycle theft", 7,
        ("My bike was locked to the railings on {street}. When I came back the lock had been "
         "cut and the bike was gone. It is a grey hybrid with a child seat.",
         "My bike was taken from the shed behind my house on {street} overnight. The padlock "
         "was cut."),
        "44", items=("bicycle",),
    ),
    Scenario(
        "shoplifting", "Theft", 8,
        ("I am the manager of the convenience store on {street}. A customer filled a bag with "
         "{goods} and walked out without paying. We have it on CCTV.",),
        "46", how=HowInvolved.ON_BEHALF_OF_BUSINESS, items=("goods",), victim_ages=(20, 60),
        suspect=Suspect(weights=(5, 90, 5), ages=(18, 50)),
    ),
    Scenario(
        "damage to a home", "Criminal damage", 6,
        ("Someone has sprayed graffiti across the front of my house on {street} and kicked the "
         "fence panels in.",
         "A stone was thrown through our front window on {street} late last night. Nobody was "
         "hurt."),
        "58A", suspect=Suspect(weights=(75, 20, 5), kinds=("Teenage boy",), ages=(14, 17)),
    ),
    Scenario(
        "damage to a car", "Criminal damage", 5,
        ("The wing mirror and windscreen of my car were smashed while it was parked on "
         "{street}.",
         "All four tyres on my car were slashed overnight on {street}."),
        "58C", vehicle=True, suspect=Suspect(weights=(90, 10, 0)),
    ),
    Scenario(
        "theft from a car", "Vehicle crime", 8,
        ("My car was parked outside my house on {street} overnight. In the morning the "
         "driver's window was smashed and my {item} had been taken.",),
        "45", vehicle=True, items=CAR_ITEMS, suspect=Suspect(weights=(90, 10, 0)),
    ),
    Scenario(
        "vehicle interference", "Vehicle crime", 3,
        ("Someone tried to force the lock on my van on {street}. There are scratches round the "
         "door and the ignition barrel is damaged, but nothing was taken.",),
        "126", vehicle=True, suspect=Suspect(weights=(90, 10, 0)),
    ),
    Scenario(
        "online shopping fraud", "Fraud", 6,
        ("I paid £{amount} by bank transfer for a {item} advertised on a selling site. The "
         "seller stopped answering and nothing arrived.",),
        "", items=("games console", "laptop", "mobile phone", "pushchair"), item_link="",
        suspect=Suspect(weights=(100, 0, 0)),
        outcome=Outcome.CRIME_RELATED_INCIDENT, closing_code="113",
        rationale="Fraud is recorded by Action Fraud (NFIB), not by the force.",
        victim_message="Please report this to Action Fraud (actionfraud.police.uk, 0300 123 "
        "2040), who record fraud for every police force, and tell your bank.",
        crime_flags=(), qualifiers=("ON",),
    ),
    Scenario(
        "harassment by a neighbour", "Harassment", 4,
        ("My neighbour on {street} keeps shouting abuse at me over the fence and has said he "
         "will smash my windows. It has happened most evenings this week.",),
        "8L", threat=True,
        suspect=Suspect(weights=(0, 0, 100), ages=(25, 70), relationship="neighbour", male=True),
        actions=(NextAction.INVESTIGATE,),
    ),
    Scenario(
        "harassment by a former colleague", "Harassment", 3,
        ("A man I used to work with keeps sending me messages and waiting outside my work on "
         "{street}. I have asked him to stop.",),
        "8L", threat=True, victim_ages=(20, 65),
        suspect=Suspect(weights=(0, 0, 100), ages=(25, 60), relationship="former colleague",
                        male=True),
        actions=(NextAction.INVESTIGATE,),
    ),
    Scenario(
        "common assault", "Violence", 6,
        ("I was pushed over outside a takeaway on {street} by a man I don't know. I wasn't "
         "hurt but I was very shaken.",),
        "105A", threat=True, suspect=STRANGER,
    ),
    Scenario(
        "assault with injury", "Violence", 5,
        ("I was punched in the face outside a pub on {street} by a man I don't know. I have a "
         "cut lip and bruising.",),
        "8N", threat=True, hurt=True, drink=True, suspect=STRANGER,
        actions=(NextAction.INVESTIGATE,),
    ),
    Scenario(
        "domestic abuse, child present", "Violence", 3,
        ("My ex-partner came to my home on {street}, shouted at me and grabbed my arm hard "
         "enough to leave bruises. My {child_age}-year-old was in the room. This has happened "
         "before.",),
        "8N", threat=True, hurt=True, child_present=True, domestic=True, victim_ages=(22, 45),
        suspect=Suspect(weights=(0, 0, 100), ages=(22, 50), relationship="ex-partner"),
        actions=(NextAction.INVESTIGATE, NextAction.REFER), referral_grade="RED",
        crime_flags=(CrimeFlag.DOMESTIC_ABUSE,), qualifiers=("DA", "CP"), high_risk=True,
    ),
    Scenario(
        "threats with a knife", "Harassment", 2,
        ("A man I know from the estate pulled a knife on me on {street} and said he would stab "
         "me if I told anyone.",),
        "3B", threat=True, weapon=True, victim_ages=(18, 60),
        suspect=Suspect(weights=(0, 30, 70), kinds=("Man",), ages=(18, 35),
                        relationship="acquaintance from the estate", male=True),
        actions=(NextAction.DEPLOY, NextAction.INVESTIGATE), deploy_grade="P2", high_risk=True,
    ),
    Scenario(
        "racially aggravated abuse", "Harassment", 2,
        ("A group of men shouted racist abuse at me and my wife at the bus stop on {street} and "
         "followed us down the road.",),
        "9B", threat=True, hate=True,
        suspect=Suspect(weights=(20, 80, 0), kinds=("Man",), ages=(20, 40)),
        actions=(NextAction.INVESTIGATE,), crime_flags=(CrimeFlag.HATE,), qualifiers=("HC",),
        high_risk=True,
    ),
    Scenario(
        "robbery of a child", "Violence", 2,
        ("My {child_age}-year-old son was walking home from school on {street} when two older "
         "boys pushed him against a wall and took his {item}. He has a grazed elbow.",),
        "34B", how=HowInvolved.ON_BEHALF_OF_VICTIM, threat=True, hurt=True,
        victim_ages=(11, 15), items=PHONES, suspect=TEENAGERS,
        actions=(NextAction.INVESTIGATE,), qualifiers=("VU",), high_risk=True,
    ),
    Scenario(
        "unfinished building work", "Fraud", 3,
        ("I paid a builder a £{amount} deposit to fit a kitchen at my house on {street}. He did "
         "half the work and now will not come back or answer my calls.",),
        "", suspect=Suspect(weights=(0, 0, 100), ages=(30, 60), relationship="builder", male=True),
        outcome=Outcome.NOT_A_CRIME, closing_code="304",
        rationale="A dispute over unfinished work and money paid: a civil matter, no dishonesty "
        "shown.",
        victim_message="This is a civil dispute. Citizens Advice can help you recover your "
        "money.",
    ),
)  # fmt: skip
