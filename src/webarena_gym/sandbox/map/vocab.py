"""Words the map is generated from: towns, streets, categories of places and their names.

The towns are the store's cities (:data:`webarena_gym.sandbox.store.vocab.CITIES`), so that
every address a customer ships to lies on the map; this module adds what the store does not
know: where the towns are, their neighbourhoods, local street names and landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- towns -----------------------------------------------------------------------------------------

#: town -> (latitude, longitude) of its center
TOWN_CENTERS: dict[str, tuple[float, float]] = {
    "New York": (40.7128, -74.0060), "Brooklyn": (40.6782, -73.9442),
    "Los Angeles": (34.0522, -118.2437), "San Francisco": (37.7749, -122.4194),
    "San Diego": (32.7157, -117.1611), "San Jose": (37.3382, -121.8863),
    "Chicago": (41.8781, -87.6298), "Houston": (29.7604, -95.3698),
    "Austin": (30.2672, -97.7431), "Dallas": (32.7767, -96.7970),
    "Phoenix": (33.4484, -112.0740), "Philadelphia": (39.9526, -75.1652),
    "Pittsburgh": (40.4406, -79.9959), "Seattle": (47.6062, -122.3321),
    "Portland": (45.5152, -122.6784), "Denver": (39.7392, -104.9903),
    "Boston": (42.3601, -71.0589), "Cambridge": (42.3736, -71.1097),
    "Miami": (25.7617, -80.1918), "Orlando": (28.5383, -81.3792),
    "Tampa": (27.9506, -82.4572), "Atlanta": (33.7490, -84.3880),
    "Charlotte": (35.2271, -80.8431), "Raleigh": (35.7796, -78.6382),
    "Nashville": (36.1627, -86.7816), "Minneapolis": (44.9778, -93.2650),
    "Detroit": (42.3314, -83.0458), "Columbus": (39.9612, -82.9988),
    "Las Vegas": (36.1699, -115.1398), "Salt Lake City": (40.7608, -111.8910),
    "Baltimore": (39.2904, -76.6122), "Washington": (38.9072, -77.0369),
    "Richmond": (37.5407, -77.4360), "New Orleans": (29.9511, -90.0715),
    "Kansas City": (39.0997, -94.5786), "St. Louis": (38.6270, -90.1994),
    "Milwaukee": (43.0389, -87.9065), "Albuquerque": (35.0844, -106.6504),
    "Honolulu": (21.3069, -157.8583), "Anchorage": (61.2181, -149.9003),
}

#: towns no road reaches from the others (directions between them and the rest find no route)
ISLAND_TOWNS = frozenset({"Honolulu", "Anchorage"})

STATE_CODES: dict[str, str] = {
    "New York": "NY", "California": "CA", "Illinois": "IL", "Texas": "TX", "Arizona": "AZ",
    "Pennsylvania": "PA", "Washington": "WA", "Oregon": "OR", "Colorado": "CO",
    "Massachusetts": "MA", "Florida": "FL", "Georgia": "GA", "North Carolina": "NC",
    "Tennessee": "TN", "Minnesota": "MN", "Michigan": "MI", "Ohio": "OH", "Nevada": "NV",
    "Utah": "UT", "Maryland": "MD", "District of Columbia": "DC", "Virginia": "VA",
    "Louisiana": "LA", "Missouri": "MO", "Wisconsin": "WI", "New Mexico": "NM", "Hawaii": "HI",
    "Alaska": "AK",
}

#: the town where the store's fulfillment center is (and the richest map)
HOME_TOWN = "Pittsburgh"
#: towns drawn in more detail (the default customer's addresses are there)
DETAILED_TOWNS = ("Pittsburgh", "San Francisco", "Chicago")

#: neighbourhoods with their zip codes, where they are known; others get generic ones
NEIGHBOURHOODS: dict[str, tuple[tuple[str, str], ...]] = {
    "Pittsburgh": (("Strip District", "15222"), ("Lawrenceville", "15201"),
                   ("Downtown", "15219"), ("East Liberty", "15206"),
                   ("South Side", "15203"), ("Oakland", "15213"),
                   ("Shadyside", "15232"), ("Squirrel Hill", "15217")),
    "San Francisco": (("North Beach", "94133"), ("Financial District", "94104"),
                      ("Nob Hill", "94109"), ("SoMa", "94105"),
                      ("Mission District", "94110"), ("Haight-Ashbury", "94117")),
    "Chicago": (("Lincoln Park", "60614"), ("River North", "60654"),
                ("Streeterville", "60611"), ("West Loop", "60607"),
                ("The Loop", "60603"), ("South Loop", "60605")),
}
GENERIC_NEIGHBOURHOODS = ("Downtown", "Midtown", "Old Town", "Riverside", "University District",
                          "Eastside", "Westside", "Northside", "Southside", "Uptown",
                          "Arts District", "Harbor District", "Hillcrest", "Warehouse District")

# -- streets -------------------------------------------------------------------------------------------

#: real street names of some towns; the first ones become the main avenues
LOCAL_STREETS: dict[str, tuple[str, ...]] = {
    "Pittsburgh": ("Forbes Ave", "Fifth Ave", "Penn Ave", "Liberty Ave", "Baum Blvd",
                   "Centre Ave", "Smithfield St", "Grant St", "Butler St", "Carson St",
                   "Murray Ave", "Craig St", "Negley Ave", "Smallman St", "Atwood St",
                   "Bigelow Blvd", "Ellsworth Ave", "Shady Ave", "Morewood Ave", "Wood St",
                   "Bayard St", "Bellefield Ave"),
    "San Francisco": ("Van Ness Ave", "Geary Blvd", "Valencia St", "Folsom St", "Howard St",
                      "Castro St", "Haight St", "Divisadero St", "Polk St", "Fillmore St",
                      "Lombard St", "Columbus Ave", "Stockton St", "Powell St",
                      "California St", "Grant Ave"),
    "Chicago": ("Michigan Ave", "State St", "Wacker Dr", "Clark St", "Dearborn St",
                "LaSalle St", "Wells St", "Halsted St", "Randolph St", "Monroe St",
                "Adams St", "Jackson Blvd", "Division St", "Chicago Ave", "Ohio St",
                "Grand Ave"),
    "New York": ("Fifth Ave", "Lexington Ave", "Amsterdam Ave", "Canal St", "Houston St",
                 "Delancey St", "Bleecker St", "Hudson St", "Greenwich St", "Bowery"),
    "Boston": ("Boylston St", "Newbury St", "Tremont St", "Beacon St", "Commonwealth Ave",
               "Hanover St", "Charles St", "Atlantic Ave"),
    "Cambridge": ("Massachusetts Ave", "Brattle St", "Prospect St", "Hampshire St",
                  "Inman St", "Putnam Ave"),
}

GENERIC_STREETS = (
    "1st St", "2nd St", "3rd St", "4th St", "5th St", "6th St", "7th St", "8th St", "9th St",
    "10th St", "11th St", "12th St", "Birch St", "Ash St", "Poplar Ave", "Sycamore St",
    "Hickory Ln", "Magnolia Ave", "Cherry St", "Dogwood Dr", "Adams St", "Jackson St",
    "Monroe St", "Harrison St", "Taylor St", "Tyler St", "Pierce St", "Garfield Ave",
    "Roosevelt Blvd", "Kennedy Blvd", "Union St", "Bridge St", "Mill St", "Front St",
    "Water St", "Court St", "State St", "Commerce St", "Center St", "School St", "Academy St",
    "Prospect Ave", "Pleasant St", "Summit Ave", "Ridge Rd", "Grove St", "Liberty St",
    "Central Ave", "Canal St", "Orchard St",
)

RIVER_TRAILS: dict[str, str] = {
    "Pittsburgh": "Three Rivers Heritage Trail", "Chicago": "Lakefront Trail",
    "San Francisco": "Embarcadero Promenade", "Boston": "Harborwalk",
    "Cambridge": "Charles River Path", "New York": "Hudson River Greenway",
}
EXPRESSWAYS: dict[str, str] = {
    "Pittsburgh": "I-376", "Chicago": "I-90", "San Francisco": "US-101", "New York": "FDR Drive",
    "Boston": "I-93", "Philadelphia": "I-676", "Los Angeles": "I-10",
}

# -- categories -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A kind of place: its key (as ``amenity=`` would be), labels and the words that find it.

    Attributes:
        key: stored in ``map_places.category``.
        label: shown on pages (``Gas Station``).
        plural: in intents and result counts (``gas stations``).
        aliases: other words a search may use (singular and plural forms).
        hours: opening-hours strings one is drawn from (empty: none shown).
    """

    key: str
    label: str
    plural: str
    aliases: tuple[str, ...] = ()
    hours: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """Every phrase a search for this category may use, lower-cased."""
        return tuple(dict.fromkeys([self.label.lower(), self.plural.lower(), *self.aliases]))


