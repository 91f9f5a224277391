"""Word lists the store generator composes its catalogue, people and reviews from.

A *kind* is one sort of product (``Coffee Maker``): the brands that make it, model phrases
(``"Keurig=K-Mini Single Serve"`` binds a model to its brand; plain ones fit any brand),
variants that end its name, a price range, which options the shop offers (``apparel``: colors
and sizes, ``shoes``: colors and shoe sizes, ``color``: colors only) and the aspects that its
description and its reviews talk about.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One sort of product in a subcategory."""

    noun: str
    brands: tuple[str, ...]
    models: tuple[str, ...]  # "Brand=Model" for a model only that brand makes
    variants: tuple[str, ...]
    price: tuple[float, float]
    aspects: tuple[str, ...]
    use: str
    options: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """Every (brand, model) this kind can be made as: bound models with their brand only."""
        out = []
        for brand in self.brands:
            for model in self.models:
                bound, _, name = model.rpartition("=")
                if not bound or bound == brand:
                    out.append((brand, name))
        return out


def K(noun: str, brands: str, models: str, variants: str, price: tuple[float, float],
      aspects: str, use: str, options: str | None = None) -> Kind:
    """A :class:`Kind` from ``|``-separated lists (compact to write)."""
    split = lambda s: tuple(x.strip() for x in s.split("|") if x.strip())  # noqa: E731
    return Kind(noun, split(brands), split(models), split(variants), price, split(aspects), use,
                options)


