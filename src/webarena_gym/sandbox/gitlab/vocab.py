"""Words the gitlab generator draws from: people, groups, projects, and what issues, merge
requests, commits and comments say.

Everything here is data (no randomness); :mod:`.generate` combines it with a seeded RNG.
Project kinds (``node``, ``python``, ...) choose a repository layout (:mod:`.repos`) and the
vocabulary of their issues and commits (:data:`TOPICS`).
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    "Aaliyah", "Abdul", "Adele", "Aiko", "Alejandro", "Amara", "Anders", "Ananya", "Arjun",
    "Astrid", "Bea", "Benedikt", "Bilal", "Bruno", "Camila", "Chen", "Chidi", "Clara", "Dario",
    "Dmitri", "Elena", "Emeka", "Esther", "Farah", "Felix", "Fiona", "Gabriel", "Greta", "Hana",
    "Hector", "Ines", "Ivan", "Jamal", "Jasmine", "Jonas", "Julia", "Kai", "Kenji", "Keira",
    "Lars", "Leila", "Lucas", "Lucia", "Mai", "Malik", "Marta", "Mateo", "Mei", "Miguel",
    "Mira", "Nadia", "Nikhil", "Nora", "Oscar", "Olu", "Paula", "Priya", "Quinn", "Rafael",
    "Rania", "Ravi", "Rosa", "Sami", "Sana", "Selin", "Sofia", "Stefan", "Tariq", "Tessa",
    "Theo", "Umar", "Valentina", "Vikram", "Wen", "Yara", "Yusuf", "Zoe", "Zara",
)

LAST_NAMES = (
    "Abara", "Andersson", "Bauer", "Becker", "Bianchi", "Castro", "Chowdhury", "Costa", "Dubois",
    "Eriksen", "Fischer", "Fernandes", "Garcia", "Haddad", "Hansen", "Ito", "Ivanova", "Jensen",
    "Kaur", "Kim", "Kowalski", "Larsen", "Lee", "Lindqvist", "Mahmoud", "Martin", "Mensah",
    "Moreau", "Nakamura", "Novak", "Nguyen", "Okafor", "Oliveira", "Park", "Patel", "Petrov",
    "Quispe", "Rahman", "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Sokolova",
    "Tanaka", "Torres", "Van Dijk", "Vasquez", "Wagner", "Walsh", "Wang", "Weber", "Yamamoto",
    "Yilmaz", "Zhang", "Zielinski",
)

# Handles some users pick instead of a name-based username.
HANDLES = (
    "pixelpilot", "nullpointer", "quietcoder", "kernelpanic", "bitwrangler", "stackrunner",
    "lambdalily", "rustacean42", "cachemiss", "devnomad", "gopherine", "yamlwhisperer",
    "tabsnotspaces", "regexwizard", "segfaultsam", "asyncanna", "monadmike", "vimventurer",
    "commitcarla", "mergemaster",
)

LOCATIONS = (
    "Berlin, Germany", "Lagos, Nigeria", "Toronto, Canada", "Pittsburgh, PA", "São Paulo, Brazil",
    "Bangalore, India", "Tokyo, Japan", "Amsterdam, Netherlands", "Nairobi, Kenya",
    "Austin, TX", "Lisbon, Portugal", "Seoul, South Korea", "Stockholm, Sweden", "Remote",
    "Mexico City, Mexico", "Melbourne, Australia", "Warsaw, Poland", "Cairo, Egypt",
    "Seattle, WA", "Dublin, Ireland", "",
)

JOB_TITLES = (
    "Frontend Engineer", "Backend Developer", "Site Reliability Engineer", "Data Engineer",
    "Product Designer", "Accessibility Specialist", "Technical Writer", "Full-stack Developer",
    "Engineering Manager", "Student", "Open source maintainer", "QA Engineer",
    "Machine Learning Engineer", "DevOps Engineer", "",
)

BIOS = (
    "Building accessible web things. Coffee first.",
    "I write code and occasionally documentation.",
    "Open source enthusiast. Maintainer of a few small tools.",
    "Data plumber. Pipelines, dashboards and too many notebooks.",
    "Design systems, typography and tiny details.",
    "Rust at night, Python by day.",
    "Helping teams ship faster with better CI.",
    "Former teacher, now a developer. Still explaining things.",
    "Keyboard shortcuts are a lifestyle.",
    "Making maps and routing engines talk to each other.",
    "Learning in public.",
    "Writing docs so you don't have to read the code.",
    "",
)

STATUSES = (
    ("🌴", "On vacation until next week"), ("🤒", "Out sick"), ("🎯", "Focusing on the release"),
    ("🏠", "Working from home"), ("💬", "Happy to review merge requests"),
    ("📚", "Reading up on accessibility"), ("☕", "Fueled by coffee"), ("🚧", "Heads down, slow to reply"),
)

DEFAULT_USERNAME = "byteblaze"
DEFAULT_PASSWORD = "hello1234"
DEFAULT_NAME = "Byte Blaze"
USER_PASSWORD = "password1234"  # every other generated user's password

# Namespaces that are site pages, never a user or group path.
RESERVED_PATHS = frozenset({
    "dashboard", "explore", "projects", "users", "search", "groups", "static", "help", "admin",
    "-", "api", "profile",
})

ROLE_NAMES = {10: "Guest", 20: "Reporter", 30: "Developer", 40: "Maintainer", 50: "Owner"}
ROLE_LEVELS = {name: level for level, name in ROLE_NAMES.items()}


@dataclass(frozen=True)
class ProjectSpec:
    """A hand-made project: its path and name, what it is, what kind of repository it holds,
    and how popular it is (0 quiet .. 3 many stars, issues and merge requests)."""

    path: str
    name: str
    description: str
    kind: str
    popularity: int
    visibility: str = "public"


@dataclass(frozen=True)
class GroupSpec:
    """A group (namespace) and its projects."""

    path: str
    name: str
    description: str
    projects: tuple[ProjectSpec, ...]
    visibility: str = "public"


P = ProjectSpec

# The shop's engineering group: its storefront's issues name the store's products and orders.
SHOP_GROUP = "onestopmarket"
SHOP_PROJECT = "storefront"

GROUPS = (
    GroupSpec("onestopmarket", "One Stop Market", "Engineering for the One Stop Market online "
              "store: storefront, checkout and the tools behind them.", (
                  P("storefront", "Storefront", "The customer-facing web shop of One Stop Market.",
                    "node", 3),
                  P("checkout-service", "Checkout Service", "Payments, totals and order "
                    "placement for the store.", "go", 2),
                  P("inventory-sync", "Inventory Sync", "Keeps stock levels in sync between the "
                    "warehouse and the store.", "python", 1),
                  P("admin-dashboard", "Admin Dashboard", "Internal reports and order management "
                    "for the store's staff.", "node", 1, "internal"),
                  P("email-templates", "Email Templates", "Order confirmation and shipping "
                    "emails.", "static", 0),
              )),
    GroupSpec("a11y-guild", "A11y Guild", "People who care about accessible software. "
              "Checklists, components and notes from testing with assistive technology.", (
                  P("a11y-checklist", "a11y-checklist", "A practical accessibility checklist "
                    "for web projects.", "docs", 3),
                  P("contrast-checker", "contrast-checker", "Check color pairs against WCAG "
                    "contrast ratios from the command line.", "node", 2),
                  P("screen-reader-notes", "screen-reader-notes", "Notes on how screen readers "
                    "announce common widgets.", "docs", 1),
                  P("accessible-components", "accessible-components", "Accessible, unstyled UI "
                    "components: dialogs, tabs, menus.", "node", 2),
              )),
    GroupSpec("pixelwerk", "Pixelwerk Design", "Design system, icons and brand assets of "
              "Pixelwerk.", (
                  P("design-system", "design-system", "Tokens, components and guidelines of the "
                    "Pixelwerk design system.", "design", 3),
                  P("icon-library", "icon-library", "Over 400 open source SVG icons.", "design", 2),
                  P("brand-guidelines", "brand-guidelines", "How to use the Pixelwerk brand.",
                    "docs", 0),
                  P("figma-tokens-sync", "figma-tokens-sync", "Sync design tokens from Figma into "
                    "code.", "node", 1),
              )),
    GroupSpec("openroute", "OpenRoute", "Open source routing and geocoding.", (
        P("route-planner", "route-planner", "Plan routes by car, bike and foot on open map "
          "data.", "python", 3),
        P("geocoder", "geocoder", "Fast address search and reverse geocoding.", "go", 2),
        P("map-styles", "map-styles", "Map styles for light, dark and high-contrast themes.",
          "design", 1),
        P("transit-feeds", "transit-feeds", "Importers for public transit timetables.",
          "python", 1),
    )),
    GroupSpec("datawise", "Datawise Analytics", "Data pipelines and dashboards.", (
        P("etl-pipelines", "etl-pipelines", "Nightly ETL jobs that load sales and traffic "
          "data.", "python", 2),
        P("dashboards", "dashboards", "Business dashboards built on the warehouse.", "python",
          1),
        P("ml-experiments", "ml-experiments", "Experiments with demand forecasting models.",
          "python", 1, "private"),
        P("data-catalog", "data-catalog", "What each table in the warehouse means.", "docs", 0),
    )),
    GroupSpec("toolsmiths", "Toolsmiths", "Small tools that make shipping software less "
              "painful.", (
                  P("release-bot", "release-bot", "A bot that tags releases and writes release "
                    "notes.", "go", 2),
                  P("ci-templates", "ci-templates", "Reusable GitLab CI templates.", "infra", 2),
                  P("lint-config", "lint-config", "Shared ESLint and Prettier configuration.",
                    "node", 1),
                  P("changelog-gen", "changelog-gen", "Generate changelogs from conventional "
                    "commits.", "rust", 2),
              )),
    GroupSpec("greenleaf", "Greenleaf Labs", "Software for gardeners and tinkerers.", (
        P("plant-tracker", "plant-tracker", "Track watering and growth of your house plants.",
          "node", 2),
        P("weather-station", "weather-station", "Firmware helpers and dashboards for a "
          "backyard weather station.", "python", 1),
        P("garden-planner", "garden-planner", "Plan garden beds and crop rotation.", "node", 0),
    )),
    GroupSpec("kernel-club", "Kernel Club", "Learning operating systems by building them.", (
        P("tiny-kernel", "tiny-kernel", "A teaching kernel for x86_64 written in Rust.", "rust",
          2),
        P("homelab-infra", "homelab-infra", "Terraform and Ansible for the club's homelab.",
          "infra", 0, "private"),
    )),
    GroupSpec("docs-collective", "Docs Collective", "Writers who help open source projects "
              "with their documentation.", (
                  P("handbook", "handbook", "How the collective works: onboarding, reviews, "
                    "style.", "docs", 1),
                  P("api-style-guide", "api-style-guide", "A style guide for REST API "
                    "documentation.", "docs", 2),
                  P("docs-site", "docs-site", "The collective's website.", "static", 0),
              )),
    GroupSpec("gamejam", "Game Jam Crew", "Games we make in 48 hours, and the tools we made "
              "along the way.", (
                  P("pixel-dungeon", "pixel-dungeon", "A tiny roguelike made for Game Jam 2022.",
                    "rust", 2),
                  P("sprite-editor", "sprite-editor", "A browser-based pixel sprite editor.",
                    "node", 1),
                  P("jam-2022", "jam-2022", "Website of the 2022 jam.", "static", 0),
              )),
)

# The default user's own projects.
DEFAULT_USER_PROJECTS = (
    P("dotfiles", "dotfiles", "My shell, editor and git configuration.", "dotfiles", 1),
    P("solarized-prism-theme", "solarized-prism-theme", "A Solarized theme for Prism syntax "
      "highlighting.", "design", 2),
    P("timeit-cli", "timeit-cli", "Time shell commands and keep a history of the results.",
      "python", 2),
    P("empathy-prompts", "empathy-prompts", "Prompts to help you think about the people who "
      "use your software.", "docs", 3),
    P("byteblaze.dev", "byteblaze.dev", "My personal website and blog.", "static", 1),
    P("tab-hoarder", "tab-hoarder", "A browser extension that saves and restores groups of "
      "tabs.", "node", 1),
    P("meal-planner", "meal-planner", "Plan weekly meals and build the shopping list.",
      "python", 0, "private"),
    P("advent-of-code-2022", "advent-of-code-2022", "My solutions to Advent of Code 2022.",
      "python", 0),
)

# Personal projects other users may own (path, description, kind).
PERSONAL_PROJECTS = (
    ("dotfiles", "My dotfiles.", "dotfiles"),
    ("blog", "Source of my blog.", "static"),
    ("portfolio", "My portfolio website.", "static"),
    ("advent-of-code", "Advent of Code solutions.", "python"),
    ("todo-app", "Yet another todo app, written to learn a new framework.", "node"),
    ("pomodoro", "A minimal pomodoro timer.", "node"),
    ("recipe-book", "Family recipes, searchable.", "node"),
    ("budget-tracker", "Track monthly spending from bank CSV exports.", "python"),
    ("weather-cli", "Weather forecast in the terminal.", "go"),
    ("chess-engine", "A small chess engine for fun.", "rust"),
    ("markdown-notes", "A note-taking app that stores plain Markdown files.", "node"),
    ("homelab", "Configuration of my home server.", "infra"),
    ("nvim-config", "My Neovim configuration.", "dotfiles"),
    ("url-shortener", "A self-hosted URL shortener.", "go"),
    ("habit-tracker", "Track daily habits with streaks.", "node"),
    ("photo-sorter", "Sort photos into folders by date taken.", "python"),
    ("raytracer", "A ray tracer following 'Ray Tracing in One Weekend'.", "rust"),
    ("reading-list", "Books I read and want to read.", "docs"),
    ("discord-bot", "A Discord bot for our study group.", "python"),
    ("resume", "My resume, built from Markdown.", "static"),
    ("sudoku-solver", "Sudoku solver with backtracking and constraint propagation.", "python"),
    ("expense-splitter", "Split shared expenses with friends.", "node"),
    ("terraform-modules", "Reusable Terraform modules.", "infra"),
    ("color-picker", "An accessible color picker component.", "node"),
    ("interview-prep", "Notes and exercises for coding interviews.", "docs"),
)

# Labels a project may have: name, color, description.
LABELS = (
    ("bug", "#d9534f", "Something isn't working"),
    ("enhancement", "#5cb85c", "New feature or request"),
    ("documentation", "#428bca", "Improvements or additions to documentation"),
    ("good first issue", "#7057ff", "Good for newcomers"),
    ("help wanted", "#008672", "Extra attention is needed"),
    ("question", "#d876e3", "Further information is requested"),
    ("accessibility", "#0e8a16", "Barriers for people using assistive technology"),
    ("performance", "#fbca04", "Slow or resource hungry"),
    ("UI/UX", "#c5def5", "Design and usability"),
    ("security", "#b60205", "Security issue or hardening"),
    ("dependencies", "#0366d6", "Dependency updates"),
    ("duplicate", "#cfd3d7", "This issue or merge request already exists"),
    ("wontfix", "#ffffff", "This will not be worked on"),
    ("priority::high", "#e11d21", "Needs attention soon"),
    ("priority::low", "#bfdadc", "Nice to have"),
)
CORE_LABELS = ("bug", "enhancement", "documentation")

MILESTONES = (
    "v1.0", "v1.1", "v1.2", "v2.0", "2022 Q4", "2023 Q1", "2023 Q2", "Sprint 14", "Sprint 15",
    "Beta launch", "Accessibility audit", "Spring cleanup",
)


@dataclass(frozen=True)
class Topic:
    """What a kind of project talks about in its issues, merge requests and commits."""

    components: tuple[str, ...]
    features: tuple[str, ...]
    deps: tuple[str, ...]
    docs: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "node": Topic(
        ("navigation bar", "search box", "modal dialog", "date picker", "product grid",
         "login form", "settings page", "notification toast", "dropdown menu", "image carousel",
         "footer", "pagination", "shopping cart drawer", "tab list"),
        ("dark mode", "keyboard shortcuts", "offline mode", "infinite scroll", "CSV export",
         "i18n support", "lazy-loaded images", "a reduced motion setting", "TypeScript types"),
        ("react", "webpack", "eslint", "jest", "vite", "typescript", "axios", "prettier"),
        ("README.md", "CONTRIBUTING.md", "docs/setup.md"),
    ),
    "python": Topic(
        ("CLI parser", "config loader", "CSV importer", "scheduler", "cache layer", "HTTP client",
         "report generator", "data validator", "logging setup", "database migrations"),
        ("YAML config files", "a --dry-run flag", "parallel downloads", "retry with backoff",
         "JSON output", "Python 3.11 support", "progress bars", "type hints everywhere"),
        ("pandas", "requests", "pydantic", "pytest", "click", "numpy", "sqlalchemy"),
        ("README.md", "docs/usage.md", "CHANGELOG.md"),
    ),
    "go": Topic(
        ("HTTP handler", "worker pool", "config parser", "metrics exporter", "rate limiter",
         "webhook listener", "retry queue"),
        ("graceful shutdown", "Prometheus metrics", "structured logging",
         "a health check endpoint", "TLS support", "a Docker image"),
        ("golang.org/x/net", "cobra", "zap", "testify", "chi"),
        ("README.md", "docs/deploy.md"),
    ),
    "rust": Topic(
        ("parser", "allocator", "renderer", "event loop", "CLI", "tokenizer", "save system",
         "input handling"),
        ("no_std support", "a benchmark suite", "a WASM build", "colored output", "fuzz testing",
         "gamepad support"),
        ("serde", "clap", "tokio", "rand", "criterion"),
        ("README.md", "CONTRIBUTING.md"),
    ),
    "docs": Topic(
        ("table of contents", "search index", "glossary", "sidebar", "code sample widget",
         "checklist page", "contributor guide"),
        ("a section on forms", "a printable version", "a changelog page", "diagrams for onboarding",
         "translations", "a section on color contrast"),
        ("markdownlint", "mkdocs", "vale"),
        ("README.md", "CONTRIBUTING.md", "docs/index.md"),
    ),
    "design": Topic(
        ("button token set", "color palette", "icon set", "typography scale", "spacing scale",
         "focus ring", "form field style"),
        ("a high-contrast theme", "SVG sprite export", "a dark palette", "Figma sync",
         "motion tokens"),
        ("style-dictionary", "svgo", "stylelint"),
        ("README.md", "docs/usage.md"),
    ),
    "static": Topic(
        ("header", "blog index", "RSS feed", "contact form", "footer", "gallery", "404 page"),
        ("an RSS feed", "a dark theme", "a sitemap", "Open Graph tags", "a print stylesheet"),
        ("eleventy", "sass", "html-validate"),
        ("README.md",),
    ),
    "dotfiles": Topic(
        ("vim config", "tmux status line", "zsh prompt", "install script", "git alias file"),
        ("a macOS setup script", "neovim LSP config", "fzf keybindings", "a Brewfile"),
        ("oh-my-zsh", "neovim", "tmux"),
        ("README.md",),
    ),
    "infra": Topic(
        ("CI pipeline", "Terraform state", "deploy job", "backup cron job", "DNS zone",
         "runner config", "staging cluster"),
        ("a staging environment", "cost alerts", "automatic certificate renewal",
         "a manual approval step", "cache for dependencies"),
        ("terraform", "ansible", "docker"),
        ("README.md", "docs/runbook.md"),
    ),
}

BROWSERS = ("Firefox 112", "Chrome 113", "Safari 16", "Edge 113", "Firefox on Android",
            "Safari on iOS 16")
SYSTEMS = ("Ubuntu 22.04", "macOS Ventura", "Windows 11", "Fedora 38", "Debian 12")
SCREEN_READERS = ("NVDA", "JAWS", "VoiceOver", "TalkBack", "Orca")

BUG_TITLES = (
    "{component} crashes when the input is empty",
    "{component} does not render correctly on {browser}",
    "{component} stopped working after the last release",
    "Typo in {doc}",
    "Broken link in {doc}",
    "Error message of the {component} is unclear",
    "{component} is slow with large inputs",
    "Memory leak in the {component}",
    "Tests for the {component} fail on {os}",
    "Keyboard focus is lost in the {component}",
    "{screen_reader} does not announce changes in the {component}",
    "Color contrast of the {component} is too low",
    "{component} shows a blank state instead of an error",
    "Double submission possible in the {component}",
    "{component} overflows on small screens",
)

FEATURE_TITLES = (
    "Add {feature}",
    "Support {feature}",
    "Document how to configure the {component}",
    "Update {dep} to the latest major version",
    "Add tests for the {component}",
    "Make the {component} configurable",
    "Improve performance of the {component}",
    "Proposal: rewrite the {component}",
    "Add {feature} to the {component}",
    "Clean up the {component}",
)

BUG_INTROS = (
    "When I use the {component}, it {symptom}.",
    "Since the last release the {component} {symptom}.",
    "On {browser} the {component} {symptom}. It works fine elsewhere.",
    "I noticed that the {component} {symptom} on {os}.",
)
SYMPTOMS = (
    "throws an error in the console", "freezes for several seconds", "shows the wrong data",
    "does not respond to the keyboard", "renders without any styles", "loses what I typed",
    "logs a stack trace and exits",
)
EXPECTED = (
    "It should keep working as before.", "The {component} should show a helpful message.",
    "I expect the {component} to be usable with the keyboard alone.",
    "It should finish in under a second.",
)
FEATURE_MOTIVATIONS = (
    "This would save us a lot of manual work.",
    "Several people asked for this in the chat.",
    "Other tools we use already support this.",
    "It would make the project easier to adopt in bigger teams.",
    "This came up during the last accessibility review.",
)
FEATURE_PROPOSALS = (
    "Add an option in the configuration and document it in the README.",
    "Start small: one flag, off by default, and iterate.",
    "I am happy to open a merge request if the maintainers agree on the approach.",
    "Reuse the existing {component} code and extend it.",
)

COMMENTS = (
    "I can reproduce this on {browser}.",
    "Thanks for the report! Would you like to open a merge request?",
    "+1, I'm seeing the same thing.",
    "Could you share the exact steps and your version?",
    "I had a look: the problem is in the {component}. Working on a fix.",
    "This looks like a duplicate of an older issue, but the details here are better.",
    "Let's discuss this in the next sync.",
    "I'd be happy to pick this up.",
    "Is anyone working on this? If not, I'll take it.",
    "Confirmed on {os} as well.",
    "This should be fixed on main now, can you check?",
    "Moving this to the next milestone, we ran out of time.",
    "Great idea. Let's keep the first version small.",
    "I added a failing test that shows the problem.",
    "The workaround for now is to restart the {component}.",
    "Any update on this?",
    "Closing the loop: the fix is released.",
    "I tested with {screen_reader} and it works after the change.",
)

MR_COMMENTS = (
    "Looks good to me!", "Could you add a test for this?", "Nice cleanup, thanks.",
    "Small nit: the variable name could be clearer.", "Approved, merging once CI is green.",
    "Please rebase on main, there is a conflict.", "Does this need a changelog entry?",
    "I left a few comments inline.", "Thanks, this fixes it for me.",
)

COMMIT_TITLES = (
    "Fix {component} on {browser}",
    "Add {feature}",
    "Bump {dep} to the latest version",
    "Update README",
    "Refactor the {component}",
    "Add tests for the {component}",
    "Fix typo in {doc}",
    "Improve error handling in the {component}",
    "Remove unused code from the {component}",
    "Speed up the {component}",
    "Update CI configuration",
    "Document the {component}",
)

# Storefront issues that name the store's products and orders (cross-site consistency).
SHOP_ISSUES = (
    ("Order #{order} shows the wrong shipping total",
     "The customer of order #{order} was charged {total} but the order page shows a different "
     "shipping amount. Please check the totals calculation for this order."),
    ("Product page of {product} shows the wrong price",
     "The product page of **{product}** shows a price that does not match the catalog. "
     "It looks like the special price is not applied on the product page."),
    ("Images missing for {product}",
     "The gallery of **{product}** is empty on mobile. Desktop looks fine."),
    ("Order #{order} stuck in pending after payment",
     "Order #{order} was paid but is still pending. The payment provider shows it as captured."),
    ("Search does not find {product}",
     "Searching for the full name of **{product}** returns nothing, even though the product "
     "is enabled and in stock."),
    ("Add a size chart to {product}",
     "Customers keep asking about sizes of **{product}**. Let's add a size chart to its page."),
    ("Reviews of {product} are not shown",
     "**{product}** has approved reviews in the admin, but the product page says it has none."),
    ("Cannot reorder order #{order}",
     "Clicking Reorder on order #{order} shows an error instead of filling the cart."),
)
