"""Task configs: WebArena's schema, loading from files/folders/dicts, validation, placeholders."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from webarena_gym.tasks import (
    SITE_ENV_VARS,
    SITE_PLACEHOLDERS,
    TaskConfig,
    TaskConfigError,
    load_task_configs,
    site_urls_from_env,
    substitute_placeholders,
    webarena_lite_config_path,
)
from webarena_gym.tasks.loader import _packaged_lite_config

SITE_URLS = {site: f"http://{site.replace('_', '-')}.test:7000/" for site in SITE_PLACEHOLDERS}


def make_config(**overrides) -> dict:
    """A valid config using every part of the schema; tests break one field at a time."""
    config = {
        "sites": ["reddit", "gitlab"],
        "task_id": 7,
        "require_login": True,
        "storage_state": "./.auth/gitlab.reddit_state.json",
        "start_url": "__REDDIT__ |AND| __GITLAB__/byteblaze",
        "geolocation": None,
        "intent_template": "Post {{title}}",
        "instantiation_dict": {"title": "hello"},
        "intent": "Post hello",
        "require_reset": False,
        "eval": {
            "eval_types": ["string_match", "url_match", "program_html"],
            "reference_answers": {"must_include": ["hello |OR| hi"], "must_exclude": ["bye"]},
            "reference_url": "__REDDIT__/f/books |OR| __REDDIT__/f/news/",
            "program_html": [
                {
                    "url": "func:reddit_get_post_url('__last_url__')",
                    "locator": "document.querySelector('.submission__inner').outerText",
                    "required_contents": {"must_include": ["hello"]},
                },
                {
                    "url": "__GITLAB__/byteblaze/dotfiles/-/project_members",
                    "locator": "func:gitlab_get_project_memeber_role(__page__, 'vinta')",
                    "required_contents": {"exact_match": "Guest"},
                    "prep_actions": ["document.querySelector('#more').click()"],
                },
            ],
            "url_note": "GOLD in PRED",
            "string_note": "",
            "reference_answer_raw_annotation": "hello",
        },
        "intent_template_id": 3,
        "old_task_id": 99,
    }
    config.update(overrides)
    return config


# ---------------------------------------------------------------- WebArena-Lite's real configs


@pytest.fixture(scope="module")
def lite_path() -> Path:
    path = _packaged_lite_config()
    if path is None:
        pytest.skip(
            "browsergym-webarenalite is not installed (CI installs it with "
            "`pip install --no-deps browsergym-webarenalite`)"
        )
    return path


def test_all_165_webarena_lite_configs_load(lite_path, monkeypatch):
    monkeypatch.delenv("WEBARENA_LITE_CONFIG", raising=False)
    assert webarena_lite_config_path() == lite_path
    configs = load_task_configs(lite_path)
    assert len(configs) == 165
    assert len({c.task_id for c in configs}) == 165
    kinds = {t for c in configs for t in c.eval.eval_types}
    assert kinds == {"string_match", "url_match", "program_html"}
    assert all(c.extra.get("old_task_id") is not None for c in configs)


def test_webarena_lite_configs_substitute_and_round_trip(lite_path):
    raw = json.loads(lite_path.read_text())
    configs = load_task_configs(lite_path, site_urls=SITE_URLS)
    text = json.dumps([c.to_dict() for c in configs])
    for placeholder in SITE_PLACEHOLDERS.values():
        assert placeholder not in text
    assert ":7000//" not in text  # trailing slash stripped before joining a path
    for config in load_task_configs(raw):
        assert load_task_configs([config.to_dict()])[0] == config
    multi = [c for c in configs if len(c.start_urls) > 1]
    assert multi and all(u.startswith("http://shopping.test:7000/") for u in multi[0].start_urls)


def test_webarena_lite_config_path_order(tmp_path, monkeypatch):
    explicit = tmp_path / "explicit.json"
    explicit.write_text("[]")
    from_env = tmp_path / "env.json"
    from_env.write_text("[]")
    monkeypatch.setenv("WEBARENA_LITE_CONFIG", str(from_env))
    assert webarena_lite_config_path(explicit) == explicit
    assert webarena_lite_config_path() == from_env
    monkeypatch.setenv("WEBARENA_LITE_CONFIG", str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError, match="WEBARENA_LITE_CONFIG"):
        webarena_lite_config_path()
    with pytest.raises(FileNotFoundError, match="config_path"):
        webarena_lite_config_path(tmp_path / "nope.json")


# ---------------------------------------------------------------- schema and sources


def test_fields_round_trip_and_start_urls():
    [config] = load_task_configs([make_config()])
    assert config.task_id == 7
    assert config.start_urls == ["__REDDIT__", "__GITLAB__/byteblaze"]
    assert config.extra == {"old_task_id": 99}
    assert config.eval.reference_urls == ["__REDDIT__/f/books", "__REDDIT__/f/news/"]
    assert config.eval.program_html[1].prep_actions == ["document.querySelector('#more').click()"]
    assert config.eval.reference_answers.must_include == ["hello |OR| hi"]
    assert TaskConfig.from_dict(config.to_dict()) == config
    assert load_task_configs([config.to_dict()])[0] == config
    assert config.to_dict()["old_task_id"] == 99


def test_defaults_for_optional_fields():
    minimal = {
        "task_id": "a1",
        "sites": ["map"],
        "intent": "Where is CMU?",
        "start_url": "__MAP__",
        "eval": {"eval_types": ["string_match"], "reference_answers": {"fuzzy_match": "N/A"}},
    }
    [config] = load_task_configs(minimal)
    assert config.eval.url_note == "GOLD in PRED"
    assert config.eval.reference_answers.unachievable
    assert config.require_login is False and config.storage_state is None
    assert load_task_configs([config.to_dict()])[0] == config


def test_single_string_reference_is_a_one_item_list():
    data = make_config()
    data["eval"]["reference_answers"] = {"must_include": "yjlou"}  # as WebArena-Lite task 81
    [config] = load_task_configs([data])
    assert config.eval.reference_answers.must_include == ["yjlou"]


def test_substitution_everywhere():
    [config] = load_task_configs([make_config()])
    done = substitute_placeholders(config, SITE_URLS)
    assert done.start_urls == ["http://reddit.test:7000", "http://gitlab.test:7000/byteblaze"]
    assert done.eval.reference_url == (
        "http://reddit.test:7000/f/books |OR| http://reddit.test:7000/f/news/"
    )
    assert done.eval.program_html[1].url == (
        "http://gitlab.test:7000/byteblaze/dotfiles/-/project_members"
    )
    assert done.eval.program_html[0].url == "func:reddit_get_post_url('__last_url__')"
    data = make_config()
    data["eval"]["program_html"][0]["locator"] = "document.querySelector('a[href^=\"__REDDIT__\"]')"
    data["eval"]["reference_answers"] = {"exact_match": "__GITLAB__/x"}
    [config] = load_task_configs([data], site_urls=SITE_URLS)
    assert "http://reddit.test:7000" in config.eval.program_html[0].locator
    assert config.eval.reference_answers.exact_match == "http://gitlab.test:7000/x"


def test_substitution_names_missing_site_and_variable():
    [config] = load_task_configs([make_config()])
    with pytest.raises(TaskConfigError) as err:
        substitute_placeholders(config, {"reddit": "http://r"})
    assert err.value.task_id == 7
    assert err.value.field == "start_url"
    assert "'gitlab'" in str(err.value) and SITE_ENV_VARS["gitlab"] in str(err.value)


def test_site_urls_from_env():
    env = {"WA_SHOPPING": "http://shop:7770", "WA_GITLAB": "", "OTHER": "x"}
    assert site_urls_from_env(env) == {"shopping": "http://shop:7770"}


def test_folder_source_sorted_numerically(tmp_path):
    for task_id in (10, 2, 1):
        (tmp_path / f"{task_id}.json").write_text(json.dumps(make_config(task_id=task_id)))
    (tmp_path / "notes.txt").write_text("ignored")
    configs = load_task_configs(tmp_path, site_urls=SITE_URLS)
    assert [c.task_id for c in configs] == [1, 2, 10]
    assert configs[0].start_urls[0] == "http://reddit.test:7000"


def test_file_with_one_config_and_with_a_list(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(make_config()))
    assert [c.task_id for c in load_task_configs(one)] == [7]
    many = tmp_path / "many.json"
    many.write_text(json.dumps([make_config(task_id=3), make_config(task_id=1)]))
    assert [c.task_id for c in load_task_configs(str(many))] == [3, 1]  # file order kept


def test_invalid_json_names_file_and_line(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('[\n  {"task_id": 1,\n   "sites": ["map"],,\n  }\n]')
    with pytest.raises(TaskConfigError) as err:
        load_task_configs(bad)
    assert err.value.source == str(bad)
    assert "broken.json" in str(err.value) and "line 3" in str(err.value)


def test_missing_path():
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_task_configs("/nonexistent/tasks.json")


def test_duplicate_task_ids(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(json.dumps([make_config(task_id=4), make_config(task_id=4)]))
    with pytest.raises(TaskConfigError, match="duplicate") as err:
        load_task_configs(path)
    assert (err.value.task_id, err.value.field, err.value.source) == (4, "task_id", str(path))


# ---------------------------------------------------------------- validation errors


def _set(path: str, value):
    """A mutation setting ``path`` (dotted, with [i]) in a config; ``...`` deletes it."""

    def mutate(config: dict) -> None:
        keys: list = []
        for part in path.split("."):
            name, _, rest = part.partition("[")
            keys.append(name)
            if rest:
                keys.extend(int(i) for i in rest.rstrip("]").split("]["))
        target = config
        for key in keys[:-1]:
            target = target[key]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return mutate


BROKEN = [
    ("sites", ..., "sites", "missing"),
    ("intent", 3, "intent", "must be the instruction string"),
    ("start_url", "  ", "start_url", "empty"),
    ("sites", ["reddit", "facebook"], "sites[1]", "unknown site 'facebook'"),
    ("require_login", "yes", "require_login", "true or false"),
    ("eval", ..., "eval", "missing"),
    ("eval.eval_types", ["string_match", "dom_match"], "eval.eval_types[1]", "unknown eval type"),
    ("eval.eval_types", [], "eval.eval_types", "empty"),
    ("eval.reference_answers", {"regex": ["x"]}, "eval.reference_answers.regex", "unknown kind"),
    ("eval.reference_answers", None, "eval.reference_answers", "string_match needs"),
    (
        "eval.reference_answers.must_include",
        [1, ["x"]],
        "eval.reference_answers.must_include[1]",
        "must be a string",
    ),
    (
        "eval.reference_answers",
        {"fuzzy_match": "maybe"},
        "eval.reference_answers.fuzzy_match",
        "N/A",
    ),
    (
        "eval.reference_answers",
        {"exact_match": ["a"]},
        "eval.reference_answers.exact_match",
        "must be a string",
    ),
    ("eval.reference_url", "", "eval.reference_url", "url_match needs"),
    ("eval.url_note", "SOMEWHERE", "eval.url_note", "unknown url_note"),
    ("eval.program_html", [], "eval.program_html", "at least one check"),
    ("eval.program_html[0]", "document.title", "eval.program_html[0]", "must be an object"),
    ("eval.program_html[1].url", ..., "eval.program_html[1].url", "missing"),
    ("eval.program_html[1].locator", None, "eval.program_html[1].locator", "JavaScript"),
    (
        "eval.program_html[1].required_contents",
        {},
        "eval.program_html[1].required_contents",
        "empty",
    ),
    (
        "eval.program_html[1].required_contents",
        {"includes": ["x"]},
        "eval.program_html[1].required_contents.includes",
        "unknown kind",
    ),
    (
        "eval.program_html[1].prep_actions",
        "click()",
        "eval.program_html[1].prep_actions",
        "list of strings",
    ),
    ("eval.program_html[1].wait", 3, "eval.program_html[1].wait", "unknown key"),
    (
        "eval.program_html[0].url",
        "func:reddit_get_post_url('__last_url__'",
        "eval.program_html[0].url",
        "call syntax",
    ),
    (
        "eval.program_html[0].url",
        "func:__import__('os').system('ls')",
        "eval.program_html[0].url",
        "must be a call",
    ),
    (
        "eval.program_html[0].url",
        "func:reddit_get_post_url(open('/etc/passwd'))",
        "eval.program_html[0].url",
        "must be a literal",
    ),
    (
        "eval.program_html[0].url",
        "func:reddit_get_post_url(url='x')",
        "eval.program_html[0].url",
        "keyword",
    ),
    (
        "eval.program_html[0].url",
        "func:shopping_get_order_total()",
        "eval.program_html[0].url",
        "unknown func: helper 'shopping_get_order_total'",
    ),
    (
        "eval.program_html[0].url",
        "func:reddit_get_post_url()",
        "eval.program_html[0].url",
        "takes 1 argument",
    ),
    (
        "eval.program_html[0].url",
        "func:gitlab_get_project_memeber_role(__page__, 'x')",
        "eval.program_html[0].url",
        "only available in a locator",
    ),
    (
        "eval.program_html[1].locator",
        "func:gitlab_get_project_memeber_role(__page__)",
        "eval.program_html[1].locator",
        "takes 2 argument",
    ),
]


@pytest.mark.parametrize(
    "path,value,field,message", BROKEN, ids=[f"{b[0]}={b[1]!r}"[:60] for b in BROKEN]
)
def test_validation_names_task_and_field(path, value, field, message):
    config = copy.deepcopy(make_config())
    _set(path, value)(config)
    with pytest.raises(TaskConfigError) as err:
        load_task_configs([config])
    assert err.value.task_id == 7
    assert err.value.field == field
    assert err.value.source == "<dicts>"
    assert message in str(err.value)
    assert "task 7" in str(err.value) and field in str(err.value)


@pytest.mark.parametrize("task_id", [None, True, 1.5, [1]])
def test_bad_task_id(task_id):
    with pytest.raises(TaskConfigError) as err:
        load_task_configs([make_config(), make_config(task_id=task_id)])
    assert err.value.field == "task_id"
    assert "entry 1" in str(err.value)


def test_config_that_is_not_an_object():
    with pytest.raises(TaskConfigError, match="JSON object"):
        load_task_configs([["not", "a", "dict"]])


@pytest.mark.parametrize("spelling", ["EXACT", "exact", "Exact"])
def test_url_note_spellings_are_normalised(spelling):
    cfg = {"task_id": 1, "sites": ["shopping"], "start_url": "http://a", "intent": "x",
           "eval": {"eval_types": ["url_match"], "reference_url": "http://a/b",
                    "url_note": spelling}}
    assert load_task_configs([cfg])[0].eval.url_note == "EXACT"
