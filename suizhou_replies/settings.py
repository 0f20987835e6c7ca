"""Settings for the 随州 reply portal, driven by the environment.

Every value an installation may change is read from an environment variable here; nothing
else in the project reads os.environ.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)


def local_secret_key(path: Path) -> str:
    """Key for an installation without DJANGO_SECRET_KEY: made once, kept in a private file."""
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or local_secret_key(BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "django_tasks",
    "proposals.web.apps.TaskResultsConfig",  # django_tasks_db, named in Chinese
    "crispy_bootstrap5",
    "proposals.web.apps.LoginProtectionConfig",  # axes, named in Chinese
    "proposals",
    "measures",
]

MIDDLEWARE = [
    # SEC-21: django-csp's middleware plus X-Frame-Options, first, so that redirects to HTTPS,
    # static files and the 400 page for an unknown Host carry the headers too.
    "proposals.web.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Only GET, HEAD and POST reach a view; PUT, DELETE, OPTIONS, TRACE … answer 405.
    "proposals.web.methods.AllowedMethodsMiddleware",
    # REL-04: a request that failed because the database is unreachable gets the 503 page.
    "proposals.web.availability.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Posted text with LF line breaks only: the server counts as the text boxes' counters do.
    "proposals.web.newlines.NewlineMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A signed-in 代表／委员 reaches only the deputy pages; everything else answers 404.
    "proposals.web.deputies.DeputyFenceMiddleware",
    "proposals.records.audit.AuditContextMiddleware",
    # SEC-22: sign-in and export requests over their limit answer 429 (proposals/web/limits.py).
    "proposals.web.limits.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "proposals.web.accounts.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns its lockout into our login page with a message.
    "axes.middleware.AxesMiddleware",
]

# One cache shared by every worker process (the rate limits count in it): the database cache
# (table portal_cache, made by `manage.py createcachetable`), or Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
}
RATE_LIMIT_CACHE = "default"
# SEC-22, per rule: (requests, seconds); proposals/web/limits.py has the defaults.
RATE_LIMITS = {
    "login": (int(os.environ.get("DJANGO_LOGIN_LIMIT", "10")), 60),
    "export": (int(os.environ.get("DJANGO_EXPORT_LIMIT", "10")), 60),
    "pdf_render": (int(os.environ.get("DJANGO_PDF_LIMIT", "6")), 60),
}

ROOT_URLCONF = "suizhou_replies.urls"
WSGI_APPLICATION = "suizhou_replies.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "proposals.web.context_processors.unread_notices",
            ],
            # The letter template's filters (title lines, run-in headings), beside the letter code.
            "libraries": {
                "letter_layout": "proposals.letters.layout_filters",
                "receipt": "proposals.web.receipt_tags",
                "deputy_feedback": "proposals.web.feedback_tags",
            },
        },
    },
]

# SQLite by default so a fresh checkout runs; DATABASE_URL (postgres://… or sqlite:///…) switches.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # Tests use a file, not shared-cache memory (whose table locks ignore the timeout), so that
    # threads and live servers behave as in production; one file per test process.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "DJANGO_TEST_SQLITE",
            str(Path(tempfile.gettempdir()) / f"suizhou-replies-test-{os.getpid()}.sqlite3"),
        )
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "proposals.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# SEC-01: ≥ 8 characters, 3 of 4 character classes, unlike the user name, not a common password.
# Long passwords (64, 200 characters) are accepted whole: PBKDF2 does not truncate.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "proposals.web.accounts.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("DJANGO_PASSWORD_MIN_LENGTH", "8"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "proposals.web.accounts.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    # SEC-02: not the current password nor one of the last five.
    {"NAME": "proposals.web.accounts.RecentPasswordValidator", "OPTIONS": {"keep": 5}},
]

# SEC-03: 5 failures for one (user name, IP) lock that pair for 30 minutes (django-axes); the
# same page answers for accounts that do not exist.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("DJANGO_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "proposals.web.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "proposals.records.audit.client_ip"
AXES_VERBOSE = False

# SEC-04: sessions live in the database (so logout and disabling an account end them), expire
# after 30 idle minutes (renewed on each request) and 12 hours after login in any case.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("DJANGO_SESSION_HOURS", "12")) * 3600

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the strings Django, django-axes and django-tasks leave in English (compiled .mo kept).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# SEC-27: stored letters, seals and exports are served only by authorising views (no MEDIA_URL
# route), under generated names, readable by the portal's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Stored letters, seals and exports go through the storage API: a larger deployment sets
# DJANGO_DEFAULT_STORAGE=storages.backends.s3.S3Storage (django-storages) and its AWS_* settings.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_DEFAULT_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        # Hashed, compressed files need `collectstatic` first: production only.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not env_bool("DJANGO_STATIC_MANIFEST", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Behind nginx the client address arrives in X-Real-IP; trusted only when the proxy sets it.
TRUST_X_REAL_IP = env_bool("DJANGO_TRUST_X_REAL_IP", False)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# ---- Transport and response headers (SEC-05, SEC-15, SEC-21, SEC-23) ----

# The site is served over HTTPS (nginx in front sets X-Forwarded-Proto): on unless DEBUG. The
# test suite (DJANGO_HTTPS=0 in pytest.ini) and `make run` (DJANGO_HTTPS=0) serve plain http on 127.0.0.1.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600))) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# A secure session cookie gets the __Host- prefix: the browser then refuses it over http, from a
# subdomain, or with another path.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
# Other origins allowed to POST (e.g. "https://replies.example.gov.cn" behind a proxy that rewrites Host).
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every response carries the policy (django-csp, via proposals.web.headers): no inline script,
# handler or style attribute runs; a page that needs an inline block gives it the response's
# nonce: <script nonce="{{ request.csp_nonce }}">.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# ---- Domain settings (⚙ in ../shared/spec/domain.md §9), with the 随州 defaults ----

# 办理结果分类: code → wording (Hubei-city statistics wording).
REPLY_CLASS_CODES = {
    "A": "已经解决或基本解决，或已通过其他途径解决",
    "B": "正在解决或有关工作已启动",
    "C": "已列入规划计划逐步解决",
    "D": "因条件限制暂时难以解决留作参考，已作出解释",
}
# Title pattern; placeholders: session, number, kind.
REPLY_TITLE_TEMPLATE = "对{session}第{number}号{kind}的答复"
# Opening formula; placeholders: session, title, number, kind, consulted_clause.
REPLY_OPENING_TEMPLATE = (
    "你们在{session}提出的“{title}”的{kind}（第{number}号）收悉，{consulted_clause}现答复如下："
)
DEFAULT_POSTCODE = os.environ.get("PORTAL_DEFAULT_POSTCODE", "441300")
# 发出前检查 run before submit, sign-off and issue (proposals/letters/checks.py): any of
# class_code, title, contact, sections.
REPLY_CHECKS = env_list("REPLY_CHECKS", "class_code,title,contact,sections")
# 督办 notices also go out by e-mail where users have an address.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@suizhou-replies.invalid")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
# SMS to deputies (proposals/sms.py): the backend class, like EMAIL_BACKEND.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "proposals.sms.ConsoleBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
SMS_SENDER = os.environ.get("SMS_SENDER", "随州市建议提案")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_USER = os.environ.get("SMS_GATEWAY_USER", "")
SMS_GATEWAY_PASSWORD = os.environ.get("SMS_GATEWAY_PASSWORD", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TEMPLATE = os.environ.get("SMS_GATEWAY_TEMPLATE", "【{sender}】{text}")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
# The address deputies are sent to open the portal (else the request's own address).
PORTAL_URL = os.environ.get("PORTAL_URL", "")
# Uploads (PDFs to verify, imports) larger than this are refused before they are read.
MAX_UPLOAD_BYTES = 10 * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 5  # SEC-24: more files in one request → 400

# ---- The letter PDF (proposals/letters/rendering.py, fonts.py) ----

# Where `manage.py buildfonts` writes the subset fallback fonts (served as static files).
LETTER_FONT_BUILD_DIR = BASE_DIR / "static" / "fonts"
# Font chain per role: a licensed TrueType file from LETTER_FONT_<ROLE> (optional), then the
# bundled subset, then the full system font for rare characters.
LETTER_FONT_FILES = {
    role: os.environ.get(f"LETTER_FONT_{role.upper()}", "")
    for role in ("fangsong", "xiaobiaosong", "heiti", "kaiti")
}

# The letter as .docx (proposals/letters/word_export.py): the font name Word uses per role, set
# as East Asian, ASCII and hAnsi names. Word shows the licensed fonts where they are installed
# and substitutes others; the layout (margins, 22 × 28 grid) does not depend on them.
LETTER_DOCX_FONTS = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page_number": "宋体",
}

# ---- Signing issued letters (proposals/letters/signing.py) ----

# Folder of the agencies' PKCS#12 files, the trusted roots and the protected password file.
REPLY_SIGNING_DIR = Path(os.environ.get("REPLY_SIGNING_DIR", BASE_DIR / "pki"))
# Passwords: environment variables REPLY_SIGNING_PASSWORD_<KEY>, else this JSON file {KEY: password}.
REPLY_SIGNING_PASSWORDS = {
    name.removeprefix("REPLY_SIGNING_PASSWORD_"): value
    for name, value in os.environ.items()
    if name.startswith("REPLY_SIGNING_PASSWORD_")
}
REPLY_SIGNING_SECRETS_FILE = Path(
    os.environ.get("REPLY_SIGNING_SECRETS_FILE", REPLY_SIGNING_DIR / "secrets.json")
)
# Issuing a reply needs the agency's certificate and seal; off only where signing is not set up.
REPLY_SIGNING_REQUIRED = env_bool("REPLY_SIGNING_REQUIRED", True)
# PEM files of the certificate authorities a signature is checked against.
REPLY_SIGNING_TRUST_ROOTS = env_list("REPLY_SIGNING_TRUST_ROOTS", str(REPLY_SIGNING_DIR / "demo-ca.pem"))

# ---- Background work (Django Tasks; `manage.py db_worker` runs the database queue) ----
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
