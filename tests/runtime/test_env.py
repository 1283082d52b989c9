"""Strict settings helpers: values, *_FILE secrets, and loud failures."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from app import env

pytestmark = pytest.mark.core


def test_it_reads_a_secret_from_the_file_named_by_name_file(tmp_path):
    secret = tmp_path / "token"
    secret.write_text("s3cr3t-value\n")
    # It should strip the trailing newline that editors and `kubectl create secret` leave.
    assert env.string("TOKEN", environ={"TOKEN_FILE": str(secret)}) == "s3cr3t-value"


def test_it_refuses_both_name_and_name_file(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="Set TOKEN or TOKEN_FILE, not both"):
        env.raw("TOKEN", environ={"TOKEN": "a", "TOKEN_FILE": str(tmp_path)})


def test_it_fails_loudly_on_an_unreadable_file(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="TOKEN_FILE: cannot read"):
        env.raw("TOKEN", environ={"TOKEN_FILE": str(tmp_path / "missing")})


def test_it_rejects_numbers_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="JOB_TIMEOUT must be at least 1, got 0"):
        env.integer("JOB_TIMEOUT", 3600, minimum=1, environ={"JOB_TIMEOUT": "0"})


def test_it_rejects_unknown_boolean_words():
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        env.boolean("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_treats_an_empty_value_as_unset():
    assert env.integer("JOB_TIMEOUT", 3600, environ={"JOB_TIMEOUT": " "}) == 3600


def test_it_splits_lists_on_commas():
    assert env.string_list("R", environ={"R": "a@x.org, b@x.org,"}) == ["a@x.org", "b@x.org"]
