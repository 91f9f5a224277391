"""Word lists the forum generator composes its forums, people, posts and comments from.

A :class:`ForumSpec` is one forum: its URL name, title, sidebar description, how busy it is,
the *subjects* its members talk about, and the title, body and comment templates they write.
Templates have a ``{s}`` slot for the subject. Forums with ``products`` set draw their subjects
from the store's real product names (the same products the shop sells), so that cross-site
tasks can link a forum post to a product page.
"""

from __future__ import annotations

from dataclasses import dataclass


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|") if x.strip())


@dataclass(frozen=True)
class ForumSpec:
    """One forum and what its members write.

    Attributes:
        name: the URL name (``/f/<name>``).
        title: the forum's display title.
        description: the sidebar text.
        weight: relative number of posts.
        subjects: what posts are about (books, games, questions, places...).
        titles: post title templates (``{s}``: a subject).
        bodies: post body sentences (``{s}``); a body joins two or three of them.
        comments: comment sentences specific to the forum (``{s}``: the post's subject).
        products: store category names whose products become subjects (cross-site forums).
        link_share: fraction of posts that are link posts.
        domains: sites that link posts point at.
    """

    name: str
    title: str
    description: str
    weight: float
    subjects: tuple[str, ...]
    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    comments: tuple[str, ...]
    products: tuple[str, ...] = ()
    link_share: float = 0.0
    domains: tuple[str, ...] = ()


def F(name: str, title: str, description: str, weight: float, subjects: str, titles: str,
      bodies: str, comments: str, products: str = "", link_share: float = 0.0,
      domains: str = "") -> ForumSpec:
    """A :class:`ForumSpec` from ``|``-separated lists (compact to write)."""
    return ForumSpec(name, title, description, weight, _split(subjects), _split(titles),
                     _split(bodies), _split(comments), _split(products), link_share,
                     _split(domains))


_MEDIA_COMMENTS = (
    "The ending of {s} still lives in my head rent free.|I went in with low expectations for "
    "{s} and came out a fan.|Honestly {s} is overrated, but I get why people love it.|The "
    "middle part of {s} drags a bit, push through it.|{s} is one of those I revisit every "
    "couple of years.|Agreed, the pacing in {s} is near perfect.|I bounced off {s} the first "
    "time and loved it on the second try.|If you liked {s} you should check out the rest of "
    "the catalogue.|My partner and I argued about {s} for an hour after we finished it."
)

