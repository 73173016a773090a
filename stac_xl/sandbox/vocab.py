"""Word lists for the sandbox's made-up fire-protection and mechanical contractor.

Plain data, no logic. The awkward strings are deliberate: every writer and every
spreadsheet path must survive commas, quotes, apostrophes, non-ASCII, newlines, tabs,
leading zeros and text that a spreadsheet would take for a formula.
"""

from __future__ import annotations

# (name, kind). Kind decides tax exemption (schools, hospitals, churches are exempt).
# The first entries are always used, so even a tiny data set has the awkward names.
COMPANIES_ALWAYS: list[tuple[str, str]] = [
    ("Café Olé, LLC", "restaurant"),
    ("Müller Bäckerei", "restaurant"),
    ("O'Brien's Pub & Grill", "restaurant"),
    ("Hartwell, Price & Doyle Property Management", "property"),
    ("St. Mary's Regional Hospital", "hospital"),
]

COMPANIES_MORE: list[tuple[str, str]] = [
    ("Acme Property Mgmt", "property"),
    ("Riverside Unified School District", "school"),
    ("Blue Ridge Medical Center", "hospital"),
    ("Triangle Commercial Realty", "property"),
    ("The Pines at Cary HOA", "property"),
    ("Durham Public Schools", "school"),
    ("Peña's Taquería", "restaurant"),
    ("Zhang Family Restaurants", "restaurant"),
    ("Oak City Brewing Co.", "restaurant"),
    ("Wake Technical Community College", "school"),
    ("Crescent Senior Living", "hospital"),
    ("Summit Office Partners", "property"),
    ("Lakeside Mall Associates, LP", "property"),
    ("Piedmont Children's Hospital", "hospital"),
    ("Harbor View Apartments", "property"),
    ("Golden Dragon Buffet", "restaurant"),
    ("Northgate Self Storage", "property"),
    ("First Baptist Church of Apex", "church"),
    ("Capitol Hotel Group", "property"),
    ("Greenway Logistics", "other"),
    ("Carolina Data Centers", "other"),
    ("Bella Napoli Pizzeria", "restaurant"),
    ("Sunrise Dental Associates", "hospital"),
    ("Eastfield Industrial Park", "property"),
    ("Brightwater Charter Academy", "school"),
    ("Magnolia Grill", "restaurant"),
    ("Hillcrest Nursing & Rehab", "hospital"),
    ("Pinnacle Fitness", "other"),
    ("Trinity Episcopal School", "school"),
    ("Apex Cold Storage", "other"),
    ("Søren's Nordic Kitchen", "restaurant"),
    ("Lumen Labs, Inc.", "other"),
    ('The "Corner" Diner', "restaurant"),
    ("@Home Realty Partners", "property"),
    ("Redwood Property Group", "property"),
    ("Metro Transit Authority", "other"),
    ("Ñandú Steakhouse", "restaurant"),
    ("Chapel Hill–Carrboro City Schools", "school"),
]

TAX_EXEMPT_KINDS = frozenset({"school", "hospital", "church"})

SITES: list[str] = [
    "Main Campus", "Downtown", "North Hills", "Building A", "Building B", "Warehouse 3",
    "Suite 200", "East Wing", "Crabtree", "Midtown", "Airport Rd", "Store #0042",
]

STREETS: list[str] = [
    "Main St", "Glenwood Ave", "Hillsborough St", "Capital Blvd", "Six Forks Rd",
    "Falls of Neuse Rd", "Wade Ave", "Peachtree Industrial Blvd", "Market St", "King's Hwy",
]

# (city, state, postal code) -- some New England codes keep their leading zero.
CITIES: list[tuple[str, str, str]] = [
    ("Raleigh", "NC", "27601"), ("Raleigh", "NC", "27609"), ("Durham", "NC", "27701"),
    ("Cary", "NC", "27513"), ("Chapel Hill", "NC", "27514"), ("Apex", "NC", "27502"),
    ("Wilmington", "NC", "28401"), ("Charlotte", "NC", "28202"), ("Boston", "MA", "02108"),
    ("Hartford", "CT", "06103"), ("Newark", "NJ", "07102"), ("Portland", "ME", "04101"),
]

# (id, name, abbr, inspection wording)
SERVICE_LINES: list[tuple[int, str, str, str]] = [
    (11, "Sprinkler", "SPR", "fire sprinkler inspection"),
    (12, "Fire Alarm", "FA", "fire alarm inspection & test"),
    (13, "Extinguisher", "EXT", "fire extinguisher service"),
    (14, "Kitchen Hood", "KH", "kitchen hood suppression inspection"),
    (15, "Backflow", "BF", "backflow preventer test"),
    (16, "HVAC", "HVAC", "HVAC preventive maintenance"),
    (17, "Plumbing", "PLB", "plumbing inspection"),
]

