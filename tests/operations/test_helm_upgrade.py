"""What `helm upgrade` does to a CronJob suspended with `python -m jobs suspend`, found with the
real helm binary against the emulator (docs/operations.md says the rest).

Helm keeps its releases in PostgreSQL here (HELM_DRIVER=sql): it writes its release Secrets in
protobuf, which the emulator cannot read. How it patches the chart's objects does not depend on
where it keeps releases. The emulator implements no server-side apply: Helm 4's default for a
new install, so the release is installed client-side, as Helm 3 installs (and Helm 4 with
--server-side=false), and Helm 4's upgrade ("auto") goes on the same way."""

import asyncio
import json

import psycopg
import pytest
from django.conf import settings

from tests.support.chart import CHART, NAMESPACE, RELEASE, tool
from tests.support.kubernetes import serve_as_helm_needs, serve_lists, write_kubeconfig
from tests.support.operations import CRONJOBS, EmulatedCluster

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def helm_storage():
    """An empty database for helm's releases, dropped after the test."""
    name = f"{settings.DATABASES['default']['NAME']}_helm"
    db = settings.DATABASES["default"]
    server = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}?sslmode=disable"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def emulator(kmock, tmp_path):
    """The emulator, empty: helm installs the chart into it."""
    kmock.resources.load_bundled()
    serve_lists(kmock)
    serve_as_helm_needs(kmock)
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, kmock.url)
    return EmulatedCluster(kmock, kubeconfig)


async def helm(emulator, storage: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        tool("helm"),
        *args,
        RELEASE,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--no-hooks",  # the migration hook waits for a Job no controller runs here
        "--disable-openapi-validation",  # the emulator serves no OpenAPI document
        env={
            "KUBECONFIG": str(emulator.kubeconfig),
            "HELM_DRIVER": "sql",
            "HELM_DRIVER_SQL_CONNECTION_STRING": storage,
            "HOME": str(emulator.kubeconfig.parent),
            "PATH": "/usr/bin:/bin",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, f"helm {' '.join(args)}: {err.decode()}"
    return out.decode()


def patches_of(kmock, cronjob: str) -> list:
    return [r for r in kmock if r.method == "PATCH" and str(r.url.path).endswith(cronjob)]


@pytest.mark.asyncio
async def test_helm_upgrade_sets_a_suspended_cronjob_back_to_the_values(emulator, helm_storage):
    await helm(emulator, helm_storage, "install", "--server-side=false")
    await emulator.cli("suspend", "statistics", "--reason", "database migration", "--by", "olga")

    await helm(emulator, helm_storage, "upgrade")

    # It should be active again: Helm's three-way merge patches spec.suspend to the values...
    cronjob = json.loads(
        await emulator.kubectl("get", "cronjob", "cronsuite-statistics", "-o", "json")
    )
    assert cronjob["spec"]["suspend"] is False
    helm_patch = patches_of(emulator.kmock, "cronsuite-statistics")[-1]
    assert helm_patch.params["fieldManager"] == "helm"
    assert helm_patch.data == {"spec": {"suspend": False}}
    # ...and status should say so: the annotations stay, the state changed outside cronsuite.
    status = await emulator.cli("status")
    said = " ".join(status.out.split())
    assert "statistics [active] runs: housekeeping --task stats" in said
    assert "by olga," in said and "changed since outside cronsuite (helm upgrade, kubectl)" in said


@pytest.mark.asyncio
async def test_a_suspension_in_the_values_survives_the_upgrade(emulator, helm_storage):
    await helm(emulator, helm_storage, "install", "--server-side=false")
    await emulator.cli("suspend", "statistics", "--by", "olga")

    await helm(emulator, helm_storage, "upgrade", "--set", "jobs.statistics.suspend=true")

    assert emulator.get(CRONJOBS, "cronsuite-statistics")["spec"]["suspend"] is True


@pytest.mark.asyncio
async def test_helm_4_server_side_apply_asks_without_forcing_conflicts(emulator, helm_storage):
    await helm(emulator, helm_storage, "install", "--server-side=false")
    await emulator.cli("suspend", "statistics", "--by", "olga")

    await helm(emulator, helm_storage, "upgrade", "--server-side=true")

    # Helm applies spec.suspend: false as field manager "helm" without force: a real API server
    # answers 409, a conflict with "cronsuite" (our patch's manager) over .spec.suspend, and the
    # upgrade fails until --force-conflicts or a resume. The emulator has no managedFields, so
    # this test stops at what Helm sends.
    (apply,) = [
        p
        for p in patches_of(emulator.kmock, "cronsuite-statistics")
        if p.params["fieldManager"] == "helm"
    ]
    assert apply.headers["Content-Type"] == "application/apply-patch+yaml"
    assert apply.params["force"] == "false"
    assert apply.data["spec"]["suspend"] is False
