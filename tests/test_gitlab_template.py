"""templates/gitlab/: valid GitLab CI YAML (SchemaStore's gitlab-ci schema, vendored in the PyPI
package check-jsonschema) and consistent with what `standards-check ci` reads and writes."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from standards_check.commands.gitlab_ci import DEFAULT_FILES, VARIABLES, inputs_env
from standards_check.commands.ci import read_inputs

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates/gitlab/standards-check.gitlab-ci.yml"


def _template() -> dict:
    return yaml.safe_load(TEMPLATE.read_text())


def test_template_validates_against_schemastore_gitlab_ci() -> None:
    schema = json.loads((resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "gitlab-ci.json")
                        .read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(_template())]
    assert errors == []


def test_template_job_runs_on_merge_requests_and_uploads_what_ci_writes() -> None:
    template = _template()
    job = template["standards-check"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["script"] == ["standards-check ci"]
    assert job["artifacts"]["reports"] == {"codequality": DEFAULT_FILES["codequality_file"],
                                           "junit": DEFAULT_FILES["junit_file"]}
    assert job["artifacts"]["paths"] == [DEFAULT_FILES["report_json"]]
    assert job["variables"]["GIT_DEPTH"] == "0"


def test_template_variables_are_the_ones_ci_reads() -> None:
    variables = _template()["variables"]
    known = {"STANDARDS_CHECK_" + name.upper().replace("-", "_") for name in VARIABLES}
    assert set(variables) - {"STANDARDS_CHECK_INSTALL"} <= known
    inputs = read_inputs(inputs_env({k: str(v) for k, v in variables.items()}))
    assert (inputs.path, inputs.fail_on, inputs.comment, inputs.policy) == (".", "gate", True, None)