# (id, code, name, weight, price range in cents, quantity style, usually taxable)
LIB_ITEMS: list[tuple[int, str, str, int, tuple[int, int], str, bool]] = [
    (501, "INSPECTION", "Inspection", 22, (15000, 90000), "one", False),
    (502, "LABOR", "Technician labor", 24, (8500, 14500), "hours", False),
    (503, "LABOR-OT", "Overtime labor", 5, (12750, 21750), "hours", False),
    (504, "TRIP", "Trip charge", 12, (4900, 9500), "one", False),
    (505, "PARTS", "Parts", 20, (350, 45000), "count", True),
    (506, "MATERIAL", "Materials", 9, (125, 6000), "measure", True),
    (507, "PERMIT", "Permit fee", 3, (2500, 25000), "one", False),
    (508, "EQUIP", "Equipment rental", 3, (7500, 40000), "one", True),
    (509, "SUBCONTRACT", "Subcontractor", 2, (25000, 250000), "one", False),
]

PERIODS: list[str] = ["Quarterly", "Semi-annual", "Annual", "Monthly", "5-year"]

PARTS: list[str] = [
    "Sprinkler head, pendent, 155°F, K5.6", "Smoke detector, photoelectric",
    "Fire extinguisher, 10 lb ABC", "Fusible link 165°F", 'Backflow repair kit, 1"',
    "Filter 20x25x2, MERV 8", "Capacitor 45/5 µF", "Pull station, dual action",
    'OS&Y gate valve 4"', "Horn/strobe, wall, red", "Contactor 30A 24V coil",
    "Batteries 12V 7Ah (pair)",
]

MATERIALS: list[str] = [
    'Copper pipe, ¾" type L (ft)', 'Black iron pipe 1" (ft)', "Refrigerant R-410A (lb)",
    "Fire caulk (tube)", "Wire 18/2 FPLP (ft)", "Threaded rod ⅜\" (ft)",
]

LABOR: list[str] = [
    "Technician labor", 'Labor — replace 2" check valve', "Labor, troubleshoot panel trouble",
    "Labor: hood cleaning, 2 techs", "Helper labor", "After-hours emergency labor",
]

JOB_NAMES: list[str] = [
    "Quarterly inspection", "Annual fire alarm test", "Backflow test & certification",
    "Kitchen hood cleaning", "RTU-3 compressor replacement", "Emergency call — sprinkler leak",
    "Extinguisher annual service", "Boiler repair, Building B", "5-year FDC hydro test",
]

# Descriptions that break naive CSV, XML, fixed-width and spreadsheet code.
ODD_DESCRIPTIONS: list[str] = [
    "Prüfung der Sprinkleranlage — Müller Bäckerei",
    "Technician: José Peña; set point 55°F → 45°F",
    'Replaced 2" OS&Y valve, tamper switch, and "bell" sign',
    "Deficiencies:\n1. Head obstructed by storage\n2.\tGauge expired (2019)",
    "Line A\tLine B\tLine C",
    "=SUM(A1:A9) heads replaced",
    '=HYPERLINK("http://example.com","click me")',
    "+1 spare head cabinet restocked",
    "-15% loyalty adjustment (see contract)",
    "@Risk: see attached report",
    "Küchenabzug Reinigung, Filter gewechselt",
    "Ärger mit dem Ventil; 1/2\" Kugelhahn ersetzt",
    "Crème brûlée station — hood filters, 3 ea.",
]

LONG_NOTE = (
    "Found heavy corrosion on the main riser and the 2-1/2\" cross main in the mechanical "
    "room, with pinhole leaks at two threaded fittings. Isolated the zone, drained down, "
    "cut out the damaged section and replaced it with new schedule 40 black steel, "
    "grooved couplings and a new inspector's test valve. Restored the system, flushed, and "
    "verified 65 psi static / 48 psi residual at the FDC. Owner's rep (J. Alvarez) notified; "
    "recommend a full internal pipe inspection per NFPA 25 within the next 12 months."
)

PO_STYLES: list[str] = ["PO-{n}", "{z}", "{n}", "WO {n}/B", "45000{n}"]

STATUS_WEIGHTS: list[tuple[str, int]] = [
    ("ok", 60), ("processed", 12), ("pending_accounting", 8), ("sent", 7),
    ("paid", 6), ("draft", 4), ("void", 3),
]

LINE_COUNT_WEIGHTS: list[int] = [20, 22, 18, 14, 10, 7, 5, 4]  # 1..8 lines