_SHOP_HOURS = ("Mo-Sa 09:00-21:00; Su 10:00-18:00", "Mo-Fr 08:00-20:00; Sa 09:00-18:00; Su off",
               "Mo-Su 07:00-22:00")
CATEGORIES: tuple[Category, ...] = (
    Category("restaurant", "Restaurant", "restaurants", ("diner",),
             ("Mo-Su 11:30-22:00", "Tu-Su 17:00-23:00; Mo off", "Mo-Th 11:00-21:00; "
              "Fr-Sa 11:00-23:00; Su 12:00-20:00", "Mo-Sa 11:00-22:00; Su off")),
    Category("cafe", "Cafe", "cafes", ("coffee shop", "coffee shops", "coffee"),
             ("Mo-Fr 07:00-18:00; Sa-Su 08:00-16:00", "Mo-Su 06:30-19:00",
              "Mo-Fr 06:00-15:00; Sa 07:00-14:00; Su off", "Mo-Sa 08:00-20:00; Su 09:00-17:00")),
    Category("fast_food", "Fast Food", "fast food restaurants", ("fast food",),
             ("Mo-Su 10:00-23:00", "Mo-Su 06:00-24:00", "Mo-Su 10:30-22:00")),
    Category("bar", "Bar", "bars", ("pub", "pubs"),
             ("Mo-Su 16:00-02:00", "Tu-Sa 17:00-01:00; Su-Mo off", "Mo-Su 12:00-24:00")),
    Category("bakery", "Bakery", "bakeries", (),
             ("Tu-Sa 07:00-15:00; Su 08:00-13:00; Mo off", "Mo-Sa 06:00-18:00; Su off")),
    Category("supermarket", "Supermarket", "supermarkets", ("grocery", "grocery store",
                                                              "grocery stores"),
             ("Mo-Su 07:00-22:00", "Mo-Su 06:00-24:00", "Mo-Sa 08:00-21:00; Su 09:00-19:00")),
    Category("pharmacy", "Pharmacy", "pharmacies", ("drugstore", "drugstores"),
             ("Mo-Fr 08:00-21:00; Sa-Su 09:00-18:00", "Mo-Su 08:00-22:00", "24/7")),
    Category("fuel", "Gas Station", "gas stations", ("fuel", "petrol station", "gas"),
             ("24/7", "Mo-Su 05:00-23:00", "Mo-Su 06:00-22:00")),
    Category("hotel", "Hotel", "hotels", ("motel", "inn")),
    Category("bank", "Bank", "banks", (),
             ("Mo-Fr 09:00-17:00; Sa 09:00-12:00; Su off", "Mo-Fr 08:30-16:30; Sa-Su off")),
    Category("school", "School", "schools", (), ("Mo-Fr 07:30-15:30; Sa-Su off",)),
    Category("university", "University", "universities", ("college", "colleges")),
    Category("library", "Library", "libraries", (),
             ("Mo-Th 09:00-20:00; Fr-Sa 09:00-17:00; Su 12:00-17:00",
              "Tu-Sa 10:00-18:00; Su-Mo off")),
    Category("museum", "Museum", "museums", (),
             ("Tu-Su 10:00-17:00; Mo off", "Mo-Su 10:00-18:00", "We-Mo 10:00-17:00; Tu off")),
    Category("hospital", "Hospital", "hospitals", ("emergency room",), ("24/7",)),
    Category("park", "Park", "parks", (), ("Mo-Su 06:00-23:00",)),
    Category("cinema", "Cinema", "cinemas", ("movie theater", "movie theaters", "movies"),
             ("Mo-Su 11:00-23:30", "Mo-Th 14:00-23:00; Fr-Su 11:00-24:00")),
    Category("post_office", "Post Office", "post offices", (),
             ("Mo-Fr 08:30-17:00; Sa 09:00-13:00; Su off",)),
    Category("police", "Police Station", "police stations", ("police",), ("24/7",)),
    Category("fire_station", "Fire Station", "fire stations", ()),
    Category("train_station", "Train Station", "train stations",
             ("railway station", "railway stations", "station", "stations"),
             ("Mo-Su 05:00-24:00",)),
    Category("bus_station", "Bus Station", "bus stations", ("bus terminal",),
             ("Mo-Su 05:30-23:30",)),
    Category("airport", "Airport", "airports", ()),
    Category("stadium", "Stadium", "stadiums", ("arena",)),
    Category("townhall", "City Hall", "city halls", ("town hall", "town halls"),
             ("Mo-Fr 08:00-17:00; Sa-Su off",)),
    Category("warehouse", "Warehouse", "warehouses", ("fulfillment center",),
             ("Mo-Sa 06:00-22:00; Su off",)),
    Category("city", "City", "cities", ("town", "towns")),
    Category("address", "Address", "addresses", ("house", "houses")),
)
CATEGORY_BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}

