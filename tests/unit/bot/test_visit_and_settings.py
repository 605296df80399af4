from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings
from bot.visit import visit_from_metadata


def test_good_metadata_is_kept() -> None:
    visit = visit_from_metadata(
        {
            "timezone": "America/Sao_Paulo",
            "page_url": "https://cqlbot.example/?utm_source=x",
            "utm": {"utm_source": "x", "utm_medium": "cpc"},
            "languages": ["pt-BR", "es-419", "en"],
        }
    )
    assert visit == {
        "timezone": "America/Sao_Paulo",
        "page_url": "https://cqlbot.example/?utm_source=x",
        "utm": {"utm_source": "x", "utm_medium": "cpc"},
        "language": "es",  # the first of the browser's languages the bot speaks
    }


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        "not a dict",
        {"timezone": "Mars/Olympus", "page_url": "javascript:alert(1)", "utm": "x"},
        {"timezone": 5, "page_url": "https://x.example/" + "a" * 5000, "utm": {"evil": "1", "utm_source": ["list"]}},
        {"languages": "de"},
        {"languages": ["<script>", "de" * 40, 7, None, "x-" + "a" * 50]},
        {"languages": ["pl", "it-IT"]},
        {"languages": ["it"] * 10 + ["fr"]},  # only the first ten are read
    ],
)
def test_bad_metadata_is_dropped(metadata: object) -> None:
    assert visit_from_metadata(metadata) == {"timezone": None, "page_url": None, "utm": {}, "language": None}


def test_utm_values_are_capped() -> None:
    assert len(visit_from_metadata({"utm": {"utm_campaign": "c" * 1000}})["utm"]["utm_campaign"]) == 200


def test_settings_default_to_sqlite_files_outside_tracked_files() -> None:
    settings = load_settings({})
    assert settings.database_url.endswith("/var/cqlbot.db")
    assert settings.tracker_database_url.endswith("/var/tracker.db")


def test_a_server_database_serves_the_tracker_too() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://bot:secret@db.internal:5432/cqlbot"})
    assert settings.tracker_database_url == settings.database_url
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"WEB_PORT": "eighty"}, "WEB_PORT"),
        ({"CQLBOT_UNCONSENTED_RETENTION_MINUTES": "0"}, "CQLBOT_UNCONSENTED_RETENTION_MINUTES"),
        ({"CQLBOT_UNCONSENTED_RETENTION_MINUTES": "an hour"}, "CQLBOT_UNCONSENTED_RETENTION_MINUTES"),
    ],
)
def test_bad_environment_names_the_variable(env: dict, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert caught.value.key == key
    assert caught.value.source == "environment"
