"""Settings for checking the translation catalogue against the code (tests/core/test_translations.py):
the project's own, with the catalogue written to a scratch directory."""

import os

from aftersales.config.settings import *  # noqa: F403

LOCALE_PATHS = [os.environ["CATALOGUE_CHECK_DIR"]]