#: how many places of each category a town gets, per unit of its detail level
PER_TOWN: tuple[tuple[str, float], ...] = (
    ("restaurant", 6), ("cafe", 4), ("fast_food", 2), ("bar", 2), ("bakery", 1),
    ("supermarket", 2), ("pharmacy", 2), ("fuel", 2), ("hotel", 2), ("bank", 1.5),
    ("school", 2), ("library", 1), ("museum", 1.4), ("hospital", 1.4), ("park", 1.4),
    ("cinema", 1), ("post_office", 0.7), ("police", 0.7), ("fire_station", 0.7),
)

# -- names ---------------------------------------------------------------------------------------

#: landmarks by town and category (used before generated names)
LANDMARKS: dict[str, dict[str, tuple[str, ...]]] = {
    "Pittsburgh": {
        "university": ("Carnegie Mellon University", "University of Pittsburgh",
                       "Duquesne University", "Chatham University"),
        "museum": ("Carnegie Museum of Art", "Carnegie Museum of Natural History",
                   "The Andy Warhol Museum", "Heinz History Center", "Mattress Factory"),
        "hospital": ("UPMC Presbyterian", "UPMC Shadyside", "Allegheny General Hospital",
                     "UPMC Children's Hospital of Pittsburgh"),
        "park": ("Schenley Park", "Frick Park", "Point State Park", "Arsenal Park"),
        "stadium": ("PNC Park", "Acrisure Stadium"),
        "library": ("Carnegie Library of Pittsburgh - Main", "Carnegie Library - Squirrel Hill"),
        "train_station": ("Union Station",),
        "bus_station": ("Greyhound Pittsburgh Bus Station",),
        "airport": ("Pittsburgh International Airport",),
        "cinema": ("Harris Theater", "Row House Cinema"),
    },
    "San Francisco": {
        "university": ("University of San Francisco", "San Francisco State University"),
        "museum": ("San Francisco Museum of Modern Art", "Exploratorium", "de Young Museum"),
        "park": ("Golden Gate Park", "Mission Dolores Park", "Alamo Square"),
        "hospital": ("Zuckerberg San Francisco General Hospital", "CPMC Van Ness Campus"),
        "airport": ("San Francisco International Airport",),
        "train_station": ("4th and King Caltrain Station",),
        "stadium": ("Oracle Park",),
    },
    "Chicago": {
        "university": ("Loyola University Chicago", "DePaul University"),
        "museum": ("Art Institute of Chicago", "Field Museum", "Shedd Aquarium"),
        "park": ("Grant Park", "Millennium Park", "Lincoln Park"),
        "hospital": ("Northwestern Memorial Hospital", "Rush University Medical Center"),
        "airport": ("O'Hare International Airport",),
        "train_station": ("Chicago Union Station",),
        "stadium": ("Soldier Field",),
    },
    "New York": {"airport": ("John F. Kennedy International Airport",),
                 "train_station": ("Penn Station",), "park": ("Washington Square Park",),
                 "university": ("New York University",)},
    "Boston": {"airport": ("Boston Logan International Airport",),
               "park": ("Boston Common",), "train_station": ("South Station",),
               "university": ("Boston University", "Northeastern University")},
    "Cambridge": {"university": ("Harvard University", "Massachusetts Institute of Technology")},
    "Los Angeles": {"airport": ("Los Angeles International Airport",)},
    "Atlanta": {"airport": ("Hartsfield-Jackson Atlanta International Airport",)},
    "Washington": {"airport": ("Ronald Reagan Washington National Airport",),
                   "train_station": ("Washington Union Station",)},
    "Denver": {"airport": ("Denver International Airport",)},
    "Seattle": {"airport": ("Seattle-Tacoma International Airport",)},
}
#: towns served by a neighbour's airport
NO_AIRPORT = frozenset({"Brooklyn", "Cambridge"})

