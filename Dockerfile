# syntax=docker/dockerfile:1
# cronsuite's image: the jobs (`python -m jobs run NAME`, see docs/runtime.md and docs/helm.md) and
# the web app (`gunicorn app.wsgi`, the chart's web Deployment; gunicorn is in requirements.txt).
# Runs as a numeric non-root user with a read-only root filesystem: only /tmp is written.

# Builder: every pinned requirement becomes a wheel, so the final stage needs no compiler,
# no pip cache and no network.
FROM python:3.12-slim AS builder
# Build-only packages for mysqlclient (DATABASE_URL=mysql://...), which has no wheel for Linux:
#   gcc             compiles its C extension
#   pkg-config      finds MariaDB Connector/C's compiler and linker flags
#   libmariadb-dev  MariaDB Connector/C's headers and library to link against
# Not version-pinned: Debian drops superseded versions from its archive at every point release,
# so a pin on this floating base would break the build; the Python packages are pinned instead.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc pkg-config libmariadb-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt requirements-mysql.txt ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt -r requirements-mysql.txt

FROM python:3.12-slim
# Unbuffered logs reach `kubectl logs` at once; no .pyc written at run time (read-only root);
# HOME is the only writable place; no DATABASE_URL is an error, never a local SQLite file.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL_REQUIRED=true \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp
# The chart's runAsUser/runAsGroup; numeric so runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 cronsuite \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin cronsuite
# The runtime half of mysqlclient: MariaDB Connector/C's shared library, no compiler, no headers.
# Not version-pinned, for the same reason as in the builder.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-mysql.txt ./
# Installed from the builder's wheels only, through a bind mount: the wheels never land in a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt -r requirements-mysql.txt
COPY manage.py ./
COPY app ./app
COPY jobs ./jobs
COPY k8s ./k8s
# `python -m jobs list` and `manage.py scheduler_info` read the schedule entries from here
# (jobs/entries.py: helm/cronsuite/values.yaml beside the jobs package).
COPY helm/cronsuite/values.yaml ./helm/cronsuite/values.yaml
# The admin's static files collected (/app/staticfiles, served by whitenoise) and bytecode compiled
# now, since nothing can be written under /app at run time. collectstatic reads no database:
# DATABASE_URL_REQUIRED is off for that one command only.
RUN DATABASE_URL_REQUIRED=false python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q /app
USER 10001:10001
ENTRYPOINT ["python", "-m", "jobs"]
CMD ["list"]