# top-level category -> subcategory -> kinds
CATALOG: dict[str, dict[str, list[Kind]]] = {
    "Beauty & Personal Care": {
        "Skin Care": [
            K("Facial Moisturizer", "CeraVe|Neutrogena|Olay|Cetaphil|La Roche-Posay",
              "Daily Hydrating|Oil-Free|Ultra Light|Night Repair|Sensitive Skin",
              "1.7 oz|2 oz|3 oz|Pack of 2", (9, 45), "scent|texture|hydration|packaging",
              "keeping dry skin soft all day"),
            K("Sunscreen Lotion", "Neutrogena|Banana Boat|Coppertone|Sun Bum|Supergoop",
              "SPF 50 Sport|SPF 30 Mineral|Ultra Sheer SPF 45|Water Resistant SPF 70",
              "3 oz|5 oz|8 oz|Pack of 2", (7, 36), "scent|texture|water resistance|packaging",
              "long days at the beach or the park"),
            K("Vitamin C Serum", "TruSkin|Mad Hippie|Timeless|Paula's Choice|InstaNatural",
              "Brightening|Anti-Aging|20% Vitamin C|Hyaluronic Acid",
              "1 fl oz|2 fl oz", (14, 58), "scent|texture|results|packaging",
              "a brighter, more even complexion"),
        ],
        "Hair Care": [
            K("Shampoo", "Pantene|OGX|Redken|Briogeo|Head & Shoulders",
              "Argan Oil|Volumizing|Clarifying|Color Safe|Moisture Repair",
              "12 fl oz|25.4 fl oz|Pack of 2", (6, 32), "scent|lather|results|packaging",
              "clean, healthy-looking hair"),
            K("Hair Dryer", "Revlon|Conair|Dyson|BaBylissPRO|Remington",
              "Revlon=One-Step Volumizer|Dyson=Supersonic|BaBylissPRO=Nano Titanium|Ionic Ceramic|Travel|Pro 1875W",
              "Black|Pink|White|Teal", (19, 399), "drying speed|noise|weight|heat settings",
              "quick blow-outs at home", "color"),
            K("Hair Brush", "Wet Brush|Tangle Teezer|Denman|Conair|Olivia Garden",
              "Detangling|Paddle|Round Thermal|Boar Bristle",
              "Black|Purple|Pink|Set of 2", (6, 28), "bristles|grip|durability|comfort",
              "detangling wet or dry hair"),
        ],
        "Makeup": [
            K("Mascara", "Maybelline|L'Oreal Paris|Benefit|Essence|Too Faced",
              "Maybelline=Lash Sensational|Too Faced=Better Than Sex|L'Oreal Paris=Voluminous|Waterproof Volume|Lengthening",
              "Blackest Black|Brown|Black|Pack of 2", (5, 29),
              "brush|staying power|smudging|volume", "everyday lashes that last"),
            K("Lipstick", "Revlon|MAC|NYX|Maybelline|Fenty Beauty",
              "Matte|Satin|Super Stay|Velvet|Cream", "Red|Nude|Berry|Pink|Coral", (6, 24),
              "color|staying power|texture|scent", "a bold or subtle everyday look"),
            K("Makeup Brush Set", "BS-MALL|Real Techniques|EcoTools|Sigma|Morphe",
              "Essential 14 Piece|Premium Synthetic|Everyday Essentials|Travel",
              "Black|Rose Gold|Champagne", (9, 89), "bristles|shedding|handle|case",
              "blending foundation, powder and eyeshadow"),
        ],
        "Oral Care": [
            K("Electric Toothbrush", "Oral-B|Philips Sonicare|Colgate|Fairywill|Quip",
              "Oral-B=Pro 1000 Rechargeable|Oral-B=iO Series 5|Philips Sonicare=ProtectiveClean 4100|Sonic Whitening|Smart Pressure",
              "White|Black|Blue|Pink", (19, 149),
              "battery life|cleaning power|noise|charging", "a dentist-clean feel every day",
              "color"),
            K("Whitening Strips", "Crest|Lumineux|Snow|Colgate|Burst",
              "Crest=3D Whitestrips Professional|Crest=3D Whitestrips Glamorous White|Sensitive|1 Hour Express",
              "10 Treatments|20 Treatments|44 Strips", (19, 59),
              "results|sensitivity|taste|grip", "a whiter smile in weeks"),
        ],
    },
    "Sports & Outdoors": {
        "Exercise & Fitness": [
            K("Yoga Mat", "Gaiam|Manduka|Liforme|BalanceFrom|Amazon Basics",
              "Manduka=PRO|Gaiam=Premium 6mm Print Reversible|Extra Thick|Non-Slip|Eco Lite",
              "Purple|Black|Teal|Grey|Pink", (15, 120), "grip|thickness|smell|durability",
              "yoga, pilates and floor workouts", "color"),
            K("Adjustable Dumbbells", "Bowflex|CAP Barbell|Yes4All|PowerBlock|NordicTrack",
              "Bowflex=SelectTech 552|Bowflex=SelectTech 1090|PowerBlock=Elite EXP|Quick-Select|Cast Iron|Hex Rubber",
              "Pair|Single|25 lb|50 lb", (35, 429), "weight range|build quality|grip|footprint",
              "strength training in a small space"),
            K("Resistance Bands", "Fit Simplify|TheraBand|WHATAFIT|Bodylastics|Te-Rich",
              "Loop Exercise|Heavy Duty|Pull Up Assist|Fabric Booty",
              "Set of 5|Set of 3|Set of 11", (9, 39), "durability|tension|comfort|carry bag",
              "home workouts and physical therapy"),
        ],
        "Camping & Hiking": [
            K("Camping Tent", "Coleman|Core Equipment|REI Co-op|Kelty|Marmot",
              "Coleman=Sundome|Coleman=Skydome|REI Co-op=Half Dome SL|Instant Cabin|Lightweight Backpacking|Dome",
              "2 Person|4 Person|6 Person", (49, 399), "setup|weather resistance|ventilation|weight",
              "weekend camping trips"),
            K("Sleeping Bag", "TETON Sports|Coleman|Kelty|The North Face|MalloMe",
              "The North Face=Cat's Meow 20 Degree|Kelty=Cosmic 20 Degree|Mummy|Rectangular|Ultralight",
              "Navy|Green|Orange|Grey", (25, 199), "warmth|weight|zipper|packability",
              "cool nights outdoors", "color"),
            K("Hiking Backpack", "Osprey|Deuter|REI Co-op|Gregory|TETON Sports",
              "Osprey=Atmos AG 65|Osprey=Talon 22|Deuter=Futura 32|Gregory=Zulu 40|TETON Sports=Scout 55L|Trail 40L|Daypack",
              "Black|Blue|Red|Olive", (39, 299), "comfort|pockets|durability|hip belt",
              "day hikes and multi-day treks", "color"),
        ],
        "Cycling": [
            K("Bike Helmet", "Giro|Bell|Schwinn|Thousand|Smith",
              "Giro=Register MIPS|Bell=Formula LED|Smith=Session MIPS|Thousand=Heritage 2.0|Schwinn=Thrasher|Adult Commuter",
              "Matte Black|White|Blue|Red", (29, 149), "fit|ventilation|weight|visor",
              "commuting and weekend rides", "color"),
            K("Bike Light Set", "Cycle Torch|Cygolite|Blackburn|Lezyne|Ascher",
              "Cygolite=Metro Pro 1100|Lezyne=Micro Drive|USB Rechargeable|Ultra Bright|Front and Rear",
              "Set of 2|800 Lumen|1100 Lumen", (14, 89), "battery life|brightness|mount|charging",
              "seeing and being seen at night"),
        ],
        "Water Sports": [
            K("Swim Goggles", "Speedo|TYR|Aegend|Aqua Sphere|Arena",
              "Speedo=Vanquisher 2.0|TYR=Special Ops 2.0|Aqua Sphere=Kayenne|Anti-Fog|Polarized",
              "Clear|Smoke|Blue|Mirrored", (9, 39), "fit|fog|leaks|strap",
              "lap swimming and open water"),
            K("Inflatable Kayak", "Intex|Sevylor|Advanced Elements|Driftsun|Sea Eagle",
              "Intex=Explorer K2|Sevylor=Quikpak K1|Advanced Elements=AdvancedFrame|Sea Eagle=SE370|Driftsun=Rover 220|Touring",
              "1 Person|2 Person", (99, 899), "stability|setup|durability|tracking",
              "calm lakes and slow rivers"),
        ],
    },
    "Clothing, Shoes & Jewelry": {
        "Women": [
            K("T-Shirt", "Hanes|Amazon Essentials|Champion|Levi's|Gildan",
              "Women's Classic Crew Neck|Women's V-Neck|Women's Relaxed Fit|Women's Slim Fit",
              "", (8, 35), "fabric|fit|color|stitching", "casual everyday wear", "apparel"),
            K("Maxi Dress", "Grecerelle|ZESICA|Amazon Essentials|Floerns|PRETTYGARDEN",
              "Women's Floral Print|Women's Summer Casual|Women's Wrap|Women's Boho",
              "", (25, 69), "fabric|fit|color|length", "summer days and evenings out",
              "apparel"),
            K("Running Shoes", "Nike|ASICS|Brooks|New Balance|Skechers",
              "Nike=Women's Revolution 6|ASICS=Women's Gel-Contend 7|Brooks=Women's Ghost 15|New Balance=Women's Fresh Foam Arishi|Skechers=Women's Go Walk Joy|Women's Lightweight",
              "", (45, 140), "comfort|arch support|fit|durability", "running and walking",
              "shoes"),
            K("Leggings", "Colorfulkoala|BALEAF|Lululemon|CRZ YOGA|Champion",
              "Women's High Waisted|Women's Yoga|Women's Fleece Lined|Women's Capri",
              "", (15, 98), "fabric|fit|waistband|pockets", "workouts and lounging",
              "apparel"),
        ],
        "Men": [
            K("Polo Shirt", "Amazon Essentials|Ralph Lauren|IZOD|Under Armour|Columbia",
              "Men's Slim Fit Cotton|Men's Performance|Men's Classic Pique|Men's Golf",
              "", (16, 89), "fabric|fit|color|collar", "the office, golf or the weekend",
              "apparel"),
            K("Jeans", "Levi's|Wrangler|Lee|Lucky Brand|Amazon Essentials",
              "Levi's=Men's 505 Regular Fit|Levi's=Men's 511 Slim Fit|Wrangler=Men's Cowboy Cut|Men's Athletic Fit|Men's Straight Leg",
              "", (25, 79), "fabric|fit|color|stitching", "everyday wear that lasts", "apparel"),
            K("Sneakers", "Adidas|Nike|Converse|Vans|Skechers",
              "Adidas=Men's Grand Court|Nike=Men's Air Max SC|Converse=Chuck Taylor All Star|Vans=Old Skool|Skechers=Men's Summits|Men's Casual Canvas",
              "", (45, 120), "comfort|fit|durability|style", "everyday wear", "shoes"),
            K("Hoodie", "Champion|Hanes|Carhartt|Under Armour|Gildan",
              "Champion=Men's Powerblend Fleece|Hanes=Men's EcoSmart|Carhartt=Men's Loose Fit Midweight|Under Armour=Men's Rival Fleece|Men's Pullover|Men's Full Zip",
              "", (20, 65), "fabric|fit|warmth|hood", "cool mornings and lounging", "apparel"),
        ],
        "Jewelry": [
            K("Pendant Necklace", "Pandora|PAVOI|Amazon Collection|Kendra Scott|Alex and Ani",
              "14K Gold Plated Heart|Sterling Silver Infinity|Birthstone|Dainty Initial",
              "Gold|Silver|Rose Gold", (19, 129), "shine|clasp|chain|packaging",
              "gifts and everyday layering"),
            K("Stud Earrings", "PAVOI|Amazon Collection|Kate Spade|Swarovski|Pandora",
              "Cubic Zirconia|Freshwater Pearl|Hypoallergenic|Round Crystal",
              "Gold|Silver|Rose Gold|Set of 3", (12, 99), "shine|backs|comfort|packaging",
              "sensitive ears and everyday wear"),
        ],
        "Accessories": [
            K("Leather Belt", "Levi's|Columbia|Timberland|Dockers|Tommy Hilfiger",
              "Men's Classic Reversible|Casual Jean|Dress|Braided", "Black|Brown|Tan", (15, 59),
              "leather|buckle|fit|stitching", "jeans or dress trousers", "apparel"),
            K("Sunglasses", "Ray-Ban|Oakley|SOJOS|Costa|Maui Jim",
              "Polarized Aviator|Classic Wayfarer|Retro Round|Sport Wrap",
              "Black|Gold|Tortoise|Silver", (19, 229), "lenses|fit|hinges|case",
              "bright days and driving"),
        ],
    },
    "Home & Kitchen": {
        "Coffee & Tea": [
            K("Coffee Maker", "Keurig|Mr. Coffee|Cuisinart|Hamilton Beach|Ninja",
              "Keurig=K-Mini Single Serve|Keurig=K-Classic|Cuisinart=Brew Central 14-Cup|Hamilton Beach=FlexBrew|Ninja=Specialty|12-Cup Programmable",
              "Black|Stainless Steel|White|Red", (24, 199),
              "brewing speed|coffee temperature|ease of cleaning|carafe",
              "fresh coffee every morning"),
            K("Electric Kettle", "Cosori|Hamilton Beach|Fellow|Chefman|Mueller",
              "Gooseneck|Glass 1.7L|Stainless Steel|Variable Temperature",
              "Black|Silver|White|Matte Black", (19, 165), "boiling speed|handle|lid|noise",
              "tea, pour-over coffee and oatmeal"),
            K("Ground Coffee", "Peet's|Starbucks|Lavazza|Death Wish|Dunkin'",
              "Peet's=Major Dickason's Blend Dark Roast|Starbucks=Pike Place Medium Roast|Lavazza=Super Crema|Death Wish=Dark Roast|Dunkin'=Original Blend|Colombian Medium Roast|Breakfast Blend",
              "12 oz|20 oz|32 oz|Pack of 3", (7, 39), "flavor|aroma|freshness|packaging",
              "a rich cup at home"),
            K("Green Tea", "Bigelow|Twinings|Yogi|Harney & Sons|Tazo",
              "Classic|Jasmine|Organic Matcha|Lemon Ginger|Decaf",
              "40 Bags|100 Bags|Pack of 6", (4, 29), "flavor|aroma|freshness|packaging",
              "a calm afternoon cup"),
        ],
        "Kitchen Utensils": [
            K("Chef Knife", "Victorinox|Wusthof|Mercer Culinary|Henckels|Shun",
              "Victorinox=Fibrox Pro 8 Inch|Wusthof=Classic 8 Inch|Mercer Culinary=Genesis Forged|Shun=Classic 8 Inch|Premium High Carbon|Stainless Steel",
              "", (19, 179), "sharpness|balance|handle|edge retention", "everyday chopping"),
            K("Silicone Spatula Set", "OXO|GIR|Di Oro|Umite Chef|Wilton",
              "Heat Resistant|Seamless|Good Grips|Non-Stick", "Set of 3|Set of 5|Red|Black",
              (8, 35), "heat resistance|flexibility|handle|ease of cleaning",
              "baking and stovetop cooking"),
            K("Cast Iron Skillet", "Lodge|Le Creuset|Cuisinel|Victoria|Utopia Kitchen",
              "Pre-Seasoned|Enameled|Square Grill|Deep", "8 Inch|10.25 Inch|12 Inch", (15, 210),
              "heat retention|weight|seasoning|handle", "searing, frying and baking"),
        ],
        "Bedding": [
            K("Bed Sheet Set", "Mellanni|Amazon Basics|Brooklinen|Bedsure|California Design Den",
              "Microfiber 4-Piece|400 Thread Count Cotton|Bamboo Cooling|Deep Pocket",
              "Twin|Full|Queen|King", (22, 129), "softness|fit|breathability|wrinkles",
              "a cool, comfortable night's sleep", "color"),
            K("Memory Foam Pillow", "Coop Home Goods|Tempur-Pedic|Beckham Hotel Collection|Xtreme Comforts|Sleep Number",
              "Adjustable Loft|Contour Cervical|Shredded|Gel Cooling",
              "Standard|Queen|King|Set of 2", (25, 129), "support|firmness|smell|cooling",
              "side, back and stomach sleepers"),
            K("Weighted Blanket", "YnM|Bearaby|Gravity|Amazon Basics|Quility",
              "Cooling|Chunky Knit|Premium Glass Bead|Cozy Fleece",
              "12 lbs|15 lbs|20 lbs", (39, 249), "weight|warmth|stitching|softness",
              "calmer, deeper sleep", "color"),
        ],
        "Furniture": [
            K("Office Chair", "HON|Hbada|Herman Miller|Amazon Basics|SIHOO",
              "Ergonomic Mesh|High Back Executive|Mid-Back Task|Big and Tall",
              "Black|Grey|White", (79, 599), "comfort|lumbar support|assembly|armrests",
              "long days at the desk", "color"),
            K("Bookshelf", "Sauder|Ameriwood Home|VASAGLE|Bush Furniture|Nathan James",
              "5-Shelf|Industrial Ladder|Cube Storage|Corner", "White|Espresso|Oak|Black",
              (39, 249), "sturdiness|assembly|finish|shelf space", "books, plants and display"),
            K("Coffee Table", "Walker Edison|VASAGLE|Nathan James|Sauder|Christopher Knight Home",
              "Lift Top|Rustic Farmhouse|Mid-Century Modern|Round Glass",
              "Walnut|Black|White|Grey Wash", (69, 329), "sturdiness|assembly|finish|storage",
              "the center of the living room"),
        ],
        "Home Decor": [
            K("Scented Candle", "Yankee Candle|Bath & Body Works|Chesapeake Bay|Voluspa|Homesick",
              "Large Jar|3-Wick|Soy Wax|Tumbler", "Vanilla|Lavender|Fresh Linen|Balsam & Cedar",
              (9, 39), "scent throw|burn time|wick|jar", "a cozy room"),
            K("Throw Pillow Cover", "MIULEE|Home Brilliant|Phantoscope|Kevin Textile|Amazon Basics",
              "Velvet|Linen Blend|Boho Woven|Faux Fur", "18x18 Set of 2|20x20 Set of 2|Set of 4",
              (9, 35), "fabric|zipper|color|stitching", "refreshing a sofa or bed", "color"),
            K("Wall Clock", "Seiko|Bernhard Products|Infinity Instruments|Umbra|Karlsson",
              "Silent Non-Ticking|Modern|Farmhouse|Large Industrial",
              "12 Inch|14 Inch|Black|Gold", (14, 89), "noise|readability|finish|battery life",
              "kitchens, offices and living rooms"),
        ],
    },
    "Electronics": {
        "Headphones": [
            K("Wireless Headphones", "Sony|Bose|JBL|Beats|Anker Soundcore",
              "Sony=WH-1000XM4 Noise Cancelling|Sony=WH-CH520|Bose=QuietComfort 45|Bose=700 Noise Cancelling|JBL=Tune 510BT|JBL=Live 660NC|Beats=Solo3|Beats=Studio Pro|Anker Soundcore=Life Q30|Anker Soundcore=Space One",
              "Black|Silver|Blue|White", (29, 379),
              "sound quality|battery life|noise cancellation|comfort",
              "commutes, flights and focused work", "color"),
            K("Wireless Earbuds", "Apple|Samsung|JBL|Anker Soundcore|Jabra",
              "Apple=AirPods Pro (2nd Generation)|Apple=AirPods (3rd Generation)|Samsung=Galaxy Buds2|Samsung=Galaxy Buds2 Pro|JBL=Tune 230NC|Anker Soundcore=Liberty 4 NC|Jabra=Elite 4|Jabra=Elite 7 Pro",
              "Black|White|Graphite|Blue", (29, 249),
              "sound quality|battery life|fit|charging case", "workouts and calls on the go",
              "color"),
            K("Gaming Headset", "HyperX|SteelSeries|Razer|Logitech G|Corsair",
              "HyperX=Cloud II|HyperX=Cloud Stinger 2|SteelSeries=Arctis Nova 1|Razer=BlackShark V2|Razer=Kraken|Logitech G=Pro X|Logitech G=G435|Corsair=HS80 RGB",
              "Black|White|Red", (39, 199), "sound quality|microphone|comfort|durability",
              "long gaming sessions", "color"),
        ],
        "Computers & Accessories": [
            K("Wireless Mouse", "Logitech|Microsoft|Razer|Amazon Basics|Apple",
              "Logitech=M185 Compact|Logitech=MX Master 3S|Microsoft=Bluetooth Ergonomic|Razer=DeathAdder V3|Apple=Magic|Silent|Vertical Ergonomic",
              "Black|Grey|White|Blue", (9, 99), "battery life|precision|comfort|connection",
              "laptops and desktops alike"),
            K("Mechanical Keyboard", "Logitech|Keychron|Redragon|Corsair|Razer",
              "Keychron=K2 Wireless|Keychron=V1|Redragon=K552 RGB|Logitech=G915 TKL|Corsair=K70 RGB|Razer=Huntsman Mini|Compact 75%|Full Size RGB",
              "Brown Switch|Red Switch|Blue Switch", (29, 229),
              "typing feel|noise|backlight|build quality", "typing and gaming"),
            K("USB C Hub", "Anker|UGREEN|Satechi|HyperDrive|Amazon Basics",
              "7-in-1|4K HDMI|Multiport Adapter|Slim Aluminum", "Grey|Silver|Space Grey",
              (15, 89), "port selection|heat|build quality|connection",
              "connecting a laptop to everything"),
            K("Portable SSD", "Samsung|SanDisk|Crucial|WD|Seagate",
              "Samsung=T7 Shield|Samsung=T7|SanDisk=Extreme|Crucial=X9 Pro|Crucial=X6|WD=My Passport|Seagate=One Touch", "500GB|1TB|2TB|4TB",
              (59, 329), "transfer speed|heat|durability|size", "backups and big files"),
        ],
        "Cell Phones & Accessories": [
            K("Phone Case", "OtterBox|Spigen|Apple|Casetify|ESR",
              "OtterBox=Defender Series for iPhone 14|OtterBox=Symmetry for Galaxy S23|Spigen=Tough Armor for Galaxy S23|Spigen=Ultra Hybrid for iPhone 14|Apple=iPhone 14 Silicone MagSafe|Casetify=Impact for iPhone 14|ESR=Classic Hybrid for iPhone 14",
              "Black|Clear|Blue|Pink", (9, 69), "protection|grip|bulk|buttons",
              "protecting a phone from drops", "color"),
            K("Wireless Charger", "Anker|Belkin|Samsung|Apple|ESR",
              "Anker=313 Pad|Anker=3-in-1 Cube|Belkin=BoostCharge Pro 3-in-1|Samsung=15W Fast|Apple=MagSafe|ESR=HaloLock Stand|Qi Fast",
              "Black|White", (12, 129), "charging speed|heat|alignment|cable",
              "charging a phone on the nightstand"),
            K("Power Bank", "Anker|INIU|Mophie|Belkin|Baseus",
              "Anker=PowerCore 10000|Anker=737|Mophie=Powerstation Plus|Portable 20000mAh|Slim MagSafe|Mini 5000mAh",
              "Black|White|Blue", (19, 99), "capacity|charging speed|size|weight",
              "keeping devices charged on trips"),
        ],
        "Television & Video": [
            K("Smart TV", "TCL|Samsung|LG|Hisense|Sony",
              "TCL=4-Series 4K UHD|TCL=6-Series Mini-LED|Samsung=Crystal UHD|Samsung=QLED Q60B|LG=OLED evo C2|LG=UQ75 4K|Hisense=U8 Mini-LED|Hisense=A6 4K|Sony=BRAVIA XR X90K|Sony=X80K 4K",
              "43 Inch|50 Inch|55 Inch|65 Inch", (229, 1899),
              "picture quality|sound|remote|smart features", "movies, shows and sports"),
            K("Streaming Media Player", "Roku|Amazon Fire TV|Google Chromecast|Apple TV|NVIDIA SHIELD",
              "Roku=Streaming Stick 4K|Roku=Express|Roku=Ultra|Amazon Fire TV=Stick 4K Max|Amazon Fire TV=Cube|Google Chromecast=with Google TV 4K|Apple TV=4K (3rd Generation)|NVIDIA SHIELD=TV Pro", "", (24, 199),
              "setup|remote|speed|picture quality", "turning any TV into a smart TV"),
            K("Soundbar", "Vizio|Sonos|Bose|Samsung|Yamaha",
              "Vizio=V-Series 2.1|Vizio=M-Series 5.1|Sonos=Beam Gen 2|Sonos=Ray|Bose=Smart Soundbar 600|Samsung=HW-B450|Yamaha=SR-C20A", "Black|White",
              (79, 549), "sound quality|bass|setup|dialogue clarity", "fuller TV sound"),
        ],
        "Cameras": [
            K("Action Camera", "GoPro|DJI|AKASO|Insta360|SJCAM",
              "GoPro=HERO11 Black|GoPro=HERO10 Black|DJI=Osmo Action 3|AKASO=Brave 7|Insta360=ONE X2|SJCAM=SJ4000|Waterproof 4K", "", (59, 499),
              "video quality|stabilization|battery life|mounts", "adventures and sports"),
            K("Security Camera", "Wyze|Blink|Ring|Arlo|Eufy",
              "Wyze=Cam v3|Wyze=Cam Pan v3|Blink=Outdoor|Ring=Stick Up Cam|Arlo=Pro 4 Spotlight|Eufy=SoloCam S40|Indoor 2K", "1 Pack|2 Pack|3 Pack",
              (29, 299), "video quality|night vision|app|battery life",
              "watching the front door"),
        ],
    },
    "Health & Household": {
        "Vitamins & Supplements": [
            K("Multivitamin", "Centrum|Nature Made|One A Day|Garden of Life|Vitafusion",
              "Centrum=Silver Adults 50+|One A Day=Men's Health Formula|Vitafusion=Women's Gummies|Garden of Life=Vitamin Code Women|Adults Daily|Men's Daily", "100 Count|200 Count|90 Gummies",
              (8, 35), "taste|size|results|value", "filling daily nutrition gaps"),
            K("Vitamin D3", "Nature Made|NatureWise|Sports Research|Nature's Bounty|Nordic Naturals",
              "2000 IU|5000 IU Softgels|with K2|Gummies", "90 Count|240 Count|360 Count", (7, 29),
              "size|taste|results|value", "bone and immune support"),
            K("Protein Powder", "Optimum Nutrition|Orgain|Vega|Dymatize|Garden of Life",
              "Optimum Nutrition=Gold Standard 100% Whey|Dymatize=ISO100 Hydrolyzed|Orgain=Organic Plant Based|Vega=Sport Premium|Garden of Life=Raw Organic|Whey Isolate", "Chocolate|Vanilla|Unflavored",
              (24, 79), "taste|mixability|results|value", "post-workout recovery"),
        ],
        "Household Supplies": [
            K("Laundry Detergent Pods", "Tide|Gain|Persil|Seventh Generation|all",
              "Tide=PODS Original|Tide=PODS Free & Clear|Gain=Flings Original|Persil=ProClean Discs|Seventh Generation=Free & Clear|Fresh Scent", "42 Count|81 Count|112 Count", (11, 35),
              "scent|cleaning power|value|packaging", "fresh laundry in any machine"),
            K("Paper Towels", "Bounty|Viva|Brawny|Amazon Basics|Seventh Generation",
              "Bounty=Select-A-Size|Viva=Multi-Surface Cloth|Brawny=Tear-A-Square|Recycled|Everyday", "6 Rolls|8 Rolls|12 Rolls",
              (9, 32), "absorbency|strength|value|packaging", "kitchen spills and cleanups"),
            K("Trash Bags", "Glad|Hefty|Amazon Basics|Simple Human|Ziploc",
              "Glad=ForceFlex Tall Kitchen|Glad=OdorShield|Hefty=Ultra Strong|Drawstring|Compostable",
              "13 Gallon 80 Count|30 Gallon 50 Count|4 Gallon 100 Count", (8, 29),
              "strength|fit|smell|value", "kitchen and outdoor bins"),
        ],
        "Medical Supplies": [
            K("Digital Thermometer", "Braun|iHealth|Vicks|Kinsa|Exergen",
              "Braun=ThermoScan 5 Ear|iHealth=No-Touch Forehead|Vicks=SpeedRead|Kinsa=QuickCare Smart|Exergen=Temporal Artery|Oral", "", (9, 59),
              "accuracy|speed|display|battery life", "checking fevers at home"),
            K("Blood Pressure Monitor", "Omron|Greater Goods|iHealth|Withings|Paramed",
              "Omron=Silver Upper Arm|Omron=Bronze Upper Arm|iHealth=Track Connected|Withings=BPM Connect|Upper Arm|Wrist", "", (25, 99),
              "accuracy|cuff|display|app", "tracking blood pressure at home"),
            K("First Aid Kit", "Johnson & Johnson|Surviveware|Adventure Medical Kits|First Aid Only|Amazon Basics",
              "All-Purpose|Small|Mountain Series|299 Piece", "", (11, 59),
              "contents|case|size|value", "home, car and trips"),
        ],
    },
    "Grocery & Gourmet Food": {
        "Snacks": [
            K("Mixed Nuts", "Planters|Blue Diamond|Kirkland Signature|Wonderful|Kar's",
              "Planters=Deluxe Lightly Salted|Blue Diamond=Roasted Salted Almonds|Wonderful=Pistachios No Shells|Kar's=Sweet 'n Salty Trail Mix|Unsalted Deluxe|Honey Roasted",
              "10.3 oz|16 oz|2.5 lb|Pack of 6", (6, 29), "flavor|freshness|value|packaging",
              "healthy snacking"),
            K("Potato Chips", "Kettle Brand|Lay's|Cape Cod|Pringles|Miss Vickie's",
              "Kettle Brand=Sea Salt|Lay's=Classic|Cape Cod=Original Kettle Cooked|Pringles=Sour Cream & Onion|Miss Vickie's=Jalapeno|Salt & Vinegar|Barbecue",
              "8 oz|Pack of 24|Variety Pack", (4, 29), "flavor|crunch|freshness|value",
              "lunch boxes and game day"),
            K("Granola Bars", "Nature Valley|KIND|Clif Bar|RXBAR|Quaker",
              "Nature Valley=Crunchy Oats 'n Honey|KIND=Dark Chocolate Nuts & Sea Salt|Clif Bar=Chocolate Chip|RXBAR=Chocolate Sea Salt|Quaker=Chewy Chocolate Chip|Peanut Butter|Variety",
              "12 Count|24 Count|48 Count", (6, 34), "flavor|texture|value|packaging",
              "breakfast on the go"),
        ],
        "Beverages": [
            K("Sparkling Water", "LaCroix|Bubly|Topo Chico|Perrier|Spindrift",
              "Lime|Grapefruit|Original|Mango|Black Cherry", "12 Pack|24 Pack|8 Pack", (5, 24),
              "flavor|fizz|value|packaging", "a refreshing zero-calorie drink"),
            K("Cold Brew Concentrate", "Starbucks|Stok|Califia Farms|Chameleon|Grady's",
              "Black Unsweetened|Madagascar Vanilla|Mocha|Signature Black", "32 oz|48 oz|Pack of 2",
              (7, 24), "flavor|strength|value|packaging", "iced coffee at home"),
        ],
        "Pantry Staples": [
            K("Extra Virgin Olive Oil", "California Olive Ranch|Colavita|Pompeian|Bertolli|Kirkland Signature",
              "Everyday|Robust|Organic|Cold Pressed", "16.9 fl oz|25.4 fl oz|68 fl oz", (8, 34),
              "flavor|freshness|bottle|value", "cooking and dressings"),
            K("Pasta", "Barilla|De Cecco|Rao's|Banza|Ronzoni",
              "Barilla=Spaghetti|De Cecco=Penne Rigate|Banza=Chickpea Rotini|Barilla=Whole Grain Linguine|Rao's=Homemade Rigatoni|Elbows|Fusilli",
              "16 oz|Pack of 6|Pack of 12", (3, 29), "texture|flavor|value|packaging",
              "quick weeknight dinners"),
            K("Pure Maple Syrup", "Butternut Mountain Farm|Coombs Family Farms|Kirkland Signature|Crown Maple|Runamok",
              "Grade A Amber|Organic Dark Robust|Bourbon Barrel Aged", "12 fl oz|32 fl oz|1 Gallon",
              (9, 59), "flavor|thickness|bottle|value", "pancakes, waffles and baking"),
        ],
        "Breakfast Foods": [
            K("Oatmeal", "Quaker|Bob's Red Mill|McCann's|Nature's Path|Kodiak Cakes",
              "Quaker=Old Fashioned Rolled Oats|McCann's=Irish Steel Cut|Quaker=Instant Maple & Brown Sugar|Kodiak Cakes=Protein|Organic Rolled Oats|Steel Cut",
              "42 oz|Pack of 4|Variety Pack", (4, 29), "texture|flavor|value|packaging",
              "warm, filling breakfasts"),
            K("Pancake Mix", "Kodiak Cakes|Krusteaz|Bisquick|Birch Benders|Pearl Milling Company",
              "Kodiak Cakes=Power Cakes Protein|Krusteaz=Buttermilk|Bisquick=Original|Birch Benders=Keto|Pearl Milling Company=Original|Whole Wheat", "20 oz|32 oz|Pack of 3", (4, 24),
              "flavor|texture|value|packaging", "fluffy weekend pancakes"),
        ],
    },
    "Office Products": {
        "Office Supplies": [
            K("Gel Pens", "Pilot|Pentel|Zebra|Uni-ball|Paper Mate",
              "Pilot=G2 Premium|Pentel=EnerGel RTX|Zebra=Sarasa Clip|Uni-ball=Signo 207|Paper Mate=InkJoy|Retractable|Fine Point", "12 Pack|24 Pack|36 Pack",
              (6, 29), "ink flow|smudging|grip|value", "notes, planners and signatures"),
            K("Spiral Notebook", "Five Star|Mead|Oxford|Moleskine|Amazon Basics",
              "Moleskine=Classic Hard Cover|Five Star=Wirebound|College Ruled|Wide Ruled|Dotted", "1 Subject|3 Subject|Pack of 6",
              (4, 29), "paper quality|binding|size|value", "classes and meetings"),
            K("Sticky Notes", "Post-it|Amazon Basics|Mr. Pen|Early Buy|Officemate",
              "Post-it=Super Sticky|Post-it=Original|Lined|Pastel Colors|Neon", "12 Pads|24 Pads|5 Pads", (5, 24),
              "stickiness|colors|size|value", "reminders and brainstorming"),
        ],
        "Office Electronics": [
            K("Label Maker", "Brother|DYMO|NIIMBOT|Phomemo|Epson",
              "Brother=P-touch PTD210|DYMO=LabelManager 160|NIIMBOT=D11 Bluetooth|Epson=LabelWorks LW-300|Phomemo=D30|Portable", "", (19, 79),
              "print quality|ease of use|tape|battery life", "organizing the home and office"),
            K("Paper Shredder", "Amazon Basics|Fellowes|Bonsaii|AURORA|Royal",
              "Fellowes=Powershred 79Ci|8-Sheet Cross-Cut|12-Sheet Micro-Cut|Strip-Cut",
              "", (39, 249), "noise|shred capacity|jams|bin", "protecting personal documents"),
            K("Desk Lamp", "TaoTronics|BenQ|Lepro|Globe Electric|Amazon Basics",
              "BenQ=e-Reading LED|LED Dimmable|Architect|with USB Charging Port", "Black|White|Silver",
              (15, 179), "brightness|adjustability|stability|color temperature",
              "late nights of reading and work"),
        ],
    },
}