PEOPLE = ("Lincoln", "Roosevelt", "Franklin", "Jefferson", "Washington", "Carver", "Emerson",
          "Whitman", "Edison", "Hamilton", "Madison", "Douglass", "Tubman", "Kennedy", "Clemente",
          "Marshall", "Curie", "Einstein", "Dickinson", "Thoreau", "Audubon", "Wright", "Parks",
          "Hughes", "Ellington", "Twain", "Irving", "Longfellow", "Stowe", "Muir")
SURNAMES = ("Romano", "Nguyen", "Patel", "Kowalski", "O'Brien", "Garcia", "Schmidt", "Rossi",
            "Kim", "Murphy", "Hernandez", "Chen", "Sullivan", "Moreno", "Novak", "Bianchi",
            "Duffy", "Tanaka", "Haddad", "Lindqvist", "Costa", "Brennan", "Alvarez", "Park")
ADJECTIVES = ("Copper", "Golden", "Silver", "Blue", "Rusty", "Crimson", "Little", "Lucky",
              "Hidden", "Wild", "Iron", "Velvet", "Maple", "Cedar", "Hilltop", "Riverside",
              "Corner", "Sunny", "Old", "Twin", "Happy", "Bright", "Green", "Red")
NOUNS = ("Kettle", "Spoon", "Fork", "Lantern", "Anchor", "Oak", "Crow", "Fox", "Bear", "Door",
         "Barrel", "Bell", "Table", "Harvest", "Hearth", "Pepper", "Sparrow", "Compass",
         "Rooster", "Thistle")