FORUMS: tuple[ForumSpec, ...] = (
    F("AskReddit", "Ask Reddit...", "The place to ask and answer thought-provoking questions.",
      3.0,
      "adulthood|moving to a new city|owning a dog|working from home|your first job|college|"
      "living alone|getting older|cooking for yourself|your hometown|public transport|"
      "long-distance friendships|buying a car|learning an instrument|switching careers|"
      "your grandparents|online dating|camping|wedding planning|being a night owl",
      "What's something about {s} that nobody warns you about?|What is the best advice you "
      "got about {s}?|People who love {s}, what's the appeal?|What's your most unpopular "
      "opinion about {s}?|What small thing made {s} so much easier for you?|What surprised "
      "you the most about {s}?|What's the funniest story you have about {s}?|If you could "
      "redo {s}, what would you change?|What's a mistake you made with {s} that others can "
      "avoid?",
      "Asking because I have been thinking about {s} a lot lately.|I'll start: I wish "
      "someone had told me how much of it is just showing up.|Curious whether my experience "
      "is normal or not.|Serious answers appreciated, but jokes are welcome too.|My friends "
      "all have very different takes on {s}, so I'm curious what the internet thinks.",
      "This thread is making me feel a lot better about {s}.|Mine is boring but true: "
      "patience, way more patience than you think.|Came here to say this.|Honestly the "
      "hardest part of {s} is the first month.|Nobody talks about the paperwork involved.|"
      "Saving this thread for later.|This is the most relatable thing I've read all week.|"
      "Underrated answer right here."),
    F("books", "Books", "For book lovers: discussion of what you are reading, what you loved "
      "and what you couldn't finish.", 2.0,
      "Project Hail Mary|The Midnight Library|Klara and the Sun|The Seven Husbands of Evelyn "
      "Hugo|Dune|The Name of the Wind|Piranesi|Educated|Circe|The Road|Where the Crawdads "
      "Sing|Tomorrow, and Tomorrow, and Tomorrow|The Martian|A Gentleman in Moscow|1984|The "
      "Hobbit|Lessons in Chemistry|Station Eleven|The Remains of the Day|Pachinko",
      "Just finished {s} and I need to talk about it|Is {s} worth reading?|{s} made me cry "
      "on a train this morning|Re-reading {s} ten years later hits differently|I finally "
      "read {s} after years on my shelf|Unpopular opinion: I did not enjoy {s}|Book club "
      "picked {s}, what should we discuss?|What to read after {s}?|Audiobook or paper "
      "for {s}?",
      "I picked up {s} on a whim at the library.|The writing in {s} is gorgeous, some "
      "sentences I read three times.|No spoilers please, I'm about halfway through {s}.|"
      "Everyone recommended {s} to me and I finally get the hype.|I went back and forth on "
      "the ending of {s} for days.",
      _MEDIA_COMMENTS + "|The audiobook narrator for {s} is fantastic.|Read {s} in two "
      "sittings, could not put it down.|Library hold for {s} took four months but worth it."),
    F("movies", "Movies", "News and discussion about major motion pictures.", 2.0,
      "Oppenheimer|Everything Everywhere All at Once|Dune: Part One|Top Gun: Maverick|"
      "The Banshees of Inisherin|Past Lives|Spider-Man: Across the Spider-Verse|Arrival|"
      "Parasite|Knives Out|The Batman|Interstellar|Mad Max: Fury Road|Barbie|Whiplash|"
      "Blade Runner 2049|The Grand Budapest Hotel|Get Out|Aftersun|Tar",
      "Just watched {s} for the first time|{s} deserves more love|Can we talk about the "
      "score of {s}?|{s} holds up incredibly well on a rewatch|Saw {s} in IMAX and my ears "
      "are still ringing|What did everyone think of the ending of {s}?|Underrated scene in "
      "{s} nobody mentions|Is {s} worth seeing in theaters?|{s} is a masterclass in "
      "editing",
      "The cinematography in {s} blew me away.|I had no idea what {s} was about going in "
      "and that was the best way.|The third act of {s} divided my friends completely.|"
      "Watched {s} with my dad and he would not stop talking about it.|Curious what "
      "people think now that the hype around {s} has died down.",
      _MEDIA_COMMENTS + "|The sound design in {s} does so much heavy lifting.|{s} is the "
      "rare movie that is better the second time."),
    F("television", "Television", "Discussion of TV shows, old and new.", 1.5,
      "Severance|The Bear|Succession|Breaking Bad|The Last of Us|Ted Lasso|Better Call "
      "Saul|Andor|The Office|Fleabag|Arcane|Stranger Things|The Wire|Shogun|Abbott "
      "Elementary|Dark|Mad Men|Twin Peaks",
      "Just finished {s} and I'm devastated it's over|{s} is the best show of the decade|"
      "Rewatching {s} and noticing so many details|The season finale of {s} was perfect|"
      "Is {s} worth starting in 2023?|{s} has the best cast chemistry on TV|Which episode "
      "of {s} do you rewatch the most?|{s} season 2 discussion (spoilers)",
      "I binged {s} over a long weekend.|The writing in {s} never treats the audience like "
      "idiots.|I was told {s} gets good after a few episodes and it really does.|{s} is "
      "the show I recommend to everyone at work.",
      _MEDIA_COMMENTS + "|The cold open of that {s} episode is iconic.|I need another "
      "season of {s} right now."),
    F("Music", "Music", "Reddit's music community: news, albums, concerts, discovery.", 1.5,
      "Radiohead|Taylor Swift|Kendrick Lamar|Fleetwood Mac|Phoebe Bridgers|Daft Punk|"
      "The Beatles|Beyonce|Tame Impala|Arctic Monkeys|Frank Ocean|Miles Davis|Bon Iver|"
      "Fiona Apple|LCD Soundsystem|Mitski",
      "Saw {s} live last night and it was unreal|Where should I start with {s}?|The most "
      "underrated album by {s}|{s} never misses|What is your favorite {s} deep cut?|"
      "Finally got into {s} after years of ignoring them|{s} has the best live shows, "
      "change my mind",
      "I used to skip {s} on shuffle and now I can't stop listening.|My dad got me into "
      "{s} on long car rides.|Their discography is so varied that every album feels new.|"
      "Looking for recommendations in the same vein as {s}.",
      _MEDIA_COMMENTS + "|The vinyl pressing of that {s} record sounds amazing.|Saw {s} in "
      "2019 and still think about it.",
      link_share=0.25, domains="pitchfork.com|www.rollingstone.com|www.stereogum.com"),
    F("gaming", "Gaming", "A forum for (almost) anything related to games: video games, board "
      "games, card games...", 2.5,
      "Elden Ring|Baldur's Gate 3|The Legend of Zelda: Tears of the Kingdom|Hades|Stardew "
      "Valley|Red Dead Redemption 2|Hollow Knight|Cyberpunk 2077|Disco Elysium|The Witcher "
      "3|Celeste|Minecraft|Outer Wilds|Portal 2|Slay the Spire|Mass Effect Legendary "
      "Edition|God of War Ragnarok|Factorio|Persona 5 Royal|Terraria",
      "200 hours into {s} and still finding new things|{s} is the most relaxing game I own|"
      "Just beat {s} for the first time|Is {s} worth it at full price?|{s} has ruined other "
      "games for me|Tips for a beginner starting {s}?|The soundtrack of {s} is criminally "
      "underrated|Finally finished {s} after putting it down twice|{s} on sale this "
      "weekend, should I grab it?",
      "I bought {s} on a whim during a sale and it took over my life.|No spoilers, but the "
      "last area of {s} is incredible.|My backlog is huge but {s} jumped straight to the "
      "top.|Played {s} co-op with my brother and we had a blast.|Performance on my old "
      "laptop is fine, surprisingly.",
      "The first few hours of {s} are slow, it opens up later.|{s} is worth every penny.|"
      "Git gud is the only advice for {s}, sorry.|Play {s} blind, do not look anything "
      "up.|The modding scene for {s} is wild.|I have more hours in {s} than I want to "
      "admit.|Co-op makes {s} ten times better.|Patch notes for {s} fixed my biggest "
      "complaint."),
    F("consoles", "Consoles", "News, discussion and help for game consoles and handhelds.", 1.0,
      "PS5|Xbox Series X|Nintendo Switch OLED|Steam Deck|Xbox Series S|PS4 Pro|Nintendo "
      "Switch Lite|Analogue Pocket|PS VR2|Retroid Pocket 3",
      "Finally got a {s}, what should I play first?|Is the {s} still worth buying in 2023?|"
      "My {s} fan is really loud, normal?|{s} vs a gaming PC for a casual player|Best "
      "accessories for the {s}?|Storage upgrade for the {s}: which drive?|My {s} stopped "
      "reading discs|Battery life on the {s} is better than I expected",
      "I waited a long time for a price drop on the {s}.|Mostly planning to play with my "
      "kids on the {s}.|Already checked the cables and reset everything twice.|Coming "
      "from an older generation, so the {s} feels like a huge jump.",
      "The {s} is great but the controller battery could be better.|Clean the vents on the "
      "{s}, it helped mine a lot.|Get a bigger SSD for the {s}, you'll fill it fast.|"
      "I use my {s} almost every night.|Warranty should cover that on the {s}.|Game Pass "
      "alone makes it worth it in my opinion."),
    F("technology", "Technology", "Technology news and discussion.", 2.0,
      "right-to-repair laws|USB-C on every phone|ChatGPT in the workplace|password "
      "managers|the Apple Vision Pro|electric vehicle charging networks|passkeys replacing "
      "passwords|open-source AI models|satellite internet|foldable phones|smart home "
      "standards like Matter|the end of third-party cookies|self-driving taxis|"
      "semiconductor shortages",
      "The debate over {s} is heating up again|Why {s} deserves more attention than it gets|"
      "Is anyone actually using {s} day to day?|{s}: hype or the real deal?|Companies "
      "are quietly embracing {s}|New report on {s} raises eyebrows|My IT department just "
      "rolled out {s}|A deep dive into {s}",
      "Read an interesting piece about {s} this morning.|Curious how people here feel "
      "about {s}.|It feels like {s} went from niche to mainstream overnight.|The "
      "security implications of {s} are what worry me the most.",
      "{s} is going to be everywhere in five years.|Hard to trust anything about {s} "
      "until regulators weigh in.|We rolled out {s} at my company and it was mostly "
      "painless.|The comments on the article about {s} were wild.|Cost is the real "
      "barrier for {s}.|I'm cautiously optimistic about {s}.",
      link_share=0.45,
      domains="www.theverge.com|arstechnica.com|www.wired.com|techcrunch.com|www.engadget.com"),
    F("gadgets", "Gadgets", "Gadget news, reviews and deals: phones, cameras, computers and "
      "everything in between.", 1.2, "",
      "Anyone tried the {s}?|Just picked up the {s}, first impressions|{s}: worth the "
      "money?|Long-term review: {s} after six months|Is the {s} good for a home office?|"
      "Returned my {s}, here's why|The {s} is on sale at One Stop Market",
      "I use it every day for work and some weekend projects.|Setup took about ten "
      "minutes.|Build quality feels better than the price suggests.|The only complaint so "
      "far is the manual, which is useless.|Compared it to two others before deciding.",
      "I have the {s} too, no complaints after a year.|Check the return window before "
      "you commit to the {s}.|The {s} replaced two gadgets on my desk.|Mine arrived with "
      "a scratch, but support sent a new one quickly.|The {s} is solid for the price.",
      products="Computers & Accessories|Cell Phones & Accessories|Television & Video|"
      "Cameras|Office Electronics"),
    F("headphones", "Headphones", "Everything about headphones, earbuds, amps and audio "
      "gear.", 0.9, "",
      "{s} review after a month of daily use|Is the {s} good for commuting?|{s} vs the "
      "competition for noise cancelling|Just got the {s}, how do I improve the sound?|"
      "{s} comfort for long sessions?|My {s} right ear cup stopped working|Finally "
      "upgraded to the {s}",
      "Mostly listening to podcasts and some jazz.|Wearing them on a 40-minute train "
      "ride every day.|I have a small head, so fit matters a lot for me.|Tried them in "
      "a store first before buying.",
      "EQ the bass down a touch and the {s} sound much better.|The {s} clamp a bit at "
      "first but loosen up.|Noise cancelling on the {s} is good for the price.|I returned "
      "the {s}, the fit was not for me.|Battery life on the {s} is honestly great.",
      products="Headphones"),
    F("personalfinance", "Personal Finance", "Learn about budgeting, saving, getting out of "
      "debt, credit, investing, and retirement planning.", 1.8,
      "an emergency fund|a 401(k) match|student loan payments|a Roth IRA|credit card "
      "debt|a first home purchase|a high-yield savings account|a car loan|budgeting "
      "apps|index funds|a raise at work|medical bills|a wedding budget|daycare costs",
      "How big should {s} be, realistically?|Need advice on {s}|Finally tackled {s}, "
      "here's what I learned|Am I overthinking {s}?|Best strategy for {s} in my late "
      "twenties?|Is it dumb to prioritize {s} over investing?|Question about {s} and "
      "taxes|Spouse and I disagree about {s}",
      "I'm 29, make about $62k a year and have no other debt.|We just had our first kid so "
      "the budget is tight.|I've read the wiki but still feel stuck on {s}.|My parents "
      "never talked about money so I'm learning as I go.|Any advice is appreciated, "
      "thank you in advance.",
      "Read the prime directive in the wiki first, it covers {s}.|Always take the full "
      "match, it's free money.|Pay off anything above 7% interest before {s}.|Three to "
      "six months of expenses is the usual rule.|Automate it so you never see the money.|"
      "Talk to a fee-only planner if {s} still confuses you.|Congrats, that's a huge "
      "milestone!"),
    F("BuyItForLife", "Buy It For Life", "Durable, practical, and quality-made products that "
      "last.", 1.0, "",
      "My {s} is still going strong after five years|Is the {s} actually built to last?|"
      "{s}: BIFL or overpriced?|Looking for something like the {s} that lasts|Inherited a "
      "{s} from my grandmother|Customer service replaced my {s} for free",
      "I'm tired of replacing cheap stuff every year.|Happy to pay more upfront for "
      "something that lasts.|Looking for honest long-term experiences, not unboxings.|"
      "The warranty was a big part of why I chose it.",
      "Mine has lasted six years with daily use.|The {s} is solid, but replace the seals "
      "every so often.|Anything with a lifetime warranty gets my vote.|Older versions of "
      "the {s} were built better, sadly.|Buy once, cry once.",
      products="Coffee & Tea|Kitchen Utensils|Bedding|Furniture|Home Decor|Camping & "
      "Hiking|Household Supplies"),
    F("deals", "Deals", "Deals and discounts from One Stop Market and around the web. Post the "
      "price and the link.", 1.4, "",
      "[One Stop Market] {s}, great price right now|Deal: {s} marked down this week|Price "
      "drop on the {s}|Is this a good deal on the {s}?|{s} back in stock and on sale|Lowest "
      "price I've seen on the {s}",
      "Found this while browsing One Stop Market this morning.|Not sure how long it will "
      "last.|Checked the price history and this is near the lowest.|Shipping was fast "
      "the last time I ordered from them.",
      "Grabbed one, thanks OP!|Not the lowest, it was cheaper around Black Friday.|"
      "The {s} is a solid buy at that price.|Read the reviews first, mixed feelings on "
      "the {s}.|Already sold out in my size.|Good find, ordered two.",
      products="*", link_share=0.6),
    F("DIY", "DIY", "Home improvement, woodworking and making things yourself.", 1.3,
      "tiling a bathroom floor|building a deck|refinishing hardwood floors|installing a "
      "ceiling fan|a built-in bookshelf|fixing drywall cracks|replacing a kitchen "
      "faucet|painting kitchen cabinets|a raised garden bed|insulating an attic|a "
      "workbench|a closet organizer|patching a roof leak",
      "First attempt at {s}, how did I do?|Advice needed: {s}|Finished {s} over the "
      "weekend|What tools do I need for {s}?|Made a mistake with {s}, can it be saved?|"
      "Cost breakdown for {s}|Should I hire someone for {s} or do it myself?",
      "Total cost was around $400 in materials.|Took me three weekends with a lot of "
      "YouTube.|Our house was built in 1962 so nothing is square.|I'm a complete "
      "beginner with tools.|Pictures in the comments.",
      "Looks great for a first attempt at {s}!|Measure twice, cut once.|Use a level "
      "everywhere, it makes all the difference.|Check local codes before {s}.|Rent the "
      "expensive tool instead of buying it.|The prep work is 80% of {s}."),
    F("food", "Food", "Cooking, baking, eating: share what you made or ate.", 1.4,
      "homemade ramen|sourdough bread|Nashville hot chicken|birria tacos|a Basque "
      "cheesecake|shakshuka|beef bourguignon|homemade pasta|Korean fried chicken|a "
      "Sunday roast|pho|cinnamon rolls|paella|smash burgers|chicken tikka masala",
      "[Homemade] {s}|First time making {s}, I'm proud|{s} that took me all day|My "
      "grandmother's recipe for {s}|Tips for better {s}?|[I ate] {s} at a tiny place "
      "downtown|What am I doing wrong with my {s}?",
      "Recipe is adapted from a cookbook my aunt gave me.|It took about four hours start "
      "to finish.|My family finished it in ten minutes.|I used a cast iron pan for the "
      "first time.",
      "That {s} looks incredible.|Recipe please!|Salt more aggressively and your {s} will "
      "improve a lot.|Let it rest longer, it makes a huge difference.|I'd eat that "
      "{s} for breakfast.|Now I'm hungry, thanks."),
    F("history", "History", "Discussions about history and the study of the past.", 1.0,
      "the Byzantine Empire|the Apollo program|the Silk Road|the fall of the Berlin "
      "Wall|the Black Death|ancient Carthage|the Meiji Restoration|the Library of "
      "Alexandria|the Hanseatic League|the Manhattan Project|the Mongol Empire|the "
      "printing press",
      "What is the most underrated fact about {s}?|Good books about {s}?|How did people "
      "at the time view {s}?|Myths about {s} that won't die|The economic side of {s}|"
      "How {s} changed everyday life",
      "I've been reading about {s} for a few months.|Most popular accounts skip over the "
      "boring logistics.|Looking for academic sources rather than documentaries.|It "
      "amazes me how little is taught about {s} in school.",
      "Great question; historians still debate {s}.|Primary sources on {s} are surprisingly "
      "accessible online.|There's a great podcast series on {s}.|People forget how long "
      "{s} took to unfold.|That's a common misconception about {s}."),
    F("science", "Science", "Peer-reviewed research, news and discussion.", 1.2,
      "gut microbiome research|CRISPR therapies|microplastics in drinking water|fusion "
      "energy milestones|sleep and memory|ocean warming|antibiotic resistance|lab-grown "
      "meat|the placebo effect|exercise and brain health|coral reef restoration",
      "New study sheds light on {s}|Researchers report progress on {s}|What we actually "
      "know about {s}|A review of twenty years of {s}|Surprising results in {s}",
      "The sample size is small, but the results are interesting.|Link to the paper is "
      "in the post.|Would love to hear from anyone working in the field.|The press "
      "release overstates it a bit.",
      "Correlation is not causation, but {s} keeps coming up.|Need replication before "
      "getting excited about {s}.|I work near this field and {s} is genuinely exciting.|"
      "The abstract is more cautious than the headline.|Great summary, thanks for "
      "posting.",
      link_share=0.5, domains="www.nature.com|www.science.org|www.sciencedaily.com|"
      "phys.org"),
    F("space", "Space", "Space exploration, astronomy and the cosmos.", 1.0,
      "the James Webb Space Telescope|the Artemis program|Starship test flights|the "
      "Perseverance rover|exoplanet atmospheres|the Europa Clipper mission|a total solar "
      "eclipse|the International Space Station|Voyager 1|asteroid sample returns",
      "New images from {s} are stunning|Update on {s}|Why everyone should care about {s}|Photographed "
      "{s} from my backyard|What's next for {s}?|Timeline for {s} slips again",
      "Still can't believe we get to see this in our lifetime.|Shot with a small "
      "telescope and a phone adapter.|The engineering behind {s} is mind-blowing.",
      "{s} never stops amazing me.|The data from {s} will keep scientists busy for "
      "decades.|Delays are normal for something as complex as {s}.|Saving this as my "
      "wallpaper.",
      link_share=0.4, domains="www.nasa.gov|spacenews.com|www.space.com"),
    F("sports", "Sports", "Sports news and highlights from every league.", 1.0,
      "the NBA playoffs|the World Cup|the Super Bowl|the Tour de France|Wimbledon|the "
      "Stanley Cup Final|the trade deadline|March Madness|the Olympics|the Ryder Cup",
      "Predictions for {s}?|That finish at {s} was insane|Best moment of {s} so far|"
      "Who is your pick for {s}?|Ratings for {s} are way up this year|Underdogs to "
      "watch in {s}",
      "I've been watching since I was a kid.|My whole family is split on this one.|"
      "Stats don't tell the full story here.",
      "Defense wins championships, especially at {s}.|I called it before {s} started!|"
      "Refs were awful, not going to lie.|What a time to be a fan.|{s} never disappoints."),
    F("explainlikeimfive", "Explain Like I'm Five", "Explain like I'm five: friendly, "
      "simplified explanations of complex concepts.", 1.1,
      "inflation|noise-cancelling headphones|vaccines|credit scores|nuclear power|"
      "jet lag|the stock market|Wi-Fi|compound interest|black holes|muscle soreness|"
      "recycling plastics|time zones|blockchain",
      "ELI5: How does {s} actually work?|ELI5: Why is {s} so complicated?|ELI5: What is "
      "the deal with {s}?|ELI5: Why do people argue so much about {s}?",
      "I've read the Wikipedia page twice and still don't get it.|Every explanation I "
      "find assumes I already know the basics.|My kid asked me and I had no idea.",
      "Think of {s} like a bucket with a small hole in it.|The simple version: {s} is "
      "about trade-offs.|This is the best explanation of {s} I've seen.|Great analogy!|"
      "That is mostly right, with one small correction."),
    F("LifeProTips", "Life Pro Tips", "Tips that improve your life in one way or another.",
      1.0,
      "calendar reminders|grocery lists|phone settings|travel packing|job interviews|"
      "apartment hunting|meal prep|saving on utilities|returning purchases|sleep "
      "routines|keeping houseplants alive|car maintenance",
      "LPT: A simple trick for {s}|LPT: Stop overcomplicating {s}|LPT: What I learned "
      "the hard way about {s}|LPT: Five minutes of planning saves hours with {s}",
      "This has saved me more times than I can count.|I learned this from a coworker "
      "years ago.|It sounds obvious but almost nobody does it.",
      "Great tip for {s}, doing this today.|My mom taught me this about {s}.|Works "
      "until it doesn't, but still good advice.|Adding to this: write everything down."),
    F("Fitness", "Fitness", "Fitness, training and exercise discussion and gear.", 1.2, "",
      "Worth it? The {s} for a home gym|My routine with the {s}|Review: {s} after three "
      "months|Beginner question about the {s}|Finally bought the {s}, progress update",
      "Training four days a week, mostly at home.|I'm 34 and just getting back into "
      "shape.|Small apartment so space is a concern.|Goal is to run a half marathon in "
      "the fall.",
      "Consistency matters more than any gear, but the {s} helps.|I use the {s} three "
      "times a week.|Form first, weight second.|Progress pics would be cool!|Nice work, "
      "keep it up.",
      products="Exercise & Fitness|Vitamins & Supplements|Cycling|Water Sports"),
    F("travel", "Travel", "Travel tips, stories and photos from around the world.", 1.1,
      "Lisbon|Kyoto|Iceland's Ring Road|Mexico City|the Scottish Highlands|Vietnam|"
      "Patagonia|Montreal|the Amalfi Coast|Seoul|New Zealand|Morocco|Copenhagen|Peru",
      "Two weeks in {s}: trip report|First time visiting {s}, tips?|Is {s} worth it in "
      "winter?|Budget breakdown for {s}|Solo trip to {s} was life-changing|Hidden gems in "
      "{s}?",
      "I'm planning for late September with my partner.|Our budget is around $3,000 "
      "excluding flights.|We mostly care about food and walking around.|Happy to answer "
      "questions about the itinerary.",
      "You will love {s}, take comfortable shoes.|Book the popular spots in {s} early.|"
      "Skip the tourist traps and eat where locals eat.|Public transport in {s} is easier "
      "than it looks.|I went to {s} last year and still dream about the food."),
    F("pittsburgh", "Pittsburgh", "Everything Pittsburgh: news, events, food and sports "
      "around the Steel City.", 0.9,
      "the Strip District|Primanti Bros|the Steelers|the incline rides|Schenley Park|"
      "Lawrenceville|the Penguins|Carnegie Museum of Natural History|the T light rail|"
      "Pirates games at PNC Park|the Pittsburgh potholes|Phipps Conservatory|parking in "
      "Oakland",
      "Best time to visit {s}?|Anyone else fed up with {s}?|Moving to Pittsburgh, thoughts "
      "on {s}?|Weekend plans around {s}?|Photo I took near {s}|Question about {s}",
      "I just moved here from Ohio for a job at CMU.|Lived in the East End for ten years "
      "and this never gets old.|Asking for visiting family next month.",
      "{s} is a must, especially in the fall.|Classic yinzer problem.|Go early on a "
      "weekday to avoid crowds.|Welcome to the city, n'at!|Park in the garage and walk."),
    F("nyc", "New York City", "New York City news, tips and talk among New Yorkers.", 1.0,
      "the subway|Central Park|bagels|rent prices|the High Line|Coney Island|Broadway "
      "shows|the Citi Bike system|Brooklyn pizza|congestion pricing|Prospect Park|"
      "the Staten Island Ferry",
      "Honest question about {s}|PSA about {s} this weekend|Best spot for {s}?|"
      "Hot take: {s} is overrated|What happened to {s}?|Visiting family want to see {s}",
      "Born and raised in Queens.|Moved here two years ago and still learning.|I take "
      "the L every day, for context.",
      "{s} is still the best thing about this city.|Go on a weekday morning.|Locals "
      "avoid {s} on weekends.|Only in New York.|Welcome to the five boroughs."),
    F("photography", "Photography", "Photography gear, technique and critique.", 0.9, "",
      "Shot my first wedding with the {s}|Is the {s} good for beginners?|{s} sample "
      "photos from a week in the mountains|Upgrading to the {s}, worth it?|Low light "
      "performance of the {s}",
      "Shooting mostly landscapes and some street.|I edit in Lightroom, light touch.|"
      "Came from a phone camera so everything is new to me.",
      "Great shots, what settings on the {s}?|The {s} is a great starter.|Lenses matter "
      "more than the body.|Learn manual mode first.|Nice composition on the second one.",
      products="Cameras"),
    F("gardening", "Gardening", "Gardening, plants and growing your own food.", 0.8,
      "tomato plants|raised beds|composting|a pollinator garden|houseplants|fruit trees|"
      "herbs on a balcony|potatoes in grow bags|hydrangeas|starting seeds indoors",
      "First year growing {s}, how am I doing?|Help! Something is wrong with my {s}|"
      "Harvest update: {s}|Best advice for {s}?|My {s} finally took off",
      "Zone 6b, clay soil, full sun most of the day.|I water every morning before "
      "work.|Started from seed in March.",
      "Looks like overwatering to me.|Mulch will help your {s} a lot.|Beautiful garden!|"
      "Add compost and be patient.|Try companion planting next year."),
    F("Coffee", "Coffee", "Coffee brewing, beans, gear and cafes.", 0.7, "",
      "My morning setup with the {s}|Is the {s} worth the upgrade?|Dialing in the {s}, "
      "any tips?|Descaling the {s}: how often?|Switched to the {s} from a pod machine",
      "I drink two cups a day, mostly black.|Buying beans from a local roaster.|"
      "Counter space is limited in my kitchen.",
      "Grind finer and your coffee from the {s} will taste better.|Fresh beans make the "
      "biggest difference.|I've had the {s} for years.|Use filtered water.|Descale every "
      "couple of months.",
      products="Coffee & Tea"),
)

