"""Django settings for the orders service."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = False
ALLOWED_HOSTS = ["orders.corp.net"]

@@ENTRIES@@

INSTALLED_APPS = ["django.contrib.auth", "orders"]
TIME_ZONE = os.environ.get("TZ", "UTC")