#: cuisine -> (prefixes, suffixes) of restaurant names
CUISINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "italian": (("Nonna's", "Bella", "Luigi's", "Il Forno", "Tuscan", "Vino", "Sorrento",
                 "Piccolo"), ("Trattoria", "Ristorante", "Osteria", "Pizzeria", "Cucina")),
    "chinese": (("Golden Dragon", "Jade", "Lucky Panda", "Red Lantern", "Szechuan", "Peking",
                 "Dim Sum"), ("Garden", "House", "Palace", "Kitchen")),
    "japanese": (("Sakura", "Umami", "Kyoto", "Sushi Zen", "Hana", "Koi", "Tokyo"),
                 ("Sushi", "Ramen Bar", "Izakaya", "Grill")),
    "mexican": (("El Sol", "La Palma", "Casa", "Los Amigos", "El Mariachi", "Agave", "Oaxaca"),
                ("Taqueria", "Cantina", "Cocina", "Grill")),
    "indian": (("Bombay", "Taj", "Saffron", "Masala", "Curry", "Tandoor", "Himalayan"),
               ("Palace", "House", "Kitchen", "Bistro")),
    "thai": (("Thai Orchid", "Bangkok", "Lemongrass", "Siam", "Basil", "Mango"),
             ("Cuisine", "Kitchen", "Cafe", "House")),
    "american": (("The Copper", "The Rusty", "The Golden", "The Hungry", "Blue Plate", "Main Line",
                  "Smokehouse", "The Iron"), ("Diner", "Grill", "Tavern", "Kitchen", "BBQ")),
    "french": (("Le Petit", "Chez", "Bistro", "La Belle", "Maison"),
               ("Bistro", "Brasserie", "Cafe", "Table")),
    "mediterranean": (("Olive Tree", "Aegean", "Zaytoon", "Cedar", "Athena", "Santorini"),
                      ("Grill", "Kitchen", "Taverna", "Mezze")),
    "vietnamese": (("Pho", "Saigon", "Little Hanoi", "Banh Mi"), ("House", "Kitchen", "Bistro")),
}
CAFE_PARTS = (("Morning", "Daily", "Copper", "Little", "Corner", "Bean", "Steam", "Ember",
               "Velvet", "Maple", "Hilltop", "Riverside", "Sparrow", "Lantern", "Northside",
               "Third Wave", "Blue Door", "Rooftop"),
              ("Grind", "Cup", "Roasters", "Brew", "Espresso Bar", "Coffee House", "Cafe",
               "Beanery", "Coffee Co."))