GENERIC_COMMENTS = _split(
    "This is exactly what I needed to read today.|Thanks for sharing!|Following, I have the "
    "same question.|Can you post an update later?|Great write-up, thanks.|I disagree, but I "
    "see where you're coming from.|This deserves more upvotes.|Same thing happened to me "
    "last year.|Bookmarking this thread.|Honestly, I had never thought of it that way.|"
    "Could you share where you found this?|Username checks out.|This is the way.|I laughed "
    "way too hard at this.|Not sure I agree, but good point.|Underrated comment.|Came here "
    "to say the same.|Source?|Happy cake day!|Well said.|I think you are overthinking it, "
    "just go for it.|Did you ever figure this out?|Seconding this recommendation.|My "
    "experience was the exact opposite.|The replies here are gold.|Thanks, that helped a "
    "lot.|That is a great point, I never considered it.|Edit: thanks for the replies, "
    "everyone!|Happy to help if you have more questions.|Adding this to my list."
)

GENERIC_BODIES = _split(
    "Long time lurker, first time poster.|Edit: thanks for all the replies!|Curious what "
    "everyone here thinks.|Sorry for formatting, on mobile.|Would love to hear your "
    "experiences.|TL;DR at the bottom.|Thanks in advance!"
)

REPLY_OPENERS = _split(
    "Agreed.|Fair point.|Haha, yes.|Not really.|Exactly.|Good call.|Hmm.|True.|Same here.|"
    "Interesting."
)

