"""The deployment recipe (Containerfile, deploy/compose.yaml, deploy/kubernetes/) is what pulsebot
serves: the compose file valid against the compose specification's schema and each Kubernetes manifest
against the Kubernetes API's (both shipped offline in their packages), every command a real pulsebot
command, every probe on a path and port pulsebot serves, every setting one pulsebot reads."""

from __future__ import annotations

import importlib.resources
import json
import shlex
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.config import Settings

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.33.0"
# Read from the environment by log_setup.py itself (logging is set up before the settings are read).
READ_OUTSIDE_SETTINGS = {"PULSEBOT_LOG_FORMAT"}
# Not pulsebot's: Python's and matplotlib's, and those of the images beside it.
NOT_PULSEBOT = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "MPLCONFIGDIR"}
SETTINGS = {field.validation_alias for field in Settings.model_fields.values()} | READ_OUTSIDE_SETTINGS
DEFAULTS = Settings(_env_file=None)
PROBES = {"run": {"/healthz", "/readyz"}, "web": {"/healthz"}}


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, (KEYWORD, arguments), continuation lines joined."""
    found, pending = [], ""
    for line in (ROOT / "Containerfile").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
            pending = ""
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(index for index, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def image_environment() -> dict[str, str]:
    environment = {}
    for keyword, arguments in final_stage():
        if keyword == "ENV":
            environment |= dict(part.split("=", 1) for part in shlex.split(arguments))
    return environment


def is_pulsebot_command(argv: list[str]) -> bool:
    """`pulsebot ARGS --help` answers: a command pulsebot has."""
    return CliRunner().invoke(cli, [*argv, "--help"]).exit_code == 0


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def pulsebot_services() -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if service.get("build")}


def manifests() -> list[dict]:
    return [doc for path in KUBERNETES for doc in yaml.safe_load_all(path.read_text()) if doc]


def pod_specs() -> list[dict]:
    return [doc["spec"]["template"]["spec"] for doc in manifests() if doc["kind"] in ("Deployment", "Job")]


def test_the_image_is_python_3_11_slim_and_runs_pulsebot_as_an_unprivileged_user():
    steps = instructions()
    assert {arguments.split()[0] for keyword, arguments in steps if keyword == "FROM"} == {"python:3.11-slim"}
    users = [arguments for keyword, arguments in final_stage() if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [keyword for keyword, _ in steps[-2:]] == ["ENTRYPOINT", "CMD"]
    entrypoint, command = (
        json.loads(arguments) for _, arguments in steps[-2:]
    )  # exec form: signals reach it
    assert entrypoint == ["pulsebot"] and command == ["run"]
    assert is_pulsebot_command(command)


def test_the_image_is_built_from_files_that_exist_and_include_what_the_wheel_ships():
    copied = set()
    for keyword, arguments in instructions():
        if keyword == "COPY" and not arguments.startswith("--from"):
            *sources, _ = arguments.split()
            copied |= set(sources)
    assert all((ROOT / source).exists() for source in copied), copied
    pyproject = (ROOT / "pyproject.toml").read_text()
    # The wheel takes the migrations and the manifest from outside src/ (force-include), and the README.
    assert {"pyproject.toml", "README.md", "manifest.yml", "src", "migrations"} <= {
        source.rstrip("/") for source in copied
    }
    assert '"migrations" = "pulsebot/migrations"' in pyproject


def test_the_image_exposes_and_checks_pulsebot_s_ports():
    environment = image_environment()
    assert set(environment) <= SETTINGS | NOT_PULSEBOT
    exposed = {
        int(port) for keyword, arguments in final_stage() if keyword == "EXPOSE" for port in arguments.split()
    }
    ports = {
        int(environment[name]) for name in ("PULSEBOT_PORT", "PULSEBOT_WEB_PORT", "PULSEBOT_METRICS_PORT")
    }
    assert ports == exposed == {DEFAULTS.port, DEFAULTS.web_port, DEFAULTS.metrics_port}
    (check,) = [arguments for keyword, arguments in final_stage() if keyword == "HEALTHCHECK"]
    assert f"127.0.0.1:{environment['PULSEBOT_PORT']}/healthz" in check


def test_the_compose_file_is_valid_against_the_compose_specification():
    schema_file = importlib.resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)

    assert not [error.message for error in validator.iter_errors(compose())]


def test_compose_runs_pulsebot_commands_with_real_settings_and_its_probes():
    services = pulsebot_services()
    assert {tuple(service["command"]) for service in services.values()} == {
        ("run",),
        ("web",),
        ("db", "upgrade"),
    }
    for name, service in services.items():
        assert is_pulsebot_command(service["command"]), name
        assert set(service["environment"]) <= SETTINGS, name
        check = " ".join(service.get("healthcheck", {}).get("test", []))
        port = int(service["environment"].get("PULSEBOT_WEB_PORT" if name == "web" else "PULSEBOT_PORT", 0))
        if service["command"] == ["run"]:
            assert f"127.0.0.1:{port}/healthz" in check
            assert service["deploy"]["replicas"] >= 2
            assert str(service["environment"]["PULSEBOT_METRICS_PORT"]) in service["expose"]
        if service["command"] == ["web"]:
            assert f"127.0.0.1:{port}/healthz" in check
    example = (DEPLOY / "pulsebot.env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in example if line and not line.startswith("#")}
    assert names <= SETTINGS
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PULSEBOT_ANON_KEY", "PULSEBOT_METRICS_TOKEN"} <= names


def test_the_load_balancer_sends_requests_to_ready_replicas_only():
    config = (DEPLOY / "haproxy.cfg").read_text()
    assert "option httpchk GET /readyz" in config
    assert f"bot:{DEFAULTS.port}" in config
    assert any("./haproxy.cfg:" in volume for volume in compose()["services"]["lb"]["volumes"])


@pytest.mark.parametrize("path", KUBERNETES, ids=lambda path: path.name)
def test_each_kubernetes_manifest_is_valid_against_the_api_s_schema(path):
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_kubernetes_runs_pulsebot_commands_probed_where_pulsebot_answers():
    config = next(doc for doc in manifests() if doc["kind"] == "ConfigMap")["data"]
    assert set(config) <= SETTINGS
    commands = set()
    for spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"]:
            commands.add(tuple(container["args"]))
            assert is_pulsebot_command(container["args"])
            assert {variable["name"] for variable in container.get("env", [])} <= SETTINGS
            # Tokens and keys only from the Secret, never written in a manifest.
            assert all("valueFrom" in variable for variable in container.get("env", []))
            ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe"):
                if container["args"] in (["run"], ["web"]):
                    get = container[probe]["httpGet"]
                    assert get["path"] in PROBES[container["args"][0]]
                    setting = "PULSEBOT_WEB_PORT" if container["args"] == ["web"] else "PULSEBOT_PORT"
                    assert ports[get["port"]] == int(config[setting])
            if container["args"] == ["run"]:
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
                assert ports["metrics"] == int(config["PULSEBOT_METRICS_PORT"])
    assert commands == {("run",), ("web",), ("db", "upgrade")}
    services = {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == "Service"}
    assert {"pulsebot-bot", "pulsebot-web"} <= set(services)