BAR_PARTS = (("Rusty Anchor", "Tipsy Crow", "Iron Horse", "Brass Monkey", "Red Lion",
              "Black Sheep", "Foggy Goggle", "Drunken Duck", "Hop House", "Lucky Clover",
              "Old Oak", "Silver Fox"), ("Tavern", "Pub", "Taproom", "Saloon", "Brewing Co.",
                                         "Alehouse"))
BAKERY_PARTS = (("Sweet", "Golden", "Rise &", "Flour", "Sugar", "Crumb", "Butter", "Honey"),
                ("Bakery", "Bake Shop", "Patisserie", "Bread Co."))
HOTEL_PARTS = (("Grand", "Harborview", "Parkside", "Skyline", "Liberty", "Heritage", "Regent",
                "Stationhouse", "Riverside", "Landmark"), ("Hotel", "Inn", "Inn & Suites",
                                                          "Suites", "Lodge"))

#: chains: the same name in many towns (and often twice in one town)
CHAINS: dict[str, tuple[str, ...]] = {
    "cafe": ("Daily Roast Coffee",),
    "fast_food": ("Burger Barn", "Taco Town", "Chick'n Shack", "Slice Station", "Sub Stop"),
    "supermarket": ("FreshWay Market", "Green Basket", "ValueMart"),
    "pharmacy": ("CareRx Pharmacy", "HealthPlus Pharmacy"),
    "fuel": ("QuickFuel", "Liberty Gas", "Sunrise Fuel"),
    "bank": ("Keystone Bank", "Union Savings Bank", "Citizens Trust"),
    "cinema": ("Starlight Cinemas",),
}

#: the store's fulfillment center (the "store" of cross-site tasks), in :data:`HOME_TOWN`
STORE_PLACE_NAME = "One Stop Market Fulfillment Center"
STORE_PLACE_STREET = "Smallman St"
STORE_PLACE_NUMBER = 2100
