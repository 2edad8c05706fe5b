"""Local development and the demo portal: debug on unless the environment says otherwise."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