COLORS = ("Black", "White", "Navy", "Grey", "Red", "Blue", "Green", "Beige", "Pink", "Purple",
          "Olive", "Brown", "Burgundy", "Yellow")
APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "12")

DESCRIPTION_OPENERS = (
    "The {name} is made for {use}.",
    "Designed for {use}, the {short} from {brand} is a dependable everyday choice.",
    "Meet the {name}: {brand}'s answer to {use}.",
    "Built by {brand} for {use}, this {noun_l} gets the basics right.",
)
DESCRIPTION_ASPECTS = (
    "Customers especially like its {a1} and {a2}.",
    "It stands out for its {a1}, and the {a2} is better than most in its class.",
    "Pay attention to the {a1} and the {a2}: both were refined in this version.",
    "Its {a1} and {a2} make it a favorite among repeat buyers.",
)
DESCRIPTION_CLOSERS = (
    "Backed by a 1-year limited warranty.",
    "Ships in recyclable packaging.",
    "Easy to care for and simple to store.",
    "A thoughtful gift for friends and family.",
    "Compare it with other {noun_l_plural} in our store before you buy.",
    "Free returns within 30 days.",
)

FIRST_NAMES_F = (
    "Emma Olivia Ava Sophia Isabella Mia Charlotte Amelia Harper Evelyn Abigail Emily Ella "
    "Elizabeth Sofia Avery Scarlett Grace Chloe Victoria Riley Aria Lily Zoey Nora Hannah Layla "
    "Lucy Anna Sarah Julia Samantha Jennifer Jessica Ashley Lauren Megan Rachel Maria Linda "
    "Patricia Karen Nancy Susan Lisa Michelle Amanda Kimberly Priya Mei Yuki Fatima Aisha"
).split()
FIRST_NAMES_M = (
    "Liam Noah Oliver Elijah James William Benjamin Lucas Henry Alexander Mason Michael Ethan "
    "Daniel Jacob Logan Jackson Sebastian Jack Aiden Owen Samuel Matthew Joseph David Carter "
    "Wyatt John Luke Gabriel Anthony Isaac Dylan Andrew Joshua Christopher Ryan Nathan Brian "
    "Kevin Jason Eric Adam Robert Thomas Richard Mark Steven Paul Raj Wei Hiroshi Omar Carlos"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Kim Chen "
    "Wang Singh Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Gomez Kelly Howard "
    "Ward Cox Diaz Richardson Wood Watson Brooks Bennett Gray James Reyes Cruz Hughes Price Myers "
    "Long Foster Sanders Ross Morales Powell Sullivan Russell Ortiz Jenkins Gutierrez Perry Butler"
).split()
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
                 "icloud.com", "aol.com", "protonmail.com")

