"""Small generated repositories: a few directories and files of plausible code and text.

:func:`repository` returns ``{path: content}`` for a project of a kind (``node``, ``python``,
``go``, ``rust``, ``docs``, ``design``, ``static``, ``dotfiles``, ``infra``). Manifests carry a
version (``package.json``, ``pyproject.toml``, ``Cargo.toml``) that :func:`manifest_version`
reads back, so tasks can ask for it.
"""

from __future__ import annotations

import json
import random
import re

MANIFESTS = {"node": "package.json", "design": "package.json", "python": "pyproject.toml",
             "rust": "Cargo.toml"}

_MIT = """MIT License

Copyright (c) {year} {owner}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""

_GITIGNORE = {
    "node": "node_modules/\ndist/\ncoverage/\n.env\n",
    "python": "__pycache__/\n*.pyc\n.venv/\ndist/\n.pytest_cache/\n",
    "go": "/bin/\n*.test\ncoverage.out\n",
    "rust": "/target\nCargo.lock\n",
    "static": "_site/\nnode_modules/\n",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "app"


def _version(rng: random.Random) -> str:
    major = rng.choice((0, 0, 1, 1, 1, 2, 3))
    return f"{major}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"


def _readme(name: str, description: str, usage: str, extra: str = "") -> str:
    return (f"# {name}\n\n{description}\n\n## Getting started\n\n{usage}\n{extra}\n"
            "## Contributing\n\nIssues and merge requests are welcome. Please read "
            "`CONTRIBUTING.md` first if the project has one.\n\n## License\n\nMIT\n")


def _node(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    version = _version(rng)
    deps = rng.sample(["react", "axios", "date-fns", "lodash", "zod", "clsx", "chart.js"], 3)
    dev = rng.sample(["eslint", "jest", "vite", "prettier", "typescript", "@babel/core"], 3)
    package = {
        "name": path, "version": version, "description": description, "main": "src/index.js",
        "scripts": {"start": "vite", "build": "vite build", "test": "jest", "lint": "eslint src"},
        "dependencies": {d: f"^{rng.randint(1, 18)}.{rng.randint(0, 9)}.0" for d in deps},
        "devDependencies": {d: f"^{rng.randint(1, 9)}.{rng.randint(0, 20)}.0" for d in dev},
        "license": "MIT",
    }
    components = rng.sample(["Header", "SearchBox", "Modal", "Tabs", "Toast", "DatePicker",
                             "ProductCard", "Pagination", "Menu"], 3)
    files = {
        "README.md": _readme(name, description, "```bash\nnpm install\nnpm start\n```\n",
                             "\n## Scripts\n\n- `npm test` runs the tests\n- `npm run build` "
                             "builds for production\n"),
        "package.json": json.dumps(package, indent=2) + "\n",
        ".gitignore": _GITIGNORE["node"],
        "src/index.js": "import { render } from './render.js';\n"
                        + "".join(f"import {c} from './components/{c}.jsx';\n" for c in components)
                        + "\nrender(document.getElementById('app'), ["
                        + ", ".join(components) + "]);\n",
        "src/render.js": "export function render(root, components) {\n"
                         "  for (const Component of components) {\n"
                         "    root.appendChild(Component());\n  }\n}\n",
        "public/index.html": f"<!doctype html>\n<html lang=\"en\">\n<head><title>{name}</title>"
                             "</head>\n<body><div id=\"app\"></div><script type=\"module\" "
                             "src=\"/src/index.js\"></script></body>\n</html>\n",
    }
    for c in components:
        files[f"src/components/{c}.jsx"] = (
            f"export default function {c}(props) {{\n"
            f"  const el = document.createElement('div');\n"
            f"  el.className = '{c.lower()}';\n  el.setAttribute('role', 'region');\n"
            f"  el.textContent = props?.label ?? '{c}';\n  return el;\n}}\n")
        files[f"tests/{c}.test.js"] = (
            f"import {c} from '../src/components/{c}.jsx';\n\n"
            f"test('{c} renders its label', () => {{\n"
            f"  expect({c}({{ label: 'Hi' }}).textContent).toBe('Hi');\n}});\n")
    return files


def _python(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    version = _version(rng)
    package = _slug(path)
    modules = rng.sample(["cli", "config", "core", "io", "report", "models", "utils"], 3)
    deps = rng.sample(["requests", "click", "pydantic", "pandas", "rich", "pyyaml"], 2)
    files = {
        "README.md": _readme(name, description, f"```bash\npip install {path}\n{path} --help\n```\n"),
        "pyproject.toml": (f"[project]\nname = \"{path}\"\nversion = \"{version}\"\n"
                           f"description = \"{description}\"\nrequires-python = \">=3.9\"\n"
                           f"dependencies = [{', '.join(json.dumps(d) for d in deps)}]\n\n"
                           f"[project.scripts]\n{path} = \"{package}.cli:main\"\n\n"
                           "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n"),
        ".gitignore": _GITIGNORE["python"],
        f"src/{package}/__init__.py": f'"""{description}"""\n\n__version__ = "{version}"\n',
        "CHANGELOG.md": f"# Changelog\n\n## {version}\n\n- Bug fixes and small improvements.\n",
    }
    for m in modules:
        files[f"src/{package}/{m}.py"] = (
            f'"""The {m} module of {name}."""\n\nfrom __future__ import annotations\n\n\n'
            f"def {m}_main(args: list[str] | None = None) -> int:\n"
            f'    """Run the {m} step; return an exit code."""\n'
            f"    for arg in args or []:\n        print(f\"{m}: {{arg}}\")\n    return 0\n")
        files[f"tests/test_{m}.py"] = (
            f"from {package}.{m} import {m}_main\n\n\ndef test_{m}_returns_zero():\n"
            f"    assert {m}_main([\"a\"]) == 0\n")
    if "cli" not in modules:
        files[f"src/{package}/cli.py"] = ("import sys\n\n\ndef main() -> None:\n"
                                          "    print(sys.argv[1:])\n")
    if rng.random() < 0.5:
        files["docs/usage.md"] = f"# Using {name}\n\nRun `{path} --help` to see every option.\n"
    return files


def _go(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    pkg = _slug(path).replace("_", "")
    return {
        "README.md": _readme(name, description, f"```bash\ngo install ./cmd/{path}\n{path} "
                             "-config config.yaml\n```\n"),
        "go.mod": f"module gitlab.example.com/{path}\n\ngo 1.{rng.randint(18, 20)}\n\n"
                  "require (\n\tgithub.com/go-chi/chi/v5 v5.0.8\n\tgo.uber.org/zap v1.24.0\n)\n",
        f"cmd/{path}/main.go": (f"package main\n\nimport (\n\t\"log\"\n\n\t\"gitlab.example.com/"
                                f"{path}/internal/{pkg}\"\n)\n\nfunc main() {{\n\tif err := {pkg}."
                                "Run(); err != nil {\n\t\tlog.Fatal(err)\n\t}\n}\n"),
        f"internal/{pkg}/{pkg}.go": (f"// Package {pkg} implements {name}.\npackage {pkg}\n\n"
                                     "// Run starts the service and blocks until it stops.\n"
                                     "func Run() error {\n\treturn nil\n}\n"),
        f"internal/{pkg}/{pkg}_test.go": (f"package {pkg}\n\nimport \"testing\"\n\nfunc TestRun"
                                          "(t *testing.T) {\n\tif err := Run(); err != nil {\n"
                                          "\t\tt.Fatal(err)\n\t}\n}\n"),
        "Makefile": f"build:\n\tgo build -o bin/{path} ./cmd/{path}\n\ntest:\n\tgo test ./...\n",
        ".gitignore": _GITIGNORE["go"],
    }


def _rust(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    version = _version(rng)
    crate = _slug(path)
    return {
        "README.md": _readme(name, description, "```bash\ncargo build --release\ncargo run\n```\n"),
        "Cargo.toml": (f"[package]\nname = \"{path}\"\nversion = \"{version}\"\nedition = \"2021\""
                       f"\ndescription = \"{description}\"\nlicense = \"MIT\"\n\n[dependencies]\n"
                       f"serde = {{ version = \"1.0\", features = [\"derive\"] }}\n"
                       f"clap = \"4.{rng.randint(0, 3)}\"\n"),
        "src/main.rs": f"use {crate}::run;\n\nfn main() {{\n    if let Err(e) = run() {{\n"
                       "        eprintln!(\"error: {e}\");\n        std::process::exit(1);\n    }\n}\n",
        "src/lib.rs": ("//! " + description + "\n\npub fn run() -> Result<(), String> {\n"
                       "    Ok(())\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n"
                       "    fn runs() {\n        assert!(super::run().is_ok());\n    }\n}\n"),
        ".gitignore": _GITIGNORE["rust"],
    }


def _docs(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    pages = rng.sample(["getting-started", "forms", "color-and-contrast", "keyboard",
                        "images", "reviews", "style", "glossary", "faq"], 4)
    files = {
        "README.md": _readme(name, description, "Read the pages in `docs/`, starting with "
                             f"`docs/{pages[0]}.md`.\n"),
        "CONTRIBUTING.md": "# Contributing\n\n1. Open an issue first for big changes.\n"
                           "2. Keep one topic per merge request.\n3. Run the link checker.\n",
        "mkdocs.yml": f"site_name: {name}\nnav:\n"
                      + "".join(f"  - {p.replace('-', ' ').title()}: {p}.md\n" for p in pages),
    }
    for p in pages:
        title = p.replace("-", " ").capitalize()
        files[f"docs/{p}.md"] = (f"# {title}\n\nThis page explains {title.lower()}.\n\n"
                                 "## Checklist\n\n- [ ] Read the introduction\n- [ ] Try the "
                                 "examples\n- [ ] Share feedback in an issue\n")
    return files


def _design(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    version = _version(rng)
    colors = {"primary": "#1f75cb", "danger": "#dd2b0e", "success": "#108548",
              "warning": "#ab6100", "neutral": "#626168"}
    package = {"name": path, "version": version, "description": description,
               "scripts": {"build": "style-dictionary build"},
               "devDependencies": {"style-dictionary": "^3.7.0"}}
    return {
        "README.md": _readme(name, description, "```bash\nnpm install\nnpm run build\n```\n"),
        "package.json": json.dumps(package, indent=2) + "\n",
        "tokens/color.json": json.dumps({"color": {k: {"value": v} for k, v in colors.items()}},
                                        indent=2) + "\n",
        "tokens/typography.json": json.dumps({"font": {"body": {"value": "Inter, sans-serif"},
                                                       "size": {"base": {"value": "16px"}}}},
                                             indent=2) + "\n",
        "css/theme.css": ":root {\n" + "".join(f"  --color-{k}: {v};\n"
                                               for k, v in colors.items()) + "}\n",
        "docs/usage.md": "# Usage\n\nImport `css/theme.css` and use the custom properties.\n",
    }


def _static(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    return {
        "README.md": _readme(name, description, "```bash\nnpx @11ty/eleventy --serve\n```\n"),
        "index.html": (f"<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
                       f"  <title>{name}</title>\n  <link rel=\"stylesheet\" href=\"css/style.css\">"
                       f"\n</head>\n<body>\n  <h1>{name}</h1>\n  <p>{description}</p>\n"
                       "</body>\n</html>\n"),
        "css/style.css": "body {\n  font-family: system-ui, sans-serif;\n  max-width: 42rem;\n"
                         "  margin: 0 auto;\n  line-height: 1.5;\n}\n",
        "js/main.js": "document.documentElement.classList.add('js');\n",
        "posts/hello-world.md": "---\ntitle: Hello, world\n---\n\nThe first post.\n",
        ".gitignore": _GITIGNORE["static"],
    }


def _dotfiles(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    editor = rng.choice(("nvim", "vim"))
    return {
        "README.md": _readme(name, description, "```bash\n./install.sh\n```\n"),
        "install.sh": "#!/usr/bin/env bash\nset -euo pipefail\nfor f in .bashrc .gitconfig "
                      ".tmux.conf; do\n  ln -sf \"$PWD/$f\" \"$HOME/$f\"\ndone\n",
        ".bashrc": f"export EDITOR={editor}\nalias ll='ls -alF'\nalias gs='git status'\n",
        ".gitconfig": "[alias]\n\tco = checkout\n\tst = status -sb\n\tlg = log --oneline --graph\n"
                      "[pull]\n\trebase = true\n",
        ".tmux.conf": "set -g mouse on\nset -g base-index 1\nset -g status-style bg=colour235\n",
        ".config/nvim/init.lua": "vim.opt.number = true\nvim.opt.expandtab = true\n"
                                 "vim.opt.shiftwidth = 2\n",
    }


def _infra(rng: random.Random, name: str, path: str, description: str) -> dict[str, str]:
    return {
        "README.md": _readme(name, description, "```bash\nterraform init\nterraform plan\n```\n"),
        "main.tf": "terraform {\n  required_version = \">= 1.3\"\n}\n\nmodule \"network\" {\n"
                   "  source = \"./modules/network\"\n  cidr   = var.cidr\n}\n",
        "variables.tf": "variable \"cidr\" {\n  type    = string\n  default = \"10.0.0.0/16\"\n}\n",
        "modules/network/main.tf": "variable \"cidr\" {}\n\noutput \"cidr\" {\n  value = var.cidr\n}\n",
        "templates/build.gitlab-ci.yml": "build:\n  stage: build\n  script:\n    - make build\n",
        "docs/runbook.md": "# Runbook\n\n1. Check the pipeline.\n2. Roll back with the previous "
                           "tag.\n",
    }


_BUILDERS = {"node": _node, "python": _python, "go": _go, "rust": _rust, "docs": _docs,
             "design": _design, "static": _static, "dotfiles": _dotfiles, "infra": _infra}


def repository(rng: random.Random, kind: str, name: str, path: str, description: str,
               owner: str, year: int) -> dict[str, str]:
    """The files of a new project's repository, by path (sorted for determinism)."""
    try:
        build = _BUILDERS[kind]
    except KeyError:
        raise ValueError(f"unknown project kind {kind!r}; known: {sorted(_BUILDERS)}") from None
    files = build(rng, name, path, description)
    files["LICENSE"] = _MIT.format(year=year, owner=owner)
    if kind not in ("dotfiles", "docs") and rng.random() < 0.6:
        files[".gitlab-ci.yml"] = ("stages:\n  - test\n  - build\n\ntest:\n  stage: test\n  "
                                   "script:\n    - make test\n")
    return dict(sorted(files.items()))


def readme_only(name: str, description: str) -> dict[str, str]:
    """The repository of a new project created with "Initialize repository with a README"."""
    text = f"# {name}\n\n{description}\n" if description else f"# {name}\n"
    return {"README.md": text}


def manifest_version(kind: str, files: dict[str, str]) -> tuple[str, str] | None:
    """``(manifest path, version)`` of a repository whose kind has a versioned manifest."""
    manifest = MANIFESTS.get(kind)
    if manifest is None or manifest not in files:
        return None
    text = files[manifest]
    if manifest == "package.json":
        return manifest, json.loads(text)["version"]
    match = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
    return (manifest, match.group(1)) if match else None
