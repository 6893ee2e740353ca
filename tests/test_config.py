"""One typed configuration: defaults < TOML file < ``section.key=value`` overrides."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from formcheck.config import (
    SECTIONS,
    Config,
    describe,
    example_toml,
    load_config,
    parse_override,
)
from formcheck.errors import ConfigError, FormcheckError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "formcheck.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_one_frozen_typed_tree() -> None:
    cfg = load_config()
    assert cfg == Config()
    assert SECTIONS == (
        "quality",
        "bridge",
        "plank",
        "cat_cow",
        "auto",
        "feedback",
        "live",
        "routine",
        "progression",
    )
    for section in SECTIONS:
        part = getattr(cfg, section)
        for f in dataclasses.fields(part):
            value = getattr(part, f.name)
            assert isinstance(value, float), f"{section}.{f.name}"
            assert f.metadata.get("doc"), f"{section}.{f.name} has no description"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.plank.sag_deg = 1.0  # type: ignore[misc]


def test_documented_defaults_hang_together() -> None:
    cfg = Config()
    assert 0 < cfg.quality.min_visibility < 1
    assert cfg.quality.max_bridged_gap_s < cfg.quality.min_reported_gap_s
    assert cfg.bridge.rise_start_deg < cfg.bridge.rise_top_deg  # hysteresis
    assert cfg.bridge.min_rep_s < cfg.bridge.max_rep_s
    assert cfg.bridge.knee_min_deg < cfg.bridge.knee_max_deg
    assert cfg.plank.sag_deg > 0 and cfg.plank.pike_deg > 0
    assert cfg.cat_cow.min_round_s < cfg.cat_cow.max_round_s


def test_file_overrides_defaults_and_flags_override_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "[plank]\nsag_deg = 12\npike_deg = 25.5\n[quality]\nmin_visibility = 0.6\n"
    )
    from_file = load_config(path)
    assert from_file.plank.sag_deg == 12.0 and isinstance(from_file.plank.sag_deg, float)
    assert from_file.plank.pike_deg == 25.5
    assert from_file.quality.min_visibility == 0.6
    assert from_file.bridge == Config().bridge  # untouched sections keep their defaults
    both = load_config(path, ["plank.sag_deg=14", "bridge.min_rep_s=1.5"])
    assert both.plank.sag_deg == 14.0  # flag beats file
    assert both.plank.pike_deg == 25.5  # file beats default
    assert both.bridge.min_rep_s == 1.5
    later = load_config(overrides=["plank.sag_deg=14", "plank.sag_deg=9"])
    assert later.plank.sag_deg == 9.0  # the last flag wins


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[nope]\nx = 1\n", "unknown section [nope]"),
        ("[plank]\nsag = 1\n", "unknown key plank.sag"),
        ('[plank]\nsag_deg = "a lot"\n', "plank.sag_deg: expected a number"),
        ("[plank]\nsag_deg = true\n", "plank.sag_deg: expected a number"),
        ("plank = 3\n", "must be a table"),
        ("[plank\nsag_deg = 1\n", "invalid TOML"),
    ],
)
def test_bad_files_raise_config_error_with_a_clear_message(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    assert isinstance(info.value, FormcheckError)
    assert "\n" not in str(info.value)  # one line for the CLI


def test_unknown_key_message_lists_the_known_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"known: .*sag_deg"):
        load_config(write(tmp_path, "[plank]\nsagdeg = 1\n"))
    known = (
        r"\(known: quality, bridge, plank, cat_cow, auto, feedback, live, routine, progression\)"
    )
    with pytest.raises(ConfigError, match=known):
        load_config(write(tmp_path, "[plnak]\nsag_deg = 1\n"))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("plank.sag_deg", "expected SECTION.KEY=VALUE"),
        ("sag_deg=3", "expected SECTION.KEY=VALUE"),
        ("plank.=3", "expected SECTION.KEY=VALUE"),
        ("plank.sag_deg=lots", "'lots' is not a number"),
        ("plank.sag_deg=", "is not a number"),
        ("nope.sag_deg=3", "unknown section [nope]"),
        ("plank.nope=3", "unknown key plank.nope"),
    ],
)
def test_bad_overrides_raise_config_error(flag: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[flag])
    assert message in str(info.value)


def test_parse_override() -> None:
    assert parse_override(" plank.sag_deg = 12.5") == ("plank", "sag_deg", 12.5)
    assert parse_override("bridge.min_rep_s=1e0") == ("bridge", "min_rep_s", 1.0)


def test_example_toml_round_trips_to_the_defaults(tmp_path: Path) -> None:
    text = example_toml()
    data = tomllib.loads(text)
    assert set(data) == set(SECTIONS)
    assert load_config(write(tmp_path, text)) == Config()
    described = {(s, k) for s, k, *_ in describe(Config())}
    assert described == {(s, k) for s in data for k in data[s]}
    for section, key, _value, unit, doc in describe(Config()):  # every key is commented
        comment = f"# {doc}" + (f" ({unit})" if unit else "")
        assert comment in text, f"{section}.{key}"


def test_example_toml_of_a_changed_config_loads_back_to_it(tmp_path: Path) -> None:
    cfg = load_config(overrides=["plank.sag_deg=13", "cat_cow.phase_deg=7.5"])
    assert load_config(write(tmp_path, example_toml(cfg))) == cfg


def test_describe_lists_every_setting_with_unit_and_value() -> None:
    rows = describe(load_config(overrides=["auto.window_s=2"]))
    n_fields = sum(len(dataclasses.fields(getattr(Config(), s))) for s in SECTIONS)
    assert len(rows) == n_fields
    row = rows[[r[:2] for r in rows].index(("auto", "window_s"))]
    assert row[:4] == ("auto", "window_s", 2.0, "s")
    units = {unit for *_, unit, _doc in rows}
    assert {"deg", "s"} <= units


def test_readme_lists_every_config_key_with_its_default() -> None:
    # README's config table is what users read: every key, with the default the code uses
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \| ([^|]+) \|", readme, re.M))
    config = Config()
    expected = {
        f"{section.name}.{f.name}": float(getattr(getattr(config, section.name), f.name))
        for section in dataclasses.fields(config)
        if dataclasses.is_dataclass(getattr(config, section.name))
        for f in dataclasses.fields(getattr(config, section.name))
    }
    documented = {key: float(value) for key, value in rows.items() if key in expected}
    assert set(expected) - set(documented) == set(), "keys missing from README's config table"
    assert documented == expected