# (city, state, zip prefix, area code)
CITIES = (
    ("New York", "New York", "100", "212"), ("Brooklyn", "New York", "112", "718"),
    ("Los Angeles", "California", "900", "213"), ("San Francisco", "California", "941", "415"),
    ("San Diego", "California", "921", "619"), ("San Jose", "California", "951", "408"),
    ("Chicago", "Illinois", "606", "312"), ("Houston", "Texas", "770", "713"),
    ("Austin", "Texas", "787", "512"), ("Dallas", "Texas", "752", "214"),
    ("Phoenix", "Arizona", "850", "602"), ("Philadelphia", "Pennsylvania", "191", "215"),
    ("Pittsburgh", "Pennsylvania", "152", "412"), ("Seattle", "Washington", "981", "206"),
    ("Portland", "Oregon", "972", "503"), ("Denver", "Colorado", "802", "303"),
    ("Boston", "Massachusetts", "021", "617"), ("Cambridge", "Massachusetts", "021", "617"),
    ("Miami", "Florida", "331", "305"), ("Orlando", "Florida", "328", "407"),
    ("Tampa", "Florida", "336", "813"), ("Atlanta", "Georgia", "303", "404"),
    ("Charlotte", "North Carolina", "282", "704"), ("Raleigh", "North Carolina", "276", "919"),
    ("Nashville", "Tennessee", "372", "615"), ("Minneapolis", "Minnesota", "554", "612"),
    ("Detroit", "Michigan", "482", "313"), ("Columbus", "Ohio", "432", "614"),
    ("Las Vegas", "Nevada", "891", "702"), ("Salt Lake City", "Utah", "841", "801"),
    ("Baltimore", "Maryland", "212", "410"), ("Washington", "District of Columbia", "200", "202"),
    ("Richmond", "Virginia", "232", "804"), ("New Orleans", "Louisiana", "701", "504"),
    ("Kansas City", "Missouri", "641", "816"), ("St. Louis", "Missouri", "631", "314"),
    ("Milwaukee", "Wisconsin", "532", "414"), ("Albuquerque", "New Mexico", "871", "505"),
    ("Honolulu", "Hawaii", "968", "808"), ("Anchorage", "Alaska", "995", "907"),
)
STREET_NAMES = (
    "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St", "Washington Ave",
    "Lake Shore Dr", "Park Ave", "Sunset Blvd", "Broadway", "Highland Ave", "Church St",
    "Market St", "River Rd", "Hillside Ave", "Forest Dr", "Jefferson St", "Lincoln Ave",
    "Madison Ave", "Spring St", "Willow Way", "Chestnut St", "Walnut St", "Meadow Ln",
    "College Ave", "Franklin St", "Harbor Blvd", "Mission St", "Valley View Rd",
)

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming",
)