USER_ADJECTIVES = _split(
    "Quiet|Lazy|Happy|Salty|Brave|Sleepy|Curious|Grumpy|Clever|Fuzzy|Rusty|Witty|Lucky|"
    "Cosmic|Electric|Silent|Crispy|Golden|Frosty|Wild|Humble|Spicy|Tiny|Mighty|Sneaky|"
    "Jolly|Nervous|Polite|Rapid|Sunny"
)
USER_NOUNS = _split(
    "Otter|Panda|Walrus|Falcon|Badger|Pickle|Toaster|Moose|Wizard|Noodle|Penguin|Cactus|"
    "Waffle|Llama|Raccoon|Goblin|Dolphin|Pirate|Turnip|Hamster|Biscuit|Lobster|Yeti|Koala|"
    "Mango|Comet|Gecko|Bagel|Squid|Beaver"
)
USER_HOBBIES = _split(
    "reads|bakes|runs|codes|hikes|paints|games|cooks|lifts|knits|climbs|sails|writes|"
    "fixes|grows|brews|skates|draws|films|travels"
)
BIO_TEMPLATES = _split(
    "Reader, runner, and occasional baker from {city}.|Software developer by day, gamer by "
    "night.|Just here for the {topic} threads.|Dad of two, coffee enthusiast, bad at "
    "golf.|Grad student surviving on instant noodles.|Lurker since 2014.|I like {topic}, "
    "long walks, and strong opinions held loosely.|Amateur photographer, professional "
    "procrastinator.|Nurse in {city}. Opinions are my own.|Retired teacher. Still "
    "correcting grammar.|Born in {city}, living everywhere else.|Mostly lurking in "
    "f/{forum}.|Trying to read 50 books this year.|Home cook, plant killer, cat person.|"
    "Ask me about {topic}.|Data analyst who likes {topic} a little too much.|Bike "
    "commuter in {city}.|Here to learn and occasionally help."
)
BIO_CITIES = _split(
    "Pittsburgh|Portland|Austin|Chicago|Denver|Boston|Seattle|Toronto|Atlanta|Minneapolis|"
    "San Diego|Philadelphia|Baltimore|Nashville"
)
BIO_TOPICS = _split(
    "history|sci-fi|board games|personal finance|woodworking|jazz|cycling|space|cooking|"
    "old movies|mechanical keyboards|gardening"
)
LINK_SLUG_WORDS = _split(
    "report|analysis|update|news|review|explained|first-look|interview|study|guide"
)
