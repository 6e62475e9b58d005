# Production image for Peership.
#
#   docker build -t peership .
#   docker run --rm -p 8000:8000 -e DJANGO_SECRET_KEY=... -e DATABASE_URL=... peership

# --- Stage 1: front-end assets ------------------------------------------------
# Bootstrap is an npm dependency; only its compiled dist/ is needed at runtime,
# so Node never reaches the final image.
FROM node:22-slim AS assets

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev


# --- Stage 2: application -----------------------------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Unprivileged runtime user. It has a home directory because some tools
# (celery among them) expect $HOME to exist.
RUN groupadd --system app \
 && useradd --system --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependencies first so this layer stays cached while only the code changes.
# psycopg[binary] bundles libpq, so no compiler or system packages are needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /app/node_modules/bootstrap/dist /app/node_modules/bootstrap/dist

# Static files are collected at build time; WhiteNoise serves them from
# STATIC_ROOT. The placeholders below apply to this one command only (they are
# never persisted as ENV).
#   * DJANGO_DEBUG=0 is required: with DEBUG off the settings switch to
#     CompressedManifestStaticFilesStorage, whose manifest (staticfiles.json)
#     is only written when collectstatic runs with DEBUG off too. Without it
#     every {% static %} raises "Missing staticfiles manifest entry" at runtime.
#   * With DEBUG off the settings insist on a secret key of 50+ characters.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=build-only-placeholder-not-used-at-runtime-0123456789 \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# The code and collected static files stay owned by root, so the app user can
# read but not modify them. Anything that must be writable at runtime (e.g. the
# celery beat schedule) goes to /tmp or a mounted volume.
USER app

EXPOSE 8000

CMD ["gunicorn", "exchange.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "4", \
     "--worker-class", "sync", \
     "--access-logfile", "-"]