REVIEW_TITLES = {
    5: ("Love it!", "Exactly what I needed", "Great value", "Highly recommend", "Five stars",
        "Perfect", "Best purchase this year", "Works great", "Excellent quality",
        "Better than expected"),
    4: ("Very good", "Pretty good overall", "Solid product", "Good, not perfect",
        "Happy with it", "Does what it says", "Nice, with one small issue", "Good buy"),
    3: ("It's okay", "Average", "Decent for the price", "Mixed feelings", "Does the job",
        "Not bad, not great"),
    2: ("Disappointed", "Not as described", "Could be better", "Meh", "Expected more"),
    1: ("Terrible", "Waste of money", "Do not buy", "Broke after a week", "Very disappointed",
        "Returned it"),
}
#: aspects named for what can go wrong: praised as "no problems with the ..."
TROUBLE_ASPECTS = frozenset((
    "noise", "smudging", "shedding", "wrinkles", "sensitivity", "fog", "leaks", "jams", "heat",
    "bulk", "smell", "tension",
))
REVIEW_NO_TROUBLE = (
    "No problems with {aspect} at all.", "I was worried about {aspect}, but it's a non-issue.",
    "Zero issues with {aspect} so far.",
)
REVIEW_TROUBLE = (
    "The {aspect} is a real problem.", "I had trouble with {aspect} from day one.",
    "The {aspect} is worse than advertised.",
)
REVIEW_GOOD_ASPECT = (
    "The {aspect} is excellent.", "I'm really impressed by the {aspect}.",
    "Really happy with the {aspect}.", "The {aspect} is much better than my old one.",
    "Great {aspect} for the price.",
)
REVIEW_BAD_ASPECT = (
    "The {aspect} is disappointing.", "The {aspect} could be a lot better.",
    "Not happy with the {aspect}.", "The {aspect} is worse than advertised.",
    "I had problems with the {aspect} from day one.",
)
REVIEW_GOOD_GENERIC = (
    "Arrived quickly and well packaged.", "Great value for the money.", "Would buy again.",
    "My husband loves it.", "My daughter loves it.", "Bought a second one as a gift.",
    "Exactly as pictured.", "Easy to use right out of the box.",
)
REVIEW_BAD_GENERIC = (
    "It arrived damaged.", "Stopped working after two weeks.", "I returned it.",
    "Not worth the price.", "Customer service never answered my emails.",
    "Looks cheaper than in the photos.",
)
REVIEW_FIT = {
    "good": ("Fits true to size.", "The fabric feels soft.", "The color is exactly as pictured.",
             "Fits true to size and washes well."),
    "bad": ("Runs small, order a size up.", "Runs large.", "The color faded after the first wash.",
            "The stitching came loose after a few wears."),
}
NICKNAME_WORDS = ("happyshopper", "momof3", "techguy", "bargainhunter", "coffeelover",
                  "weekendhiker", "bookworm", "gamerdad", "runnergirl", "homecook")

EXTRA_SEARCH_TERMS = (
    "gift for mom", "birthday gift", "usb c", "organic", "waterproof", "wireless", "stainless",
    "rechargeable", "bluetooth", "non-slip", "gluten free", "kids", "travel", "black friday",
    "on sale", "memory foam", "noise cancelling", "cotton", "4k", "ergonomic", "portable",
    "vegan", "led", "iphone 14", "galaxy s23", "queen size", "pack of 2", "decaf", "vanilla",
)
