# syntax=docker/dockerfile:1
# cronsuite's job image: `python -m jobs run NAME` (see docs/runtime.md and docs/helm.md).
# Runs as a numeric non-root user with a read-only root filesystem: only /tmp is written.

# Builder: every pinned requirement becomes a wheel, so the final stage needs no compiler,
# no pip cache and no network.
FROM python:3.12-slim AS builder
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
# Unbuffered logs reach `kubectl logs` at once; no .pyc written at run time (read-only root);
# HOME is the only writable place.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp
# The chart's runAsUser/runAsGroup; numeric so runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 cronsuite \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin cronsuite
WORKDIR /app
COPY requirements.txt .
# Installed from the builder's wheels only, through a bind mount: the wheels never land in a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
COPY manage.py ./
COPY app ./app
COPY jobs ./jobs
COPY k8s ./k8s
# `python -m jobs list` and `manage.py scheduler_info` read the schedules from here
# (jobs/schedule.py: helm/cronsuite/values.yaml beside the jobs package).
COPY helm/cronsuite/values.yaml ./helm/cronsuite/values.yaml
# Bytecode compiled now, since nothing can be written under /app at run time.
RUN python -m compileall -q /app
USER 10001:10001
ENTRYPOINT ["python", "-m", "jobs"]
CMD ["list"]
