"""Each error of the verbs, with its exit code and a message a person can act on: no cluster
configured (2), a refusal by RBAC (2), an unknown entry (2), an API server that does not answer
(1). Secrets never show."""

import pytest
from kmock import resource

from tests.support.chart import NAMESPACE
from tests.support.hung_peers import silent, trickling
from tests.support.kubernetes import write_kubeconfig
from tests.support.operations import CommandLine, call
from tests.support.processes import free_port


def forbidden(verb: str, plural: str, group: str) -> dict:
    """The Status a real API server answers when RBAC refuses."""
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "reason": "Forbidden",
        "code": 403,
        "message": (
            f'{plural}.{group} is forbidden: User "system:serviceaccount:jobs:cronsuite-web" '
            f'cannot {verb} resource "{plural}" in API group "{group}" in the namespace "jobs"'
        ),
    }


@pytest.mark.parametrize(
    "argv, env",
    [
        (["status", "--namespace", "jobs"], {}),
        # The app runs its entries as CronJobs (Run now creates Jobs): so do the verbs.
        (["trigger", "statistics"], {"CRONSUITE_CRONJOB_PREFIX": "cronsuite-"}),
    ],
    ids=["namespace", "prefix"],
)
@pytest.mark.asyncio
async def test_no_kubeconfig_where_a_cluster_is_asked_for_exits_2_saying_how(tmp_path, argv, env):
    missing = tmp_path / "missing"
    command = await CommandLine.start(*argv, KUBECONFIG=missing, HOME=tmp_path, **env)

    answer = await command.finish()

    assert answer.code == 2
    said = " ".join(answer.err.split())
    assert said.startswith(f"error: no Kubernetes configuration: no kubeconfig ({missing})")
    assert "Set KUBECONFIG (or pass --kubeconfig) to a kubeconfig file" in said
    assert "mount a ServiceAccount token" in said


def test_an_unusable_kubeconfig_exits_2_naming_it(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("clusters: [}")

    answer = call("suspend", "statistics", "--kubeconfig", str(kubeconfig))

    assert answer.code == 2
    assert f"error: the kubeconfig {kubeconfig} cannot be used" in answer.err


@pytest.mark.parametrize(
    "argv, method, plural, group, verb",
    [
        (["status"], "get", "cronjobs", "batch", "list"),
        (["suspend", "statistics"], "patch", "cronjobs", "batch", "patch"),
        (["trigger", "statistics"], "post", "jobs", "batch", "create"),
    ],
)
@pytest.mark.asyncio
async def test_a_refusal_by_rbac_exits_2_naming_the_verb_and_resource(
    cluster, kmock, argv, method, plural, group, verb
):
    # kmock stores a patch even when a reaction answers it: only the answer is tested here.
    (
        kmock[method, resource(f"{group}/v1/{plural}")].override
        << 403
        << forbidden(verb, plural, group)
    )

    answer = await cluster.cli(*argv)

    assert answer.code == 2
    said = " ".join(answer.err.split())
    assert said.startswith(
        f"error: Kubernetes refused to {verb} {plural} in namespace {NAMESPACE} (403 Forbidden): "
        f"the ServiceAccount or user lacks the RBAC verb '{verb}' on '{plural}'."
    )
    # It should pass on the API server's sentence: it names the ServiceAccount.
    assert 'User "system:serviceaccount:jobs:cronsuite-web" cannot' in said


@pytest.mark.asyncio
async def test_an_unknown_entry_exits_2_listing_the_entries_of_the_namespace(cluster):
    answer = await cluster.cli("suspend", "statistcs")

    assert answer.code == 2
    assert "error: no schedule entry 'statistcs' in namespace jobs. Entries: addition," in (
        " ".join(answer.err.split())
    )
    assert "statistics" in answer.err


@pytest.mark.django_db(transaction=True)
def test_on_one_machine_an_unknown_entry_exits_2_listing_the_values_entries():
    answer = call("trigger", "statistcs", "--local")

    assert answer.code == 2
    assert "no schedule entry 'statistcs'. Entries: addition, cleanup-logs," in answer.err


@pytest.mark.parametrize("hang", [silent, trickling], ids=["silent", "trickling"])
def test_an_api_server_that_does_not_answer_exits_1_naming_it(tmp_path, hang):
    kubeconfig = tmp_path / "kubeconfig"
    with hang() as server:
        write_kubeconfig(kubeconfig, server.url)

        answer = call("status", "--kubeconfig", str(kubeconfig), "--request-timeout", "1")

    assert answer.code == 1
    assert answer.err == (
        f"error: the Kubernetes API server {server.url} did not answer within 1 s "
        f"(list cronjobs in namespace {NAMESPACE}).\n"
    )


def test_an_api_server_out_of_reach_exits_1_naming_it(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    url = f"http://127.0.0.1:{free_port()}"
    write_kubeconfig(kubeconfig, url)

    answer = call("trigger", "statistics", "--kubeconfig", str(kubeconfig))

    assert answer.code == 1
    assert answer.err.startswith(
        f"error: cannot reach the Kubernetes API server {url} (list cronjobs in namespace jobs):"
    )
    assert "Connection refused" in answer.err


def test_the_server_is_shown_without_credentials(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    port = free_port()
    write_kubeconfig(kubeconfig, f"http://operator:s3cret-token@127.0.0.1:{port}/k8s?token=abc")

    answer = call("status", "--kubeconfig", str(kubeconfig))

    assert answer.code == 1
    assert f"http://127.0.0.1:{port}/k8s " in answer.err
    assert "s3cret" not in answer.err and "abc" not in answer.err
